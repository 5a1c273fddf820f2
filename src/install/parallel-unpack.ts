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
  /** Every wheel to unpack, largest first. */
  paths: string[];
  /** The index of the next wheel to take, shared by both threads. */
  next: Int32Array;
}

/**
 * The unpacked form of every wheel: intact cache entries as they are, the rest unpacked into the
 * cache, on this thread and a worker thread taking from one queue when there is enough to unpack.
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
  // One queue, largest wheels first, that both threads take from until it is empty. A fixed split
  // by bytes left the main thread with most of the files: jupyter's cold install had the worker
  // idle after 2 s while the main thread unpacked for 5.
  const order = paths
    .map((path, index) => [path, sizes[index]] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([path]) => path);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const task: UnpackTask = { task: "unpack-wheels", cacheRoot: cache.root, paths: order, next };
  const worker = new (nodeWorkerThreads().Worker)(workerEntry, {
    workerData: task,
    argv: ["--spice-worker"],
  });
  const done = new Promise<void>((resolve, reject) => {
    worker.once("message", (message: UnpackReport) => {
      if (message.failed === undefined) resolve();
      else reject(Object.assign(new Error(message.error), { failedPath: message.failed }));
    });
    worker.once("error", reject);
    worker.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`unpacking worker exited with ${code}`)),
    );
  });
  let mainError: unknown = null;
  try {
    takeFromQueue(order, next, cache);
  } catch (error) {
    mainError = error;
    Atomics.store(next, 0, order.length); // the worker stops after its current wheel
  }
  try {
    await done;
  } catch (error) {
    // The worker's wheel failed its checks: unpack it here to raise the same SpiceError.
    const failed = (error as { failedPath?: string }).failedPath;
    if (mainError === null && failed !== undefined) unpackedWheel(failed, cache, "");
    throw mainError ?? error;
  }
  if (mainError !== null) throw mainError;
}

/** Unpacks the queue's wheels one at a time until none is left; `taking` hears of each first. */
function takeFromQueue(
  order: readonly string[],
  next: Int32Array,
  cache: Cache,
  taking: (path: string) => void = () => {},
): void {
  for (;;) {
    const index = Atomics.add(next, 0, 1);
    if (index >= order.length) return;
    taking(order[index]);
    unpackedWheel(order[index], cache, "");
  }
}

interface UnpackReport {
  /** The wheel that failed, absent when all went well. */
  failed?: string;
  error?: string;
}

/** The worker's side: take wheels from the shared queue and report. */
export function runUnpackTask(task: UnpackTask, post: (message: UnpackReport) => void): void {
  const cache = new Cache(task.cacheRoot);
  let current = "";
  try {
    takeFromQueue(task.paths, task.next, cache, (path) => {
      current = path;
    });
    post({});
  } catch (error) {
    post({ failed: current, error: (error as Error).message });
  }
}
