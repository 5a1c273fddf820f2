// Which commands Ctrl-C ends through spice's handler (util/interrupt.ts): those that change an
// environment or download, where it matters what a signal leaves behind. The others (list, show,
// cache clean, doctor, ...) keep the signals' default action and end at once, however long their
// synchronous work (the handler would wait for it).

import { SpiceError } from "../util/error.ts";
import { endOnSignals } from "../util/interrupt.ts";
import type { Output } from "./output.ts";

/** From now on, a signal ends the command cleanly, said through `output`. */
export function endCleanlyOnSignals(output: Output): void {
  endOnSignals((signal, place) => output.error(interrupted(signal, place)));
}

/** What an interrupted command says: by which signal, and what it left unchanged or had changed. */
function interrupted(
  signal: NodeJS.Signals,
  { unchanged, changed }: { unchanged: string | null; changed: string | null },
): SpiceError {
  const by = `Interrupted by ${signal === "SIGINT" ? "SIGINT (Ctrl-C)" : signal}`;
  if (unchanged !== null)
    return new SpiceError("E_INTERRUPTED", `${by}: nothing was changed in ${unchanged}`);
  if (changed !== null)
    return new SpiceError("E_INTERRUPTED", `${by}, after the change to ${changed} was made`);
  return new SpiceError("E_INTERRUPTED", by);
}
