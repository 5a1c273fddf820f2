// What the corpus benchmarks share: where the corpus and the built CLI are, a clean environment
// for both tools, and medians of timed runs.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { BUCKETS, Cache } from "../src/cache/store.ts";
import { spareTreesLockPath } from "../src/install/spare-trees.ts";
import { spareTreeOf } from "../src/install/wheel-cache.ts";

export const CORPUS = fileURLToPath(new URL("../../shared/corpus/", import.meta.url));
export const SPICE = fileURLToPath(new URL("../dist/spice.cjs", import.meta.url));
/** What is timed: the `spice` command as installed (bin/spice, in front of dist/spice.cjs). */
export const SPICE_COMMAND = fileURLToPath(new URL("../bin/spice", import.meta.url));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Node's own start-up as a timed run meets it: after a pause. On the machine these benchmarks
 * were written on (a virtual machine), memory a process has not touched for half a second costs
 * again, about three times as much: `node -e 0` took 0.03-0.05 s back to back, 0.09-0.11 s after
 * a pause of half a second or more, and a timed run starts after its setup ran other programs.
 * Node is started as bin/spice starts it, without NODE_EXTRA_CA_CERTS.
 */
export function pausedNodeStart(runs: number): number {
  const { NODE_EXTRA_CA_CERTS: _certificates, ...env } = cleanEnv();
  return time(
    runs,
    () => spawnSync("sleep", ["1"]),
    () => spawnSync(process.execPath, ["-e", "0"], { env, stdio: "ignore" }),
  );
}

/** Runs a command, quietly; throws with the end of its stderr when it fails. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr.slice(-2000)}`);
}

/** The python3 on PATH, its symlinks resolved: the interpreter both tools are timed with. */
export function systemPython(): string {
  return spawnSync("python3", ["-c", "import os, sys; print(os.path.realpath(sys.executable))"], {
    encoding: "utf8",
  }).stdout.trim();
}

/** The environment without this machine's pip, spice and venv settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PIP_|SPICE_|UV_|VIRTUAL_ENV|CONDA_PREFIX)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    ...extra,
  };
}

/**
 * Trees the benchmarks replace between runs (venvs, caches, copies) are moved aside into one
 * directory and deleted once every benchmark is over, not deleted before the next run. On a file
 * system without a journal, as this machine's ext4 is, Linux avoids reusing an inode freed in the
 * last 60 s, or 360 s while its inode table block is unwritten (fs/ext4/ialloc.c,
 * `recently_deleted`), and looks at each such inode again for every file it creates in that
 * block group. Deleting the previous run's tree just before a timed run charged that scan to
 * whichever tool ran next: trio's cold install from local files took spice 1.45-2.0 s after the
 * deletion and 0.9-1.05 s without it, and pip 7.1-9.2 s against 7.9 s (session 12).
 * `--delete-between-runs` deletes as before, for comparison (the corpus kit's bench.py deletes).
 */
let trash: string | null = null;
let trashed = 0;
export const benchOptions = { deleteBetweenRuns: false };

/** Removes `path` from where it was: moved into the trash, or deleted with --delete-between-runs. */
export function discard(path: string): void {
  if (!existsSync(path)) return;
  if (!benchOptions.deleteBetweenRuns) {
    trash ??= mkdtempSync(join(tmpdir(), "spice-bench-trash-"));
    try {
      renameSync(path, join(trash, String(trashed++)));
      return;
    } catch {
      // another file system (EXDEV): deleted instead
    }
  }
  rmSync(path, { recursive: true, force: true });
}

/** Deletes what the benchmarks moved aside, then syncs (see `settleDisk`). */
export function emptyTrash(): void {
  if (trash === null) return;
  rmSync(trash, { recursive: true, force: true });
  trash = null;
  spawnSync("sync");
}

/** The settling wait where the disk needs one: the whole 360 s window, and a second more. */
const SETTLE_MS = 361_000;

/**
 * The device name of the ext4 file system without a journal that holds `directory`, or null
 * (another file system, or ext4 with its journal: there the allocator skips no inodes).
 */
export function ext4WithoutJournal(directory: string): string | null {
  const { dev } = statSync(directory);
  // Linux's encoding of a device number (new_encode_dev).
  const major = (dev & 0xfff00) >> 8;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  let name: string | undefined;
  try {
    name = /^DEVNAME=(.+)$/m.exec(readFileSync(`/sys/dev/block/${major}:${minor}/uevent`, "utf8"))?.[1];
  } catch {
    return null; // not a block device (tmpfs, overlay), or no /sys
  }
  if (name === undefined || !existsSync(`/proc/fs/ext4/${name}`)) return null;
  const journals = existsSync("/proc/fs/jbd2") ? readdirSync("/proc/fs/jbd2") : [];
  return journals.some((journal) => journal.startsWith(`${name}-`)) ? null : name;
}

/**
 * Waits out inodes deleted before the benchmarks started (see `discard`), where the disk holding
 * them is ext4 without a journal. A sync writes their inode tables, but the first file a timed
 * run creates in a group makes its table block unwritten again, and with it the 360 s window of
 * every inode freed there: 65 s after deleting 12,000 files and syncing, creating 3,000 more
 * took 116-159 us a file, against 23 us just before the deletion, with `recently_deleted` and its
 * buffer lookups the top of perf's profile (session 29). So the wait is the whole window.
 * Deletions are everywhere on a working machine (tests, builds, a previous benchmark's trash), so
 * it is waited whenever the disk is of that kind.
 */
export function settleDisk(): void {
  const device = ext4WithoutJournal(tmpdir());
  if (device === null) return;
  spawnSync("sync");
  console.log(
    `settling the disk: ${device} is ext4 without a journal; waiting ${SETTLE_MS / 1000} s for recently deleted inodes to age (--no-settle skips it)`,
  );
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SETTLE_MS);
}

/**
 * Median seconds of `runs` runs of `action`, each after `prepare` (not timed). The disk is synced
 * in between: what `prepare` deleted is otherwise written back (with discards, on some disks)
 * while the next command runs, and charged to it.
 */
export function time(runs: number, prepare: () => void, action: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    prepare();
    spawnSync("sync");
    const start = performance.now();
    action();
    samples.push(performance.now() - start);
  }
  return median(samples) / 1000;
}

/**
 * Why a benchmark is skipped without a mirror. mirror.sh finds the mirror through pip's
 * configuration, so a shell that isolates pip (PIP_CONFIG_FILE=/dev/null, as tests do) hides it.
 */
export const NO_MIRROR =
  "skipped: no offline PyPI mirror found (../shared/corpus/mirror.sh reads pip's configuration; PIP_CONFIG_FILE=/dev/null hides it)";

/** The offline mirror's root, or null on machines without one. */
export function mirrorRoot(): string | null {
  const result = spawnSync(join(CORPUS, "mirror.sh"), { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

function wheelEntries(cache: string): string[] {
  const bucket = join(cache, BUCKETS.wheels);
  if (!existsSync(bucket)) return [];
  return readdirSync(bucket)
    .filter((shard) => !shard.startsWith("."))
    .flatMap((shard) => readdirSync(join(bucket, shard)).map((key) => join(bucket, shard, key)));
}

/** The sha256 keys of the cache's unpacked wheels. */
export function wheelKeys(cache: string): string[] {
  return wheelEntries(cache).map((entry) => basename(entry));
}

/** Removes the spare trees (src/install/spare-trees.ts) of the cache's wheels. */
export function removeSpareTrees(cache: string): void {
  for (const entry of wheelEntries(cache)) discard(spareTreeOf(entry));
}

/** Whether a `spice cache make-spares` for this cache is running (Linux: read from /proc). */
function makingSpareTrees(cache: string): boolean {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let commandLine = "";
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    if (commandLine.includes("\0make-spares\0") && commandLine.includes(`\0${cache}\0`)) return true;
  }
  return false;
}

/**
 * Waits until the background process an install starts to lay out spare trees has finished, so
 * that it neither runs into the next timed command nor races the removal of its cache. What it
 * costs is timed on its own row. (spawn() returns once the child has started, so the process is
 * visible from the moment the install exits.)
 */
export function settleSpareTrees(cache: string): void {
  const deadline = Date.now() + 120_000;
  const lock = spareTreesLockPath(new Cache(cache));
  while (existsSync(lock) || makingSpareTrees(cache)) {
    if (Date.now() > deadline) throw new Error(`spare trees in ${cache} were not made within 2 minutes`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A directory served over HTTP on loopback by Python's http.server (as the corpus kit serves its mirror). */
export async function serveDirectory(root: string): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    "python3",
    ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root],
    {
      stdio: "ignore",
    },
  );
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await fetch(`http://127.0.0.1:${port}/simple/`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `http://127.0.0.1:${port}/simple/`, process: child };
}
