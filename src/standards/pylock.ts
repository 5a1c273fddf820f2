// PEP 751 lock files (`pylock.toml`, the PyPA "pylock.toml specification"): reading one into
// checked values, choosing what it installs in an environment (the specification's
// "Installation" steps); pylock-writer.ts writes one. Errors name the key path (`packages[3].wheels[0].hashes`)
// as pyproject.ts's do.

import { parse as parseToml, TomlError } from "smol-toml";
import { tryParseSdistFilename, tryParseWheelFilename } from "./filename.ts";
import { type Marker, type MarkerEnvironment, parseMarker } from "./marker.ts";
import { isNormalizedName } from "./name.ts";
import { parseSpecifierSet, type SpecifierSet } from "./specifier.ts";
import { bestRank } from "./tags.ts";
import { parseVersion, type Version, versionsEqual } from "./version.ts";

/** `pylock.toml`, or `pylock.NAME.toml`: the only names a lock file may have. */
const PYLOCK_FILE_NAME = /^pylock\.([^.]+\.)?toml$/;

/** Whether `path` (a path or URL) names a lock file by the specification's rule. */
export function isPylockFileName(path: string): boolean {
  const name = path.split(/[/\\]/).pop() ?? "";
  return PYLOCK_FILE_NAME.test(name);
}

export class InvalidPylock extends Error {
  override name = "InvalidPylock";
  constructor(
    /** `packages[3].wheels[0].hashes`, or "" for the document itself. */
    readonly keyPath: string,
    readonly reason: string,
  ) {
    super(keyPath ? `${keyPath}: ${reason}` : reason);
  }
}

/** A file a package entry names (a wheel, an sdist, an archive). */
export interface PylockFile {
  /** The file name: `name`, else the last part of `path` or `url`. */
  filename: string;
  url: string | null;
  /** As written: relative paths are relative to the lock file. */
  path: string | null;
  size: number | null;
  /** RFC 3339, in UTC. */
  uploadTime: string | null;
  /** Algorithm → hex digest; at least one. */
  hashes: Record<string, string>;
  /** An archive's `subdirectory`: where in a source archive the project lies (null: none). */
  subdirectory?: string | null;
}

export interface PylockPackage {
  name: string;
  version: Version | null;
  marker: Marker | null;
  requiresPython: SpecifierSet | null;
  index: string | null;
  wheels: PylockFile[];
  sdist: PylockFile | null;
  archive: PylockFile | null;
  /** Set when the package comes from a VCS checkout or a local directory (both need a build). */
  sourceTree: { kind: "vcs" | "directory"; location: string } | null;
}

export interface Pylock {
  lockVersion: Version;
  environments: Marker[] | null;
  requiresPython: SpecifierSet | null;
  extras: string[];
  dependencyGroups: string[];
  defaultGroups: string[];
  createdBy: string;
  packages: PylockPackage[];
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) {
    const toml = value as Date & { isDate?(): boolean; isTime?(): boolean };
    return toml.isDate?.() ? "a date" : toml.isTime?.() ? "a time" : "a date-time";
  }
  if (isTable(value)) return "a table";
  return `a ${typeof value}`;
}

/** Reads typed keys of one table, naming `at` (its key path) in every error. */
class Reader {
  constructor(
    readonly table: Table,
    readonly at: string,
  ) {}

  path(key: string): string {
    return this.at ? `${this.at}.${key}` : key;
  }

  private typed<T>(key: string, what: string, test: (value: unknown) => value is T): T | null {
    const value = this.table[key];
    if (value === undefined) return null;
    if (!test(value)) throw new InvalidPylock(this.path(key), `must be ${what}, not ${typeName(value)}`);
    return value;
  }

  string(key: string): string | null {
    return this.typed(key, "a string", (value): value is string => typeof value === "string");
  }

  requiredString(key: string): string {
    return this.string(key) ?? missing(this.path(key));
  }

  integer(key: string): number | null {
    const value = this.typed(
      key,
      "an integer",
      (item): item is number | bigint =>
        (typeof item === "number" && Number.isInteger(item)) || typeof item === "bigint",
    );
    // A negative size is read as packaging reads it: no file has it, so installing fails.
    return value === null ? null : Number(value);
  }

  boolean(key: string): boolean | null {
    return this.typed(key, "a boolean", (value): value is boolean => typeof value === "boolean");
  }

  dateTime(key: string): string | null {
    // smol-toml reads a TOML local date or local time as a Date too (a TomlDate that says so),
    // and neither is a date-time (packaging refuses them likewise).
    const value = this.typed(
      key,
      "a date-time",
      (item): item is Date =>
        item instanceof Date &&
        !(item as Date & { isDate?(): boolean }).isDate?.() &&
        !(item as Date & { isTime?(): boolean }).isTime?.(),
    );
    if (value === null) return null;
    if (Number.isNaN(value.getTime()))
      throw new InvalidPylock(this.path(key), "must be a date-time with an offset");
    // smol-toml keeps the written offset in toISOString(); the specification records UTC.
    return new Date(value.getTime()).toISOString();
  }

  subtable(key: string): Reader | null {
    const value = this.typed(key, "a table", isTable);
    return value === null ? null : new Reader(value, this.path(key));
  }

  strings(key: string): string[] | null {
    const value = this.typed(key, "an array", Array.isArray);
    if (value === null) return null;
    value.forEach((item, index) => {
      if (typeof item !== "string")
        throw new InvalidPylock(`${this.path(key)}[${index}]`, `must be a string, not ${typeName(item)}`);
    });
    return value as string[];
  }

  tables(key: string): Reader[] | null {
    const value = this.typed(key, "an array of tables", Array.isArray);
    if (value === null) return null;
    return value.map((item, index) => {
      const at = `${this.path(key)}[${index}]`;
      if (!isTable(item)) throw new InvalidPylock(at, `must be a table, not ${typeName(item)}`);
      return new Reader(item, at);
    });
  }
}

function missing(keyPath: string): never {
  throw new InvalidPylock(keyPath, "is required");
}

function parsed<T>(keyPath: string, text: string | null, parse: (text: string) => T): T | null {
  if (text === null) return null;
  try {
    return parse(text);
  } catch (error) {
    throw new InvalidPylock(keyPath, `${JSON.stringify(text)} is not valid: ${(error as Error).message}`);
  }
}

/** The last part of a path or URL's path: the file name a lock entry implies. */
export function lastPart(text: string | null): string | null {
  if (!text) return null;
  let path = text;
  try {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) path = new URL(text).pathname;
  } catch {
    // not a URL after all: its text is the path
  }
  const part = path.split(/[/\\]/).pop() ?? "";
  return part === "" ? null : part;
}

function readFile(reader: Reader, kind: "wheel" | "sdist" | "archive"): PylockFile {
  const url = reader.string("url");
  const path = reader.string("path");
  if (url === null && path === null) throw new InvalidPylock(reader.at, "needs a url or a path");
  const filename = reader.string("name") ?? lastPart(path) ?? lastPart(url);
  if (filename === null)
    throw new InvalidPylock(reader.at, "has no file name (name, or a path or url ending in one)");
  if (kind === "wheel" && tryParseWheelFilename(filename) === null)
    throw new InvalidPylock(reader.at, `${JSON.stringify(filename)} is not a valid wheel file name`);
  if (kind === "sdist" && tryParseSdistFilename(filename) === null)
    throw new InvalidPylock(reader.at, `${JSON.stringify(filename)} is not a valid sdist file name`);
  const hashesReader = reader.subtable("hashes") ?? missing(reader.path("hashes"));
  const hashes: Record<string, string> = {};
  for (const [algorithm, digest] of Object.entries(hashesReader.table)) {
    if (typeof digest !== "string")
      throw new InvalidPylock(hashesReader.path(algorithm), `must be a string, not ${typeName(digest)}`);
    hashes[algorithm.toLowerCase()] = digest.toLowerCase();
  }
  if (Object.keys(hashes).length === 0)
    throw new InvalidPylock(hashesReader.at, "must hold at least one hash");
  return {
    filename,
    url,
    path,
    size: reader.integer("size"),
    uploadTime: reader.dateTime("upload-time"),
    hashes,
    ...(kind === "archive" ? { subdirectory: reader.string("subdirectory") } : {}),
  };
}

function readPackage(reader: Reader): PylockPackage {
  const name = reader.requiredString("name");
  if (!isNormalizedName(name))
    throw new InvalidPylock(reader.path("name"), `${JSON.stringify(name)} is not a normalized name`);
  const wheels = (reader.tables("wheels") ?? []).map((item) => readFile(item, "wheel"));
  const sdistReader = reader.subtable("sdist");
  const sdist = sdistReader === null ? null : readFile(sdistReader, "sdist");
  const archiveReader = reader.subtable("archive");
  const archive = archiveReader === null ? null : readFile(archiveReader, "archive");
  const vcs = reader.subtable("vcs");
  const directory = reader.subtable("directory");
  let sourceTree: PylockPackage["sourceTree"] = null;
  if (vcs !== null) {
    vcs.requiredString("type");
    vcs.requiredString("commit-id");
    const location = vcs.string("url") ?? vcs.string("path");
    if (location === null) throw new InvalidPylock(vcs.at, "needs a url or a path");
    sourceTree = { kind: "vcs", location };
  }
  if (directory !== null) {
    directory.boolean("editable");
    sourceTree = { kind: "directory", location: directory.requiredString("path") };
  }
  const direct = [vcs, directory, archive].filter((item) => item !== null).length;
  const distributions = wheels.length + (sdist === null ? 0 : 1);
  if (distributions > 0 && direct > 0)
    throw new InvalidPylock(
      reader.at,
      "names wheels or an sdist together with a vcs, directory or archive source",
    );
  if (distributions === 0 && direct !== 1)
    throw new InvalidPylock(
      reader.at,
      direct === 0
        ? "names no source: it needs wheels, an sdist, or one of vcs, directory and archive"
        : "names more than one of vcs, directory and archive",
    );
  const version = parsed(reader.path("version"), reader.string("version"), parseVersion);
  // Each wheel and the sdist must be this package's, of this version when one is given.
  const named: ReadonlyArray<readonly [PylockFile, string, { name: string; version: Version } | null]> = [
    ...wheels.map(
      (wheel, index) => [wheel, `wheels[${index}]`, tryParseWheelFilename(wheel.filename)] as const,
    ),
    ...(sdist === null ? [] : [[sdist, "sdist", tryParseSdistFilename(sdist.filename)] as const]),
  ];
  for (const [file, at, parsedName] of named) {
    if (parsedName === null) continue; // readFile checked it
    if (parsedName.name !== name)
      throw new InvalidPylock(reader.path(at), `${file.filename} is not a file of ${name}`);
    if (version !== null && !versionsEqual(parsedName.version, version))
      throw new InvalidPylock(reader.path(at), `${file.filename} is not a file of ${name} ${version}`);
  }
  for (const [index, identity] of (reader.tables("attestation-identities") ?? []).entries()) {
    if (identity.string("kind") === null) missing(`${reader.path("attestation-identities")}[${index}].kind`);
  }
  reader.tables("dependencies");
  reader.subtable("tool");
  return {
    name,
    version,
    marker: parsed(reader.path("marker"), reader.string("marker"), parseMarker),
    requiresPython: parsed(reader.path("requires-python"), reader.string("requires-python"), (text) =>
      parseSpecifierSet(text),
    ),
    index: reader.string("index"),
    wheels,
    sdist,
    archive,
    sourceTree,
  };
}

/**
 * Parses and checks a lock file's text. A lock-version of another major version is refused; a
 * newer minor version is read, and `warn` told (the specification asks for a warning).
 */
export function parsePylock(text: string, warn: (message: string) => void = () => {}): Pylock {
  let document: Table;
  try {
    document = parseToml(text) as Table;
  } catch (error) {
    if (error instanceof TomlError)
      throw new InvalidPylock(
        "",
        `invalid TOML at line ${error.line}, column ${error.column}: ${error.message.split("\n")[0]}`,
      );
    throw error;
  }
  const reader = new Reader(document, "");
  const versionText = reader.requiredString("lock-version");
  const lockVersion = parsed("lock-version", versionText, parseVersion)!;
  const [major, minor = 0] = lockVersion.release.map(Number);
  if (major !== 1)
    throw new InvalidPylock("lock-version", `${versionText} is not supported: spice reads lock-version 1.x`);
  if (minor > 0) warn(`lock-version ${versionText} is newer than the 1.0 spice knows; reading it as 1.0`);
  const environments = reader.strings("environments");
  const extras = reader.strings("extras") ?? [];
  extras.forEach((extra, index) => {
    if (!isNormalizedName(extra))
      throw new InvalidPylock(`extras[${index}]`, `${JSON.stringify(extra)} is not a normalized name`);
  });
  const createdBy = reader.requiredString("created-by");
  const packages = (reader.tables("packages") ?? missing("packages")).map(readPackage);
  reader.subtable("tool");
  return {
    lockVersion,
    environments:
      environments?.map((item, index) => parsed(`environments[${index}]`, item, parseMarker)!) ?? null,
    requiresPython: parsed("requires-python", reader.string("requires-python"), (item) =>
      parseSpecifierSet(item),
    ),
    extras,
    dependencyGroups: reader.strings("dependency-groups") ?? [],
    defaultGroups: reader.strings("default-groups") ?? [],
    createdBy,
    packages,
  };
}

// --- choosing what to install --------------------------------------------------------------------

/** The environment a lock is installed into. */
export interface PylockTarget {
  markers: MarkerEnvironment;
  /** Full Python version ("3.11.7") for requires-python. */
  pythonVersion: string;
  /** The target's tag ranks (tags.ts tagRanks): which wheel suits it best. */
  tagRanks: ReadonlyMap<string, number>;
}

/** What one selected package entry installs from. */
export type PylockChoice =
  | { package: PylockPackage; kind: "wheel" | "sdist" | "archive"; file: PylockFile }
  | { package: PylockPackage; kind: "vcs"; location: string }
  | { package: PylockPackage; kind: "directory"; location: string };

/**
 * The packages a lock installs in `target` with these extras and dependency groups (default:
 * no extras, the lock's default-groups), each with the file to install: the specification's
 * "Installation" steps. Throws InvalidPylock when the lock does not apply to the target, is
 * ambiguous for it, or offers a package no file the target can use.
 */
export function selectFromPylock(
  lock: Pylock,
  target: PylockTarget,
  requested: { extras?: readonly string[]; groups?: readonly string[] } = {},
): PylockChoice[] {
  const extras = requested.extras ?? [];
  const groups = requested.groups ?? lock.defaultGroups;
  for (const extra of extras) {
    if (!lock.extras.includes(extra))
      throw new InvalidPylock(
        "extras",
        `the lock file offers no extra ${JSON.stringify(extra)}${offered(lock.extras)}`,
      );
  }
  for (const group of requested.groups ?? []) {
    if (!lock.dependencyGroups.includes(group) && !lock.defaultGroups.includes(group))
      throw new InvalidPylock(
        "dependency-groups",
        `the lock file offers no dependency group ${JSON.stringify(group)}${offered(lock.dependencyGroups)}`,
      );
  }
  // As packaging's Pylock.select: requires-python by the specifiers' own pre-release rule.
  const python = parseVersion(target.pythonVersion);
  if (lock.requiresPython !== null && !lock.requiresPython.contains(python))
    throw new InvalidPylock(
      "requires-python",
      `the lock file is for Python ${lock.requiresPython}, and the target is Python ${target.pythonVersion}`,
    );
  const markers: MarkerEnvironment = { ...target.markers, extras, dependency_groups: groups };
  // Environments describe the target alone, without extras or groups (as packaging reads them).
  if (
    lock.environments !== null &&
    !lock.environments.some((marker) => marker.evaluate(target.markers, "requirement"))
  )
    throw new InvalidPylock(
      "environments",
      `none of the lock file's environments is this one (${lock.environments.map(String).join("; ")})`,
    );
  const chosen = new Map<string, PylockChoice>();
  lock.packages.forEach((entry, index) => {
    if (entry.marker !== null && !entry.marker.evaluate(markers, "lock_file")) return;
    const at = `packages[${index}]`;
    if (entry.requiresPython !== null && !entry.requiresPython.contains(python))
      throw new InvalidPylock(
        at,
        `${entry.name} requires Python ${entry.requiresPython}, and the target is Python ${target.pythonVersion}`,
      );
    if (chosen.has(entry.name))
      throw new InvalidPylock(at, `more than one entry for ${entry.name} applies to this environment`);
    chosen.set(entry.name, choiceOf(entry, at, target));
  });
  return [...chosen.values()];
}

function offered(names: readonly string[]): string {
  return names.length === 0 ? " (it lists none)" : ` (it lists ${names.join(", ")})`;
}

function choiceOf(entry: PylockPackage, at: string, target: PylockTarget): PylockChoice {
  if (entry.sourceTree?.kind === "vcs")
    return { package: entry, kind: "vcs", location: entry.sourceTree.location };
  if (entry.sourceTree?.kind === "directory")
    return { package: entry, kind: "directory", location: entry.sourceTree.location };
  if (entry.archive !== null) return { package: entry, kind: "archive", file: entry.archive };
  let best: PylockFile | null = null;
  let bestRankSeen = -1;
  for (const wheel of entry.wheels) {
    const rank = bestRank(tryParseWheelFilename(wheel.filename)?.tags ?? [], target.tagRanks);
    if (rank >= 0 && (best === null || rank < bestRankSeen)) {
      best = wheel;
      bestRankSeen = rank;
    }
  }
  if (best !== null) return { package: entry, kind: "wheel", file: best };
  if (entry.sdist !== null) return { package: entry, kind: "sdist", file: entry.sdist };
  throw new InvalidPylock(
    at,
    `no wheel of ${entry.name}${entry.version === null ? "" : ` ${entry.version}`} in the lock file suits this environment (${entry.wheels.map((wheel) => wheel.filename).join(", ")})`,
  );
}
