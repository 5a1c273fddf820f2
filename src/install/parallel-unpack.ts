// Unpacking wheels into the cache on two threads: inflating and hashing every member is CPU
// work, and this machine class has two cores. The worker runs the same bundle (see cli/main.ts),
// so it shares every check the main thread applies. Measured on the trio set: cold installs
// spend ~70% of their time here.
//
// The worker can start before the install knows what it installs: an index without metadata
// files or range requests makes the resolver download whole wheels, and each is offered to the
// worker as it arrives, so unpacking overlaps the resolver's wait on the network. The main thread
// joins in once resolution is done. Both threads claim a wheel through one shared array, so each
// is unpacked once, whoever gets to it first. The main thread leaves large wheels to workers (a
// second one, the helper, starts when the first is busy), so that Ctrl-C is heard at once.

import { statSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import { BUCKETS, Cache } from "../cache/store.ts";
import { letDueSignalsIn } from "../util/interrupt.ts";
import { nodeWorkerThreads } from "../util/lazy-builtins.ts";
import { cachedWheel, type UnpackedWheel, unpackedWheel } from "./wheel-cache.ts";

/** Below this many bytes of wheels, a worker's start-up costs more than it saves. */
const PARALLEL_THRESHOLD = 4 * 1024 * 1024;
/**
 * Offered during resolution, fewer bytes start it: it overlaps the downloads then, but below
 * this its start-up only competes for the CPU (the small set's 0.6 MB from the index: 0.34 s
 * cold without a worker, 0.39 s with one started by the first wheel).
 */
const EARLY_THRESHOLD = 1024 * 1024;
/**
 * A wheel this large (about 0.4 s of unpacking here, a GPU framework's a minute) is left to a
 * worker thread: while this thread unpacks, no signal handler runs, and Ctrl-C would wait for
 * it. (Below it, this thread helping the worker is worth more: the corpus sets' largest wheels,
 * 9 and 16 MB, end a cold install.)
 */
const LARGE_WHEEL = 20 * 1024 * 1024;
/** Wheels beyond this many offers are unpacked by the main thread alone. */
const MAX_SLOTS = 4096;
const FREE = 0;
/** Who claimed a slot: this thread, the worker every wheel is offered to, or the helper. */
const MAIN_THREAD = 1;
const WORKER = 2;
const HELPER = 3;

/** Takes the wheel in `slot` for thread `by`; false when another thread took it first. */
function claim(claims: Int32Array, slot: number, by: number): boolean {
  return Atomics.compareExchange(claims, slot, FREE, by) === FREE;
}

export interface UnpackTask {
  task: "unpack-wheels";
  cacheRoot: string;
  /** One flag per offered wheel (by slot): FREE until a thread claims it (then who did). */
  claims: Int32Array;
  /** What this worker writes into a slot it claims (WORKER or HELPER). */
  claimant: number;
}

interface ToWorker {
  slot: number;
  path: string;
}

interface UnpackReport {
  slot: number;
  /** Why the wheel failed, absent when it was unpacked. */
  error?: string;
}

/**
 * The main thread's side: offers wheels to a worker thread, then unpacks alongside it, leaving
 * large wheels to the worker, or to a second one (the helper) started for them when this thread
 * would otherwise take one.
 */
export class WheelUnpacker {
  /** Offered wheels and their sizes, by slot. */
  private readonly offered: string[] = [];
  private readonly sizes: number[] = [];
  private readonly slots = new Map<string, number>();
  private readonly claims = new Int32Array(new SharedArrayBuffer(4 * MAX_SLOTS));
  private worker: Worker | null = null;
  private helper: Worker | null = null;
  /** The slots handed to the helper. */
  private readonly delegated = new Set<number>();
  /** What the workers reported, by slot: null when one unpacked the wheel, else why it failed. */
  private readonly reports = new Map<number, string | null>();
  /** Woken by each report, and when a worker ends. */
  private wake: Array<() => void> = [];
  /** The claimants (WORKER, HELPER) whose thread has ended. */
  private readonly gone = new Set<number>();
  private offeredBytes = 0;
  private stopped: Promise<void> | null = null;

  /** `workerEntry` is the bundle a worker runs; null unpacks on the main thread only. */
  constructor(
    private readonly cache: Cache,
    private readonly workerEntry: URL | null,
  ) {}

  /**
   * Hands a wheel of `size` bytes to the worker, started once a megabyte waits: the install may
   * need it (a wheel it does not need costs only a cache entry, and the worker's spare time). The
   * worker takes 60-90 ms to start, and trio's downloads from the mirror last about 150 ms:
   * waiting for 4 MiB before starting it (as after resolution) left it nothing to overlap.
   */
  offer(path: string, size: number): void {
    if (
      this.workerEntry === null ||
      this.stopped !== null ||
      this.slots.has(path) ||
      this.offered.length >= MAX_SLOTS
    )
      return;
    const slot = this.offered.length;
    this.offered.push(path);
    this.sizes.push(size);
    this.slots.set(path, slot);
    this.offeredBytes += size;
    if (this.worker !== null) this.post({ slot, path });
    else if (this.offeredBytes >= EARLY_THRESHOLD) this.startWorker();
  }

  /**
   * The unpacked form of every wheel: intact cache entries as they are, the rest unpacked into
   * the cache by this thread and the worker, when there is enough to unpack.
   */
  async unpack(paths: readonly string[]): Promise<Map<string, UnpackedWheel>> {
    const result = new Map<string, UnpackedWheel>();
    const missing: string[] = [];
    for (const path of paths) {
      // One the worker holds may be half written: it is waited for below.
      const found = this.worker !== null && this.slots.has(path) ? null : cachedWheel(path, this.cache);
      if (found === null) missing.push(path);
      else result.set(path, found);
    }
    try {
      await this.build(missing);
    } finally {
      void this.stop();
    }
    for (const path of missing) {
      // Just built (by this thread or the worker): no need to check every file again.
      result.set(path, cachedWheel(path, this.cache, false) ?? unpackedWheel(path, this.cache, ""));
    }
    return result;
  }

  /**
   * Offers nothing more, and ends the worker at once: whatever it is unpacking now the install
   * does not need (or the install failed), and a large wheel takes seconds. What it had staged in
   * the cache is removed once it has ended. The promise settles then.
   */
  stop(): Promise<void> {
    this.stopped ??= this.end();
    return this.stopped;
  }

  private async end(): Promise<void> {
    for (let slot = 0; slot < this.offered.length; slot++) claim(this.claims, slot, MAIN_THREAD);
    const running = [this.worker, this.helper].filter((worker) => worker !== null);
    if (running.length === 0) return;
    await Promise.all(running.map((worker) => worker.terminate()));
    this.cache.removeStagingOf(BUCKETS.wheels, process.pid);
  }

  private async build(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    const sizes = paths.map((path) => statSync(path).size);
    if (this.worker === null) {
      const total = sizes.reduce((sum, size) => sum + size, 0);
      const large = sizes.some((size) => size >= LARGE_WHEEL);
      if (this.workerEntry === null || (!large && (paths.length < 2 || total < PARALLEL_THRESHOLD))) {
        for (const path of paths) await this.unpackHere(path);
        return;
      }
    }
    // Those not offered yet go to the worker largest first: it takes from the front of its
    // queue, this thread from the back, so a large wheel is not left to one thread at the end.
    // (A fixed split by bytes left the main thread with most of jupyter's files.)
    const unoffered = paths
      .map((path, index) => [path, sizes[index]] as const)
      .filter(([path]) => !this.slots.has(path))
      .sort((a, b) => b[1] - a[1]);
    for (const [path, size] of unoffered) this.offer(path, size);
    if (this.worker === null) this.startWorker();
    const unslotted = paths.filter((path) => !this.slots.has(path));
    const slots = paths
      .map((path) => this.slots.get(path))
      .filter((slot) => slot !== undefined)
      .sort((a, b) => b - a);
    const mine = new Set<number>();
    const large: number[] = [];
    for (const path of unslotted) await this.unpackHere(path);
    for (const slot of slots) {
      // Left to a worker this thread waits for, hearing signals meanwhile: the helper at once
      // when the worker is busy with another.
      if (this.sizes[slot] >= LARGE_WHEEL) {
        large.push(slot);
        if (Atomics.load(this.claims, slot) === FREE && this.workerIsBusy()) this.delegate(slot);
      } else if (claim(this.claims, slot, MAIN_THREAD)) {
        mine.add(slot);
        await this.unpackHere(this.offered[slot]);
      }
    }
    this.shareLargeWheels(large);
    for (const slot of slots) {
      if (mine.has(slot)) continue;
      while (!this.reports.has(slot) && this.mayStillReport(slot)) await this.nextEvent();
      // The worker's wheel failed its checks (or no worker is left to unpack it): unpacking it
      // here raises the same SpiceError the user would have seen without a worker.
      if (this.reports.get(slot) !== null) unpackedWheel(this.offered[slot], this.cache, "");
    }
  }

  /** Whether a running worker has claimed the wheel in `slot`, or may still claim it. */
  private mayStillReport(slot: number): boolean {
    const by = Atomics.load(this.claims, slot);
    if (by === MAIN_THREAD) return false;
    if (by !== FREE) return !this.gone.has(by);
    return !this.gone.has(WORKER) || (this.delegated.has(slot) && !this.gone.has(HELPER));
  }

  /**
   * Once this thread has unpacked the rest: the large wheels no thread has claimed yet go to the
   * helper when the worker is busy with another wheel or there are two or more, so that two
   * threads work on them, as this one would have. One alone is left to an idle worker.
   */
  private shareLargeWheels(large: readonly number[]): void {
    const unclaimed = large.filter((slot) => Atomics.load(this.claims, slot) === FREE);
    if (unclaimed.length === 1 && !this.workerIsBusy()) return;
    for (const slot of unclaimed) this.delegate(slot);
  }

  /** Whether the worker is unpacking a wheel now (one it claimed has no report yet). */
  private workerIsBusy(): boolean {
    return this.offered.some(
      (_, slot) => Atomics.load(this.claims, slot) === WORKER && !this.reports.has(slot),
    );
  }

  /** Hands the wheel in `slot` to the helper, started for the first. */
  private delegate(slot: number): void {
    if (this.delegated.has(slot)) return;
    this.delegated.add(slot);
    this.helper ??= this.startThread(HELPER);
    this.helper.postMessage({ slot, path: this.offered[slot] } satisfies ToWorker);
  }

  /** Resolves at the next report of either worker, or when one ends. */
  private nextEvent(): Promise<void> {
    return new Promise((resolve) => this.wake.push(resolve));
  }

  /** Unpacks a wheel on this thread; each takes a while, so Ctrl-C is heard between them. */
  private async unpackHere(path: string): Promise<void> {
    unpackedWheel(path, this.cache, "");
    await letDueSignalsIn();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private startWorker(): void {
    if (this.workerEntry === null) return;
    this.worker = this.startThread(WORKER);
    for (const [slot, path] of this.offered.entries()) this.post({ slot, path });
  }

  private startThread(claimant: number): Worker {
    const task: UnpackTask = {
      task: "unpack-wheels",
      cacheRoot: this.cache.root,
      claims: this.claims,
      claimant,
    };
    const worker = new (nodeWorkerThreads().Worker)(this.workerEntry!, {
      workerData: task,
      // The command's own arguments follow: the worker runs from that command's code cache
      // (cli/entry.ts).
      argv: ["--spice-worker", ...process.argv.slice(2)],
    });
    const wakeAll = () => {
      const waiting = this.wake;
      this.wake = [];
      for (const resolve of waiting) resolve();
    };
    worker.on("message", (report: UnpackReport) => {
      this.reports.set(report.slot, report.error ?? null);
      wakeAll();
    });
    const gone = () => {
      // Whatever it held unfinished is unpacked by this thread (see build).
      this.gone.add(claimant);
      wakeAll();
    };
    worker.once("error", gone);
    worker.once("exit", gone);
    return worker;
  }
}

/** The worker's side: unpack each offered wheel no thread has claimed, and report it. */
export function runUnpackTask(
  task: UnpackTask,
  port: {
    on(event: "message", listener: (message: ToWorker) => void): void;
    postMessage(report: UnpackReport): void;
  },
): void {
  const cache = new Cache(task.cacheRoot);
  port.on("message", ({ slot, path }) => {
    if (!claim(task.claims, slot, task.claimant)) return;
    try {
      unpackedWheel(path, cache, "");
      port.postMessage({ slot });
    } catch (error) {
      port.postMessage({ slot, error: (error as Error).message });
    }
  });
}
