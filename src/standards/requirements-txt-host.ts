// The requirements-file parser's boundary: the host it reads files through, and the errors it
// reports, each named by the exception class pip raises.

export type RequirementsErrorStage = "file" | "requirement";

/**
 * Thrown by a host asked for a requirements file at an http(s) URL it has not fetched yet: the
 * parser lets it through, so that a caller can fetch the file and read the files again.
 */
export class RemoteFileNeeded extends Error {
  constructor(readonly url: string) {
    super(`${url} must be fetched first`);
  }
}

export class RequirementsFileError extends Error {
  constructor(
    readonly stage: RequirementsErrorStage,
    /** pip's exception class: RequirementsFileParseError, InstallationError, ... */
    readonly type: string,
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** What the parser needs from the outside world. Paths are POSIX; `readFile` may get a URL. */
export interface RequirementsFileHost {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The file's bytes; throws an Error with a message when it cannot be read. */
  readFile(pathOrUrl: string): Uint8Array;
  isDirectory(path: string): boolean;
  isFile(path: string): boolean;
  exists(path: string): boolean;
}
