// Removing distributions' files as their RECORDs list them, in one Transaction: a directory that
// empties moves aside whole, the rest file by file, and nothing outside the environment. An
// uninstall does only this; an install's change (installer.ts) does it for what it replaces.

import { lstatSync, readdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Environment } from "../python/environment.ts";
import { fileSystemFailure, SpiceError } from "../util/error.ts";
import {
  distributionFiles,
  type InstalledDistribution,
  ownsDistribution,
  withOwnedCopies,
} from "./installed.ts";
import { pruneEmptyDirectories, pruneEmptyDirectoriesOf, Transaction } from "./transaction.ts";

/**
 * For a path, the directory below which removing it may take emptied directories along (moved
 * whole, or pruned once empty): the site directory holding it, else the environment's top-level
 * directory holding it (share/, include/ and bin/ themselves stay, as pip leaves them), else its
 * own directory (nothing is taken along). Made once per change: it runs for every file removed.
 */
export function removalRoots(environment: Environment): (path: string) => string {
  const { scheme } = environment;
  // The longest first, so a site directory inside another is the one found.
  const sites = [...environment.sitePackages, scheme.purelib, scheme.platlib]
    .map((site) => `${site}/`)
    .sort((a, b) => b.length - a.length);
  const root = resolve(environment.root);
  return (path) => {
    const site = sites.find((prefix) => path.startsWith(prefix));
    if (site !== undefined) return site.slice(0, -1);
    const slash = path.startsWith(`${root}/`) ? path.indexOf("/", root.length + 1) : -1;
    return slash < 0 ? dirname(path) : path.slice(0, slash);
  };
}

/** removalRoots for a distribution's files: its own location for those below it. */
function removalRootsFor(
  environment: Environment,
  distribution: InstalledDistribution,
): (path: string) => string {
  const location = resolve(distribution.location);
  const below = `${location}/`;
  const rootOf = removalRoots(environment);
  return (path) => (path.startsWith(below) ? location : rootOf(path));
}

/**
 * Whether removing a path stays inside the environment: a RECORD row may name any path, and one
 * that leads outside (`../../../../etc/...`, damaged or hostile) is left alone, as pip leaves what
 * lies outside the environment's prefix. A system interpreter's files have no such bound.
 */
export function removableIn(environment: Environment): (path: string) => boolean {
  if (environment.kind === "system") return () => true;
  const inside = `${resolve(environment.root)}/`;
  return (path) => resolve(path).startsWith(inside);
}

/**
 * The files a distribution installed (distributionFiles); one that does not list them cannot be
 * removed safely, and is refused as pip and uv refuse it: removing its metadata alone would leave
 * its modules importable, and a new version beside them would put two on one path.
 */
export function recordedFiles(distribution: InstalledDistribution, scripts: string): string[] {
  const files = distributionFiles(distribution, scripts);
  if (files !== null) return files;
  const { name, displayVersion, path } = distribution;
  const what = `Cannot uninstall ${name} ${displayVersion}`;
  if (distribution.format === "dist-info") {
    throw new SpiceError("E_NO_RECORD", `${what}: it has no RECORD file`, {
      cause: `${path} does not list the files it installed (installer: ${distribution.installer || "unknown"})`,
      hint: `Reinstall the same version to take it over, then try again: spice pip install --reinstall --no-deps ${name}==${displayVersion}`,
    });
  }
  const distutils = distribution.readFile("PKG-INFO") === null;
  throw new SpiceError(
    "E_NO_RECORD",
    distutils
      ? `${what}: it was installed by distutils, which records no list of its files`
      : `${what}: its .egg-info lists no files (neither installed-files.txt nor top_level.txt)`,
    {
      cause: `removing ${path} alone would leave its modules importable`,
      hint: `Remove ${path} and the package's own files by hand, then try again`,
    },
  );
}

/**
 * What removing the distributions' files moves aside: a directory below a distribution's
 * location (or below share/ and the like, removalRoots) whose every entry goes (its files all
 * listed, its subdirectories likewise) moves with one rename, as pip moves them, unless it is in
 * `keep`; anything else file by file. Moving trio's 3,700 files one at a time, then removing the
 * 900 directories they left empty, was most of uninstalling it.
 */
export function pathsToMoveAside(
  environment: Environment,
  removals: ReadonlyArray<[InstalledDistribution, readonly string[]]>,
  keep: ReadonlySet<string> = new Set(),
): string[] {
  const removing = new Set(removals.flatMap(([, files]) => files));
  // Directories strictly below a removal root that hold (or lead to) a file being removed.
  const candidates = new Set<string>();
  for (const [distribution, files] of removals) {
    const rootOf = removalRootsFor(environment, distribution);
    for (const file of files) {
      const root = rootOf(file);
      for (let directory = dirname(file); directory.startsWith(`${root}/`); directory = dirname(directory)) {
        if (candidates.has(directory)) break;
        candidates.add(directory);
      }
    }
  }
  const wholes = new Map<string, boolean>();
  const goesWhole = (directory: string): boolean => {
    let whole = wholes.get(directory);
    if (whole === undefined) {
      whole = !keep.has(directory) && holdsOnlyRemoved(directory);
      wholes.set(directory, whole);
    }
    return whole;
  };
  const holdsOnlyRemoved = (directory: string): boolean => {
    try {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = `${directory}/${entry.name}`;
        if (!(entry.isDirectory() ? goesWhole(path) : removing.has(path))) return false;
      }
      return true;
    } catch {
      return false; // gone, or not a directory: its files are moved one by one
    }
  };
  const roots = [...candidates].filter(
    (directory) =>
      goesWhole(directory) && !(candidates.has(dirname(directory)) && goesWhole(dirname(directory))),
  );
  const rootSet = new Set(roots);
  const insideRoot = (path: string): boolean => {
    for (let directory = dirname(path); candidates.has(directory); directory = dirname(directory))
      if (rootSet.has(directory)) return true;
    return false;
  };
  // RECORD lists files: a row naming a directory (`../../../bin`, damaged or hostile) removes nothing.
  const isDirectory = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  return [...roots, ...[...removing].filter((path) => !insideRoot(path) && !isDirectory(path))];
}

/**
 * Uninstalls distributions, with every other copy of their names the environment holds
 * (withOwnedCopies), RECORD-driven, in one transaction. `discardBackup` may take what was
 * removed away to be deleted later (Transaction.commit).
 */
export async function uninstallDistributions(
  environment: Environment,
  named: readonly InstalledDistribution[],
  discardBackup?: (backup: string) => void,
  onLockWait?: (owner: number) => void,
): Promise<Array<{ name: string; version: string }>> {
  const distributions = withOwnedCopies(environment, named);
  const foreign = distributions.find((distribution) => !ownsDistribution(environment, distribution));
  if (foreign !== undefined) {
    throw new SpiceError(
      "E_OUTSIDE_ENVIRONMENT",
      `${foreign.name} at ${foreign.location} is outside the environment at ${environment.root}`,
      { hint: "spice changes only the environment it was pointed at" },
    );
  }
  const transaction = await Transaction.open(
    environment.scheme.purelib,
    `The environment at ${environment.root}`,
    onLockWait,
  );
  try {
    const removals: Array<[InstalledDistribution, string[]]> = [];
    const removable = removableIn(environment);
    for (const distribution of distributions) {
      const files = recordedFiles(distribution, environment.scheme.scripts);
      removals.push([distribution, files.filter(removable)]);
    }
    for (const path of pathsToMoveAside(environment, removals)) transaction.planRemoval(path);
    transaction.begin([], []);
    transaction.moveAside();
    for (const [distribution, files] of removals) {
      // Each directory once, deepest first: trying every file's directory costs a failed rmdir
      // (and a thrown error) per file.
      const directoriesByRoot = new Map<string, string[]>();
      const rootOf = removalRootsFor(environment, distribution);
      for (const path of files) {
        const root = rootOf(path);
        const directories = directoriesByRoot.get(root);
        if (directories === undefined) directoriesByRoot.set(root, [dirname(path)]);
        else directories.push(dirname(path));
      }
      for (const [root, directories] of directoriesByRoot) pruneEmptyDirectoriesOf(directories, root);
      pruneEmptyDirectories(distribution.path, distribution.location);
    }
    transaction.commit(discardBackup);
    return removals.map(([distribution]) => ({
      name: distribution.name,
      version: distribution.displayVersion,
    }));
  } catch (error) {
    transaction.abort();
    throw (
      fileSystemFailure(`Could not uninstall from ${environment.root} (nothing was changed)`, error) ?? error
    );
  }
}
