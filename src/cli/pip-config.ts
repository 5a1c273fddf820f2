// pip users' index settings, honoured as pip reads them: pip.conf files (global, user, site, then
// PIP_CONFIG_FILE), each with a [global] section overridden by the command's own section, then
// PIP_* variables, then spice's own SPICE_* variables, and the command line over all of them.
// Every value remembers where it came from, for --verbose.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface ConfigValue {
  value: string;
  /** "pip.conf /etc/pip.conf [global]", "PIP_INDEX_URL", ... */
  source: string;
}

/** configparser's INI: sections, `key = value` or `key: value`, indented continuation lines. */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  for (const rawLine of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(rawLine)) {
      if (rawLine.trim() === "") lastKey = null;
      continue;
    }
    if (/^\s/.test(rawLine) && current !== null && lastKey !== null) {
      current.set(lastKey, `${current.get(lastKey)}\n${rawLine.trim()}`);
      continue;
    }
    const section = /^\[([^\]]+)\]\s*$/.exec(rawLine);
    if (section) {
      current = sections.get(section[1].trim()) ?? new Map();
      sections.set(section[1].trim(), current);
      lastKey = null;
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(rawLine);
    if (pair && current !== null) {
      lastKey = pair[1].trim().toLowerCase().replaceAll("_", "-");
      current.set(lastKey, pair[2].trim());
    }
  }
  return sections;
}

/**
 * pip's configuration files in the order they load (later ones win). `isolated` (pip's
 * --isolated): the global and environment files only, not the user's or PIP_CONFIG_FILE.
 */
export function pipConfigFiles(env: NodeJS.ProcessEnv, isolated = false): string[] {
  const configFile = isolated ? undefined : env.PIP_CONFIG_FILE;
  const files: string[] = [];
  const xdgDirs = (env.XDG_CONFIG_DIRS || "/etc/xdg").split(":").filter(Boolean);
  files.push(...xdgDirs.map((directory) => join(directory, "pip", "pip.conf")), "/etc/pip.conf");
  // pip skips the user's files when PIP_CONFIG_FILE names an existing file (e.g. /dev/null).
  if (!isolated && !(configFile && existsSync(configFile))) {
    const home = env.HOME || homedir();
    files.push(
      join(home, ".pip", "pip.conf"),
      join(env.XDG_CONFIG_HOME || join(home, ".config"), "pip", "pip.conf"),
    );
  }
  if (env.VIRTUAL_ENV) files.push(join(env.VIRTUAL_ENV, "pip.conf"));
  if (configFile && configFile !== "/dev/null") files.push(configFile);
  return files;
}

/**
 * Settings for `command` (pip's section name: install, download, ...) by key, from config files
 * and the PIP_ and SPICE_ variables. Keys are pip's option names (index-url, extra-index-url).
 * `isolated` (pip's --isolated) leaves out the user's files and the PIP_ variables.
 */
export function pipSettings(
  env: NodeJS.ProcessEnv,
  command: string,
  isolated = false,
): Map<string, ConfigValue> {
  const settings = new Map<string, ConfigValue>();
  for (const file of pipConfigFiles(env, isolated)) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const sections = parseIni(text);
    for (const name of ["global", command]) {
      for (const [key, value] of sections.get(name) ?? [])
        settings.set(key, { value: value.trim(), source: `${file} [${name}]` });
    }
  }
  for (const prefix of isolated ? ["SPICE_"] : ["PIP_", "SPICE_"]) {
    for (const [name, value] of Object.entries(env)) {
      if (!name.startsWith(prefix) || value === undefined || name === "PIP_CONFIG_FILE") continue;
      const key = name.slice(prefix.length).toLowerCase().replaceAll("_", "-");
      settings.set(key, { value, source: name });
    }
  }
  return settings;
}

/** pip's reading of a boolean setting ("1", "yes", "true", "on"). */
export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|yes|true|on)$/i.test(value.trim());
}

/** A list setting: whitespace-separated, as pip splits PIP_EXTRA_INDEX_URL and config values. */
export function listOf(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(/\s+/).filter(Boolean);
}
