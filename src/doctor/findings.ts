// What spice doctor reports, and the small readers of files and directories its checks share.

import { readSync, realpathSync } from "node:fs";
import type { DiscoveryContext, PyenvSelection } from "../python/discovery.ts";
import type { Environment } from "../python/environment.ts";
import type { InterpreterFacts } from "../python/interpreter.ts";
import { readFileWith } from "../util/fs.ts";

export type Severity = "error" | "warning" | "info";

export interface Finding {
  severity: Severity;
  code: string;
  /** What was found. */
  message: string;
  /** Why it matters. */
  why: string;
  /** The command (or action) that fixes it. */
  fix?: string;
}

/** What `python`, `python3`, `pip` and `pip3` on PATH are (absent: not on PATH). */
export interface PathCommands {
  tools: Record<string, string | undefined>;
  /** `python`, else `python3`. */
  pythonPath: string | undefined;
  /** Commands whose first executable on PATH is a pyenv shim that leads nowhere. */
  deadShims: Array<{ name: string; shim: string }>;
  /** The versions pyenv selects here and what selects them, when a shim leads nowhere. */
  pyenv: PyenvSelection | null;
}

/** pip's settings for its install command, by option name, each with where it was set. */
export type PipSettings = ReadonlyMap<string, { value: string; source: string }>;

/** An environment under examination, with what every check of it reads. */
export interface Examination {
  context: DiscoveryContext;
  env: NodeJS.ProcessEnv;
  environment: Environment;
  facts: InterpreterFacts;
  commands: PathCommands;
  /** The `spice pip` command line that fixes something in this environment. */
  spicePip: (words: string) => string;
}

/**
 * What to undo to take `directories` off sys.path, for those put there by PYTHONPATH or a .pth
 * file (importPath's origins); none for Python's own directories.
 */
export function pathCauses(directories: readonly string[], origins: ReadonlyMap<string, string>): string[] {
  return [...new Set(directories.flatMap((directory) => origins.get(directory) ?? []))].map((origin) =>
    origin === "PYTHONPATH" ? "unset PYTHONPATH" : `remove ${origin}`,
  );
}

/** Appends `item` to the list `key` holds in `groups`. */
export function addTo<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const list = groups.get(key);
  if (list === undefined) groups.set(key, [item]);
  else list.push(item);
}

export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The interpreter a script's `#!` line names (following the /bin/sh trampoline pip writes). */
export function shebangInterpreter(path: string): string | null {
  const head = readFileWith(path, (descriptor) => {
    const buffer = Buffer.alloc(512);
    return buffer.subarray(0, readSync(descriptor, buffer, 0, 512, 0)).toString("latin1");
  });
  if (head === null || !head.startsWith("#!")) return null;
  const lines = head.split("\n");
  if (lines[0].trim() === "#!/bin/sh" && lines[1]?.startsWith("'''exec' ")) {
    const match = /^'''exec' "?([^" ]+)"?/.exec(lines[1]);
    if (match === null || match[1].includes("$(")) return null; // relocatable: finds python beside itself
    return match[1];
  }
  const command = lines[0].slice(2).trim().split(/\s+/);
  if (command[0] === "/usr/bin/env") return command[1] ?? null;
  return command[0];
}
