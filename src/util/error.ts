// The one error type for failures a user can act on. `cli/` prints it as
//   error: <message>
//     caused by: <cause>
//   hint: <hint>
// without a stack trace; anything else that escapes is a bug and is printed with its stack.

export interface ErrorDetails {
  /** Why it failed, when the message alone does not say. */
  cause?: string;
  /** What to do next, usually a command. */
  hint?: string;
}

export class SpiceError extends Error {
  override name = "SpiceError";
  constructor(
    /** Stable and documented: E_NO_ENVIRONMENT, E_INTERPRETER_NOT_FOUND, ... */
    readonly code: string,
    /** What failed: one line, naming the object, no trailing period. */
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** Exit codes: 0 success, 1 failure, 2 usage error. */
export class UsageError extends SpiceError {
  constructor(message: string, hint?: string) {
    super("E_USAGE", message, hint ? { hint } : {});
  }
}
