// pip-tools' configuration file, read by `spice pip compile` and `spice pip sync` as pip-compile
// and pip-sync read it: a project that keeps `generate-hashes = true` there must not get a lock
// without hashes because another tool ran. The file is --config's, else the first
// `.pip-tools.toml` or `pyproject.toml` beside an input (the working directory without inputs);
// its [tool.pip-tools] table, with the command's own [tool.pip-tools.compile] or
// [tool.pip-tools.sync] over it, gives defaults that the command line overrides, and that
// override pip's configuration (pip-tools passes them to pip as arguments). --no-config reads none.

import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { SpiceError, UsageError } from "../util/error.ts";
import { didYouMean } from "../util/similar.ts";
import { hasUrlScheme } from "../util/url-scheme.ts";
import { type OptionSpec, optionSpecOf, type ParsedArgs, parseArgs, pipArgsWords, value } from "./args.ts";
import type { CommandContext } from "./main.ts";

type Command = "compile" | "sync";

/** pip-tools' long options, by command (pip-tools 7.5), the keys its configuration takes. */
export const PIP_TOOLS_OPTIONS: Record<Command, ReadonlySet<string>> = {
  compile: words(`dry-run pre rebuild extra all-extras find-links index-url no-index extra-index-url
    cert client-cert trusted-host header no-header emit-trusted-host no-emit-trusted-host annotate
    no-annotate annotation-style upgrade no-upgrade upgrade-package output-file newline allow-unsafe
    no-allow-unsafe strip-extras no-strip-extras generate-hashes reuse-hashes no-reuse-hashes
    max-rounds build-isolation no-build-isolation emit-find-links no-emit-find-links pip-args
    resolver emit-index-url no-emit-index-url emit-options no-emit-options unsafe-package
    constraint build-deps-for all-build-deps only-build-deps group`),
  sync: words(`ask dry-run force find-links index-url extra-index-url trusted-host no-index
    python-executable user cert client-cert pip-args`),
};

function words(text: string): ReadonlySet<string> {
  return new Set(text.trim().split(/\s+/));
}

/** Keys that name pip-tools' parameters rather than its options (click's destinations). */
const DESTINATIONS: Record<string, string> = {
  extras: "extra",
  "upgrade-packages": "upgrade-package",
  "pip-args-str": "pip-args",
  "resolver-name": "resolver",
  "user-only": "user",
  "build-deps-targets": "build-deps-for",
};

/** pip-tools' settings of its own output and cache, not the command's: spice has its own. */
const PIP_TOOLS_OWN = new Set(["verbose", "quiet", "color", "no-color", "cache-dir", "config", "no-config"]);

/** The configuration file pip-tools would read for these inputs, or null. */
function pipToolsConfigFile(args: ParsedArgs, context: CommandContext): string | null {
  const given = value(args, "config");
  if (given !== undefined) {
    const path = resolve(context.cwd, given);
    if (!existsSync(path) || statSync(path).isDirectory())
      throw new UsageError(`--config: ${given} is no file`, "Name pip-tools' TOML configuration file");
    return path;
  }
  const inputs = args.positionals.filter((input) => !hasUrlScheme(input));
  for (const input of inputs.length > 0 ? inputs : ["."]) {
    const path = resolve(context.cwd, input);
    const directory = existsSync(path) && statSync(path).isDirectory() ? path : dirname(path);
    for (const name of [".pip-tools.toml", "pyproject.toml"]) {
      const candidate = resolve(directory, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
  }
  return null;
}

/**
 * `args` with the defaults pip-tools' configuration gives `command`, each marked with its file in
 * `sources` (for --verbose); unchanged with --no-config or without a file.
 */
export function withPipToolsConfig(
  args: ParsedArgs,
  specs: readonly OptionSpec[],
  command: Command,
  context: CommandContext,
): ParsedArgs {
  if (args.options.has("no-config")) return args;
  const file = pipToolsConfigFile(args, context);
  if (file === null) return args;
  const table = pipToolsTable(file, command);
  if (Object.keys(table).length > 0) context.output.verbose(`pip-tools settings: ${file}`);
  const source = `${basename(file)} [tool.pip-tools]`;
  const words: string[] = [];
  let srcFiles: string[] = [];
  for (const [key, setting] of Object.entries(table)) {
    const name = optionName(key);
    const where = `${file}: ${key}`;
    if (PIP_TOOLS_OWN.has(name)) {
      context.output.verbose(`${where} is pip-tools' own setting: spice leaves it`);
      continue;
    }
    if (name === "src-files") {
      srcFiles = stringsOf(setting, where);
      continue;
    }
    const spec = optionSpecOf(`--${name}`, specs);
    if (spec === undefined) {
      if (PIP_TOOLS_OPTIONS[command].has(name))
        throw new UsageError(
          `${where}: spice pip ${command} has no --${name}`,
          `Remove it from ${basename(file)}, or pass --no-config to read no pip-tools settings`,
        );
      if (!PIP_TOOLS_OPTIONS[command === "compile" ? "sync" : "compile"].has(name))
        throw new UsageError(
          `${where}: no such setting of pip-tools or spice pip ${command}`,
          `${didYouMean(name, [...PIP_TOOLS_OPTIONS.compile, ...PIP_TOOLS_OPTIONS.sync])}Keys are pip-tools' long option names without the dashes`,
        );
      continue; // the other command's setting, as pip-tools leaves it
    }
    words.push(...optionWords(spec, name, setting, specs, where));
  }
  const fromFile = parseArgs(words, specs);
  const options = new Map(args.options);
  const sources = new Map(args.sources ?? []);
  for (const [name, setting] of fromFile.options) {
    if (options.has(name) || options.has(oppositeOf(name, specs) ?? "")) continue;
    options.set(name, setting);
    sources.set(name, source);
  }
  const positionals = args.positionals.length > 0 ? args.positionals : srcFiles;
  return { options, positionals, sources };
}

/** The command's table: [tool.pip-tools] with [tool.pip-tools.COMMAND] over it. */
function pipToolsTable(file: string, command: Command): Record<string, unknown> {
  let document: Record<string, unknown>;
  try {
    document = parseToml(readFileSync(file, "utf8"));
  } catch (error) {
    throw configError(file, (error as Error).message.split("\n")[0]);
  }
  const tool = document.tool as Record<string, unknown> | undefined;
  const section = tool?.["pip-tools"];
  if (section === undefined) return {};
  if (!isTable(section)) throw configError(file, "[tool.pip-tools] is no table");
  const { compile, sync, ...shared } = section;
  const own = command === "compile" ? compile : sync;
  if (own !== undefined && !isTable(own)) throw configError(file, `[tool.pip-tools.${command}] is no table`);
  return { ...shared, ...(own ?? {}) };
}

function isTable(item: unknown): item is Record<string, unknown> {
  return typeof item === "object" && item !== null && !Array.isArray(item) && !(item instanceof Date);
}

function configError(file: string, reason: string): SpiceError {
  return new SpiceError("E_PIP_TOOLS_CONFIG", `Could not read pip-tools settings from ${file}`, {
    cause: reason,
    hint: "Fix the file, or pass --no-config to read no pip-tools settings",
  });
}

/** A key as an option's long name: `generate_hashes`, `--Generate-Hashes` -> generate-hashes. */
function optionName(key: string): string {
  const name = key.replace(/^-+/, "").replace(/_/g, "-").toLowerCase();
  return DESTINATIONS[name] ?? name;
}

/** The other half of a flag pair (header / no-header), when this command has it as a flag. */
function oppositeOf(name: string, specs: readonly OptionSpec[]): string | null {
  const other = name.startsWith("no-") ? name.slice(3) : `no-${name}`;
  const spec = optionSpecOf(`--${other}`, specs);
  return spec !== undefined && spec.value === undefined ? spec.name : null;
}

/** What the command line would say for one setting: `--flag`, its opposite, or `--name=value`s. */
function optionWords(
  spec: OptionSpec,
  name: string,
  setting: unknown,
  specs: readonly OptionSpec[],
  where: string,
): string[] {
  if (spec.value === undefined) {
    if (typeof setting !== "boolean") throw new UsageError(`${where} takes true or false`);
    if (setting) return [`--${spec.name}`];
    const opposite = oppositeOf(spec.name, specs);
    return opposite === null ? [] : [`--${opposite}`];
  }
  if (name === "pip-args") {
    if (typeof setting !== "string") throw new UsageError(`${where} takes one string of pip's options`);
    return pipArgsWords(setting, specs, where);
  }
  const items = stringsOf(setting, where);
  if (items.length > 1 && !spec.multiple) throw new UsageError(`${where} takes one value, not a list`);
  return items.map((item) => `--${spec.name}=${item}`);
}

/** A setting's values as text: a string or number, or an array of them. */
function stringsOf(setting: unknown, where: string): string[] {
  const items = Array.isArray(setting) ? setting : [setting];
  return items.map((item) => {
    if (typeof item === "string") return item;
    if (typeof item === "number" || typeof item === "bigint") return String(item);
    throw new UsageError(
      `${where} takes text${Array.isArray(setting) ? "s" : ""}, not ${JSON.stringify(item)}`,
    );
  });
}
