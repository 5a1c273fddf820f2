// Installing unpacked wheels into an environment, all inside one Transaction: each wheel's plan
// (distribution-plan.ts: where its files go, what an installer generates) is carried out by
// linking files from the cache (linker.ts) or moving in whole directories of spare trees
// (spare-trees.ts), writing the generated files and RECORD fresh, byte-compiling when asked, and
// removing what replaced versions left behind (uninstall.ts).

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { Environment } from "../python/environment.ts";
import { monotonicMilliseconds } from "../util/clock.ts";
import { cacheDiskFailure } from "../util/fs.ts";
import { recordHash } from "../util/hash.ts";
import { bytecodeTag, compiledPath, compileModules } from "./bytecode.ts";
import {
  type DistributionPlan,
  type InstallItem,
  libFilePath,
  type PlanOptions,
  planDistribution,
  plannedPaths,
  type RecordRow,
  recordOf,
} from "./distribution-plan.ts";
import { type Clobbered, checkNewFiles, filesOfOthers } from "./install-checks.ts";
import {
  copiesByName,
  distributionFiles,
  type InstalledDistribution,
  ownsDistribution,
} from "./installed.ts";
import { Linker, type LinkMode } from "./linker.ts";
import { type SharedFiles, sharedDestinations, sharedFilesOf } from "./shared-paths.ts";
import { claimSpareTrees, type SpareTreeMoves } from "./spare-trees.ts";
import { pruneEmptyDirectories, Transaction } from "./transaction.ts";
import { pathsToMoveAside, recordedFiles, removableIn, removalRoots } from "./uninstall.ts";
import { checkedStoredFile, withLibFile } from "./wheel-cache.ts";

export interface InstallOptions extends PlanOptions {
  /**
   * Where pip would install each wheel (by canonical name; resolver/install-order.ts), asked for
   * only when two wheels hold one file: the copy pip installs last stays.
   */
  pipOrder?: () => ReadonlyMap<string, number>;
  /** null: pick the best the filesystem allows. */
  linkMode: LinkMode | null;
  compile: boolean;
  /** Hears of each link mode fallback; `asked` when the mode that failed was --link-mode's. */
  onLinkModeFallback?: (message: string, asked: boolean) => void;
  /** Distributions to remove in the same transaction (`spice pip sync`'s extraneous ones). */
  remove?: readonly InstalledDistribution[];
  /** Move in the cache entries' spare trees where they fit (hard-link mode only; spare-trees.ts). */
  spareTrees?: boolean;
  /** Takes what the change replaced or removed away, to be deleted later (Transaction.commit). */
  discardBackup?: (backup: string) => void;
  /** Hears that another process holds the environment's lock (its pid), before waiting for it. */
  onLockWait?: (owner: number) => void;
}

export interface InstallResult {
  installed: Array<{ name: string; version: string }>;
  /** The console scripts each installed wheel got (in the order of `installed`). */
  consoleScripts: string[][];
  clobbered: Clobbered[];
  /** Paths two of the installed wheels both hold, and whose copy is placed. */
  shared: SharedFiles[];
  removed: Array<{ name: string; version: string }>;
  /** Milliseconds spent on taking away what `removed` had installed (uv reports them apart). */
  removalMilliseconds: number;
  linkMode: LinkMode;
  recovered: boolean;
  /** The cache entries whose spare trees may need replacing (none for a small install). */
  cacheEntries: string[];
  /** How many wheels were placed (mostly) by moving in their spare tree. */
  spareTreesUsed: number;
  /**
   * What the claimed spare trees held beyond the moved directories: a scratch directory inside
   * site-packages the caller removes (or moves away to remove later), or null.
   */
  leftover: string | null;
}

/** The directories (and missing parents) that do not exist yet. */
function directoriesToMake(directories: Iterable<string>, known: Map<string, boolean>): Set<string> {
  const wanted = new Set<string>();
  // Shallowest first: once a directory is known to be missing, its subdirectories are too, so
  // only the top of each new tree costs a system call.
  const sorted = [...new Set(directories)].sort((a, b) => a.length - b.length);
  for (const directory of sorted) {
    const chain: string[] = [];
    let current = directory;
    for (;;) {
      if (wanted.has(current)) break;
      const parent = dirname(current);
      let exists = known.get(current);
      if (exists === undefined) {
        exists = parent !== current && wanted.has(parent) ? false : existsSync(current);
        known.set(current, exists);
      }
      if (exists) break;
      chain.push(current);
      if (parent === current) break;
      current = parent;
    }
    for (const item of chain) wanted.add(item);
  }
  return wanted;
}

/** Creates directories parents first, one mkdir each (recursive mkdir costs more system calls). */
function makeDirectories(wanted: ReadonlySet<string>): void {
  for (const directory of [...wanted].sort()) {
    try {
      mkdirSync(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * Below this many new directories an install links file by file and makes no spare trees: their
 * mkdirs cost less than starting the process that replaces used trees (about 10 ms). Measured:
 * the small set (7 wheels, ~40 directories) and pip's own wheel (60) were no faster with trees;
 * trio (900) and jupyter (1,600) were 1.2-2x faster.
 */
const SPARE_TREES_MIN_DIRECTORIES = 100;

/** The directories an install puts files in, and the modules it compiles (with --compile). */
interface Targets {
  directories: Set<string>;
  /** [source, its .pyc] pairs. */
  compileTargets: Array<[string, string]>;
}

function targetsOf(plans: readonly DistributionPlan[], environment: Environment, compile: boolean): Targets {
  // Lib files are handled per directory: a warm install's cost is meant to grow with the
  // number of directories a change makes, not with the number of files in them.
  const directories = new Set<string>();
  const compileTargets: Array<[string, string]> = [];
  const tag = bytecodeTag(environment);
  const compileTarget = (path: string) => {
    if (!path.endsWith(".py") || path.startsWith(`${environment.scheme.scripts}/`)) return;
    const target = compiledPath(path, tag);
    compileTargets.push([path, target]);
    directories.add(dirname(target));
  };
  for (const plan of plans) {
    for (const directory of plan.libDirectories) {
      directories.add(directory.path);
      if (compile) for (const index of directory.indices) compileTarget(libFilePath(plan, index));
    }
    for (const file of plan.files) {
      directories.add(dirname(file.destination));
      if (compile) compileTarget(file.destination);
    }
  }
  return { directories, compileTargets };
}

/** What replacing distributions takes away: each one's files the new ones do not write again. */
interface Removals {
  removals: Array<[InstalledDistribution, string[]]>;
  /** Every file the replaced distributions had (overwriting those is no clobbering). */
  replacedPaths: Set<string>;
}

function removalsOf(
  environment: Environment,
  plans: readonly DistributionPlan[],
  replaced: readonly InstalledDistribution[],
  compileTargets: ReadonlyArray<[string, string]>,
): Removals {
  const removals: Array<[InstalledDistribution, string[]]> = [];
  const replacedPaths = new Set<string>();
  if (replaced.length === 0) return { removals, replacedPaths };
  const newPaths = new Set<string>();
  for (const plan of plans) {
    for (const path of plannedPaths(plan)) newPaths.add(path);
    newPaths.add(plan.record);
  }
  for (const [, target] of compileTargets) newPaths.add(target);
  const scripts = environment.scheme.scripts;
  const removable = removableIn(environment);
  const newDistInfos = new Set(plans.map((plan) => resolve(dirname(plan.record))));
  for (const old of replaced) {
    // A .dist-info without RECORD that the same version's new one overwrites is taken over,
    // its stray files left (the way to mend it); any other must say what it installed.
    const files =
      distributionFiles(old, scripts) ??
      (old.format === "dist-info" && newDistInfos.has(resolve(old.path)) ? [] : recordedFiles(old, scripts));
    for (const path of files) replacedPaths.add(path);
    removals.push([old, files.filter((path) => !newPaths.has(path) && removable(path))]);
  }
  return { removals, replacedPaths };
}

/** The directories and every directory above them. */
function withAncestors(directories: Iterable<string>): Set<string> {
  const all = new Set<string>();
  for (const directory of directories)
    for (let path = directory; !all.has(path); path = dirname(path)) {
      all.add(path);
      if (dirname(path) === path) break;
    }
  return all;
}

/** How files reach the environment once the transaction has begun. */
interface Placement {
  linker: Linker;
  transaction: Transaction;
  /** Existing files being replaced: removed (they were backed up) before the new one goes in. */
  overwritten: ReadonlySet<string>;
  /** New directories that moved in whole with spare trees. */
  covered: ReadonlySet<string>;
  /** Where each plan's claimed spare tree is now, for its files that did not move with it. */
  claimedTrees: ReadonlyMap<DistributionPlan, string>;
  /** Whether another wheel's copy of this path is the one placed. */
  lost: (path: string, plan: DistributionPlan) => boolean;
}

/**
 * Links each plan's files from the cache and writes the generated ones; returns the RECORD hash
 * and size of each generated file (by planned file: where two wheels write one path, each RECORD
 * still has its own file's hash).
 */
function placeFiles(
  plans: readonly DistributionPlan[],
  { linker, transaction, overwritten, covered, claimedTrees, lost }: Placement,
): Map<object, [string, number]> {
  /** Removes the existing file `destination` replaces (it was backed up). */
  const clear = (destination: string) => {
    if (overwritten.size > 0 && overwritten.has(destination)) transaction.remove(destination);
  };
  const hashes = new Map<object, [string, number]>();
  const textHashes = new Map<string, [string, number]>();
  for (const plan of plans) {
    // Lib files come from the spare tree they were checked in (wheel-cache.ts checkedEntry), but
    // a symlink must not point into a tree that another install may move away.
    const tree = claimedTrees.get(plan) ?? (linker.mode === "symlink" ? undefined : plan.checkedTree);
    const checkStored = tree === undefined && plan.checkedTree !== undefined;
    for (const directory of plan.libDirectories) {
      if (covered.has(directory.path)) continue; // moved in whole
      for (const index of directory.indices) {
        const destination = libFilePath(plan, index);
        if (lost(destination, plan)) continue;
        clear(destination);
        if (checkStored) linker.place(checkedStoredFile(plan.manifest, plan.filesRoot, index), destination);
        else
          withLibFile(plan.manifest, plan.filesRoot, tree, index, (source) =>
            linker.place(source, destination),
          );
      }
    }
    for (const file of plan.files) {
      if (file.source !== undefined) {
        if (!lost(file.destination, plan)) {
          clear(file.destination);
          linker.place(file.source, file.destination);
        }
        continue;
      }
      const content = file.content ?? "";
      const movedIn =
        file.inSpareTree === true && covered.has(dirname(file.destination)) && existsSync(file.destination);
      if (!movedIn && !lost(file.destination, plan)) {
        clear(file.destination);
        writeFileSync(file.destination, content);
        if (file.executable) chmodSync(file.destination, 0o755);
      }
      if (typeof content === "string") {
        // Every distribution gets the same INSTALLER (and REQUESTED): hash each text once.
        let known = textHashes.get(content);
        if (known === undefined) {
          known = [recordHash(content), Buffer.byteLength(content)];
          textHashes.set(content, known);
        }
        hashes.set(file, known);
      } else hashes.set(file, [recordHash(content), content.length]);
    }
  }
  return hashes;
}

/** Writes each plan's RECORD: its files, the compiled modules that exist, and RECORD itself. */
function writeRecords(
  plans: readonly DistributionPlan[],
  hashes: ReadonlyMap<object, [string, number]>,
  compiledFrom: ReadonlyMap<string, string>,
): void {
  for (const plan of plans) {
    const rows: RecordRow[] = [];
    const recordPath = (path: string) => relative(plan.libDirectory, path);
    for (const file of plan.files) {
      const [hash, size] =
        file.hash !== undefined ? [file.hash, file.size ?? 0] : (hashes.get(file) ?? ["", 0]);
      rows.push([recordPath(file.destination), hash, String(size)]);
    }
    if (compiledFrom.size > 0) {
      for (const source of plannedPaths(plan)) {
        const target = compiledFrom.get(source);
        if (target === undefined || !existsSync(target)) continue;
        const bytes = readFileSync(target);
        rows.push([recordPath(target), recordHash(bytes), String(bytes.length)]);
      }
    }
    rows.push([recordPath(plan.record), "", ""]);
    writeFileSync(plan.record, recordOf(plan, rows));
  }
}

/**
 * Installs the items into the environment in one transaction. From the lock on, nothing yields to
 * the event loop until the change is committed (util/interrupt.ts).
 */
export async function installWheels(
  items: readonly InstallItem[],
  options: InstallOptions,
): Promise<InstallResult> {
  const { environment } = options;
  let plans: DistributionPlan[];
  try {
    plans = items.map((item) => planDistribution(item, options));
  } catch (error) {
    throw installFailure(environment, items, error);
  }
  // Where two wheels hold one path, only one copy is placed (a link cannot overwrite).
  const shared = sharedDestinations(plans, options.pipOrder);
  const lost = (path: string, plan: DistributionPlan) => {
    const claim = shared.size === 0 ? undefined : shared.get(path);
    return claim !== undefined && claim.kept !== plan;
  };
  const transaction = await Transaction.open(
    environment.scheme.purelib,
    `The environment at ${environment.root}`,
    options.onLockWait,
  );
  const linker = new Linker(options.linkMode, options.onLinkModeFallback);
  let spares: SpareTreeMoves | null = null;
  try {
    // What the environment sees elsewhere is shadowed by the new copy, not removed.
    // Every copy of a name goes when it is replaced (copiesByName): the first, which Python
    // sees, and any later one an install gone wrong before left.
    const existing = new Map(
      [...copiesByName(environment)].filter(([, copies]) => ownsDistribution(environment, copies[0])),
    );
    const { directories, compileTargets } = targetsOf(plans, environment, options.compile);
    const replaced = plans.flatMap((plan) => existing.get(plan.canonicalName) ?? []);
    // Distributions only removed (not replaced by a new version).
    replaced.push(
      ...(options.remove ?? [])
        .flatMap((extra) => existing.get(extra.canonicalName) ?? [extra])
        .filter((extra) => !replaced.includes(extra)),
    );
    // Back up whatever the change overwrites or removes. Every path it writes is listed only
    // when something is removed (an upgrade, a sync): a fresh install needs no such list.
    let removalStarted = monotonicMilliseconds();
    const { removals, replacedPaths } = removalsOf(environment, plans, replaced, compileTargets);
    // What goes is moved aside whole where a directory empties (uninstallDistributions), except
    // a directory the new files go into, or one above it.
    const aside =
      removals.length > 0 ? pathsToMoveAside(environment, removals, withAncestors(directories)) : [];
    let removalMilliseconds = monotonicMilliseconds() - removalStarted;
    const existingDirectories = new Map<string, boolean>();
    const directoryExists = (directory: string): boolean => {
      let known = existingDirectories.get(directory);
      if (known === undefined) {
        known = existsSync(directory);
        existingDirectories.set(directory, known);
      }
      return known;
    };
    const newDirectories = directoriesToMake(directories, existingDirectories);
    // A spare tree is a whole directory of one wheel: not where another wheel's files go too.
    const useSpareTrees =
      options.spareTrees === true && shared.size === 0 && newDirectories.size >= SPARE_TREES_MIN_DIRECTORIES;
    const { created, overwrittenBy } = checkNewFiles(environment, plans, compileTargets, directoryExists);
    for (const path of overwrittenBy.keys()) transaction.backUp(path);
    // Compiled files follow their sources, which say it already.
    const clobbered = filesOfOthers(
      [...overwrittenBy].filter(([path]) => !replacedPaths.has(path) && !path.endsWith(".pyc")),
      [...existing.values()].flat().filter((dist) => !replaced.includes(dist)),
      environment.scheme.scripts,
    );
    // A directory the change creates is recorded once instead of every file in it: rolling back
    // removes it whole (it held nothing before). This keeps the journal small for large installs.
    for (const directory of newDirectories)
      if (!newDirectories.has(dirname(directory))) created.push(directory);
    for (const path of aside) transaction.planRemoval(path);
    spares = useSpareTrees
      ? claimSpareTrees(
          plans,
          newDirectories,
          // A spare tree is hard links: only worth claiming where installs hard-link anyway.
          (source, probe) => linker.settle(source, probe) === "hardlink",
          environment.scheme.purelib,
        )
      : null;
    transaction.begin(created, [...directories]);

    // New directories that moved in with spare trees: no mkdir, and no link for their spare files.
    const covered = spares?.covered ?? new Set<string>();

    // From here on, an interruption is rolled back by the next spice run.
    if (spares === null) makeDirectories(newDirectories);
    else {
      makeDirectories(new Set([...newDirectories].filter((directory) => !covered.has(directory))));
      for (const [from, to] of spares.moves) renameSync(from, to);
    }
    removalStarted = monotonicMilliseconds();
    transaction.moveAside();
    // A directory the old version emptied stays when the new version puts files in it (a renamed
    // module in a subpackage that exists in both); its parents then hold it, so they stay too.
    const rootOf = removalRoots(environment);
    for (const path of aside) pruneEmptyDirectories(dirname(path), rootOf(path), directories);
    removalMilliseconds += monotonicMilliseconds() - removalStarted;
    const overwritten = new Set(overwrittenBy.keys());
    const claimedTrees = new Map([...(spares?.trees ?? [])].map(([index, tree]) => [plans[index], tree]));
    const hashes = placeFiles(plans, { linker, transaction, overwritten, covered, claimedTrees, lost });
    if (compileTargets.length > 0) compileModules(environment.python, compileTargets);
    writeRecords(plans, hashes, new Map(compileTargets));
    transaction.commit(options.discardBackup);
    return {
      clobbered,
      shared: sharedFilesOf(shared, environment.root),
      installed: plans.map((plan) => ({ name: plan.name, version: plan.version })),
      consoleScripts: plans.map((plan) => plan.consoleScripts),
      removed: replaced.map((dist) => ({ name: dist.name, version: dist.displayVersion })),
      removalMilliseconds,
      linkMode: linker.mode,
      recovered: transaction.recovered,
      // Trees for the next install only where this one was large enough to use them.
      cacheEntries: useSpareTrees
        ? plans.flatMap((plan) => (plan.cacheEntry === undefined ? [] : [plan.cacheEntry]))
        : [],
      spareTreesUsed: spares?.trees.size ?? 0,
      leftover: spares?.claims ?? null,
    };
  } catch (error) {
    transaction.abort();
    if (spares) rmSync(spares.claims, { recursive: true, force: true });
    throw installFailure(environment, items, error);
  }
}

/**
 * A failed install's error for the user (nothing was changed). A cache entry's file gone while
 * the install read or linked it means another process emptied the cache, not a broken disk.
 */
function installFailure(environment: Environment, items: readonly InstallItem[], error: unknown): unknown {
  const what = `Could not install into ${environment.root} (nothing was changed)`;
  const entries = items.flatMap((item) =>
    item.wheel.cacheEntry === undefined ? [] : [item.wheel.cacheEntry],
  );
  return cacheDiskFailure(what, error, entries);
}
