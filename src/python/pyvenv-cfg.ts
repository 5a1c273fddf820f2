// pyvenv.cfg (PEP 405): the file that makes a directory a virtual environment, read as Python's
// site module reads it (`key = value` lines; keys case-insensitive).

import { readFileSync } from "node:fs";
import { join } from "node:path";

export function readPyvenvCfg(prefix: string): Map<string, string> | null {
  const path = join(prefix, "pyvenv.cfg");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return null;
  }
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const equals = line.indexOf("=");
    if (equals > 0) values.set(line.slice(0, equals).trim().toLowerCase(), line.slice(equals + 1).trim());
  }
  return values;
}

/** The Python version the venv was made with: `version` as venv writes it, or uv's `version_info`. */
export function madeWith(config: Map<string, string> | null): string | undefined {
  return config?.get("version") ?? config?.get("version_info");
}

/** `3.12` of `3.12.1` (or of virtualenv's `3.12.1.final.0`). */
export function minorOf(version: string | undefined): string | undefined {
  return /^(\d+\.\d+)/.exec(version ?? "")?.[1];
}

/**
 * How to mend the environment at `root` whose Python went (uninstalled, moved, upgraded): make its
 * links anew for the Python version it was made with, which keeps its packages; or start it over.
 */
export function repairHint(root: string, config: Map<string, string> | null): string {
  const version = minorOf(madeWith(config));
  return version === undefined
    ? `Recreate it with \`spice venv --clear ${root}\``
    : `Repair the environment for Python ${version} with \`spice venv --allow-existing --python ${version} ${root}\` (its packages stay), or recreate it with --clear`;
}
