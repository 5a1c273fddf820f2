// What the user names as requirements, read as pip reads it: an argument that is a path, a URL
// or a wheel or sdist file (pip's install_req_from_line), a requirements file's line, and the
// requirements files themselves, from disk, standard input or http(s) URLs.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { HttpClient } from "../index/http.ts";
import { refuseVcs } from "../resolver/package-catalog.ts";
import { tryParseSdistFilename, tryParseWheelFilename } from "../standards/filename.ts";
import { type InstallRequirement, isUrl, toInstallRequirement } from "../standards/install-requirement.ts";
import { pyUnquote } from "../standards/python-url.ts";
import { parseRequirement, Requirement } from "../standards/requirement.ts";
import { RemoteFileNeeded } from "../standards/requirements-txt-host.ts";
import { emptyFinderOptions } from "../standards/requirements-txt-options.ts";
import { parseSpecifierSet } from "../standards/specifier.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { localFileHost } from "../util/file-host.ts";
import { onDisk } from "../util/fs.ts";
import { redactUrl } from "../util/redact.ts";
import { hasUrlScheme } from "../util/url-scheme.ts";
import type { ParsedArgs } from "./args.ts";
import { httpClient, indexSettings } from "./index-settings.ts";
import type { CommandContext } from "./main.ts";

/** Requirements files this process fetched from http(s) URLs, by URL. */
const fetchedRequirementFiles = new Map<string, Uint8Array>();

/** Requirements files as this process reads them: from disk, and from http(s) URLs once fetched. */
export function requirementsFileHost(context: CommandContext) {
  return localFileHost(context.cwd, context.env, fetchedRequirementFiles, readStandardInput);
}

let standardInput: Uint8Array | null = null;

/** `-r -` (and compile's `-`): the requirements on standard input, read once, as uv reads them. */
function readStandardInput(): Uint8Array {
  standardInput ??= onDisk("Could not read standard input", () => readFileSync(0));
  return standardInput;
}

/**
 * Runs `read`, which reads requirements files through requirementsFileHost, with the files at
 * http(s) URLs fetched as pip fetches them. The file parser is synchronous: a URL it has no text
 * for stops it (RemoteFileNeeded), the file is fetched, and `read` runs again (cheap, and only as
 * often as there are such URLs).
 */
export async function withFetchedRequirementFiles<T>(
  args: ParsedArgs,
  context: CommandContext,
  read: () => T,
): Promise<T> {
  let http: HttpClient | null = null;
  try {
    for (;;) {
      try {
        return read();
      } catch (error) {
        if (!(error instanceof RemoteFileNeeded) || fetchedRequirementFiles.has(error.url)) throw error;
        // The command line's and configuration's HTTP settings; the files' own come later.
        http ??= httpClient(
          args,
          context,
          indexSettings(args, context, emptyFinderOptions(), "install", false),
          null,
        );
        const response = await http.fetch(error.url);
        if (response.status !== 200)
          throw new SpiceError(
            "E_REQUIREMENTS_FILE",
            `Could not fetch requirements file ${redactUrl(error.url)}`,
            {
              cause: `the server answered HTTP ${response.status}`,
              hint: "Check the URL; spice fetches requirements files as pip does",
            },
          );
        fetchedRequirementFiles.set(error.url, response.body);
      }
    }
  } finally {
    await http?.close();
  }
}

function emptySpecifier() {
  return parseSpecifierSet("");
}

/**
 * Refuses a local directory named as something to install (`pip install .`): a project to build,
 * which spice does not do yet, or a directory that is neither.
 */
export function refuseDirectory(location: string, cwd: string): void {
  let path: string;
  try {
    path = location.startsWith("file:") ? fileURLToPath(location) : resolvePath(cwd, location);
  } catch {
    return; // not a local path (a file URL naming another host): fetching it fails clearly later
  }
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return;
  if (existsSync(join(path, "pyproject.toml")) || existsSync(join(path, "setup.py"))) {
    throw new SpiceError(
      "E_BUILD_REQUIRED",
      `${location} is a project to build, and spice does not build yet`,
      {
        cause: "spice installs wheels; a source tree needs its build backend run first",
        hint: "Build a wheel (`python -m build --wheel` in the project), then install the .whl file",
      },
    );
  }
  throw new SpiceError("E_UNSUPPORTED", `${location} is a directory, not a wheel or a project`, {
    hint: "Name a wheel file or a requirement; a directory of wheels goes to --find-links",
  });
}

/**
 * `file:./dist/x.whl`, a file URL without `//`, names a path from the working directory, as pip
 * reads it; spice takes that file's own URL (pip reports `file:///./dist/x.whl`, which names none).
 */
function fileUrlFromCwd(link: string, cwd: string): string {
  if (!/^file:(?!\/\/)/i.test(link)) return link;
  const hash = link.indexOf("#");
  const [path, fragment] = hash < 0 ? [link, ""] : [link.slice(0, hash), link.slice(hash)];
  return `${pathToFileURL(resolvePath(cwd, pyUnquote(path.slice("file:".length))))}${fragment}`;
}

/** The path a file: URL names on this machine ("" for one on another host, which never exists). */
function localPathOf(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return "";
  }
}

/** A local or remote wheel/sdist named directly: a URL requirement on its project. */
export function fileRequirement(given: string, cwd: string): Requirement {
  const location = fileUrlFromCwd(given, cwd);
  const isUrl = hasUrlScheme(location);
  if (!isUrl || location.startsWith("file:")) refuseDirectory(location, cwd);
  const url = isUrl ? location : pathToFileURL(resolvePath(cwd, location)).toString();
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    throw new UsageError(`${redactUrl(location)} is not a valid URL`);
  }
  const filename = pyUnquote(basename(pathname));
  const parsed = tryParseWheelFilename(filename) ?? tryParseSdistFilename(filename);
  if (parsed === null) {
    // A local path that is not there is said first, as pip warns of it before the name.
    const missing = (!isUrl || location.startsWith("file:")) && !existsSync(localPathOf(url));
    throw new SpiceError(
      missing ? "E_NO_SUCH_FILE" : "E_UNSUPPORTED",
      missing
        ? `${redactUrl(location)} does not exist, and its name is no wheel's or sdist's either`
        : `${redactUrl(location)} is not a wheel or sdist file`,
      { hint: "Name a file like pkg-1.0-py3-none-any.whl, or a project with `name @ URL`" },
    );
  }
  return new Requirement(parsed.name, [], emptySpecifier(), url, null);
}

/** A requirement as pip's InstallRequirement holds it (from a requirements file or the command line). */
export function requirementOf(install: InstallRequirement, text: string, cwd: string): Requirement {
  if (install.link !== null) refuseVcs(install.link);
  if (install.name === null) return fileRequirement(install.link ?? text, cwd);
  const extras = install.extras.length > 0 ? `[${install.extras.join(",")}]` : "";
  const marker = install.markers ? `; ${install.markers}` : "";
  let base: Requirement;
  try {
    base = parseRequirement(`${install.name}${extras}${install.specifier}${marker}`);
  } catch (error) {
    // pip's name for a file that is no valid wheel name: said of the file.
    if (install.link !== null) return fileRequirement(install.link, cwd);
    throw new UsageError(`Invalid requirement: '${text}'`, (error as Error).message.split("\n")[0]);
  }
  const link = install.link === null ? null : fileUrlFromCwd(install.link, cwd);
  if (link?.startsWith("file:")) refuseDirectory(link, cwd);
  return link ? new Requirement(base.name, base.extras, base.specifier, link, base.marker) : base;
}

/**
 * A path or URL argument (`./pkg-1.0-py3-none-any.whl[extra]; marker`, `https://.../x.whl#sha256=`)
 * read as pip reads one, with the requirements files' reading of a line (its install_req_from_line
 * serves both); null for an argument that is neither, or that reading refuses (the caller says why).
 */
export function locationInstall(argument: string, context: CommandContext): InstallRequirement | null {
  if (!isUrl(argument) && !looksLikePath(argument) && !looksLikeFile(argument.split(";")[0].trim()))
    return null;
  try {
    const line = {
      file: "the command line",
      line: 0,
      constraint: false,
      editable: false,
      requirement: argument,
      options: {},
    };
    const install = toInstallRequirement(line, requirementsFileHost(context));
    return install.link === null ? null : install;
  } catch {
    return null;
  }
}

/**
 * The project an argument of pip's uninstall names, as pip reads one: a requirement's name
 * (`six==1.0`, `six[x]; marker`), or that of a wheel or sdist given by its path or URL.
 */
export function projectNamed(argument: string, context: CommandContext): string {
  const install = locationInstall(argument, context);
  if (install?.link) {
    const filename = pyUnquote(basename(install.link.replace(/[?#].*$/s, "")));
    const parsed = tryParseWheelFilename(filename) ?? tryParseSdistFilename(filename);
    if (parsed !== null) return parsed.name;
  }
  try {
    return parseRequirement(argument).name;
  } catch (error) {
    throw new UsageError(`Invalid requirement: '${argument}'`, (error as Error).message.split("\n")[0]);
  }
}

export function looksLikeFile(argument: string): boolean {
  // A URL's fragment and query (`#sha256=...`, `#egg=name`) are not part of the file's name.
  const path = hasUrlScheme(argument) ? argument.replace(/[?#].*$/s, "") : argument;
  return /\.(whl|tar\.gz|zip)$/i.test(path) && !argument.includes(" @ ");
}

/** Whether pip would take the argument for a path: it has a "/" or starts with ".". */
export function looksLikePath(argument: string): boolean {
  return (argument.includes("/") || argument.startsWith(".")) && !argument.includes(" @ ");
}

/** A path to a directory, as pip tells one from a requirement. */
export function looksLikeDirectory(argument: string, cwd: string): boolean {
  if (!looksLikePath(argument)) return false;
  return statSync(resolvePath(cwd, argument), { throwIfNoEntry: false })?.isDirectory() === true;
}
