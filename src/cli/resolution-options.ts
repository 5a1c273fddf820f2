// The options every resolving command shares (pip's resolver flags, uv's additions) and the
// requirement inputs gathered from arguments and -r, -c and --override files (each argument and
// file read as pip reads it: requirement-input.ts). Where packages come from, and the clients
// that fetch them: index-settings.ts.

import { existsSync } from "node:fs";
import { basename, resolve as resolvePath } from "node:path";
import type { ResolveTarget } from "../python/target.ts";
import { refuseVcs } from "../resolver/package-catalog.ts";
import { type Resolution, type ResolveOptions, resolve } from "../resolver/resolve.ts";
import { operatorHint } from "../standards/install-requirement.ts";
import { isPylockFileName } from "../standards/pylock.ts";
import { parseRequirement, type Requirement } from "../standards/requirement.ts";
import { readRequirementsFile } from "../standards/requirements-txt.ts";
import { emptyFinderOptions, type FinderOptions } from "../standards/requirements-txt-options.ts";
import type { SpecifierSet } from "../standards/specifier.ts";
import { parseVersion } from "../standards/version.ts";
import { SpiceError, UsageError, withHint } from "../util/error.ts";
import { redactText, redactUrl } from "../util/redact.ts";
import { hasUrlScheme } from "../util/url-scheme.ts";
import { flag, type ParsedArgs, values } from "./args.ts";
import { pipSiteRoot } from "./environment-options.ts";
import type { Sources } from "./index-settings.ts";
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
import {
  fileRequirement,
  locationInstall,
  looksLikeDirectory,
  looksLikeFile,
  looksLikePath,
  refuseDirectory,
  requirementOf,
  requirementsFileHost,
  withFetchedRequirementFiles,
} from "./requirement-input.ts";
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
  const site = pipSiteRoot(args, context);
  const configured = pipSettings(context.env, site, section, flag(args, "isolated")).get("constraint");
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
export async function resolveInputs(
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
  try {
    return await resolve(resolveOptionsFor(inputs, sources, target, args, context, extra));
  } catch (error) {
    throw withWhereToLookHint(error, sources.packages.options);
  }
}

/**
 * A failure that found some name nowhere, with nowhere to look (`--no-index` without
 * `--find-links`, or the only index ignored as plain http), or with an index URL that does not
 * end in /simple/: that URL may be a server's root, where a project's page is not
 * (`--index-url http://host/` for `http://host/simple/`, a slip easy to make with a private index).
 */
function withWhereToLookHint(
  error: unknown,
  { indexes, findLinks }: { indexes: readonly string[]; findLinks: readonly string[] },
): unknown {
  if (!(error instanceof SpiceError) || (error.details.notFound?.length ?? 0) === 0) return error;
  if (indexes.length === 0 && findLinks.length === 0)
    return withHint(
      error,
      "There was no index and no --find-links location to look in (--no-index, or an index ignored above): pass --find-links DIR or --index-url URL",
    );
  const roots = indexes.filter((index) => !/simple\/?$/i.test(index.split(/[?#]/)[0]));
  if (roots.length === 0) return error;
  const index = redactUrl(roots[0]);
  return withHint(
    error,
    `The index URL ${index} does not end in /simple/: if it is the server's root, the index is likely at ${index.replace(/\/?$/, "/simple/")}`,
  );
}
