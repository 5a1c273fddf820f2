// What the corpus benchmarks share: where the corpus and the built CLI are, a clean environment
// for both tools, and medians of timed runs.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { BUCKETS, Cache } from "../src/cache/store.ts";
import { spareTreeOf, spareTreesLockPath } from "../src/install/spare-trees.ts";

export const CORPUS = fileURLToPath(new URL("../../shared/corpus/", import.meta.url));
export const SPICE = fileURLToPath(new URL("../dist/spice.cjs", import.meta.url));
/** What is timed: the `spice` command as installed (bin/spice, in front of dist/spice.cjs). */
export const SPICE_COMMAND = fileURLToPath(new URL("../bin/spice", import.meta.url));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
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
  for (const entry of wheelEntries(cache)) rmSync(spareTreeOf(entry), { recursive: true, force: true });
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
