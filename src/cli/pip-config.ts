// pip users' index settings, honoured as pip reads them: pip.conf files (global, user, site, then
// PIP_CONFIG_FILE), each with a [global] section overridden by the command's own section, then
// PIP_* variables, then spice's own SPICE_* variables, and the command line over all of them.
// Every value remembers where it came from, for --verbose.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SpiceError, UsageError } from "../util/error.ts";
import { IniSyntaxError, parseIni } from "../util/ini.ts";
import { strtobool } from "../util/strtobool.ts";
import type { OptionSpec, ParsedArgs } from "./args.ts";

export interface ConfigValue {
  value: string;
  /** "pip.conf /etc/pip.conf [global]", "PIP_INDEX_URL", ... */
  source: string;
}

/** pip's configuration files by kind, each list in the order pip loads it (pip config's variants). */
export interface PipConfigLocations {
  global: string[];
  user: string[];
  /** The pip.conf in the prefix of the Python acted on (pip reads its own interpreter's). */
  site: string[];
  /** PIP_CONFIG_FILE. */
  file: string | null;
}

/** `siteRoot`: the prefix whose pip.conf is the site file (pipSiteRoot), if any. */
export function pipConfigLocations(env: NodeJS.ProcessEnv, siteRoot: string | null): PipConfigLocations {
  const xdgDirs = (env.XDG_CONFIG_DIRS || "/etc/xdg").split(":").filter(Boolean);
  const home = env.HOME || homedir();
  return {
    global: [...xdgDirs.map((directory) => join(directory, "pip", "pip.conf")), "/etc/pip.conf"],
    user: [
      join(home, ".pip", "pip.conf"),
      join(env.XDG_CONFIG_HOME || join(home, ".config"), "pip", "pip.conf"),
    ],
    site: siteRoot === null ? [] : [join(siteRoot, "pip.conf")],
    file: env.PIP_CONFIG_FILE || null,
  };
}

/**
 * pip's configuration files in the order they load (later ones win): global, user (not under
 * --isolated, nor when PIP_CONFIG_FILE names an existing file), the environment's, then
 * PIP_CONFIG_FILE's, which pip reads even under --isolated. PIP_CONFIG_FILE=/dev/null turns every
 * file off, the global ones too.
 */
export function pipConfigFiles(env: NodeJS.ProcessEnv, siteRoot: string | null, isolated = false): string[] {
  const { global, user, site, file } = pipConfigLocations(env, siteRoot);
  if (file === "/dev/null") return [];
  const files = [...global];
  if (!isolated && !(file && existsSync(file))) files.push(...user);
  files.push(...site);
  if (file) files.push(file);
  return files;
}

/**
 * Settings for `command` (pip's section name: install, download, ...) by key, from config files
 * and the PIP_ and SPICE_ variables. Keys are pip's option names (index-url, extra-index-url).
 * `isolated` (pip's --isolated) leaves out the user's files and the PIP_ variables.
 */
export function pipSettings(
  env: NodeJS.ProcessEnv,
  siteRoot: string | null,
  command: string,
  isolated = false,
): ReadonlyMap<string, ConfigValue> {
  // An install asks three times (its options, its constraint files, its index settings): the
  // files are read once per environment, section and isolation.
  const key = `${siteRoot}\0${command}\0${isolated}`;
  let known = settingsByEnv.get(env);
  if (known === undefined) settingsByEnv.set(env, (known = new Map()));
  let settings = known.get(key);
  if (settings === undefined) known.set(key, (settings = readSettings(env, siteRoot, command, isolated)));
  return settings;
}

const settingsByEnv = new WeakMap<NodeJS.ProcessEnv, Map<string, ReadonlyMap<string, ConfigValue>>>();

/**
 * A pip.conf's sections: none for a missing or unreadable file, and an error for one that is not
 * UTF-8 or that configparser refuses, as pip refuses it (settings silently lost could mean
 * installing from another index than the file names).
 */
export function pipConfSections(file: string): Map<string, Map<string, string>> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return new Map();
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw unloadable(file, "it is not UTF-8 text");
  }
  try {
    return parseIni(text, true);
  } catch (error) {
    if (error instanceof IniSyntaxError) throw unloadable(file, error.message);
    throw error;
  }
}

function unloadable(file: string, cause: string): SpiceError {
  return new SpiceError("E_CONFIG", `Could not load pip's configuration file ${file}`, {
    cause,
    hint: "Fix the file, which pip refuses too (PIP_CONFIG_FILE=/dev/null reads no configuration file)",
  });
}

/** The setting a PIP_ (or SPICE_) variable names: PIP_INDEX_URL is index-url. */
export function variableSetting(name: string, prefix: string): string {
  return name.slice(prefix.length).toLowerCase().replaceAll("_", "-");
}

function readSettings(
  env: NodeJS.ProcessEnv,
  siteRoot: string | null,
  command: string,
  isolated: boolean,
): ReadonlyMap<string, ConfigValue> {
  const settings = new Map<string, ConfigValue>();
  for (const file of pipConfigFiles(env, siteRoot, isolated)) {
    const sections = pipConfSections(file);
    for (const name of ["global", command]) {
      // pip's names: `index_url` and `index-url` are one setting.
      for (const [key, value] of sections.get(name) ?? [])
        settings.set(key.replaceAll("_", "-"), { value: value.trim(), source: `${file} [${name}]` });
    }
  }
  for (const prefix of isolated ? ["SPICE_"] : ["PIP_", "SPICE_"]) {
    for (const [name, value] of Object.entries(env)) {
      if (!name.startsWith(prefix) || value === undefined || name === "PIP_CONFIG_FILE") continue;
      settings.set(variableSetting(name, prefix), { value, source: name });
    }
  }
  return settings;
}

/** A list setting: whitespace-separated, as pip splits PIP_EXTRA_INDEX_URL and config values. */
export function listOf(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(/\s+/).filter(Boolean);
}

// pip reads every option from its configuration. Index, network and constraint settings are read
// where they are used (index-settings.ts, resolution-options.ts); these are the other options of spice's install-like
// commands that pip users set there (PIP_ONLY_BINARY in CI, break-system-packages in images).
const CONFIGURABLE_FLAGS = [
  "pre",
  "prefer-binary",
  "require-hashes",
  "no-deps",
  "upgrade",
  "force-reinstall",
  "ignore-installed",
  "user",
  "break-system-packages",
  "require-virtualenv",
  "ignore-requires-python",
  // uv's, as its UV_* variables set them (SPICE_NO_BUILD=1).
  "no-build",
  "no-verify-hashes",
  "compile-bytecode",
  "offline",
];
const CONFIGURABLE_VALUES = [
  "only-binary",
  "no-binary",
  "upgrade-strategy",
  "progress-bar",
  "target",
  "prefix",
  "root",
  "python-version",
  "implementation",
  // uv's, as its UV_* variables set them (SPICE_RESOLUTION=lowest-direct, SPICE_EXCLUDE_NEWER).
  "resolution",
  "prerelease",
  "exclude-newer",
  "link-mode",
  "fork-strategy",
];
// Options pip appends to: a configured value is a whitespace-separated list (and uv's
// UV_NO_BUILD_PACKAGE and UV_NO_BINARY_PACKAGE).
const CONFIGURABLE_LISTS = ["platform", "abi", "no-build-package", "no-binary-package"];

/** A flag set in pip's configuration, read with strtobool as pip reads it. */
export function configFlag(name: string, setting: ConfigValue): boolean {
  const flag = strtobool(setting.value);
  if (flag !== null) return flag;
  throw new UsageError(
    `${setting.value} (from ${setting.source}) is not a valid value for ${name}`,
    "Use a boolean value like yes/no, true/false or 1/0",
  );
}

/**
 * `args` with the options its command line leaves out taken from pip's configuration (`section`
 * is pip's command), as pip's option parser takes its defaults from there.
 */
export function withPipConfiguration(
  args: ParsedArgs,
  specs: readonly OptionSpec[],
  env: NodeJS.ProcessEnv,
  siteRoot: string | null,
  section: string,
): ParsedArgs {
  const settings = pipSettings(env, siteRoot, section, args.options.has("isolated"));
  const options = new Map(args.options);
  for (const spec of specs) {
    if (options.has(spec.name)) continue;
    const setting = settings.get(spec.name);
    if (setting === undefined) continue;
    if (spec.value === undefined && CONFIGURABLE_FLAGS.includes(spec.name)) {
      if (configFlag(spec.name, setting)) options.set(spec.name, true);
    } else if (spec.value !== undefined && CONFIGURABLE_VALUES.includes(spec.name)) {
      options.set(spec.name, [setting.value.trim()]);
    } else if (spec.value !== undefined && CONFIGURABLE_LISTS.includes(spec.name)) {
      options.set(spec.name, listOf(setting.value));
    }
  }
  return { ...args, options };
}
