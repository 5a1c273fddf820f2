// Spare trees: what makes a warm install cost one rename per top-level directory.
//
// Linking a wheel file by file costs one mkdir per directory and one link per file. On the disks
// measured, a mkdir costs 0.05-0.4 ms (ext4 allocates and journals a block for each), and the
// trio set's 33 wheels make 900 directories: about half of a warm install went to mkdir alone.
// A spare tree is a wheel's site-packages part laid out ahead of time inside its cache entry:
// real directories holding hard links to the entry's files. An install claims it with one
// rename (only one claimer can win) and renames its top-level directories into site-packages.
// What lands there is exactly what linking file by file makes: the same directories and the same
// hard links, with no symlink into the cache, so removing the cache, copying the environment into
// a container image, and pip's own uninstall all behave as with plain hard links.
//
// The work a spare saves is done after the command that used it has finished (cli/ starts a
// background `spice cache make-spares`), so the next install finds one again.

import { linkSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BUCKETS, type Cache } from "../cache/store.ts";
import { acquireLock } from "../util/lock.ts";
import { makeDirectories } from "../util/make-directories.ts";
import { SCRATCH_PREFIX } from "./transaction.ts";
import {
  filesOf,
  hasSpareTree,
  INSTALLER_TEXT,
  isIntact,
  readManifest,
  spareTreeOf,
  storedFile,
  type WheelManifest,
  withLibFile,
} from "./wheel-cache.ts";

/**
 * Moves the entry's spare tree to `into` (a path that does not exist yet, on the same
 * filesystem). Returns false when there is none, another process claimed it first, or the two
 * are on different filesystems.
 */
function claimSpareTree(entry: string, into: string): boolean {
  try {
    renameSync(spareTreeOf(entry), into);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds a spare tree for the entry when it has none: hard links to the entry's files, in a
 * temporary directory of the bucket, renamed into the entry when complete. Returns whether the
 * entry has a spare afterwards. An entry that fails its check, or is rebuilt meanwhile, gets none.
 */
export function makeSpareTree(entry: string, manifest: WheelManifest, temporary: string): boolean {
  if (hasSpareTree(entry)) return true;
  const manifestInode = statSync(join(entry, "manifest.json")).ino;
  if (!isIntact(entry, manifest)) return false;
  const files = filesOf(entry);
  const made = new Set<string>();
  try {
    mkdirSync(temporary);
    made.add(temporary);
    for (const [directory, indices] of manifest.libDirectories) {
      const target = directory === "" ? temporary : `${temporary}/${directory}`;
      if (!made.has(target)) {
        makeDirectories(target);
        for (let parent = target; !made.has(parent); parent = dirname(parent)) made.add(parent);
      }
      for (const index of indices)
        linkSync(storedFile(files, index), `${temporary}/${manifest.files[index].path}`);
    }
    // The one file an installer writes that is the same in every environment, made here rather
    // than during the install (a file of its own, not a link: pip would overwrite it in place).
    writeFileSync(`${temporary}/${manifest.distInfo}/INSTALLER`, INSTALLER_TEXT);
    // The entry must still be the one linked from: a rebuild replaces manifest.json too.
    if (statSync(join(entry, "manifest.json")).ino !== manifestInode) return false;
    try {
      renameSync(temporary, spareTreeOf(entry));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
      // Another process made one first.
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false; // the entry went away
    throw error;
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

/** What claimSpareTrees needs of an installer's plan for one wheel. */
export interface PlannedWheel {
  /** The wheel's cache entry, which may hold a spare tree. */
  cacheEntry?: string;
  /** The directory its lib files go to (site-packages). */
  libDirectory: string;
  /** Where the entry keeps its files (wheel-cache.ts storedFile). */
  filesRoot: string;
  manifest: WheelManifest;
  /** The spare tree its lib files were checked in (wheel-cache.ts withLibFile). */
  checkedTree?: string;
  /** The directories (absolute) that get the files its spare tree holds, with their manifest indices. */
  libDirectories: ReadonlyArray<{ path: string; indices: readonly number[] }>;
  /** Its other files: linked from outside the spare tree (`source`), or written fresh. */
  files: ReadonlyArray<{ destination: string; source?: string }>;
}

export interface SpareTreeMoves {
  /** [from inside a claimed spare tree, to its place in the environment]; none inside another. */
  moves: Array<[string, string]>;
  /** New directories the moves bring along (no mkdir for them, no link for their spare files). */
  covered: Set<string>;
  /** Where the claimed trees were moved to: after the moves, what they did not use. */
  claims: string;
  /** Where each plan's claimed tree is (by its index in the plans), for the files not moved with it. */
  trees: Map<number, string>;
}

/**
 * Which new directories one wheel alone fills from its spare tree: each is renamed into place
 * whole. A directory two wheels share (a namespace package), or that gets a file from outside
 * the spare (a `.data` file), is made as usual and its subdirectories considered in turn.
 * Works per directory, not per file: its cost is part of every warm install.
 */
export function claimSpareTrees(
  plans: readonly PlannedWheel[],
  newDirectories: ReadonlySet<string>,
  canHardLink: (source: string, probe: string) => boolean,
  claimsParent: string,
): SpareTreeMoves | null {
  const SHARED = -1;
  const owner = new Map<string, number>();
  const holdsSpareFiles = new Set<string>();
  // Only a tree the cache check went through (wheel-cache.ts checkedEntry): not one that failed it
  // and stayed (its discard failed), nor one made since. (Another process may claim one of these
  // first: then its directories are made as usual.)
  const spareTreeFound = plans.map(
    (plan) =>
      plan.cacheEntry !== undefined && plan.checkedTree !== undefined && hasSpareTree(plan.cacheEntry),
  );
  if (!spareTreeFound.includes(true)) return null;
  /** Marks `start` and its new parents as filled by `mark` (a plan's index, or SHARED). */
  const markFrom = (start: string, mark: number, spareFiles: boolean) => {
    for (let directory = start; newDirectories.has(directory); ) {
      const known = owner.get(directory);
      // Walked with this mark before (or shared, which its parents are too): so were its parents.
      if ((known === mark || known === SHARED) && (!spareFiles || holdsSpareFiles.has(directory))) break;
      owner.set(directory, known === undefined || known === mark ? mark : SHARED);
      if (spareFiles) holdsSpareFiles.add(directory);
      const parent = dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
  };
  plans.forEach((plan, index) => {
    const found = spareTreeFound[index];
    for (const directory of plan.libDirectories) markFrom(directory.path, found ? index : SHARED, true);
    // A linked file from outside the spare tree (or without one) keeps its directories from
    // moving; a file written fresh goes into the moved directory afterwards.
    for (const file of plan.files)
      markFrom(dirname(file.destination), found && file.source === undefined ? index : SHARED, false);
  });
  const isMovable = (directory: string): boolean => {
    const index = owner.get(directory);
    if (index === undefined || index === SHARED || !holdsSpareFiles.has(directory)) return false;
    return directory.startsWith(`${plans[index].libDirectory}/`);
  };
  const rootsByPlan = new Map<number, string[]>();
  for (const directory of newDirectories) {
    if (!isMovable(directory) || isMovable(dirname(directory))) continue;
    const index = owner.get(directory)!;
    const roots = rootsByPlan.get(index) ?? [];
    roots.push(directory);
    rootsByPlan.set(index, roots);
  }
  // A wheel that mostly lands in directories that exist already (an upgrade in place) keeps its
  // tree: claiming it would save little, use it up and leave most of it to delete.
  const candidateRoots = new Set([...rootsByPlan.values()].flat());
  const isUnderRoot = new Map<string, boolean>();
  const underRoot = (directory: string): boolean => {
    let known = isUnderRoot.get(directory);
    if (known === undefined) {
      known =
        candidateRoots.has(directory) || (newDirectories.has(directory) && underRoot(dirname(directory)));
      isUnderRoot.set(directory, known);
    }
    return known;
  };
  for (const index of [...rootsByPlan.keys()]) {
    let moved = 0;
    let left = 0;
    for (const directory of plans[index].libDirectories) {
      if (underRoot(directory.path)) moved += directory.indices.length;
      else left += directory.indices.length;
    }
    if (moved < left) rootsByPlan.delete(index);
  }
  if (rootsByPlan.size === 0) return null;
  const claims = mkdtempSync(join(claimsParent, `${SCRATCH_PREFIX}${process.pid}-`));
  const [first] = rootsByPlan.keys();
  const { manifest, filesRoot, checkedTree, libDirectories } = plans[first];
  const probe = join(claims, "probe");
  const linkable = withLibFile(manifest, filesRoot, checkedTree, libDirectories[0].indices[0], (sample) =>
    canHardLink(sample, probe),
  );
  if (!linkable) {
    rmSync(claims, { recursive: true, force: true });
    return null;
  }
  const moves: Array<[string, string]> = [];
  const roots = new Set<string>();
  const trees = new Map<number, string>();
  for (const [index, planRoots] of rootsByPlan) {
    const plan = plans[index];
    const tree = join(claims, String(index));
    if (!claimSpareTree(plan.cacheEntry!, tree)) continue;
    trees.set(index, tree);
    const libPrefix = `${plan.libDirectory}/`;
    for (const root of planRoots) {
      moves.push([`${tree}/${root.slice(libPrefix.length)}`, root]);
      roots.add(root);
    }
  }
  const covered = new Set<string>();
  for (const directory of [...newDirectories].sort((a, b) => a.length - b.length))
    if (roots.has(directory) || covered.has(dirname(directory))) covered.add(directory);
  return { moves, covered, claims, trees };
}

/** Held by the process making spare trees; `spice cache clean` waits for it. */
export function spareTreesLockPath(cache: Cache): string {
  return join(cache.root, ".spare-trees.lock");
}

const LEFTOVER = /^\.tmp-\d+-leftover-\d+-\d+$/;
let leftovers = 0;

/** A name in the wheels bucket for what an install's claimed spare trees, or a change's backup, left over. */
export function spareTreeLeftoverName(): string {
  return `.tmp-${process.pid}-leftover-${Date.now()}-${leftovers++}`;
}

/**
 * Makes the missing spare trees of the wheel entries named by `keys` (their sha256), one process
 * at a time per cache, then deletes `discard`, leftovers an install or uninstall moved into the
 * wheels bucket (other names are refused). Returns how many entries have a tree afterwards.
 */
export function makeSpareTrees(
  cache: Cache,
  keys: readonly string[],
  discard: readonly string[] = [],
): number {
  const lock = acquireLock(spareTreesLockPath(cache), `The cache at ${cache.root}`);
  let made = 0;
  try {
    for (const [index, key] of keys.entries()) {
      const entry = cache.entryPath(BUCKETS.wheels, key);
      const manifest = readManifest(entry);
      if (manifest === null) continue;
      const temporary = join(cache.bucket(BUCKETS.wheels), `.tmp-${process.pid}-spare-${index}`);
      if (makeSpareTree(entry, manifest, temporary)) made++;
    }
    for (const name of discard.filter((name) => LEFTOVER.test(name)))
      rmSync(join(cache.bucket(BUCKETS.wheels), name), { recursive: true, force: true });
  } finally {
    lock.release();
  }
  return made;
}
