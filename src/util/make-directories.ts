// `mkdir -p` without Node's endless loop. Its own module: the entry bundle (src/cli/entry.ts)
// uses it too, and must stay small.

import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * `mkdir -p`: makes `path` and its missing parents; returns whether it made `path`. Node's own
 * (`mkdirSync` with `recursive`) loops for ever, at full speed, where making a directory fails
 * with ENOENT under a parent that exists (/proc, /sys): found by fuzzing `spice venv /proc/x`.
 * Here each directory is tried again once, after its parent.
 */
export function makeDirectories(path: string): boolean {
  const first = tryMakeDirectory(path);
  if (first !== "no parent") return first === "made";
  const parent = dirname(path);
  if (parent === path) return false;
  makeDirectories(parent);
  if (tryMakeDirectory(path) === "no parent") mkdirSync(path); // throws ENOENT, as Node would
  return true;
}

/** One mkdir; an error other than a missing parent or an existing directory is thrown. */
function tryMakeDirectory(path: string): "made" | "exists" | "no parent" {
  try {
    mkdirSync(path);
    return "made";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "no parent";
    if (code === "EEXIST" && statSync(path, { throwIfNoEntry: false })?.isDirectory()) return "exists";
    throw error;
  }
}
