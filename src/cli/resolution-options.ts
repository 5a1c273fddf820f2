// The options every resolving command shares (pip's resolver flags, uv's additions) and the
// requirement inputs read from arguments and files (requirements files from http(s) URLs and
// standard input too). Where packages come from, and the clients that fetch them: index-settings.ts.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { HttpClient } from "../index/http.ts";
import type { ResolveTarget } from "../python/target.ts";
import { refuseVcs } from "../resolver/package-catalog.ts";
import { type Resolution, type ResolveOptions, resolve } from "../resolver/resolve.ts";
import { tryParseSdistFilename, tryParseWheelFilename } from "../standards/filename.ts";
import {
  type InstallRequirement,
  isUrl,
  operatorHint,
  toInstallRequirement,
} from "../standards/install-requirement.ts";
import { isPylockFileName } from "../standards/pylock.ts";
import { pyUnquote } from "../standards/python-url.ts";
import { parseRequirement, Requirement } from "../standards/requirement.ts";
import { readRequirementsFile } from "../standards/requirements-txt.ts";
import { RemoteFileNeeded } from "../standards/requirements-txt-host.ts";
import { emptyFinderOptions, type FinderOptions } from "../standards/requirements-txt-options.ts";
import { parseSpecifierSet, type SpecifierSet } from "../standards/specifier.ts";
import { parseVersion } from "../standards/version.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { localFileHost } from "../util/file-host.ts";
import { onDisk } from "../util/fs.ts";
import { redactText, redactUrl } from "../util/redact.ts";
import { hasUrlScheme } from "../util/url-scheme.ts";
import { flag, type ParsedArgs, values } from "./args.ts";
import { httpClient, indexSettings, type Sources } from "./index-settings.ts";
import type { CommandContext } from "./main.ts";
import { listOf, pipSettings } from "./pip-config.ts";
import {
  dependencyGroupRequirements,
  isPyprojectFile,
  isScriptFile,
  type ProjectRequirement,
  PyprojectFiles,
  projectRequirements,
  scriptRequirements,
} from "./project-requirements.ts";
import { resolverFlags } from "./resolver-flags.ts";

export interface RequirementInputs {
  requirements: Requirement[];
  constraints: Requirement[];
  overrides: Requirement[];
  /** Canonical names uv's --excludes files leave out of the resolution, with what only they require. */
  excludes: Set<string>;
  /** Canonical name → allowed `algorithm:digest` values (hash-checking mode when any). */
  hashes: Map<string, Set<string>>;
  /** Options the requirements files set (-i, -f, --pre, ...). */
  finder: FinderOptions;
  /** Canonical name → where it was asked for ("-r requirements.in"), for annotations. */
  origins: Map<string, string[]>;
  /** The Pythons a script given as requirements runs on (its PEP 723 `requires-python`), by file. */
  pythonRequirements: Array<{ file: string; specifier: SpecifierSet }>;
}

/** Inputs with nothing in them yet (what a lock file's install resolves from, too). */
export function emptyRequirementInputs(): RequirementInputs {
  return {
    requirements: [],
    constraints: [],
    overrides: [],
    excludes: new Set(),
    hashes: new Map(),
    finder: emptyFinderOptions(),
    origins: new Map(),
    pythonRequirements: [],
  };
}

function emptySpecifier() {
  return parseSpecifierSet("");
}

/**
 * Refuses a local directory named as something to install (`pip install .`): a project to build,
 * which spice does not do yet, or a directory that is neither.
 */
function refuseDirectory(location: string, cwd: string): void {
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

/** A local or remote wheel/sdist named directly: a URL requirement on its project. */
function fileRequirement(given: string, cwd: string): Requirement {
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
    throw new SpiceError("E_UNSUPPORTED", `${redactUrl(location)} is not a wheel or sdist file`, {
      hint: "Name a file like pkg-1.0-py3-none-any.whl, or a project with `name @ URL`",
    });
  }
  return new Requirement(parsed.name, [], emptySpecifier(), url, null);
}

/** A requirement as pip's InstallRequirement holds it (from a requirements file or the command line). */
function requirementOf(install: InstallRequirement, text: string, cwd: string): Requirement {
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
function locationInstall(argument: string, context: CommandContext): InstallRequirement | null {
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

function looksLikeFile(argument: string): boolean {
  // A URL's fragment and query (`#sha256=...`, `#egg=name`) are not part of the file's name.
  const path = hasUrlScheme(argument) ? argument.replace(/[?#].*$/s, "") : argument;
  return /\.(whl|tar\.gz|zip)$/i.test(path) && !argument.includes(" @ ");
}

/** Whether pip would take the argument for a path: it has a "/" or starts with ".". */
function looksLikePath(argument: string): boolean {
  return (argument.includes("/") || argument.startsWith(".")) && !argument.includes(" @ ");
}

/** A path to a directory, as pip tells one from a requirement. */
function looksLikeDirectory(argument: string, cwd: string): boolean {
  if (!looksLikePath(argument)) return false;
  return statSync(resolvePath(cwd, argument), { throwIfNoEntry: false })?.isDirectory() === true;
}

/** pip's objection to a line of a constraints file (`-c`), in pip's words, or null. */
function constraintProblem(install: {
  name: string | null;
  editable: boolean;
  extras: string[];
}): string | null {
  if (install.name === null) return "Unnamed requirements are not allowed as constraints";
  if (install.editable) return "Editable requirements are not allowed as constraints";
  if (install.extras.length > 0) return "Constraints cannot have extras";
  return null;
}

function readFile(
  file: string,
  context: CommandContext,
  kind: "requirements" | "constraints" | "overrides",
  finder: FinderOptions,
  inputs: RequirementInputs,
  into: Requirement[],
): void {
  const constraint = kind !== "requirements";
  const result = readRequirementsFile(file, requirementsFileHost(context), constraint, finder);
  if (result.error !== null) {
    const [message, ...rest] = result.error.message.split("\n");
    throw new SpiceError("E_REQUIREMENTS_FILE", message, {
      cause: rest.join(" ").trim() || undefined,
      hint: message.startsWith("Could not open requirements file")
        ? "Check that the file exists and is readable (a -r or -c line inside a file names a path relative to that file)"
        : `Fix ${file}; spice reads it exactly as pip does`,
    });
  }
  for (const entry of result.entries) {
    const install = entry.installRequirement!;
    const where = `${entry.parsed.file}:${entry.parsed.line}`;
    const problem = kind === "constraints" ? constraintProblem(install) : null;
    if (problem !== null)
      throw new SpiceError("E_REQUIREMENTS_FILE", `${where}: ${problem}`, {
        cause: `the line reads: ${entry.parsed.requirement}`,
        hint: "A constraint is a name with a version specifier (and a marker); requirements go in a -r file",
      });
    if (install.editable) {
      throw new SpiceError("E_EDITABLE", `${where}: editable installs (-e) are not supported yet`, {
        hint: "Install the project as a wheel for now",
      });
    }
    const requirement = requirementOf(install, entry.parsed.requirement, context.cwd);
    into.push(requirement);
    const name = requirement.canonicalName;
    inputs.origins.set(name, [...(inputs.origins.get(name) ?? []), `${constraint ? "-c" : "-r"} ${file}`]);
    const digests = Object.entries(install.hashOptions).flatMap(([algorithm, list]) =>
      list.map((digest) => `${algorithm}:${digest}`),
    );
    if (digests.length > 0) {
      const known = inputs.hashes.get(name) ?? new Set();
      for (const digest of digests) known.add(digest);
      inputs.hashes.set(name, known);
    }
  }
}

/** Requirements from positional arguments, -r, -c and --override files. */
export function gatherRequirements(
  positionals: readonly string[],
  args: ParsedArgs,
  context: CommandContext,
  requirementFiles: readonly string[] = values(args, "requirement"),
  /** The pip.conf section whose settings apply (pip's command name). */
  section = "install",
): RequirementInputs {
  const inputs = emptyRequirementInputs();
  const finder = inputs.finder;
  for (const argument of positionals) {
    let requirement: Requirement;
    const install = locationInstall(argument, context);
    if (install !== null) requirement = requirementOf(install, argument, context.cwd);
    else if (looksLikeFile(argument) || looksLikeDirectory(argument, context.cwd))
      requirement = fileRequirement(argument, context.cwd);
    else {
      try {
        requirement = parseRequirement(argument);
      } catch (error) {
        // pip's hint for what looks like a path: say that it does not exist, not how it parses.
        // A URL that does not parse is said to be one, its password hidden, not looked for as a path.
        if (hasUrlScheme(argument))
          throw new UsageError(
            `${redactText(argument)} is not a valid URL`,
            "Check the URL: a file's URL looks like https://host/path/name-1.0-py3-none-any.whl",
          );
        const path = resolvePath(context.cwd, argument);
        if (looksLikePath(argument) && !argument.includes("://") && !existsSync(path))
          throw new SpiceError("E_NO_SUCH_FILE", `${argument} does not exist`, {
            cause: `looked for ${path}`,
            hint: "Check the path, or name a requirement (`name`, `name==1.0`, `name @ URL`)",
          });
        // pip's words and hint; what the parser expected, for the rest.
        throw new UsageError(
          `Invalid requirement: '${redactText(argument)}' (it is no wheel file either)`,
          operatorHint(argument) ??
            `${(error as Error).message.split("\n")[0]}; a requirement reads name, name==1.0, name[extra]>=1.0 or name @ URL`,
        );
      }
      if (requirement.url !== null) refuseVcs(requirement.url);
      if (requirement.url?.startsWith("file:") === false && !/^https?:/.test(requirement.url))
        throw new UsageError(`${redactUrl(requirement.url)}: only http(s) and file URLs are supported`);
      if (requirement.url?.startsWith("file:")) refuseDirectory(requirement.url, context.cwd);
    }
    inputs.requirements.push(requirement);
    inputs.origins.set(requirement.canonicalName, [
      ...(inputs.origins.get(requirement.canonicalName) ?? []),
      "",
    ]);
  }
  refuseLockFiles([...requirementFiles, ...values(args, "constraint"), ...values(args, "override")]);
  const pyprojects = new PyprojectFiles(context);
  const addProject = (requirements: ProjectRequirement[]) => {
    for (const { requirement, label } of requirements) {
      inputs.requirements.push(requirement);
      const name = requirement.canonicalName;
      inputs.origins.set(name, [...(inputs.origins.get(name) ?? []), label]);
    }
  };
  for (const file of requirementFiles) {
    refuseSetupFile(file);
    if (isPyprojectFile(file)) addProject(projectRequirements(file, args, pyprojects));
    else if (isScriptFile(file)) {
      const script = scriptRequirements(file, context);
      addProject(script.requirements);
      if (script.requiresPython !== null)
        inputs.pythonRequirements.push({ file, specifier: script.requiresPython });
    } else readFile(file, context, "requirements", finder, inputs, inputs.requirements);
  }
  const projectFiles = requirementFiles.filter(isPyprojectFile);
  const extra = flag(args, "all-extras")
    ? "--all-extras"
    : values(args, "extra").length > 0
      ? "--extra"
      : null;
  if (extra !== null && projectFiles.length === 0)
    throw new UsageError(
      `${extra} chooses extras of a pyproject.toml or pylock.toml, and neither is given`,
      "Give the file whose extras you mean: -r pyproject.toml (an input of spice pip compile), or -r pylock.toml",
    );
  addProject(dependencyGroupRequirements(projectFiles, args, pyprojects));
  // pip takes constraint files from its configuration too (`constraint`, PIP_CONSTRAINT), before
  // the command line's.
  const configured = pipSettings(context.env, section, flag(args, "isolated")).get("constraint");
  for (const file of [...listOf(configured?.value), ...values(args, "constraint")])
    readFile(file, context, "constraints", finder, inputs, inputs.constraints);
  // Overrides and excludes from uv's variables too (SPICE_OVERRIDE, SPICE_EXCLUDE: files
  // separated by spaces, as UV_OVERRIDE and UV_EXCLUDE), before the command line's.
  for (const file of [...listOf(context.env.SPICE_OVERRIDE), ...values(args, "override")])
    readFile(file, context, "overrides", finder, inputs, inputs.overrides);
  // uv's --excludes: the names alone count, whatever versions and markers the lines give; the
  // files' own options are not the command's.
  for (const file of [...listOf(context.env.SPICE_EXCLUDE), ...values(args, "excludes")]) {
    const excluded: Requirement[] = [];
    readFile(file, context, "overrides", emptyFinderOptions(), emptyRequirementInputs(), excluded);
    for (const requirement of excluded) inputs.excludes.add(requirement.canonicalName);
  }
  return inputs;
}

/** setup.py and setup.cfg name requirements that only running the build backend reveals (uv reads them so). */
function refuseSetupFile(file: string): void {
  const name = basename(file);
  if (name !== "setup.py" && name !== "setup.cfg") return;
  throw new SpiceError(
    "E_BUILD_REQUIRED",
    `${file} holds a project's metadata that only a build reveals, and spice does not build yet`,
    {
      hint: "List the requirements in a requirements file or in pyproject.toml's [project] dependencies",
    },
  );
}

/** A lock file named where a command reads requirements files only: said so, not misparsed. */
export function refuseLockFiles(files: readonly string[]): void {
  for (const file of files) {
    if (isPylockFileName(file))
      throw new UsageError(
        `${file} is a lock file (PEP 751), which this command does not read`,
        "spice pip install -r pylock.toml, spice pip sync pylock.toml and spice pip download -r pylock.toml read lock files",
      );
  }
}

/** Whether any requirement must be looked up on an index (is not a URL or file). */
export function needsIndex(inputs: RequirementInputs): boolean {
  return inputs.requirements.some((requirement) => requirement.url === null);
}

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

/** gatherRequirements, with requirements files at http(s) URLs fetched first. */
export function gatherRequirementsFetching(
  ...params: Parameters<typeof gatherRequirements>
): Promise<RequirementInputs> {
  const [, args, context] = params;
  return withFetchedRequirementFiles(args, context, () => gatherRequirements(...params));
}

/** The resolver's options for the inputs, with the flags every resolving command shares. */
export function resolveOptionsFor(
  inputs: RequirementInputs,
  sources: Sources,
  target: ResolveTarget,
  args: ParsedArgs,
  context: CommandContext,
  extra: Partial<ResolveOptions>,
): ResolveOptions {
  return {
    source: sources.fetcher,
    target,
    requirements: inputs.requirements,
    constraints: inputs.constraints,
    overrides: inputs.overrides,
    excludes: inputs.excludes,
    ...resolverFlags(args, inputs.finder),
    warn: (message) => context.output.warn(message),
    ...extra,
  };
}

/** Resolves the inputs for `target` with the flags every resolving command shares. */
export function resolveInputs(
  inputs: RequirementInputs,
  sources: Sources,
  target: ResolveTarget,
  args: ParsedArgs,
  context: CommandContext,
  extra: Partial<ResolveOptions> = {},
): Promise<Resolution> {
  // A script's requires-python is the Python it runs on: resolving for another is refused, as
  // uv refuses to run it there (pip's --ignore-requires-python lets it through).
  if (!flag(args, "ignore-requires-python")) {
    const python = parseVersion(target.pythonVersion);
    for (const { file, specifier } of inputs.pythonRequirements)
      if (!specifier.contains(python))
        throw new SpiceError(
          "E_REQUIRES_PYTHON",
          `${file} runs on Python ${specifier}, and this resolution is for Python ${target.pythonVersion}`,
          {
            hint: "Choose an interpreter that matches with --python (or --python-version), or pass --ignore-requires-python",
          },
        );
  }
  // pip's notice, in its words, for what a marker leaves out here (the resolver skips it quietly).
  for (const requirement of inputs.requirements) {
    if (requirement.marker && !requirement.marker.evaluate({ ...target.markers, extra: "" }))
      context.output.info(
        `Ignoring ${requirement.name}: markers '${requirement.marker}' don't match your environment`,
      );
  }
  return resolve(resolveOptionsFor(inputs, sources, target, args, context, extra));
}
