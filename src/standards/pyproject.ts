// pyproject.toml: `[build-system]` (PEP 518), `[project]` (PEP 621, with PEP 639 license
// expressions and `dynamic`) and `[dependency-groups]` (PEP 735, `include-group` and cycles).
// Every error names the file and the key path (`project.dependencies[3]`).

import { parse as parseToml, TomlError } from "smol-toml";
import { canonicalizeLicenseExpression } from "./license.ts";
import { canonicalizeName, isValidName } from "./name.ts";
import { parseRequirement, type Requirement } from "./requirement.ts";
import { parseSpecifierSet, type SpecifierSet } from "./specifier.ts";
import { parseVersion, type Version } from "./version.ts";

export class InvalidPyproject extends Error {
  override name = "InvalidPyproject";
  constructor(
    readonly file: string,
    /** `project.dependencies[3]`, or "" for the document itself. */
    readonly keyPath: string,
    readonly reason: string,
  ) {
    super(keyPath ? `${file}: ${keyPath}: ${reason}` : `${file}: ${reason}`);
  }
}

export interface BuildSystem {
  requires: Requirement[];
  buildBackend: string | null;
  backendPath: string[];
}

export interface Person {
  name: string | null;
  email: string | null;
}

export interface Project {
  name: string;
  version: Version | null;
  description: string | null;
  readme: { file?: string; text?: string; contentType: string | null } | null;
  requiresPython: SpecifierSet | null;
  /** PEP 639: a normalized SPDX expression; or the legacy table form. */
  license: { expression: string } | { file: string } | { text: string } | null;
  licenseFiles: string[] | null;
  authors: Person[];
  maintainers: Person[];
  keywords: string[];
  classifiers: string[];
  urls: Record<string, string>;
  scripts: Record<string, string>;
  guiScripts: Record<string, string>;
  entryPoints: Record<string, Record<string, string>>;
  dependencies: Requirement[];
  /** Keyed by normalized extra name. */
  optionalDependencies: Record<string, Requirement[]>;
  /** Field names (as written in pyproject) the build backend provides. */
  dynamic: string[];
}

export type DependencyGroupEntry = { requirement: Requirement } | { includeGroup: string };

export interface Pyproject {
  file: string;
  buildSystem: BuildSystem | null;
  project: Project | null;
  /** Keyed by normalized group name; entries as written (includes unresolved). */
  dependencyGroups: Record<string, DependencyGroupEntry[]>;
  /** The whole document, for tool tables. */
  document: Record<string, unknown>;
}

const PROJECT_FIELDS = new Set([
  "name",
  "version",
  "description",
  "readme",
  "requires-python",
  "license",
  "license-files",
  "authors",
  "maintainers",
  "keywords",
  "classifiers",
  "urls",
  "scripts",
  "gui-scripts",
  "entry-points",
  "dependencies",
  "optional-dependencies",
  "dynamic",
]);

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

class Reader {
  constructor(readonly file: string) {}

  fail(keyPath: string, reason: string): never {
    throw new InvalidPyproject(this.file, keyPath, reason);
  }

  string(value: unknown, keyPath: string): string {
    if (typeof value !== "string") this.fail(keyPath, `expected a string, found ${describe(value)}`);
    return value;
  }

  stringArray(value: unknown, keyPath: string): string[] {
    if (!Array.isArray(value)) this.fail(keyPath, `expected an array of strings, found ${describe(value)}`);
    return value.map((item, index) => this.string(item, `${keyPath}[${index}]`));
  }

  table(value: unknown, keyPath: string): Table {
    if (!isTable(value)) this.fail(keyPath, `expected a table, found ${describe(value)}`);
    return value;
  }

  stringTable(value: unknown, keyPath: string): Record<string, string> {
    const table = this.table(value, keyPath);
    const result: Record<string, string> = {};
    for (const [key, item] of Object.entries(table))
      result[key] = this.string(item, `${keyPath}.${quoteKey(key)}`);
    return result;
  }

  requirement(value: unknown, keyPath: string): Requirement {
    const text = this.string(value, keyPath);
    try {
      return parseRequirement(text);
    } catch (error) {
      this.fail(keyPath, `invalid requirement '${text}': ${firstLine((error as Error).message)}`);
    }
  }

  requirements(value: unknown, keyPath: string): Requirement[] {
    if (!Array.isArray(value))
      this.fail(keyPath, `expected an array of requirement strings, found ${describe(value)}`);
    return value.map((item, index) => this.requirement(item, `${keyPath}[${index}]`));
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}

function quoteKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (value === null || value === undefined) return "nothing";
  if (isTable(value)) return "a table";
  return `a ${typeof value === "bigint" ? "number" : typeof value} (${JSON.stringify(String(value))})`;
}

/** Parses and validates pyproject.toml text; `file` is used in error messages. */
export function parsePyproject(text: string, file = "pyproject.toml"): Pyproject {
  let document: Table;
  try {
    document = parseToml(text) as Table;
  } catch (error) {
    if (error instanceof TomlError) {
      throw new InvalidPyproject(
        file,
        "",
        `invalid TOML at line ${error.line}, column ${error.column}: ${firstLine(error.message)}`,
      );
    }
    throw error;
  }
  const reader = new Reader(file);
  const buildSystem =
    document["build-system"] === undefined ? null : readBuildSystem(reader, document["build-system"]);
  const project = document.project === undefined ? null : readProject(reader, document.project);
  const dependencyGroups =
    document["dependency-groups"] === undefined
      ? {}
      : readDependencyGroups(reader, document["dependency-groups"]);
  return { file, buildSystem, project, dependencyGroups, document };
}

function readBuildSystem(reader: Reader, value: unknown): BuildSystem {
  const table = reader.table(value, "build-system");
  if (table.requires === undefined)
    reader.fail("build-system.requires", "is required when [build-system] is present (PEP 518)");
  return {
    requires: reader.requirements(table.requires, "build-system.requires"),
    buildBackend:
      table["build-backend"] === undefined
        ? null
        : reader.string(table["build-backend"], "build-system.build-backend"),
    backendPath:
      table["backend-path"] === undefined
        ? []
        : reader.stringArray(table["backend-path"], "build-system.backend-path"),
  };
}

function readPeople(reader: Reader, value: unknown, keyPath: string): Person[] {
  if (!Array.isArray(value)) reader.fail(keyPath, `expected an array of tables, found ${describe(value)}`);
  return value.map((item, index) => {
    const path = `${keyPath}[${index}]`;
    const table = reader.table(item, path);
    for (const key of Object.keys(table)) {
      if (key !== "name" && key !== "email")
        reader.fail(`${path}.${quoteKey(key)}`, "unknown key (expected name or email)");
    }
    const name = table.name === undefined ? null : reader.string(table.name, `${path}.name`);
    const email = table.email === undefined ? null : reader.string(table.email, `${path}.email`);
    if (name === null && email === null) reader.fail(path, "needs a name or an email");
    return { name, email };
  });
}

function readProject(reader: Reader, value: unknown): Project {
  const table = reader.table(value, "project");
  for (const key of Object.keys(table)) {
    if (!PROJECT_FIELDS.has(key)) reader.fail(`project.${quoteKey(key)}`, "unknown field (PEP 621)");
  }
  const dynamic = table.dynamic === undefined ? [] : reader.stringArray(table.dynamic, "project.dynamic");
  dynamic.forEach((field, index) => {
    const path = `project.dynamic[${index}]`;
    if (field === "name") reader.fail(path, "'name' cannot be dynamic");
    if (!PROJECT_FIELDS.has(field) || field === "dynamic")
      reader.fail(path, `'${field}' is not a [project] field`);
    if (table[field] !== undefined)
      reader.fail(path, `'${field}' is listed in dynamic but also given in [project]`);
  });

  if (table.name === undefined) reader.fail("project.name", "is required");
  const name = reader.string(table.name, "project.name");
  if (!isValidName(name)) reader.fail("project.name", `'${name}' is not a valid project name`);

  let version: Version | null = null;
  if (table.version === undefined) {
    if (!dynamic.includes("version"))
      reader.fail("project.version", "is required unless listed in project.dynamic");
  } else {
    const text = reader.string(table.version, "project.version");
    try {
      version = parseVersion(text);
    } catch {
      reader.fail("project.version", `'${text}' is not a valid PEP 440 version`);
    }
  }

  let requiresPython: SpecifierSet | null = null;
  if (table["requires-python"] !== undefined) {
    const text = reader.string(table["requires-python"], "project.requires-python");
    try {
      requiresPython = parseSpecifierSet(text);
    } catch {
      reader.fail("project.requires-python", `'${text}' is not a valid version specifier`);
    }
  }

  const optionalDependencies: Record<string, Requirement[]> = {};
  if (table["optional-dependencies"] !== undefined) {
    const extras = reader.table(table["optional-dependencies"], "project.optional-dependencies");
    for (const [extra, list] of Object.entries(extras)) {
      const path = `project.optional-dependencies.${quoteKey(extra)}`;
      if (!isValidName(extra)) reader.fail(path, `'${extra}' is not a valid extra name`);
      const normalized = canonicalizeName(extra);
      if (optionalDependencies[normalized])
        reader.fail(path, `extra '${extra}' is given twice (names compare normalized)`);
      optionalDependencies[normalized] = reader.requirements(list, path);
    }
  }

  const entryPoints: Record<string, Record<string, string>> = {};
  if (table["entry-points"] !== undefined) {
    const groups = reader.table(table["entry-points"], "project.entry-points");
    for (const [group, entries] of Object.entries(groups)) {
      const path = `project.entry-points.${quoteKey(group)}`;
      if (group === "console_scripts" || group === "gui_scripts") {
        reader.fail(path, `use [project.${group === "console_scripts" ? "scripts" : "gui-scripts"}] instead`);
      }
      entryPoints[group] = reader.stringTable(entries, path);
    }
  }

  return {
    name,
    version,
    description:
      table.description === undefined ? null : reader.string(table.description, "project.description"),
    readme: table.readme === undefined ? null : readReadme(reader, table.readme),
    requiresPython,
    license: table.license === undefined ? null : readLicense(reader, table.license),
    licenseFiles:
      table["license-files"] === undefined
        ? null
        : reader.stringArray(table["license-files"], "project.license-files"),
    authors: table.authors === undefined ? [] : readPeople(reader, table.authors, "project.authors"),
    maintainers:
      table.maintainers === undefined ? [] : readPeople(reader, table.maintainers, "project.maintainers"),
    keywords: table.keywords === undefined ? [] : reader.stringArray(table.keywords, "project.keywords"),
    classifiers:
      table.classifiers === undefined ? [] : reader.stringArray(table.classifiers, "project.classifiers"),
    urls: table.urls === undefined ? {} : reader.stringTable(table.urls, "project.urls"),
    scripts: table.scripts === undefined ? {} : reader.stringTable(table.scripts, "project.scripts"),
    guiScripts:
      table["gui-scripts"] === undefined
        ? {}
        : reader.stringTable(table["gui-scripts"], "project.gui-scripts"),
    entryPoints,
    dependencies:
      table.dependencies === undefined ? [] : reader.requirements(table.dependencies, "project.dependencies"),
    optionalDependencies,
    dynamic,
  };
}

function readReadme(reader: Reader, value: unknown): Project["readme"] {
  if (typeof value === "string") {
    const lower = value.toLowerCase();
    const contentType = lower.endsWith(".md")
      ? "text/markdown"
      : lower.endsWith(".rst")
        ? "text/x-rst"
        : lower.endsWith(".txt")
          ? "text/plain"
          : null;
    return { file: value, contentType };
  }
  const table = reader.table(value, "project.readme");
  if ((table.file === undefined) === (table.text === undefined))
    reader.fail("project.readme", "needs exactly one of 'file' or 'text'");
  if (table["content-type"] === undefined)
    reader.fail("project.readme.content-type", "is required when readme is a table");
  const contentType = reader.string(table["content-type"], "project.readme.content-type");
  return table.file !== undefined
    ? { file: reader.string(table.file, "project.readme.file"), contentType }
    : { text: reader.string(table.text, "project.readme.text"), contentType };
}

function readLicense(reader: Reader, value: unknown): Project["license"] {
  if (typeof value === "string") {
    try {
      return { expression: canonicalizeLicenseExpression(value) };
    } catch (error) {
      reader.fail(
        "project.license",
        `'${value}' is not a valid SPDX license expression (PEP 639): ${(error as Error).message}`,
      );
    }
  }
  const table = reader.table(value, "project.license");
  if ((table.file === undefined) === (table.text === undefined))
    reader.fail("project.license", "needs exactly one of 'file' or 'text'");
  return table.file !== undefined
    ? { file: reader.string(table.file, "project.license.file") }
    : { text: reader.string(table.text, "project.license.text") };
}

function readDependencyGroups(reader: Reader, value: unknown): Record<string, DependencyGroupEntry[]> {
  const table = reader.table(value, "dependency-groups");
  const groups: Record<string, DependencyGroupEntry[]> = {};
  for (const [group, list] of Object.entries(table)) {
    const path = `dependency-groups.${quoteKey(group)}`;
    if (!isValidName(group)) reader.fail(path, `'${group}' is not a valid group name`);
    const normalized = canonicalizeName(group);
    if (groups[normalized]) reader.fail(path, `group '${group}' is given twice (names compare normalized)`);
    if (!Array.isArray(list)) reader.fail(path, `expected an array, found ${describe(list)}`);
    groups[normalized] = list.map((item, index) => {
      const itemPath = `${path}[${index}]`;
      if (typeof item === "string") return { requirement: reader.requirement(item, itemPath) };
      const include = reader.table(item, itemPath);
      const keys = Object.keys(include);
      if (keys.length !== 1 || keys[0] !== "include-group")
        reader.fail(itemPath, 'expected a requirement string or {include-group = "name"}');
      return { includeGroup: reader.string(include["include-group"], `${itemPath}.include-group`) };
    });
  }
  // Check includes now so that every error surfaces on load, not on first use.
  for (const name of Object.keys(groups))
    resolveDependencyGroup({ file: reader.file, dependencyGroups: groups }, name);
  return groups;
}

/** The requirements of a dependency group with its includes expanded (PEP 735). */
export function resolveDependencyGroup(
  pyproject: Pick<Pyproject, "file" | "dependencyGroups">,
  group: string,
): Requirement[] {
  const result: Requirement[] = [];
  const visit = (name: string, trail: string[]) => {
    const normalized = canonicalizeName(name);
    const entries = pyproject.dependencyGroups[normalized];
    if (entries === undefined) {
      const where = trail.length > 0 ? `dependency-groups.${trail[trail.length - 1]}` : "dependency-groups";
      throw new InvalidPyproject(pyproject.file, where, `group '${name}' is not defined`);
    }
    if (trail.includes(normalized)) {
      throw new InvalidPyproject(
        pyproject.file,
        `dependency-groups.${normalized}`,
        `include cycle: ${[...trail, normalized].join(" -> ")}`,
      );
    }
    for (const entry of entries) {
      if ("requirement" in entry) result.push(entry.requirement);
      else visit(entry.includeGroup, [...trail, normalized]);
    }
  };
  visit(group, []);
  return result;
}
