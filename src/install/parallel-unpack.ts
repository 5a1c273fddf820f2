// Unpacking wheels into the cache on two threads: inflating and hashing every member is CPU
// work, and this machine class has two cores. The worker runs the same bundle (see cli/main.ts),
// so it shares every check the main thread applies. Measured on the trio set: cold installs
// spend ~70% of their time here.

import { statSync } from "node:fs";
import { Cache } from "../cache/store.ts";
import { nodeWorkerThreads } from "../util/lazy-builtins.ts";
import { cachedWheel, type UnpackedWheel, unpackedWheel } from "./wheel-cache.ts";

/** Below this many bytes of wheels, a worker's start-up costs more than it saves. */
const PARALLEL_THRESHOLD = 4 * 1024 * 1024;

export interface UnpackTask {
  task: "unpack-wheels";
  cacheRoot: string;
  paths: string[];
}

/**
 * The unpacked form of every wheel: intact cache entries as they are, the rest unpacked into the
 * cache, half of them on a worker thread when there is enough to unpack.
 */
export async function unpackIntoCache(
  paths: readonly string[],
  cache: Cache,
  workerEntry: URL | null,
): Promise<Map<string, UnpackedWheel>> {
  const result = new Map<string, UnpackedWheel>();
  const missing: string[] = [];
  for (const path of paths) {
    const found = cachedWheel(path, cache);
    if (found === null) missing.push(path);
    else result.set(path, found);
  }
  await buildEntries(missing, cache, workerEntry);
  for (const path of missing) {
    // Just built (by this process or the worker): no need to check every file again.
    result.set(path, cachedWheel(path, cache, false) ?? unpackedWheel(path, cache, ""));
  }
  return result;
}

async function buildEntries(paths: readonly string[], cache: Cache, workerEntry: URL | null): Promise<void> {
  const sizes = paths.map((path) => statSync(path).size);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (workerEntry === null || paths.length < 2 || total < PARALLEL_THRESHOLD) {
    for (const path of paths) unpackedWheel(path, cache, "");
    return;
  }
  // Split by size, largest first, into two halves of about equal bytes.
  const order = paths.map((path, index) => [path, sizes[index]] as const).sort((a, b) => b[1] - a[1]);
  const mine: string[] = [];
  const theirs: string[] = [];
  let mineBytes = 0;
  let theirBytes = 0;
  for (const [path, size] of order) {
    if (theirBytes <= mineBytes) {
      theirs.push(path);
      theirBytes += size;
    } else {
      mine.push(path);
      mineBytes += size;
    }
  }
  const task: UnpackTask = { task: "unpack-wheels", cacheRoot: cache.root, paths: theirs };
  const worker = new (nodeWorkerThreads().Worker)(workerEntry, {
    workerData: task,
    argv: ["--spice-worker"],
  });
  const done = new Promise<void>((resolve, reject) => {
    worker.once("message", (message: { error?: string; code?: string; details?: object }) => {
      if (message.error)
        reject(
          Object.assign(new Error(message.error), {
            workerCode: message.code,
            workerDetails: message.details,
          }),
        );
      else resolve();
    });
    worker.once("error", reject);
    worker.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`unpacking worker exited with ${code}`)),
    );
  });
  let mainError: unknown = null;
  try {
    for (const path of mine) unpackedWheel(path, cache, "");
  } catch (error) {
    mainError = error;
  }
  try {
    await done;
  } catch (error) {
    // The worker's wheel failed its checks: unpack it here to raise the same SpiceError.
    for (const path of theirs) unpackedWheel(path, cache, "");
    throw error;
  }
  if (mainError !== null) throw mainError;
}

/** The worker's side: unpack and report. */
export function runUnpackTask(task: UnpackTask, post: (message: object) => void): void {
  try {
    const cache = new Cache(task.cacheRoot);
    for (const path of task.paths) unpackedWheel(path, cache, "");
    post({});
  } catch (error) {
    post({ error: (error as Error).message });
  }
}
