// entry_points.txt (the INI format of the entry points specification) and the console scripts
// pip writes for it: the same launcher body (distlib's), the same shebang rules.

export interface EntryPoint {
  group: string;
  name: string;
  /** `module:attr.sub` without extras. */
  value: string;
}

export function parseEntryPoints(text: string): EntryPoint[] {
  const entries: EntryPoint[] = [];
  let group: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      group = section[1].trim();
      continue;
    }
    const equals = line.indexOf("=");
    if (group === null || equals < 0) continue;
    const name = line.slice(0, equals).trim();
    const value = line
      .slice(equals + 1)
      .replace(/\[[^\]]*\]\s*$/, "")
      .trim();
    entries.push({ group, name, value });
  }
  return entries;
}

/**
 * The entry points with pip's and easy_install's versioned launchers made for `version` (the
 * target interpreter's `[major, minor]`), as pip makes them: a pip wheel lists those of the Python
 * it was built on (pip 23.2.1's says pip3.11), so when console_scripts has `pip`, pip drops every
 * `pipN` and `pipN.M` entry and writes `pip`, `pip3` and `pip3.12` for a 3.12 environment instead
 * (what `python -m venv` leaves there); likewise `easy_install` with `easy_install-3.12`.
 */
export function withVersionedLaunchers(
  entries: EntryPoint[],
  version: readonly [number, number],
): EntryPoint[] {
  const [major, minor] = version;
  const versioned: Array<[base: string, pattern: RegExp, names: string[]]> = [
    ["pip", /^pip(\d+(\.\d+)?)?$/, ["pip", `pip${major}`, `pip${major}.${minor}`]],
    ["easy_install", /^easy_install(-\d+\.\d+)?$/, ["easy_install", `easy_install-${major}.${minor}`]],
  ];
  let result = entries;
  for (const [base, pattern, names] of versioned) {
    const script = result.find((entry) => entry.group === "console_scripts" && entry.name === base);
    if (script === undefined) continue;
    result = [
      ...result.filter((entry) => entry.group !== "console_scripts" || !pattern.test(entry.name)),
      ...names.map((name) => ({ group: "console_scripts", name, value: script.value })),
    ];
  }
  return result;
}

/** The `#!` line pip (distlib) writes: plain when short enough, else the /bin/sh trampoline. */
export function shebang(executable: string): string {
  const quoted = executable.includes(" ") ? `"${executable}"` : executable;
  if (!executable.includes(" ") && executable.length + 3 <= 127) return `#!${executable}\n`;
  return `#!/bin/sh\n'''exec' ${quoted} "$0" "$@"\n' '''\n`;
}

/** A shebang that finds the environment's python next to the script, wherever the environment moves. */
export const RELOCATABLE_SHEBANG = `#!/bin/sh\n'''exec' "$(dirname -- "$(realpath -- "$0")")"/'python' "$0" "$@"\n' '''\n`;

/** The launcher for a console or GUI entry point, exactly as pip writes it. */
export function consoleScript(entry: EntryPoint, header: string): string | null {
  const match = /^([\w.]+)\s*:\s*([\w.]+)$/.exec(entry.value);
  if (match === null) return null;
  const [, module, attribute] = match;
  return `${header}# -*- coding: utf-8 -*-
import re
import sys
from ${module} import ${attribute.split(".")[0]}
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(${attribute}())
`;
}
