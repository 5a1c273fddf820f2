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
  /** A failed resolution's projects that no index or --find-links location has. */
  notFound?: readonly string[];
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

/** The same error with one more hint line under the ones it has. */
export function withHint(error: SpiceError, hint: string): SpiceError {
  const hints = error.details.hint === undefined ? hint : `${error.details.hint}\n${hint}`;
  return new SpiceError(error.code, error.message, { ...error.details, hint: hints });
}

/** Exit codes: 0 success, 1 failure, 2 usage error. */
export class UsageError extends SpiceError {
  constructor(message: string, hint?: string) {
    super("E_USAGE", message, hint ? { hint } : {});
  }
}

const FILE_SYSTEM_HINTS: Record<string, string> = {
  ENAMETOOLONG: "A file name is longer than this file system allows",
  ENOSPC: "The disk is full: free some space and run the command again",
  EDQUOT: "The disk quota is used up: free some space and run the command again",
  EACCES: "Check that you may write to it (its owner and permissions)",
  EPERM: "Check that you may write to it (its owner and permissions)",
  EROFS: "It is on a read-only file system",
  EMFILE: "Too many files are open: raise the limit (ulimit -n) and run the command again",
  ENOTDIR: "A part of the path is a file where a directory is needed: move it, or choose another path",
};

/**
 * A file of spice's cache gone while a command used it: another process emptied the cache (a
 * `spice cache clean` beside it), which running the command again mends.
 */
export function cacheLostFile(what: string, error: NodeJS.ErrnoException): SpiceError {
  return new SpiceError("E_FILE_SYSTEM", what, {
    cause: `${error.message}: spice's cache lost a file while this command used it`,
    hint: "Another process removed it (`spice cache clean` or `prune`, or an rm of the cache): run the command again",
  });
}

/**
 * A file system failure (an error with an errno code) as a SpiceError naming what failed; null for
 * anything else, which stays a bug.
 */
export function fileSystemFailure(what: string, error: unknown): SpiceError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (!(error instanceof Error) || typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return null;
  // mkdir's EEXIST: what is there is no directory (make-directories takes a directory as made).
  const hint =
    code === "EEXIST" && (error as NodeJS.ErrnoException).syscall === "mkdir"
      ? "A file is where a directory is needed: move it, or choose another path"
      : FILE_SYSTEM_HINTS[code];
  return new SpiceError(
    "E_FILE_SYSTEM",
    what,
    hint ? { cause: error.message, hint } : { cause: error.message },
  );
}
