// Ending a command on Ctrl-C (SIGINT), SIGTERM or SIGHUP (those cli/interruptible.ts names): say
// so, remove what this process made that nothing else would (a --no-cache download directory under
// the temporary directory), and then die of the same signal, so that a shell loop or make running
// spice stops as well (a plain exit status of 130 would not stop them).
//
// The handler is JavaScript, so it runs between two turns of the event loop, never inside a
// synchronous stretch: a transaction (install/transaction.ts) changes an environment from its
// journal to its commit without yielding, so an interrupt finds each environment either as it
// was or as the command left it. Nothing here awaits: once the handler runs, no other part of
// the command does. What a killed worker thread had half unpacked into the cache is named after
// this process and removed by the next install (cache/store.ts removeStaging), as after kill -9.
//
// The price is that a signal waits for the synchronous stretch to end. Long ones take care: a
// question reads its answer without blocking (cli/prompt.ts), a change waits for another
// process's lock between turns of the event loop (util/lock.ts waitForLock), a wait that cannot
// yield (rolling back a killed change before a command reads the environment) runs with the
// signals' default action (blockingWait), and long computations (the resolver, unpacking wheels)
// give the event loop a turn now and then (letDueSignalsIn).

import { rmSync } from "node:fs";
import { constants } from "node:os";

/** SIGHUP only when it did not come ignored (`nohup spice ...`: src/cli/entry.ts). */
const SIGNALS: readonly NodeJS.Signals[] =
  process.env.SPICE_SIGHUP_IGNORED === "1" ? ["SIGINT", "SIGTERM"] : ["SIGINT", "SIGTERM", "SIGHUP"];

const cleanups = new Set<() => void>();
let unchangedPlace: string | null = null;
/** The place a committed change was made in (changeMade), said if the command is interrupted after. */
let changedPlace: string | null = null;
/** The installed handler, while there is one. */
let handler: ((signal: NodeJS.Signals) => void) | null = null;
/** How often a long computation lets a pending signal's handler run. */
const SIGNAL_LATENCY_MS = 100;
let nextTurn = 0;

/** Runs `cleanup` (synchronous, best effort) if the command is interrupted; returns its removal. */
export function whenInterrupted(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * A scratch directory that only this process would ever remove: removed when the command is
 * interrupted, or when the returned function is called at its end.
 */
export function scratchDirectory(path: string): () => void {
  const remove = () => rmSync(path, { recursive: true, force: true });
  const forget = whenInterrupted(remove);
  return () => {
    forget();
    remove();
  };
}

/** From now on an interruption says that `place` ("the environment at .venv") was not changed. */
export function notChangedYet(place: string): void {
  unchangedPlace = place;
}

/** A change was made (committed): an interruption now says it came after the change. */
export function changeMade(): void {
  changedPlace ??= unchangedPlace;
  unchangedPlace = null;
}

/**
 * Ends the command as described above on the first of these signals, telling `say` which and
 * what is unchanged. A second signal, while the first is handled, ends the process at once.
 */
export function endOnSignals(
  say: (signal: NodeJS.Signals, place: { unchanged: string | null; changed: string | null }) => void,
): void {
  const handle = (signal: NodeJS.Signals) => {
    for (const name of SIGNALS) process.removeListener(name, handle);
    handler = null;
    for (const cleanup of [...cleanups].reverse()) {
      try {
        cleanup();
      } catch {
        // best effort: the next run removes what is left
      }
    }
    try {
      say(signal, { unchanged: unchangedPlace, changed: changedPlace });
    } finally {
      process.kill(process.pid, signal);
      // Delivered before kill() returns; should the signal be ignored after all, the status says it.
      process.exit(128 + constants.signals[signal]);
    }
  };
  for (const name of SIGNALS) process.on(name, handle);
  handler = handle;
  nextTurn = Date.now() + SIGNAL_LATENCY_MS;
}

/**
 * Ends the command as the handler does when a child process spice waited for died of one of the
 * signals: on a terminal, Ctrl-C reaches the child (a Python being inspected, a keyring command)
 * and spice alike, and spice's own handler would run only after it had reported the child's end
 * as a failure of its own. Returns when `signal` is none of them, or no handler is installed.
 */
export function endIfInterrupted(signal: NodeJS.Signals | null): void {
  if (signal !== null && handler !== null && (SIGNALS as readonly string[]).includes(signal)) handler(signal);
}

/**
 * Runs a synchronous wait on another process (a lock another spice holds) with the signals'
 * default action, so that Ctrl-C ends it at once: the handler could not run before the wait ends,
 * and nothing has been changed while waiting. (A signal that came in the synchronous stretch just
 * before is dropped with the handler: a second Ctrl-C then ends the wait. Changes wait with
 * waitForLock instead, which drops none.)
 */
export function blockingWait<T>(wait: () => T): T {
  const installed = handler;
  if (installed === null) return wait();
  for (const name of SIGNALS) process.removeListener(name, installed);
  try {
    return wait();
  } finally {
    for (const name of SIGNALS) process.on(name, installed);
  }
}

/**
 * For long computations, called between their steps: gives the event loop a turn, in which a
 * pending signal's handler runs, at most every SIGNAL_LATENCY_MS (awaiting an already settled
 * promise, such as cached metadata, does not give one).
 */
export async function letDueSignalsIn(): Promise<void> {
  if (handler === null || Date.now() < nextTurn) return;
  nextTurn = Date.now() + SIGNAL_LATENCY_MS;
  await letSignalsIn();
}

/**
 * Hears a signal that came in the synchronous stretch just run, which then ends the command as
 * anywhere else: before a change begins (after the wheels were unpacked), and before the command
 * ends (after the change itself), where it would otherwise be dropped at exit. Two turns of the
 * event loop: the first may still belong to the turn whose poll for events came before it.
 */
export async function hearPendingSignals(): Promise<void> {
  if (handler === null) return;
  await letSignalsIn();
  await letSignalsIn();
}

/** One turn of the event loop, in which a pending signal's handler runs. */
function letSignalsIn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
