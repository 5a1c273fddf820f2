// A pyproject.toml read as a requirements source, as uv and pip-tools read one: `spice pip
// install -r pyproject.toml`, `spice pip compile pyproject.toml` and the like take the project's
// dependencies (not the project itself, which would need building), the optional dependencies
// --extra / --all-extras choose, and the dependency groups --group [PATH:]NAME chooses (PEP 735,
// in pip 25.1's syntax: PATH defaults to the pyproject.toml given, else ./pyproject.toml). A
// Python script's inline metadata (PEP 723) is read so too, as uv reads `-r script.py`.

import { existsSync, readFileSync } from "node:fs";
import { basename, relative, resolve as resolvePath } from "node:path";
import {
  InvalidScriptMetadata,
  parseScriptMetadata,
  type ScriptMetadata,
} from "../standards/inline-script.ts";
import { markerAnd } from "../standards/marker.ts";
import { canonicalizeName } from "../standards/name.ts";
import {
  InvalidPyproject,
  type Project,
  type Pyproject,
  parsePyproject,
  resolveDependencyGroup,
} from "../standards/pyproject.ts";
import { Requirement } from "../standards/requirement.ts";
import type { SpecifierSet } from "../standards/specifier.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { hasUrlScheme } from "../util/url-scheme.ts";
import { flag, listValues, type ParsedArgs, values } from "./args.ts";
import type { CommandContext } from "./main.ts";

/** A requirement with the `# via` label of where it was asked for (`demo (pyproject.toml)`). */
export interface ProjectRequirement {
  requirement: Requirement;
  label: string;
}

/** Whether a requirements file argument names a pyproject.toml (by its name, as uv tells them). */
export function isPyprojectFile(file: string): boolean {
  return basename(file) === "pyproject.toml" && !hasUrlScheme(file);
}

/**
 * Whether a requirements file argument names a Python script, whose inline metadata (PEP 723)
 * lists its dependencies: by its `.py` suffix, as uv tells them. setup.py is refused elsewhere.
 */
export function isScriptFile(file: string): boolean {
  return file.endsWith(".py") && basename(file) !== "setup.py" && !hasUrlScheme(file);
}

/**
 * A script's dependencies, from its `# /// script` block, each labelled `-r FILE` as a file's are,
 * and the Pythons it runs on.
 */
export function scriptRequirements(
  file: string,
  context: CommandContext,
): { requirements: ProjectRequirement[]; requiresPython: SpecifierSet | null } {
  const path = resolvePath(context.cwd, file);
  if (!existsSync(path)) throw new SpiceError("E_NO_SUCH_FILE", `${file} does not exist`);
  let metadata: ScriptMetadata | null;
  try {
    metadata = parseScriptMetadata(readFileSync(path, "utf8"), file);
  } catch (error) {
    if (error instanceof InvalidScriptMetadata) throw new SpiceError("E_SCRIPT_METADATA", error.message);
    throw error;
  }
  if (metadata === null)
    throw new SpiceError("E_SCRIPT_METADATA", `${file} has no \`# /// script\` block`, {
      hint: "A script given as requirements declares its dependencies in inline script metadata (PEP 723): a `# /// script` comment block holding dependencies = [...], closed by `# ///`",
    });
  return {
    requirements: metadata.dependencies.map((requirement) => ({ requirement, label: `-r ${file}` })),
    requiresPython: metadata.requiresPython,
  };
}

/** The parsed pyproject.toml files of one command, each read once. */
export class PyprojectFiles {
  private readonly documents = new Map<string, Pyproject>();

  constructor(private readonly context: CommandContext) {}

  get cwd(): string {
    return this.context.cwd;
  }

  read(file: string): Pyproject {
    const path = resolvePath(this.context.cwd, file);
    let document = this.documents.get(path);
    if (document !== undefined) return document;
    if (!existsSync(path)) throw new SpiceError("E_NO_SUCH_FILE", `${file} does not exist`);
    try {
      document = parsePyproject(readFileSync(path, "utf8"), relative(this.context.cwd, path) || path);
    } catch (error) {
      if (error instanceof InvalidPyproject) throw new SpiceError("E_PYPROJECT", error.message);
      throw new SpiceError("E_PYPROJECT", `Cannot read ${file}`, { cause: (error as Error).message });
    }
    this.documents.set(path, document);
    return document;
  }
}

/**
 * The project's dependencies and the extras --extra / --all-extras choose. An extra naming the
 * project itself (`all = ["demo[web,cli]"]`) stands for those extras' requirements, under its
 * own marker too: the project is not on the index, and would need building.
 */
export function projectRequirements(
  file: string,
  args: ParsedArgs,
  files: PyprojectFiles,
): ProjectRequirement[] {
  const project = files.read(file).project;
  if (project === null)
    throw new SpiceError("E_PYPROJECT", `${file} has no [project] table`, {
      hint: "A pyproject.toml read for requirements needs [project] dependencies; its dependency groups alone are read with --group",
    });
  const needsBuild = (field: string) =>
    new SpiceError("E_NEEDS_BUILD", `${file} declares its ${field} dynamic`, {
      hint: "Building the project to learn them arrives in a later version of spice",
    });
  if (project.dynamic.includes("dependencies")) throw needsBuild("dependencies");
  const label = `${project.name} (${file})`;
  const requirements = project.dependencies.map((requirement) => ({ requirement, label }));
  const all = flag(args, "all-extras");
  const extras = all
    ? withoutExcluded(Object.keys(project.optionalDependencies), args, canonicalizeName)
    : listValues(args, "extra").map((extra) => canonicalizeName(extra));
  if ((all || extras.length > 0) && project.dynamic.includes("optional-dependencies"))
    throw needsBuild("optional-dependencies");
  for (const extra of extras) {
    if (project.optionalDependencies[extra] === undefined)
      throw new UsageError(
        `${file} has no extra '${extra}'`,
        `Its extras: ${Object.keys(project.optionalDependencies).join(", ") || "none"}`,
      );
    for (const requirement of extraRequirements(project, extra)) requirements.push({ requirement, label });
  }
  return requirements;
}

/** All extras less those --no-extra names (uv's option; it means nothing without --all-extras). */
export function withoutExcluded(
  extras: readonly string[],
  args: ParsedArgs,
  normalize: (name: string) => string,
): string[] {
  const excluded = new Set(listValues(args, "no-extra").map(normalize));
  return extras.filter((extra) => !excluded.has(normalize(extra)));
}

/** An extra's requirements, with the project's references to its own extras expanded. */
function extraRequirements(project: Project, extra: string): Requirement[] {
  const self = canonicalizeName(project.name);
  const result: Requirement[] = [];
  const visit = (name: string, outer: Requirement["marker"], trail: readonly string[]) => {
    if (trail.includes(name)) return; // `a = ["demo[b]"]`, `b = ["demo[a]"]`: each once
    for (const requirement of project.optionalDependencies[name] ?? []) {
      const marker = outer === null ? requirement.marker : markerAnd(outer, requirement.marker);
      if (requirement.canonicalName === self)
        for (const inner of requirement.extras) visit(canonicalizeName(inner), marker, [...trail, name]);
      else if (outer === null) result.push(requirement);
      else {
        const { extras, specifier, url } = requirement;
        result.push(new Requirement(requirement.name, extras, specifier, url, marker));
      }
    }
  };
  visit(extra, null, []);
  return result;
}

/** The --group [PATH:]NAME values, as pip 25.1 splits them (a group name holds no colon). */
function groupsAsked(args: ParsedArgs): Array<{ text: string; path: string | null; name: string }> {
  return values(args, "group").map((text) => {
    const colon = text.lastIndexOf(":");
    // `:dev` names no file: the default one, as `dev` does.
    return colon < 0
      ? { text, path: null, name: text }
      : { text, path: colon === 0 ? null : text.slice(0, colon), name: text.slice(colon + 1) };
  });
}

/**
 * The dependency groups --group asks for: from its PATH, else from each pyproject.toml among
 * `pyprojects` (the command's inputs), else from ./pyproject.toml. A file with only
 * [dependency-groups] is enough (PEP 735 needs no [project]).
 */
export function dependencyGroupRequirements(
  pyprojects: readonly string[],
  args: ParsedArgs,
  files: PyprojectFiles,
): ProjectRequirement[] {
  const requirements: ProjectRequirement[] = [];
  for (const { text, path, name } of groupsAsked(args)) {
    if (name === "")
      throw new UsageError(`--group '${text}' names no group`, "--group dev or --group pyproject.toml:dev");
    if (path === null && pyprojects.length === 0 && !existsSync(resolvePath(files.cwd, "pyproject.toml")))
      throw new UsageError(
        `--group ${name} reads ./pyproject.toml, and ${files.cwd} has none`,
        `Name the file: --group path/to/pyproject.toml:${name}`,
      );
    for (const file of path !== null ? [path] : pyprojects.length > 0 ? pyprojects : ["pyproject.toml"]) {
      const document = files.read(file);
      const label = `${document.project === null ? "" : `${document.project.name} `}(${file}:${canonicalizeName(name)})`;
      let list: Requirement[];
      try {
        list = resolveDependencyGroup(document, name);
      } catch (error) {
        if (error instanceof InvalidPyproject) throw new UsageError(error.message);
        throw error;
      }
      for (const requirement of list) requirements.push({ requirement, label });
    }
  }
  return requirements;
}
