// requirements.txt exactly as pip 23.2 reads it: Python's line splitting, `\` continuation,
// comments, `${VAR}` expansion, options split by shlex and parsed by optparse (abbreviations
// included), nested `-r`/`-c` files relative to their parent, per-requirement `--hash`,
// `--global-option` and `--config-settings`, and each line turned into what pip would install
// (name, specifier, link, markers) with pip's own errors. File access goes through a host
// interface, so this module stays free of I/O.
//
// This file reads the files and follows their nesting; the stages it calls live beside it:
// requirements-txt-lines.ts (bytes to logical lines), requirements-txt-options.ts (a line's
// options), install-requirement.ts (a requirement line to what pip installs).

import {
  fileUrlPath,
  type InstallRequirement,
  type ParsedRequirementLine,
  type RequirementLineOptions,
  toInstallRequirement,
  urlScheme,
} from "./install-requirement.ts";
import { dirname, joinPath } from "./posix-path.ts";
import { PyValueError, pyUrljoin } from "./python-url.ts";
import {
  RemoteFileNeeded,
  RequirementsFileError,
  type RequirementsFileHost,
} from "./requirements-txt-host.ts";
import { decodeFetched, decodeRequirementsFile, preprocess } from "./requirements-txt-lines.ts";
import {
  applyOptionLine,
  breakArgsOptions,
  CommandError,
  emptyFinderOptions,
  type FinderOptions,
  type LineOptions,
  OptionError,
  parseLineOptions,
} from "./requirements-txt-options.ts";

export interface RequirementsFileEntry {
  parsed: ParsedRequirementLine;
  installRequirement: InstallRequirement | null;
  error: RequirementsFileError | null;
}

export interface RequirementsFileResult {
  entries: RequirementsFileEntry[];
  options: FinderOptions | null;
  /** The first error pip raises; parsing stops there. */
  error: RequirementsFileError | null;
}

/**
 * Reads a requirements (or constraints) file and everything it includes, then turns each
 * requirement line into an InstallRequirement as pip does. A file-level error (an unreadable file,
 * a bad option) fails the whole read; a line pip cannot install is reported on that line, and the
 * first such error is the result's error.
 */
export function readRequirementsFile(
  filename: string,
  host: RequirementsFileHost,
  constraint = false,
  options: FinderOptions = emptyFinderOptions(),
): RequirementsFileResult {
  let lines: ParsedRequirementLine[];
  try {
    lines = [...parseAndRecurse(filename, constraint, host, options, 0)];
  } catch (error) {
    if (!(error instanceof RequirementsFileError)) throw error;
    return { entries: [], options: null, error };
  }
  let firstError: RequirementsFileError | null = null;
  const entries = lines.map((parsed): RequirementsFileEntry => {
    try {
      return { parsed, installRequirement: toInstallRequirement(parsed, host), error: null };
    } catch (error) {
      if (!(error instanceof RequirementsFileError)) throw error;
      firstError ??= error;
      return { parsed, installRequirement: null, error };
    }
  });
  return { entries, options, error: firstError };
}

// --- reading lines ----------------------------------------------------------------------------

const SCHEME = /^(http|https|file):/i;
// pip nests by recursion and stops at Python's recursion limit (1000 frames): about 980 files deep.
// A chain that grows its path (`sub/../sub/...`) meets the system's path length limit first, and
// fails to open as in pip.
const MAX_NESTING = 980;

function* parseAndRecurse(
  filename: string,
  constraint: boolean,
  host: RequirementsFileHost,
  finder: FinderOptions,
  depth: number,
): Generator<ParsedRequirementLine> {
  if (depth > MAX_NESTING) {
    throw new RequirementsFileError(
      "file",
      "RecursionError",
      `${filename}: requirements files include each other too deeply`,
    );
  }
  for (const { lineNumber, args, opts } of parseFile(filename, host, finder)) {
    const isRequirement = args !== "" || opts.editables.length > 0;
    if (!isRequirement && (opts.requirements.length > 0 || opts.constraints.length > 0)) {
      const nestedConstraint = opts.requirements.length === 0;
      let path = nestedConstraint ? opts.constraints[0] : opts.requirements[0];
      if (SCHEME.test(filename)) path = pyUrljoin(filename, path);
      else if (!SCHEME.test(path)) path = joinPath(dirname(filename), path);
      yield* parseAndRecurse(path, nestedConstraint, host, finder, depth + 1);
    } else if (isRequirement) {
      const editable = args === "";
      const lineOptions: RequirementLineOptions = {};
      if (!editable) {
        if (opts.global_options.length > 0) lineOptions.global_options = opts.global_options;
        if (opts.hashes !== null) lineOptions.hashes = opts.hashes;
        if (opts.config_settings !== null) lineOptions.config_settings = opts.config_settings;
      }
      yield {
        file: filename,
        line: lineNumber,
        constraint,
        editable,
        requirement: editable ? opts.editables[0] : args,
        options: lineOptions,
      };
    } else {
      try {
        applyOptionLine(opts, filename, host, finder);
      } catch (error) {
        // pip lets a trusted host's ValueError through its option handling unwrapped.
        if (!(error instanceof PyValueError)) throw error;
        throw new RequirementsFileError("file", "ValueError", error.message, filename, lineNumber);
      }
    }
  }
}

function* parseFile(filename: string, host: RequirementsFileHost, finder: FinderOptions) {
  let content: string;
  const scheme = urlScheme(filename);
  if (scheme === "file") content = readFileUrl(filename, host);
  else {
    let bytes: Uint8Array;
    try {
      bytes = host.readFile(filename);
    } catch (error) {
      if (error instanceof RemoteFileNeeded) throw error;
      throw new RequirementsFileError(
        "file",
        "InstallationError",
        `Could not open requirements file: ${(error as Error).message}`,
        filename,
      );
    }
    // pip reads a URL's text as requests decodes it, a file's by its own rules.
    content =
      scheme === "http" || scheme === "https"
        ? decodeFetched(bytes)
        : decodeRequirementsFile(bytes, filename);
  }
  for (const [lineNumber, line] of preprocess(content, host.env)) {
    const { args, optionText } = breakArgsOptions(line);
    let opts: LineOptions;
    try {
      opts = parseLineOptions(optionText, finder);
    } catch (error) {
      if (error instanceof OptionError) {
        throw new RequirementsFileError(
          "file",
          "RequirementsFileParseError",
          `Invalid requirement: ${line}\n${error.message}`,
          filename,
          lineNumber,
        );
      }
      if (error instanceof CommandError)
        throw new RequirementsFileError("file", "CommandError", error.message, filename, lineNumber);
      throw error;
    }
    yield { lineNumber, args, opts };
  }
}

/**
 * A requirements file named by a file: URL, read as pip's LocalFSAdapter serves it: the URL must
 * name this host, its path is unquoted and taken from the root, a path that cannot be read is a
 * 404, a directory fails to open.
 */
function readFileUrl(url: string, host: RequirementsFileHost): string {
  let path: string;
  try {
    path = fileUrlPath(url);
  } catch (error) {
    if (!(error instanceof PyValueError)) throw error;
    throw new RequirementsFileError("file", "ValueError", error.message, url);
  }
  // requests writes `file:x` as `file:///x`; an empty path names no file.
  if (path === "")
    throw new RequirementsFileError(
      "file",
      "NetworkConnectionError",
      `404 Client Error: FileNotFoundError for url: ${url}`,
      url,
    );
  if (!path.startsWith("/")) path = `/${path}`;
  if (host.isDirectory(path))
    throw new RequirementsFileError("file", "IsADirectoryError", `[Errno 21] Is a directory: '${path}'`, url);
  let bytes: Uint8Array;
  try {
    bytes = host.readFile(path);
  } catch {
    throw new RequirementsFileError(
      "file",
      "NetworkConnectionError",
      `404 Client Error: FileNotFoundError for url: ${url}`,
      url,
    );
  }
  return decodeFetched(bytes);
}
