// requirements.txt exactly as pip 23.2 reads it: Python's line splitting, `\` continuation,
// comments, `${VAR}` expansion, options split by shlex and parsed by optparse (abbreviations
// included), nested `-r`/`-c` files relative to their parent, per-requirement `--hash`,
// `--global-option` and `--config-settings`, and each line turned into what pip would install
// (name, specifier, link, markers) with pip's own errors. File access goes through a host
// interface, so this module stays free of I/O.

import {
  LegacyInvalidMarker,
  LegacyInvalidRequirement,
  LegacyInvalidSpecifier,
  legacyMarkerString,
  parseLegacyRequirement,
} from "./legacy-requirement.ts";
import { canonicalizeName } from "./name.ts";
import { pySplitLines, pyStrip } from "./python-string.ts";
import {
  buildNetloc,
  type PySplitUrl,
  PyValueError,
  pyNetlocHostPort,
  pyUrljoin,
  pyUrlsplit,
} from "./python-url.ts";

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

export interface RequirementLineOptions {
  hashes?: Record<string, string[]>;
  global_options?: string[];
  config_settings?: Record<string, string | string[]>;
}

/** One requirement line, before it is interpreted. */
export interface ParsedRequirementLine {
  /** As pip names it: joined to its parent's directory, not normalized. */
  file: string;
  line: number;
  constraint: boolean;
  editable: boolean;
  /** The requirement text exactly as pip keeps it (trailing spaces included). */
  requirement: string;
  options: RequirementLineOptions;
}

/** What pip's finder and options end up holding. */
export interface FinderOptions {
  indexUrls: string[];
  noIndex: boolean;
  findLinks: string[];
  pre: boolean;
  preferBinary: boolean;
  noBinary: Set<string>;
  onlyBinary: Set<string>;
  requireHashes: boolean;
  featuresEnabled: string[];
  trustedHosts: string[];
}

export function emptyFinderOptions(): FinderOptions {
  return {
    indexUrls: [],
    noIndex: false,
    findLinks: [],
    pre: false,
    preferBinary: false,
    noBinary: new Set(),
    onlyBinary: new Set(),
    requireHashes: false,
    featuresEnabled: [],
    trustedHosts: [],
  };
}

/** A requirement as pip's InstallRequirement holds it. */
export interface InstallRequirement {
  name: string | null;
  specifier: string;
  extras: string[];
  url: string | null;
  link: string | null;
  markers: string | null;
  editable: boolean;
  constraint: boolean;
  hashOptions: Record<string, string[]>;
  globalOptions: string[];
}

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
      const words = shlexSplit(optionText);
      opts = parseLineOptions(words, finder);
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

/** A fetched file's text as requests' detection reads it: a BOM, else UTF-8 when valid, else Latin-1. */
function decodeFetched(bytes: Uint8Array): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return new TextDecoder("latin1").decode(body);
  }
}

/** pip's `auto_decode`: a BOM, else a PEP 263 coding line in the first two lines, else UTF-8. */
export function decodeRequirementsFile(bytes: Uint8Array, filename = "requirements file"): string {
  const startsWith = (prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);
  const decode = (encoding: string, offset: number): string => {
    try {
      return decodeBytes(bytes.subarray(offset), encoding);
    } catch (error) {
      throw new RequirementsFileError(
        "file",
        "UnicodeDecodeError",
        `${filename}: cannot decode as ${encoding}: ${(error as Error).message}`,
        filename,
      );
    }
  };
  if (startsWith([0xef, 0xbb, 0xbf])) return decode("utf-8", 3);
  if (startsWith([0xff, 0xfe, 0x00, 0x00])) return decode("utf-32le", 4);
  if (startsWith([0x00, 0x00, 0xfe, 0xff])) return decode("utf-32be", 4);
  if (startsWith([0xff, 0xfe])) return decode("utf-16le", 2);
  if (startsWith([0xfe, 0xff])) return decode("utf-16be", 2);
  const firstLines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length && firstLines.length < 2; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      firstLines.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  for (const line of firstLines) {
    if (line[0] !== 0x23) continue;
    const match = /coding[:=]\s*([-\w.]+)/.exec(Buffer.from(line).toString("latin1"));
    if (match) return decode(match[1], 0);
  }
  return decode("utf-8", 0);
}

function decodeBytes(bytes: Uint8Array, encoding: string): string {
  const normalized = encoding.toLowerCase().replaceAll("_", "-");
  if (["latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1"].includes(normalized)) {
    // Python's latin-1 maps every byte to the same code point (TextDecoder's "latin1" is cp1252).
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return text;
  }
  if (normalized === "utf-32le" || normalized === "utf-32be" || normalized === "utf-32") {
    if (bytes.length % 4 !== 0) throw new Error("truncated data");
    const little = normalized !== "utf-32be";
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let text = "";
    for (let i = 0; i < bytes.length; i += 4) text += String.fromCodePoint(view.getUint32(i, little));
    return text;
  }
  return new TextDecoder(normalized === "utf8" ? "utf-8" : normalized, { fatal: true }).decode(bytes);
}

// A comment starts at the line start or after whitespace (Python's `\s`).
const COMMENT =
  /(^|[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)#.*$/;
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

function isCommentLine(line: string): boolean {
  const match = COMMENT.exec(line);
  return match !== null && match.index === 0;
}

/** Line splitting, continuation joining, comment stripping and `${VAR}` expansion, as pip does. */
export function preprocess(
  content: string,
  env: Readonly<Record<string, string | undefined>>,
): Array<[number, string]> {
  const joined: Array<[number, string]> = [];
  let pending: string[] = [];
  let pendingLine = 0;
  pySplitLines(content).forEach((original, index) => {
    let line = original;
    const lineNumber = index + 1;
    if (!line.endsWith("\\") || isCommentLine(line)) {
      if (isCommentLine(line)) line = ` ${line}`;
      if (pending.length > 0) {
        pending.push(line);
        joined.push([pendingLine, pending.join("")]);
        pending = [];
      } else {
        joined.push([lineNumber, line]);
      }
    } else {
      if (pending.length === 0) pendingLine = lineNumber;
      pending.push(line.replace(/^\\+|\\+$/g, ""));
    }
  });
  if (pending.length > 0) joined.push([pendingLine, pending.join("")]);

  const result: Array<[number, string]> = [];
  for (const [lineNumber, raw] of joined) {
    const line = pyStrip(raw.replace(COMMENT, ""));
    if (!line) continue;
    let expanded = line;
    for (const match of line.matchAll(ENV_VAR)) {
      const value = env[match[1]];
      if (value) expanded = expanded.replaceAll(match[0], value);
    }
    result.push([lineNumber, expanded]);
  }
  return result;
}

/** Arguments run until the first space-separated token that starts with `-`. */
function breakArgsOptions(line: string): { args: string; optionText: string } {
  const tokens = line.split(" ");
  const index = tokens.findIndex((token) => token.startsWith("-"));
  if (index < 0) return { args: tokens.join(" "), optionText: "" };
  return { args: tokens.slice(0, index).join(" "), optionText: tokens.slice(index).join(" ") };
}

class OptionError extends Error {}
/** pip's CommandError: raised by an option's own check, it escapes the file parser's wrapping. */
class CommandError extends Error {}

/** Python's `shlex.split` (POSIX mode, no comments). */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== null) {
      if (char === quote) quote = null;
      else if (char === "\\" && quote === '"') {
        i++;
        if (i >= text.length) throw new OptionError(`Could not split options: ${text}`);
        const next = text[i];
        word += next === '"' || next === "\\" ? next : `\\${next}`;
      } else word += char;
      continue;
    }
    if (" \t\r\n".includes(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (char === "\\") {
      i++;
      if (i >= text.length) throw new OptionError(`Could not split options: ${text}`);
      word += text[i];
      inWord = true;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== null) throw new OptionError(`Could not split options: ${text}`);
  if (inWord) words.push(word);
  return words;
}

// --- optparse ------------------------------------------------------------------------------------

interface LineOptions {
  index_url: string | null;
  extra_index_urls: string[];
  no_index: boolean;
  constraints: string[];
  requirements: string[];
  editables: string[];
  find_links: string[];
  prefer_binary: boolean;
  require_hashes: boolean;
  pre: boolean;
  trusted_hosts: string[];
  features_enabled: string[];
  global_options: string[];
  hashes: Record<string, string[]> | null;
  config_settings: Record<string, string | string[]> | null;
}

type OptionSpec = {
  names: string[];
  takesValue: boolean;
  apply: (opts: LineOptions, value: string, name: string, finder: FinderOptions) => void;
};

const STRONG_HASHES = ["sha256", "sha384", "sha512"];
const FEATURES = ["fast-deps", "truststore", "no-binary-enable-wheel-cache"];

function handleBinary(value: string, target: Set<string>, other: Set<string>): void {
  if (value.startsWith("-"))
    throw new CommandError("--no-binary / --only-binary option requires 1 argument.");
  let names = value.split(",");
  while (names.includes(":all:")) {
    other.clear();
    target.clear();
    target.add(":all:");
    names = names.slice(names.indexOf(":all:") + 1);
    if (!names.includes(":none:")) return;
  }
  for (const name of names) {
    if (name === ":none:") {
      target.clear();
      continue;
    }
    const canonical = canonicalizeName(name);
    other.delete(canonical);
    target.add(canonical);
  }
}

const OPTIONS: OptionSpec[] = [
  { names: ["-i", "--index-url", "--pypi-url"], takesValue: true, apply: (o, v) => void (o.index_url = v) },
  { names: ["--extra-index-url"], takesValue: true, apply: (o, v) => void o.extra_index_urls.push(v) },
  { names: ["--no-index"], takesValue: false, apply: (o) => void (o.no_index = true) },
  { names: ["-c", "--constraint"], takesValue: true, apply: (o, v) => void o.constraints.push(v) },
  { names: ["-r", "--requirement"], takesValue: true, apply: (o, v) => void o.requirements.push(v) },
  { names: ["-e", "--editable"], takesValue: true, apply: (o, v) => void o.editables.push(v) },
  { names: ["-f", "--find-links"], takesValue: true, apply: (o, v) => void o.find_links.push(v) },
  {
    names: ["--no-binary"],
    takesValue: true,
    apply: (_o, v, _n, f) => handleBinary(v, f.noBinary, f.onlyBinary),
  },
  {
    names: ["--only-binary"],
    takesValue: true,
    apply: (_o, v, _n, f) => handleBinary(v, f.onlyBinary, f.noBinary),
  },
  { names: ["--prefer-binary"], takesValue: false, apply: (o) => void (o.prefer_binary = true) },
  { names: ["--require-hashes"], takesValue: false, apply: (o) => void (o.require_hashes = true) },
  { names: ["--pre"], takesValue: false, apply: (o) => void (o.pre = true) },
  { names: ["--trusted-host"], takesValue: true, apply: (o, v) => void o.trusted_hosts.push(v) },
  {
    names: ["--use-feature"],
    takesValue: true,
    apply: (o, v, name) => {
      if (!FEATURES.includes(v)) {
        throw new OptionError(
          `option ${name}: invalid choice: '${v}' (choose from ${FEATURES.map((f) => `'${f}'`).join(", ")})`,
        );
      }
      o.features_enabled.push(v);
    },
  },
  { names: ["--global-option"], takesValue: true, apply: (o, v) => void o.global_options.push(v) },
  {
    names: ["--hash"],
    takesValue: true,
    apply: (o, v, name) => {
      const colon = v.indexOf(":");
      if (colon < 0) {
        throw new OptionError(
          `Arguments to ${name} must be a hash name followed by a value, like --hash=sha256:abcde...`,
        );
      }
      const algorithm = v.slice(0, colon);
      if (!STRONG_HASHES.includes(algorithm)) {
        throw new OptionError(`Allowed hash algorithms for ${name} are ${STRONG_HASHES.join(", ")}.`);
      }
      o.hashes ??= {};
      (o.hashes[algorithm] ??= []).push(v.slice(colon + 1));
    },
  },
  {
    names: ["-C", "--config-settings"],
    takesValue: true,
    apply: (o, v, name) => {
      const equals = v.indexOf("=");
      if (equals < 0) throw new OptionError(`Arguments to ${name} must be of the form KEY=VAL`);
      const key = v.slice(0, equals);
      const value = v.slice(equals + 1);
      o.config_settings ??= {};
      const existing = o.config_settings[key];
      if (existing === undefined) o.config_settings[key] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else o.config_settings[key] = [existing, value];
    },
  },
];

const LONG_OPTIONS = new Map<string, OptionSpec>();
const SHORT_OPTIONS = new Map<string, OptionSpec>();
for (const option of OPTIONS) {
  for (const name of option.names) (name.startsWith("--") ? LONG_OPTIONS : SHORT_OPTIONS).set(name, option);
}

function matchLongOption(text: string): string {
  if (LONG_OPTIONS.has(text)) return text;
  const candidates = [...LONG_OPTIONS.keys()].filter((name) => name.startsWith(text));
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new OptionError(`no such option: ${text}`);
  throw new OptionError(`ambiguous option: ${text} (${candidates.sort().join(", ")}?)`);
}

/** optparse's processing of one line's option words. Positional words are ignored, as pip does. */
function parseLineOptions(words: string[], finder: FinderOptions): LineOptions {
  const opts: LineOptions = {
    index_url: null,
    extra_index_urls: [],
    no_index: false,
    constraints: [],
    requirements: [],
    editables: [],
    find_links: [],
    prefer_binary: false,
    require_hashes: false,
    pre: false,
    trusted_hosts: [],
    features_enabled: [],
    global_options: [],
    hashes: null,
    config_settings: null,
  };
  const rest = [...words];
  while (rest.length > 0) {
    const word = rest[0];
    if (word === "--") break;
    if (word.startsWith("--")) {
      rest.shift();
      const equals = word.indexOf("=");
      let explicit: string | null = null;
      let name = word;
      if (equals >= 0) {
        name = word.slice(0, equals);
        explicit = word.slice(equals + 1);
      }
      name = matchLongOption(name);
      const option = LONG_OPTIONS.get(name)!;
      if (option.takesValue) {
        const value = explicit ?? rest.shift();
        if (value === undefined) throw new OptionError(`${name} option requires 1 argument`);
        option.apply(opts, value, name, finder);
      } else {
        if (explicit !== null) throw new OptionError(`${name} option does not take a value`);
        option.apply(opts, "", name, finder);
      }
    } else if (word.startsWith("-") && word.length > 1) {
      rest.shift();
      for (let i = 1; i < word.length; i++) {
        const name = `-${word[i]}`;
        const option = SHORT_OPTIONS.get(name);
        if (option === undefined) throw new OptionError(`no such option: ${name}`);
        if (option.takesValue) {
          const value = i + 1 < word.length ? word.slice(i + 1) : rest.shift();
          if (value === undefined) throw new OptionError(`${name} option requires 1 argument`);
          option.apply(opts, value, name, finder);
          break;
        }
        option.apply(opts, "", name, finder);
      }
    } else {
      rest.shift();
    }
  }
  return opts;
}

function applyOptionLine(
  opts: LineOptions,
  filename: string,
  host: RequirementsFileHost,
  finder: FinderOptions,
): void {
  if (opts.require_hashes) finder.requireHashes = true;
  for (const feature of opts.features_enabled)
    if (!finder.featuresEnabled.includes(feature)) finder.featuresEnabled.push(feature);
  if (opts.no_index) {
    finder.noIndex = true;
    finder.indexUrls = [];
  }
  if (opts.index_url && !finder.noIndex) finder.indexUrls = [opts.index_url];
  if (opts.extra_index_urls.length > 0 && !finder.noIndex) finder.indexUrls.push(...opts.extra_index_urls);
  if (opts.find_links.length > 0) {
    let value = opts.find_links[0];
    const relative = joinPath(dirname(absolutePath(filename, host.cwd)), value);
    if (host.exists(relative)) value = relative;
    finder.findLinks.push(value);
  }
  if (opts.pre) finder.pre = true;
  if (opts.prefer_binary) finder.preferBinary = true;
  // pip keeps each trusted host as the (host, port) pair Python's URL parser reads from it.
  for (const trusted of opts.trusted_hosts) {
    const { hostname, port } = pyNetlocHostPort(trusted);
    if (hostname === null) throw new PyValueError(`Trusted host URL must include a host part: '${trusted}'`);
    const netloc = buildNetloc(hostname, port);
    if (!finder.trustedHosts.includes(netloc)) finder.trustedHosts.push(netloc);
  }
}

// --- from a line to what pip installs ---------------------------------------------------------

const VCS_BACKENDS: Array<[string, string[]]> = [
  ["bzr", ["bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file"]],
  ["git", ["git+http", "git+https", "git+ssh", "git+git", "git+file"]],
  ["hg", ["hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http"]],
  ["svn", ["svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file"]],
];
export const VCS_SCHEMES = VCS_BACKENDS.flatMap(([, schemes]) => schemes);
const ARCHIVE_EXTENSIONS = [
  ".zip",
  ".whl",
  ".tar.bz2",
  ".tbz",
  ".tar.xz",
  ".txz",
  ".tlz",
  ".tar.lz",
  ".tar.lzma",
  ".tar.gz",
  ".tgz",
  ".tar",
];

function urlScheme(url: string): string | null {
  const colon = url.indexOf(":");
  return colon < 0 ? null : url.slice(0, colon).toLowerCase();
}

export function isUrl(name: string): boolean {
  const scheme = urlScheme(name);
  return scheme !== null && ["http", "https", "file", "ftp", ...VCS_SCHEMES].includes(scheme);
}

/**
 * The parts of a URL as Python's `urlsplit` separates them. pip makes a Link of every URL it
 * meets, which splits it, so a URL Python cannot split stops pip there (PyValueError).
 */
function splitUrl(url: string): PySplitUrl {
  return pyUrlsplit(url);
}

function unquote(text: string): string {
  try {
    return decodeURIComponent(text.replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
  } catch {
    return text;
  }
}

function splitExtension(path: string): [string, string] {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  let stem =
    dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))
      ? path
      : path.slice(0, path.length - (base.length - dot));
  let extension = stem === path ? "" : path.slice(stem.length);
  if (stem.toLowerCase().endsWith(".tar")) {
    extension = stem.slice(-4) + extension;
    stem = stem.slice(0, -4);
  }
  return [stem, extension];
}

function linkFilename(url: string): string {
  const { netloc, path } = splitUrl(url);
  const trimmed = unquote(path).replace(/\/+$/, "");
  const name = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return name ? unquote(name) : netloc;
}

function linkIsWheel(url: string): boolean {
  const path = unquote(splitUrl(url).path).replace(/\/+$/, "");
  return splitExtension(path.slice(path.lastIndexOf("/") + 1))[1] === ".whl";
}

function eggFragment(url: string): string | null {
  const match = /[#&]egg=([^&]*)/.exec(url);
  return match ? match[1] : null;
}

function isArchiveFile(name: string): boolean {
  return ARCHIVE_EXTENSIONS.includes(splitExtension(name)[1].toLowerCase());
}

function looksLikePath(name: string): boolean {
  return name.includes("/") || name.startsWith(".");
}

function stripExtras(path: string): [string, string | null] {
  const match = /^([^\n]+)(\[[^\]]+\])$/.exec(path);
  return match ? [match[1], match[2]] : [path, null];
}

/** Python's `urllib.parse.quote(path)` as `pathname2url` uses it. */
function quotePath(path: string): string {
  let result = "";
  for (const byte of new TextEncoder().encode(path)) {
    const char = String.fromCharCode(byte);
    result += /[A-Za-z0-9_.\-~/]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return result;
}

/** pip's path_to_url: `urljoin("file:", pathname2url(path))` (a path starting `//` names a host). */
export function pathToUrl(path: string, cwd: string): string {
  return pyUrljoin("file:", quotePath(absolutePath(path, cwd)));
}

function safeExtra(extra: string): string {
  return extra.replace(/[^A-Za-z0-9.-]+/g, "_").toLowerCase();
}

/** Errors pip catches nowhere on the way from a line to its InstallRequirement. */
function escapesPip(error: unknown): boolean {
  return error instanceof PyValueError || error instanceof LegacyInvalidSpecifier;
}

function legacyRequirement(text: string): ReturnType<typeof parseLegacyRequirement> {
  return parseLegacyRequirement(text);
}

function installationError(message: string): RequirementsFileError {
  return new RequirementsFileError("requirement", "InstallationError", message);
}

/** pip's `install_req_from_parsed_requirement`. */
export function toInstallRequirement(
  parsed: ParsedRequirementLine,
  host: RequirementsFileHost,
): InstallRequirement {
  try {
    return parsed.editable ? fromEditable(parsed, host) : fromLine(parsed, host);
  } catch (error) {
    if (error instanceof RequirementsFileError) throw error;
    if (error instanceof LegacyInvalidMarker)
      throw new RequirementsFileError("requirement", "InvalidMarker", error.message);
    if (error instanceof LegacyInvalidRequirement)
      throw new RequirementsFileError("requirement", "InvalidRequirement", error.message);
    if (error instanceof PyValueError)
      throw new RequirementsFileError("requirement", "ValueError", error.message);
    if (error instanceof LegacyInvalidSpecifier)
      throw new RequirementsFileError("requirement", "InvalidSpecifier", error.message);
    throw error;
  }
}

function fromEditable(parsed: ParsedRequirementLine, host: RequirementsFileHost): InstallRequirement {
  const text = parsed.requirement;
  const [withoutExtras, extrasText] = stripExtras(text);
  let url = text;
  let name: string | null;
  let extras: string[] = [];
  let location = withoutExtras;
  if (host.isDirectory(absolutePath(withoutExtras, host.cwd))) location = pathToUrl(withoutExtras, host.cwd);
  if (location.toLowerCase().startsWith("file:")) {
    splitUrl(location);
    name = eggFragment(location);
    url = location;
    if (extrasText) extras = legacyRequirement(`placeholder${extrasText.toLowerCase()}`).extras;
  } else {
    for (const [backend] of VCS_BACKENDS) {
      if (url.toLowerCase().startsWith(`${backend}:`)) {
        url = `${backend}+${url}`;
        break;
      }
    }
    const scheme = splitUrl(url).scheme;
    if (!VCS_SCHEMES.includes(scheme)) {
      throw installationError(
        `${text} is not a valid editable requirement. It should either be a path to a local project or a VCS URL (beginning with ${VCS_SCHEMES.join(", ")}).`,
      );
    }
    name = eggFragment(url);
    if (!name) {
      throw installationError(
        `Could not detect requirement name for '${text}', please specify one with #egg=your_package_name`,
      );
    }
  }
  let requirement: ReturnType<typeof parseLegacyRequirement> | null = null;
  if (name !== null) {
    try {
      requirement = legacyRequirement(name);
    } catch (error) {
      if (escapesPip(error)) throw error;
      throw installationError(`Invalid requirement: '${name}'`);
    }
  }
  checkFileLink(url);
  return {
    name: requirement?.name ?? null,
    specifier: requirement?.specifier ?? "",
    extras: [...new Set(extras.length > 0 ? extras : (requirement?.extras ?? []).map(safeExtra))].sort(),
    url: requirement?.url ?? null,
    link: url,
    markers: requirement?.marker ?? null,
    editable: true,
    constraint: parsed.constraint,
    hashOptions: {},
    globalOptions: [],
  };
}

/** pip's `url_to_path`: a file: URL's unquoted path, or PyValueError when it names another host. */
function fileUrlPath(url: string): string {
  const { netloc, path } = splitUrl(url);
  if (netloc !== "" && netloc !== "localhost")
    throw new PyValueError(`non-local file URIs are not supported on this platform: '${url}'`);
  return unquote(path);
}

/** pip's InstallRequirement turns a file: link into a local path at once (`Link.file_path`). */
function checkFileLink(link: string): void {
  if (splitUrl(link).scheme === "file") fileUrlPath(link);
}

/**
 * pip's `deduce_helpful_msg` for a requirement that looks like a path: whether the path exists, and
 * whether its first line reads as a requirement (a requirements file given without -r). pip opens
 * the path to read that line, so a directory fails there, with Python's IsADirectoryError.
 */
function pathHint(text: string, host: RequirementsFileHost): string {
  const path = absolutePath(text, host.cwd);
  if (!host.exists(path)) return ` File '${text}' does not exist.`;
  if (host.isDirectory(path))
    throw new RequirementsFileError(
      "requirement",
      "IsADirectoryError",
      `[Errno 21] Is a directory: '${text}'`,
    );
  let hint = " The path does exist. ";
  if (firstLineIsRequirement(host.readFile(path)))
    hint += `The argument you provided (${text}) appears to be a requirements file. If that is the case, use the '-r' flag to install the packages specified within it.`;
  return hint;
}

/** pip's `check_first_requirement_in_file`: true unless the first meaningful line fails to parse. */
function firstLineIsRequirement(bytes: Uint8Array): boolean {
  const lines = new TextDecoder("utf-8")
    .decode(bytes)
    .replaceAll("\ufffd", "")
    .split(/\r\n|\r|\n/)
    .map(pyStrip)
    .filter((line) => line !== "" && !line.startsWith("#"));
  if (lines.length === 0) return true;
  let line = lines[0];
  if (line.includes(" #")) line = line.slice(0, line.indexOf(" #"));
  if (line.endsWith("\\")) line = pyStrip(line.slice(0, -2)) + (lines[1] ?? "");
  try {
    parseLegacyRequirement(line);
    return true;
  } catch (error) {
    if (escapesPip(error)) throw error;
    return false;
  }
}

function fromLine(parsed: ParsedRequirementLine, host: RequirementsFileHost): InstallRequirement {
  let name = parsed.requirement;
  const markerSeparator = isUrl(name) ? "; " : ";";
  let markers: string | null = null;
  const separatorIndex = name.indexOf(markerSeparator);
  if (separatorIndex >= 0) {
    const markerText = pyStrip(name.slice(separatorIndex + markerSeparator.length));
    name = name.slice(0, separatorIndex);
    markers = markerText ? legacyMarkerString(markerText) : null;
  }
  name = pyStrip(name);
  const path = absolutePath(name, host.cwd);
  let link: string | null = null;
  let extrasText: string | null = null;
  if (isUrl(name)) link = name;
  else {
    const [withoutExtras, extras] = stripExtras(path);
    extrasText = extras;
    link = urlFromPath(withoutExtras, name, host);
  }
  let requirementText: string | null;
  if (link !== null) {
    // pip makes a Link of it, which splits it (and may fail there).
    if (splitUrl(link).scheme === "file" && /\.\.\//.test(link)) {
      link = pathToUrl(unquote(splitUrl(link).path), host.cwd);
    }
    if (linkIsWheel(link)) {
      const wheel = pipWheelName(linkFilename(link));
      requirementText = `${wheel.name}==${wheel.version}`;
    } else {
      requirementText = eggFragment(link);
    }
  } else {
    requirementText = name;
  }
  const pathExtras = extrasText ? legacyRequirement(`placeholder${extrasText.toLowerCase()}`).extras : [];

  let requirement: ReturnType<typeof parseLegacyRequirement> | null = null;
  if (requirementText !== null) {
    try {
      requirement = legacyRequirement(requirementText);
    } catch (error) {
      if (escapesPip(error)) throw error;
      let hint = "";
      if (requirementText.includes("/")) hint = `It looks like a path.${pathHint(requirementText, host)}`;
      else if (
        requirementText.includes("=") &&
        !["~=", "==", "!=", "<=", ">=", "<", ">", "==="].some((op) => requirementText!.includes(op))
      ) {
        hint = "= is not a valid operator. Did you mean == ?";
      }
      let message = `Invalid requirement: '${requirementText}' (from line ${parsed.line} of ${parsed.file})`;
      if (hint) message += `\nHint: ${hint}`;
      throw installationError(message);
    }
    for (const spec of requirement.specifier ? requirement.specifier.split(",") : []) {
      if (spec.endsWith("]")) throw installationError(`Extras after version '${spec}'.`);
    }
  }
  if (link === null && requirement?.url) link = requirement.url;
  if (link !== null) checkFileLink(link);
  return {
    name: requirement?.name ?? null,
    specifier: requirement?.specifier ?? "",
    extras: [
      ...new Set(pathExtras.length > 0 ? pathExtras : (requirement?.extras ?? []).map(safeExtra)),
    ].sort(),
    url: requirement?.url ?? null,
    link,
    markers: markers ?? requirement?.marker ?? null,
    editable: false,
    constraint: parsed.constraint,
    hashOptions: parsed.options.hashes ?? {},
    globalOptions: parsed.options.global_options ?? [],
  };
}

/** pip's `_get_url_from_path`. */
function urlFromPath(path: string, name: string, host: RequirementsFileHost): string | null {
  if (looksLikePath(name) && host.isDirectory(path)) {
    if (host.isFile(joinPath(path, "pyproject.toml")) || host.isFile(joinPath(path, "setup.py"))) {
      return pathToUrl(path, host.cwd);
    }
    throw installationError(
      `Directory '${name}' is not installable. Neither 'setup.py' nor 'pyproject.toml' found.`,
    );
  }
  if (!isArchiveFile(path)) return null;
  if (host.isFile(path)) return pathToUrl(path, host.cwd);
  const at = name.indexOf("@");
  if (at >= 0 && !looksLikePath(name.slice(0, at))) return null;
  return pathToUrl(path, host.cwd);
}

/** pip's lenient wheel file name pattern (models/wheel.py), which `pkg-1.0-py3-none-any.whl` lines use. */
function pipWheelName(filename: string): { name: string; version: string } {
  const match =
    /^(?<name>[^\s-]+?)-(?<ver>[^\s-]*?)(?:(?:-(?<build>\d[^-]*?))?-(?<pyver>[^\s-]+?)-(?<abi>[^\s-]+?)-(?<plat>[^\s-]+?)\.whl|\.dist-info)$/.exec(
      filename,
    );
  if (match === null || match.groups === undefined) {
    throw new RequirementsFileError(
      "requirement",
      "InvalidWheelFilename",
      `${filename} is not a valid wheel filename.`,
    );
  }
  return { name: match.groups.name.replaceAll("_", "-"), version: match.groups.ver.replaceAll("_", "-") };
}

// --- POSIX paths as Python's posixpath computes them --------------------------------------------

export function normalizePath(path: string): string {
  if (path === "") return ".";
  const initialSlashes = path.startsWith("//") && !path.startsWith("///") ? 2 : path.startsWith("/") ? 1 : 0;
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (
      part !== ".." ||
      (initialSlashes === 0 && parts.length === 0) ||
      (parts.length > 0 && parts[parts.length - 1] === "..")
    ) {
      parts.push(part);
    } else if (parts.length > 0) parts.pop();
  }
  const joined = "/".repeat(initialSlashes) + parts.join("/");
  return joined || ".";
}

export function absolutePath(path: string, cwd: string): string {
  return normalizePath(path.startsWith("/") ? path : joinPath(cwd, path));
}

export function joinPath(base: string, path: string): string {
  if (path.startsWith("/")) return path;
  if (base === "" || base.endsWith("/")) return base + path;
  return `${base}/${path}`;
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  if (slash < 0) return "";
  const head = path.slice(0, slash + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, "");
}
