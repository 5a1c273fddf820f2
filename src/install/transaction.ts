// Changing an environment all-or-nothing. Before anything is modified, a journal listing every
// path to be created is written, and every existing file to be replaced or removed is hard-linked
// into a backup directory. The journal's deletion is the commit point. A spice killed at any
// moment leaves a journal behind; the next spice run in that environment rolls it back, so each
// distribution ends up wholly installed or wholly absent. One environment lock serializes writers.

import {
  existsSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
} from "node:fs";
import { dirname, join } from "node:path";
import type { Environment } from "../python/environment.ts";
import { onDisk, writeFileAtomic } from "../util/fs.ts";
import { changeMade, scratchDirectory } from "../util/interrupt.ts";
import { acquireLock, isRunning, type Lock, waitForLock } from "../util/lock.ts";
import { makeDirectories } from "../util/make-directories.ts";

interface Journal {
  created: string[];
  directories: string[];
  backups: Array<[original: string, backup: string]>;
}

const JOURNAL = ".spice-journal.json";
const BACKUP = ".spice-backup";
const LOCK = ".spice.lock";

/** Prunes each of `directories` (deepest first, each once) as pruneEmptyDirectories does. */
export function pruneEmptyDirectoriesOf(directories: Iterable<string>, stop: string): void {
  for (const directory of [...new Set(directories)].sort((a, b) => b.length - a.length)) {
    if (existsSync(directory)) pruneEmptyDirectories(directory, stop);
  }
}

/** Removes `directory` and its empty parents up to (not including) `stop`, or one in `keep`. */
export function pruneEmptyDirectories(directory: string, stop: string, keep?: ReadonlySet<string>): void {
  let current = directory;
  while (current.startsWith(`${stop}/`) && current !== stop && !keep?.has(current)) {
    try {
      rmdirSync(current);
    } catch {
      return; // not empty (or gone): stop here
    }
    current = dirname(current);
  }
}

/** The lock file of the environment whose state lives in `stateDirectory` (made if missing). */
function lockPath(stateDirectory: string, what: string): string {
  onDisk(`${what} cannot be changed: ${stateDirectory} cannot be made`, () =>
    makeDirectories(stateDirectory),
  );
  return join(stateDirectory, LOCK);
}

function rollBack(stateDirectory: string, journal: Journal): void {
  // Created entries are files, or directories that did not exist before (removed whole).
  for (const path of journal.created) removeCreated(path);
  for (const [original, backup] of journal.backups) {
    if (lstatSync(backup, { throwIfNoEntry: false }) === undefined) continue; // a dangling symlink counts
    makeDirectories(dirname(original));
    renameSync(backup, original);
  }
  for (const directory of [...journal.directories].sort((a, b) => b.length - a.length)) {
    pruneEmptyDirectories(directory, stateDirectory);
  }
}

/**
 * Removes what a change may have created. A path the file system cannot hold (a name too long, a
 * parent that is a file) was never created, so there is nothing to remove.
 */
function removeCreated(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENAMETOOLONG" && code !== "ENOTDIR") throw error;
  }
}

/** Rolls back an interrupted change, if one was left behind. Returns whether it did. */
export function recoverInterrupted(stateDirectory: string): boolean {
  const journalPath = join(stateDirectory, JOURNAL);
  let rolledBack = false;
  if (existsSync(journalPath)) {
    let journal: Journal | null = null;
    try {
      journal = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
    } catch {
      journal = null; // torn write of the journal itself: nothing was modified yet
    }
    if (journal !== null) rollBack(stateDirectory, journal);
    rmSync(journalPath, { force: true });
    rolledBack = journal !== null;
  }
  rmSync(join(stateDirectory, BACKUP), { recursive: true, force: true });
  return rolledBack;
}

export class Transaction {
  private readonly lock: Lock;
  private readonly backups: Array<[string, string]> = [];
  private readonly pendingMoves: Array<[string, string]> = [];
  private backupCount = 0;
  /** Where backups go (joined once: an uninstall backs up thousands of files). */
  private readonly backupDirectory: string;
  private committed = false;
  /** Whether an interrupted earlier change was rolled back when this one began. */
  readonly recovered: boolean;

  /**
   * A transaction on the environment whose state lives in `stateDirectory`, once its lock is
   * taken (waited for without yielding, unless `lock` is one open() waited for).
   */
  constructor(
    readonly stateDirectory: string,
    what: string,
    lock?: Lock,
  ) {
    this.backupDirectory = join(stateDirectory, BACKUP);
    this.lock = lock ?? acquireLock(lockPath(stateDirectory, what), what);
    try {
      this.recovered = recoverInterrupted(stateDirectory);
    } catch (error) {
      this.lock.release();
      throw error;
    }
  }

  /**
   * A transaction for a change about to begin: another process's lock is waited for while
   * signals are heard (waitForLock), `onWait` hearing that it waits.
   */
  static async open(
    stateDirectory: string,
    what: string,
    onWait?: (owner: number) => void,
  ): Promise<Transaction> {
    const lock = await waitForLock(lockPath(stateDirectory, what), what, onWait);
    return new Transaction(stateDirectory, what, lock);
  }

  /** The next backup's path, making the backup directory first. */
  private nextBackup(): string {
    if (this.backupCount === 0) makeDirectories(this.backupDirectory);
    return `${this.backupDirectory}/${this.backupCount++}`;
  }

  /** Keeps a copy of an existing file (a hard link) so the change can be undone. */
  backUp(path: string): void {
    const backup = this.nextBackup();
    try {
      linkSync(path, backup);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    this.backups.push([path, backup]);
  }

  /**
   * Plans removing an existing file by moving it into the backup: one rename, done by moveAside()
   * after begin(). The journal names the backup first, so a rollback moves back whatever moved.
   */
  planRemoval(path: string): void {
    const backup = this.nextBackup();
    this.backups.push([path, backup]);
    this.pendingMoves.push([path, backup]);
  }

  /** Moves the planned removals into the backup (call after begin). */
  moveAside(): void {
    for (const [path, backup] of this.pendingMoves) {
      try {
        renameSync(path, backup);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    this.pendingMoves.length = 0;
  }

  /** Records what is about to be created; after this, the environment may be modified. */
  begin(created: readonly string[], directories: readonly string[]): void {
    const journal: Journal = { created: [...created], directories: [...directories], backups: this.backups };
    writeFileAtomic(join(this.stateDirectory, JOURNAL), JSON.stringify(journal));
  }

  /** Removes a file that is being replaced or uninstalled (it was backed up). */
  remove(path: string): void {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  /**
   * Makes the change final. `discardBackup` may move the backup (what the change replaced or
   * removed) elsewhere to be deleted later; it runs while the environment is still locked, since
   * another transaction makes its own backup in the same place. Whatever is left is deleted here.
   */
  commit(discardBackup?: (backup: string) => void): void {
    rmSync(join(this.stateDirectory, JOURNAL), { force: true });
    this.committed = true;
    changeMade();
    if (discardBackup !== undefined && this.backupCount > 0) {
      try {
        discardBackup(this.backupDirectory);
      } catch {
        // not moved (another filesystem): deleted below
      }
    }
    rmSync(this.backupDirectory, { recursive: true, force: true });
    this.lock.release();
  }

  /** Undoes everything since begin() (or nothing, before it). */
  abort(): void {
    if (this.committed) return;
    try {
      recoverInterrupted(this.stateDirectory);
    } finally {
      this.lock.release();
    }
  }
}

/** Files in a directory tree, for pruning checks and tests. */
export function listTree(directory: string): string[] {
  const out: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk(directory);
  return out;
}

/**
 * Scratch directories are named `<prefix><pid>-<random>`: unpacking ones beside site-packages,
 * claimed spare trees inside it (so that a `--target` install writes nothing outside its target).
 */
export const SCRATCH_PREFIX = ".spice-unpack-";

/**
 * A new directory to unpack wheels into without a cache (--no-cache), on the environment's file
 * system so that its files link in, removed by `remove()` at the end or when the command is
 * interrupted (a killed process's by the next change, by the pid in its name): beside
 * site-packages, or inside a --target directory, whose parent is not the install's to write into.
 */
export function makeUnpackScratch(environment: Environment): { path: string; remove: () => void } {
  const { purelib } = environment.scheme;
  const beside = environment.kind === "target" ? purelib : dirname(purelib);
  const path = onDisk(`Could not unpack into ${environment.root}`, () => {
    makeDirectories(purelib);
    return mkdtempSync(join(beside, `${SCRATCH_PREFIX}${process.pid}-`));
  });
  return { path, remove: scratchDirectory(path) };
}

/** Removes scratch directories whose spice process is gone (killed mid-install). */
export function removeStaleScratch(directory: string): void {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    const pid = Number.parseInt(name.slice(SCRATCH_PREFIX.length), 10);
    if (Number.isNaN(pid) || !isRunning(pid)) rmSync(join(directory, name), { recursive: true, force: true });
  }
}

/** Finishes (rolls back) an interrupted change in the environment whose state lives in `stateDirectory`. */
export function recoverIfInterrupted(stateDirectory: string, what: string): boolean {
  removeStaleScratch(dirname(stateDirectory));
  removeStaleScratch(stateDirectory);
  if (!existsSync(join(stateDirectory, JOURNAL)) && !existsSync(join(stateDirectory, BACKUP))) return false;
  const transaction = new Transaction(stateDirectory, what);
  transaction.commit();
  return transaction.recovered;
}
