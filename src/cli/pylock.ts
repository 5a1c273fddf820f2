// PEP 751 lock files on the command line: `spice pip install -r pylock.toml`, `spice pip sync
// pylock.toml` and `spice pip download -r pylock.toml` take what the lock selects for the target
// (no resolution; every file's hash and size checked), and `spice pip compile -o pylock.toml`
// writes one (the format itself: standards/pylock.ts and pylock-writer.ts).

import { readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, relative, resolve as resolvePath, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { indexSource, type SourcedFile } from "../index/package-source.ts";
import type { IndexFile } from "../index/simple-api.ts";
import type { ResolveTarget } from "../python/target.ts";
import type { Resolution, ResolvedPackage } from "../resolver/resolve.ts";
import { tryParseWheelFilename } from "../standards/filename.ts";
import type { Marker } from "../standards/marker.ts";
import { normalizeExtra } from "../standards/name.ts";
import {
  InvalidPylock,
  isPylockFileName,
  type Pylock,
  type PylockChoice,
  type PylockFile,
  parsePylock,
  selectFromPylock,
} from "../standards/pylock.ts";
import { type PylockPackageOutput, writePylock } from "../standards/pylock-writer.ts";
import { tagRanks } from "../standards/tags.ts";
import { versionsEqual } from "../standards/version.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { plural } from "../util/plural.ts";
import { redactUrl, withoutCredentials } from "../util/redact.ts";
import { flag, listValues, type ParsedArgs, value, values } from "./args.ts";
import type { CommandContext } from "./main.ts";
import { withoutExcluded } from "./project-requirements.ts";
import { requirementsFileHost, withFetchedRequirementFiles } from "./requirement-input.ts";
import {
  emptyRequirementInputs,
  gatherRequirementsFetching,
  type RequirementInputs,
} from "./resolution-options.ts";

/** A lock file read from the command line: as named, where it is, and what it says. */
export interface LockInput {
  /** As the command line names it (for messages). */
  location: string;
  /** Its URL, or its absolute path: what the paths in it are relative to. */
  base: string;
  lock: Pylock;
}

/**
 * The lock file among `files` (requirements files named on the command line), read and checked;
 * null when none is one. A lock is the whole set: with anything else to install it is refused.
 */
export async function pylockInput(
  files: readonly string[],
  otherInputs: number,
  args: ParsedArgs,
  context: CommandContext,
): Promise<LockInput | null> {
  const locks = files.filter((file) => isPylockFileName(file));
  if (locks.length === 0) return null;
  if (locks.length > 1 || files.length > 1 || otherInputs > 0)
    throw new UsageError(
      `${locks[0]} is a lock file (PEP 751): it names everything to install, and cannot be combined with other requirements`,
      `spice pip install -r ${locks[0]}, alone`,
    );
  const location = locks[0];
  const bytes = await withFetchedRequirementFiles(args, context, () =>
    requirementsFileHost(context).readFile(location),
  ).catch((error: Error) => {
    throw new SpiceError("E_PYLOCK", `Could not read the lock file ${redactUrl(location)}`, {
      cause: error.message,
    });
  });
  try {
    const lock = parsePylock(Buffer.from(bytes).toString("utf8"), (message) =>
      context.output.warn(`${location}: ${message}`),
    );
    return {
      location,
      base: /^https?:/i.test(location) ? location : resolvePath(context.cwd, location),
      lock,
    };
  } catch (error) {
    if (error instanceof InvalidPylock) throw invalidLock(location, error);
    throw error;
  }
}

function invalidLock(location: string, error: InvalidPylock): SpiceError {
  return new SpiceError("E_PYLOCK", `${redactUrl(location)} is not a lock file spice can install`, {
    cause: error.message,
    hint: "Nothing was changed. Lock again (spice pip compile -o pylock.toml), or fix the lock file",
  });
}

/** --extra / --all-extras / --group as a lock's extras and dependency groups (default: its default-groups). */
function lockSelection(args: ParsedArgs, lock: Pylock): { extras: string[]; groups?: string[] } {
  const extras = flag(args, "all-extras")
    ? withoutExcluded(lock.extras, args, normalizeExtra)
    : listValues(args, "extra").map((extra) => normalizeExtra(extra));
  const groups = values(args, "group");
  return groups.length > 0 ? { extras, groups: [...lock.defaultGroups, ...groups] } : { extras };
}

/**
 * What an install, a sync or a download takes: a lock file named among `files` (read and checked; it is the
 * whole set, so `otherInputs` must be none), else the requirements of `positionals` and `files`.
 */
export async function lockOrRequirements(
  positionals: readonly string[],
  files: readonly string[],
  otherInputs: number,
  args: ParsedArgs,
  context: CommandContext,
  /** The pip.conf section whose settings apply (pip's command name). */
  section = "install",
): Promise<{ lock: LockInput | null; inputs: RequirementInputs }> {
  const lock = await pylockInput(files, positionals.length + otherInputs, args, context);
  // Nothing to resolve from a lock: it names every file.
  if (lock !== null) return { lock, inputs: emptyRequirementInputs() };
  return { lock, inputs: await gatherRequirementsFetching([...positionals], args, context, files, section) };
}

/**
 * lockOrRequirements for install and download, which take requirements as pip install does:
 * names and files on the command line and -r files; -c and --override count as other inputs.
 * Naming nothing at all is the usage error `nothingGiven`; requirements files (or dependency
 * groups) that turn out empty install nothing, said in a warning, as pip and uv take an empty
 * requirements file (a script's optional one, say).
 */
export async function lockOrCommandLineRequirements(
  args: ParsedArgs,
  context: CommandContext,
  nothingGiven: { message: string; hint: string },
  section = "install",
): Promise<{ lock: LockInput | null; inputs: RequirementInputs }> {
  const found = await lockOrRequirements(
    args.positionals,
    values(args, "requirement"),
    values(args, "constraint").length + values(args, "override").length,
    args,
    context,
    section,
  );
  if (found.inputs.requirements.length > 0 || found.lock !== null) return found;
  const sources = [
    ...values(args, "requirement"),
    ...values(args, "group").map((group) => `--group ${group}`),
  ];
  if (sources.length === 0) throw new UsageError(nothingGiven.message, nothingGiven.hint);
  context.output.warn(`${sources.join(", ")} ${sources.length === 1 ? "names" : "name"} nothing to install`);
  return found;
}

/** The line saying what was chosen: resolved from requirements, or read from a lock file. */
export function chosenLine(count: number, lock: LockInput | null, took: string): string {
  const packages = plural(count, "package");
  return lock === null
    ? `Resolved ${packages} in ${took}`
    : `Read ${packages} from ${lock.location} in ${took}`;
}

/**
 * Where a file the lock names is: `path` first (relative to the lock file), as pip reads locks,
 * else `url`. A lock fetched from a URL may name only paths below its own origin.
 */
function fileLocation(input: LockInput, file: { path: string | null; url: string | null }): string {
  if (file.path === null) return file.url!;
  if (/^https?:/i.test(input.base)) {
    const base = new URL(input.base);
    const target = new URL(file.path, base);
    if (isAbsolute(file.path) || target.origin !== base.origin)
      throw new SpiceError(
        "E_PYLOCK",
        `The lock file ${redactUrl(input.location)} names a path outside its own location`,
        {
          cause: `path ${JSON.stringify(file.path)}`,
        },
      );
    return target.toString();
  }
  return pathToFileURL(resolvePath(dirname(input.base), file.path)).toString();
}

function needsBuild(choice: PylockChoice, what: string): SpiceError {
  return new SpiceError(
    "E_NEEDS_BUILD",
    `The lock file installs ${choice.package.name} from ${what}, which must be built`,
    {
      hint: "Building arrives in a later version of spice; lock a version with a wheel for this environment",
    },
  );
}

/**
 * What the lock installs in `target`, as a resolution the installer takes (every package asked
 * for, none resolved), and the hashes each file must have.
 */
export function resolutionFromLock(
  input: LockInput,
  target: ResolveTarget,
  selection: { extras: string[]; groups?: string[] },
): { resolution: Resolution; hashes: Map<string, Set<string>> } {
  let choices: PylockChoice[];
  try {
    choices = selectFromPylock(
      input.lock,
      { markers: target.markers, pythonVersion: target.pythonVersion, tagRanks: tagRanks(target.tags) },
      selection,
    );
  } catch (error) {
    if (error instanceof InvalidPylock) throw invalidLock(input.location, error);
    throw error;
  }
  const packages = new Map<string, ResolvedPackage>();
  const hashes = new Map<string, Set<string>>();
  for (const choice of choices) {
    if (choice.kind === "vcs" || choice.kind === "directory")
      throw needsBuild(
        choice,
        `${choice.kind === "vcs" ? "a version control checkout" : "a directory"} (${choice.location})`,
      );
    const wheel = tryParseWheelFilename(choice.file.filename);
    if (choice.kind === "sdist" || wheel === null)
      throw needsBuild(choice, `the source distribution ${choice.file.filename}`);
    const entry = choice.package;
    // Reading checked the entry's wheels; an archive may hold any file, so it is checked here.
    if (wheel.name !== entry.name || (entry.version !== null && !versionsEqual(wheel.version, entry.version)))
      throw invalidLock(
        input.location,
        new InvalidPylock(
          entry.name,
          `the archive ${choice.file.filename} is not ${entry.name}${entry.version === null ? "" : ` ${entry.version}`}`,
        ),
      );
    const file: IndexFile = {
      filename: choice.file.filename,
      url: fileLocation(input, choice.file),
      hashes: { ...choice.file.hashes },
      requiresPython: null,
      yanked: null,
      coreMetadata: false,
      size: choice.file.size,
      uploadTime: choice.file.uploadTime,
      ...(choice.file.subdirectory ? { subdirectory: choice.file.subdirectory } : {}),
    };
    packages.set(entry.name, {
      name: entry.name,
      version: entry.version ?? wheel.version,
      file,
      files: [file],
      extras: [],
      requestedExtras: [],
      requiredBy: ["<root>"],
      requested: true,
      // An archive is a direct reference (PEP 610 direct_url.json); wheels are the index's.
      direct: choice.kind === "archive",
      metadata: null,
    });
    hashes.set(
      entry.name,
      new Set(Object.entries(choice.file.hashes).map(([algorithm, digest]) => `${algorithm}:${digest}`)),
    );
  }
  return { resolution: { packages }, hashes };
}

/**
 * What the lock named on the command line installs in `target`, chosen by --extra, --all-extras
 * and --group; null without a lock (the requirements are resolved instead).
 */
export function lockedResolution(
  lock: LockInput | null,
  target: ResolveTarget,
  args: ParsedArgs,
): ReturnType<typeof resolutionFromLock> | null {
  return lock === null ? null : resolutionFromLock(lock, target, lockSelection(args, lock.lock));
}

// --- writing -------------------------------------------------------------------------------------

/**
 * A file as the lock records it: a local file by its path relative to the lock (portable with the
 * directory that holds both), and its size read from disk; else by its URL.
 */
function fileOutput(file: IndexFile, sha256: string, lockDirectory: string): PylockFile {
  const local = file.url.startsWith("file:") ? fileURLToPath(file.url) : null;
  return {
    filename: file.filename,
    url: local === null ? withoutCredentials(file.url) : null,
    path: local === null ? null : relative(lockDirectory, local).split(sep).join("/"),
    size: local === null ? file.size : statSync(local).size,
    uploadTime: file.uploadTime,
    hashes: { ...file.hashes, sha256 },
    subdirectory: file.subdirectory ?? null,
  };
}

/** The index (as given) a pin's file came from; null for a find-links or local file. */
export function indexOfPin(resolved: ResolvedPackage, indexes: readonly string[]): string | null {
  const source = (resolved.file as SourcedFile | null)?.source;
  if (source === undefined) return null;
  return indexes.find((index) => indexSource(index) === source) ?? null;
}

/**
 * A compiled resolution as lock file text. `files` holds, per package, every file of its pinned
 * version with its sha256 (as --generate-hashes lists them), so that the lock installs on other
 * platforms where the same versions apply; `comments` (lines starting with #) open the file.
 */
export function pylockText(
  packages: readonly ResolvedPackage[],
  files: ReadonlyArray<ReadonlyArray<{ file: IndexFile; sha256: string }>>,
  target: ResolveTarget,
  lockDirectory: string,
  comments: readonly string[],
  /** The indexes as given (IndexSettings.indexes), for each package's PEP 751 `index`. */
  indexes: readonly string[],
  universal: {
    /** Each package's marker, by its index in `packages`. */
    markers: ReadonlyArray<string | null>;
    /** The markers of the environments it is for (PEP 751 `environments`); none: all of them. */
    environments: readonly string[];
  } = { markers: [], environments: [] },
): string {
  const dependencies = new Map<string, string[]>();
  for (const resolved of packages) {
    for (const parent of resolved.requiredBy) {
      if (parent === "<root>") continue;
      dependencies.set(parent, [...(dependencies.get(parent) ?? []), resolved.name]);
    }
  }
  const [major, minor] = target.pythonVersion.split(".");
  const output: PylockPackageOutput[] = packages.map((resolved, index) => {
    const own = files[index].map(({ file, sha256 }) => fileOutput(file, sha256, lockDirectory));
    const from = resolved.direct ? null : indexOfPin(resolved, indexes);
    return {
      name: resolved.name,
      version: resolved.version.toString(),
      marker: universal.markers[index] ?? null,
      requiresPython: resolved.metadata?.requiresPython?.toString() || null,
      dependencies: dependencies.get(resolved.name) ?? [],
      index: from === null || !/^https?:/i.test(from) ? null : withoutCredentials(from),
      archive: resolved.direct ? (own[0] ?? null) : null,
      sdist: resolved.direct ? null : (own.find((file) => !file.filename.endsWith(".whl")) ?? null),
      wheels: resolved.direct ? [] : own.filter((file) => file.filename.endsWith(".whl")),
    };
  });
  return writePylock(
    {
      environments: universal.environments,
      requiresPython: `>=${major}.${minor}`,
      createdBy: "spice",
      packages: output,
    },
    comments,
  );
}

/**
 * --format, else what the output file's name says: a lock file must be named pylock.toml or
 * pylock.NAME.toml (PEP 751), so that name means one and another name does not.
 */
export function outputFormat(
  args: ParsedArgs,
  outputPath: string | null,
): "requirements.txt" | "pylock.toml" {
  const format = value(args, "format");
  const named = outputPath !== null && isPylockFileName(outputPath);
  if (format === undefined) return named ? "pylock.toml" : "requirements.txt";
  if (format !== "requirements.txt" && format !== "pylock.toml")
    throw new UsageError(`--format takes requirements.txt or pylock.toml, not '${format}'`);
  if (format === "pylock.toml" && outputPath !== null && !named)
    throw new UsageError(
      `A lock file must be named pylock.toml or pylock.NAME.toml (PEP 751), not ${basename(outputPath)}`,
      "spice pip compile requirements.in -o pylock.toml",
    );
  if (format === "requirements.txt" && named)
    throw new UsageError(
      `${basename(outputPath!)} is a lock file's name; write requirements to another file`,
    );
  return format;
}

/** A version an earlier output pinned, with the marker of where (a universal output). */
export interface EarlierPin {
  name: string;
  version: string;
  marker: Marker | null;
}

/** The versions an existing lock file pins, to keep them (as pins of a requirements output are). */
export function lockedVersions(path: string, context: CommandContext): EarlierPin[] {
  const pins: EarlierPin[] = [];
  try {
    for (const entry of parsePylock(readFileSync(path, "utf8")).packages) {
      if (entry.version !== null)
        pins.push({ name: entry.name, version: entry.version.toString(), marker: entry.marker });
    }
  } catch (error) {
    context.output.warn(
      `${path} is not a lock file spice can read, so no versions are kept from it: ${(error as Error).message}`,
    );
  }
  return pins;
}
