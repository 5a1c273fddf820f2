// pip's InstallRequirement made from one requirements-file line (`install_req_from_line` and
// `install_req_from_editable`): its name, specifier, extras, link and markers, with the errors pip
// raises on the way. The path checks go through the host, so this module stays free of I/O.
// URLs are split as Python's urlsplit splits them (pyUrlsplit): pip makes a Link of every URL it
// meets, so a URL Python cannot split stops pip there (PyValueError), and here.

import {
  LegacyInvalidMarker,
  LegacyInvalidRequirement,
  LegacyInvalidSpecifier,
  legacyMarkerString,
  parseLegacyRequirement,
} from "./legacy-requirement.ts";
import { absolutePath, joinPath } from "./posix-path.ts";
import { pyStrip } from "./python-string.ts";
import { PyValueError, pyUnquote, pyUrljoin, pyUrlsplit } from "./python-url.ts";
import { RequirementsFileError, type RequirementsFileHost } from "./requirements-txt-host.ts";

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

/** pip's hint for a requirement that does not parse and has a lone `=`: "= is not a valid operator...". */
export function operatorHint(text: string): string | null {
  return text.includes("=") &&
    !["~=", "==", "!=", "<=", ">=", "<", ">", "==="].some((op) => text.includes(op))
    ? "= is not a valid operator. Did you mean == ?"
    : null;
}

export function urlScheme(url: string): string | null {
  const colon = url.indexOf(":");
  return colon < 0 ? null : url.slice(0, colon).toLowerCase();
}

export function isUrl(name: string): boolean {
  const scheme = urlScheme(name);
  return scheme !== null && ["http", "https", "file", "ftp", ...VCS_SCHEMES].includes(scheme);
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
  const { netloc, path } = pyUrlsplit(url);
  const trimmed = pyUnquote(path).replace(/\/+$/, "");
  const name = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return name ? pyUnquote(name) : netloc;
}

function linkIsWheel(url: string): boolean {
  const path = pyUnquote(pyUrlsplit(url).path).replace(/\/+$/, "");
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
    pyUrlsplit(location);
    name = eggFragment(location);
    url = location;
    if (extrasText) extras = parseLegacyRequirement(`placeholder${extrasText.toLowerCase()}`).extras;
  } else {
    for (const [backend] of VCS_BACKENDS) {
      if (url.toLowerCase().startsWith(`${backend}:`)) {
        url = `${backend}+${url}`;
        break;
      }
    }
    const scheme = pyUrlsplit(url).scheme;
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
      requirement = parseLegacyRequirement(name);
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
export function fileUrlPath(url: string): string {
  const { netloc, path } = pyUrlsplit(url);
  if (netloc !== "" && netloc !== "localhost")
    throw new PyValueError(`non-local file URIs are not supported on this platform: '${url}'`);
  return pyUnquote(path);
}

/** pip's InstallRequirement turns a file: link into a local path at once (`Link.file_path`). */
function checkFileLink(link: string): void {
  if (pyUrlsplit(link).scheme === "file") fileUrlPath(link);
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
    if (pyUrlsplit(link).scheme === "file" && /\.\.\//.test(link)) {
      link = pathToUrl(pyUnquote(pyUrlsplit(link).path), host.cwd);
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
  const pathExtras = extrasText
    ? parseLegacyRequirement(`placeholder${extrasText.toLowerCase()}`).extras
    : [];

  let requirement: ReturnType<typeof parseLegacyRequirement> | null = null;
  if (requirementText !== null) {
    try {
      requirement = parseLegacyRequirement(requirementText);
    } catch (error) {
      if (escapesPip(error)) throw error;
      let hint = "";
      if (requirementText.includes("/")) hint = `It looks like a path.${pathHint(requirementText, host)}`;
      else hint = operatorHint(requirementText) ?? "";
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
