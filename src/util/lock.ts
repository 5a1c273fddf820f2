// An exclusive lock held by one process at a time, as a file created with O_EXCL holding the
// owner's PID. A lock whose owner no longer runs (killed, crashed) is taken over.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { fileSystemFailure, SpiceError } from "./error.ts";
import { blockingWait } from "./interrupt.ts";

/** Is a process with this pid alive (EPERM: alive, owned by someone else)? */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Sleeps (the lock wait's pause). */
function sleep(milliseconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, milliseconds);
}

/** How long a wait for another process's lock lasts before it is an error. */
const LOCK_TIMEOUT_MS = 120_000;

/** The pause before the next try: short at first, for locks held a moment. */
function pauseBefore(attempt: number): number {
  return Math.min(50 + attempt * 10, 250);
}

export interface Lock {
  release(): void;
}

/**
 * Waits (up to `timeoutMs`) for the lock at `path`, describing `what` it protects in errors,
 * without returning to the event loop: for callers that must not yield (recovery before a command
 * reads an environment, the background spare-tree maker, `cache clean`).
 */
export function acquireLock(path: string, what: string, timeoutMs = LOCK_TIMEOUT_MS): Lock {
  const deadline = Date.now() + timeoutMs;
  const first = takeLock(path, what, 0, deadline);
  if (typeof first !== "number") return first;
  // Most locks are free and taken at once. A wait for another process runs with the signals'
  // default action, so that Ctrl-C ends it (blockingWait), all of it: none falls between sleeps.
  return blockingWait(() => {
    for (let attempt = 1; ; attempt++) {
      sleep(pauseBefore(attempt));
      const lock = takeLock(path, what, attempt, deadline);
      if (typeof lock !== "number") return lock;
    }
  });
}

/**
 * acquireLock for a change about to begin: the wait returns to the event loop between tries,
 * so a Ctrl-C while waiting (or just before) is heard and said, as anywhere else before a change.
 * `onWait` hears once that another process (its pid; NaN when the lock names none) holds it.
 */
export async function waitForLock(
  path: string,
  what: string,
  onWait?: (owner: number) => void,
  timeoutMs = LOCK_TIMEOUT_MS,
): Promise<Lock> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const lock = takeLock(path, what, attempt, deadline);
    if (typeof lock !== "number") return lock;
    if (attempt === 0) onWait?.(lock);
    await new Promise((resolve) => setTimeout(resolve, pauseBefore(attempt + 1)));
  }
}

/**
 * One try at the lock: it, or the pid of the running process that holds it (NaN when its file
 * names none yet), an error past `deadline`. A lock whose owner no longer runs is taken over.
 */
function takeLock(path: string, what: string, attempt: number, deadline: number): Lock | number {
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      // A directory spice may not write (read-only, immutable, another owner's) is said as such.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw fileSystemFailure(`${what} could not be locked for a change (${path})`, error) ?? error;
    }
    let owner = Number.NaN;
    try {
      owner = Number.parseInt(readFileSync(path, "utf8"), 10);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
      // Not a lock file at all (a directory of that name): waiting would never end.
      throw fileSystemFailure(`${what} could not be locked for a change (${path})`, error) ?? error;
    }
    // A lock file without a pid may be one being written: taken over only after a while.
    if (Number.isNaN(owner) ? attempt > 20 : !isRunning(owner)) {
      rmSync(path, { force: true }); // its owner died: take it over
      continue;
    }
    if (Date.now() > deadline) {
      throw new SpiceError("E_LOCKED", `${what} is locked by another spice process (pid ${owner})`, {
        hint: `Wait for it to finish, or remove ${path} if no spice process is running`,
      });
    }
    return owner;
  }
}
