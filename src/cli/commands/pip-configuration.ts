// `spice pip config list | edit | get KEY | set KEY VALUE | unset KEY | debug`: pip's configuration
// command, over the files spice reads pip's settings from (cli/pip-config.ts), so that a
// Dockerfile's `pip config set global.index-url URL` works with `spice pip` too. Keys are
// `SECTION.NAME`; set, unset and edit change one file (--global, --user or --site; by default the
// virtual environment's when it has one, else the user's), as pip does.

import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { pyRepr } from "../../standards/python-string.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { onDisk, writeFileAtomic } from "../../util/fs.ts";
import { formatIni } from "../../util/ini.ts";
import { nodeChildProcess } from "../../util/lazy-builtins.ts";
import { makeDirectories } from "../../util/make-directories.ts";
import { flag, type ParsedArgs, subcommandError, value } from "../args.ts";
import { pipSiteRoot } from "../environment-options.ts";
import type { CommandContext } from "../main.ts";
import { pipConfigFiles, pipConfigLocations, pipConfSections, variableSetting } from "../pip-config.ts";

type Variant = "global" | "user" | "site";

/** `SECTION.NAME` split, refused as pip refuses a key without a section. */
function splitKey(key: string): [string, string] {
  const dot = key.indexOf(".");
  if (dot <= 0 || dot === key.length - 1)
    throw new UsageError(
      "Key does not contain dot separated section and key",
      `Perhaps you wanted to use 'global.${key}' instead?`,
    );
  return [key.slice(0, dot), key.slice(dot + 1).toLowerCase()];
}

/** The one of --global, --user and --site given, or null. */
function variantAsked(args: ParsedArgs): Variant | null {
  const asked = (["global", "user", "site"] as const).filter((variant) => flag(args, variant));
  if (asked.length > 1)
    throw new UsageError("Need exactly one file to operate upon (--global, --user or --site)");
  return asked[0] ?? null;
}

/**
 * Every loaded value by `SECTION.NAME` (later files win), then PIP_* variables as `:env:.NAME`
 * (PIP_CONFIG_FILE too, as pip lists it); with --global, --user or --site, only that kind of
 * file's values and the variables, as pip loads them.
 */
function loadedValues(args: ParsedArgs, context: CommandContext): Map<string, string> {
  const { env } = context;
  const variant = variantAsked(args);
  const values = new Map<string, string>();
  const site = pipSiteRoot(args, context);
  const files = variant === null ? pipConfigFiles(env, site) : pipConfigLocations(env, site)[variant];
  for (const file of files)
    for (const [section, entries] of pipConfSections(file))
      for (const [name, value] of entries) values.set(`${section}.${name}`, value);
  for (const [name, value] of Object.entries(env))
    if (name.startsWith("PIP_") && value !== undefined)
      values.set(`:env:.${variableSetting(name, "PIP_")}`, value);
  return values;
}

/** The file set and unset change: the one --global, --user or --site names, else pip's default. */
function fileToChange(args: ParsedArgs, context: CommandContext): string {
  const locations = pipConfigLocations(context.env, pipSiteRoot(args, context));
  const variant: Variant =
    variantAsked(args) ?? (locations.site.some((file) => existsSync(file)) ? "site" : "user");
  const files = locations[variant];
  if (files.length === 0)
    throw new SpiceError(
      "E_NO_ENVIRONMENT",
      "--site names the pip.conf of the environment spice pip acts on, and there is none here",
      {
        hint: "Pass --python with the environment (or activate it), or create .venv with `spice venv`, or use --user",
      },
    );
  // pip writes the variant's last file (the user's newer location, /etc/pip.conf).
  return files[files.length - 1];
}

function change(args: ParsedArgs, context: CommandContext, key: string, value: string | null): number {
  const [section, name] = splitKey(key);
  const file = fileToChange(args, context);
  const sections = pipConfSections(file);
  const entries = sections.get(section);
  if (value === null) {
    if (entries?.has(name) !== true) throw new SpiceError("E_CONFIG", `No such key - ${key}`);
    entries.delete(name);
    if (entries.size === 0) sections.delete(section);
  } else {
    if (entries === undefined) sections.set(section, new Map([[name, value]]));
    else entries.set(name, value);
  }
  context.output.info(`Writing to ${file}`);
  onDisk(`Could not write ${file}`, () => {
    makeDirectories(dirname(file));
    writeFileAtomic(file, formatIni(sections));
  });
  return 0;
}

/**
 * pip's `config edit`: the file set and unset change, opened in --editor, else $VISUAL, else
 * $EDITOR, run through the shell as pip runs it (EDITOR="code --wait" works); its directory is
 * made first, which pip leaves to the editor.
 */
function edit(args: ParsedArgs, context: CommandContext): number {
  const editor = value(args, "editor") || context.env.VISUAL || context.env.EDITOR;
  if (!editor)
    throw new SpiceError("E_CONFIG", "Could not determine editor to use.", {
      hint: "Set EDITOR (or VISUAL), or pass --editor",
    });
  const file = fileToChange(args, context);
  if (file.includes('"'))
    throw new SpiceError("E_CONFIG", `Can not open an editor for a file name containing "\n${file}`);
  onDisk(`Could not create ${dirname(file)}`, () => makeDirectories(dirname(file)));
  const run = nodeChildProcess().spawnSync("/bin/sh", ["-c", `${editor} "${file}"`], {
    stdio: "inherit",
    env: context.env,
  });
  if (run.error !== undefined)
    throw new SpiceError("E_CONFIG", `Could not run ${editor}`, { cause: run.error.message });
  if (run.status !== 0)
    throw new SpiceError("E_CONFIG", `Editor Subprocess exited with exit code ${run.status ?? run.signal}`);
  return 0;
}

function debug(args: ParsedArgs, context: CommandContext): string[] {
  const { global, user, site, file } = pipConfigLocations(context.env, pipSiteRoot(args, context));
  const lines = ["env_var:"];
  for (const [name, value] of Object.entries(context.env).sort())
    if (name.startsWith("PIP_") && value !== undefined) lines.push(`  ${name}=${pyRepr(value)}`);
  const files = (title: string, paths: readonly string[]) => {
    lines.push(`${title}:`);
    for (const path of paths) {
      lines.push(`  ${path}, exists: ${existsSync(path) ? "True" : "False"}`);
      for (const [section, entries] of pipConfSections(path))
        for (const [name, value] of entries) lines.push(`    ${section}.${name}: ${value}`);
    }
  };
  files("env", file === null || file === "/dev/null" ? [] : [file]);
  files("global", global);
  files("site", site);
  files("user", user);
  return lines;
}

export function pipConfig(args: ParsedArgs, context: CommandContext): number {
  const [sub, ...rest] = args.positionals;
  const expect = (count: number, usage: string) => {
    if (rest.length !== count)
      throw new UsageError(
        `Got unexpected number of arguments, expected ${count}`,
        `spice pip config ${usage}`,
      );
  };
  switch (sub) {
    case "list": {
      expect(0, "list");
      const values = [...loadedValues(args, context)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (values.length > 0)
        context.output.data(values.map(([key, value]) => `${key}=${pyRepr(value)}`).join("\n"));
      return 0;
    }
    case "get": {
      expect(1, "get SECTION.NAME");
      const [section, name] = splitKey(rest[0]);
      const found = loadedValues(args, context).get(`${section}.${name}`);
      if (found === undefined) throw new SpiceError("E_CONFIG", `No such key - ${rest[0]}`);
      context.output.data(found);
      return 0;
    }
    case "set":
      expect(2, "set SECTION.NAME VALUE");
      return change(args, context, rest[0], rest[1]);
    case "unset":
      expect(1, "unset SECTION.NAME");
      return change(args, context, rest[0], null);
    case "debug":
      expect(0, "debug");
      context.output.data(debug(args, context).join("\n"));
      return 0;
    case "edit":
      expect(0, "edit [--editor EDITOR]");
      return edit(args, context);
    default:
      throw subcommandError(
        "pip config",
        sub,
        ["list", "edit", "get", "set", "unset", "debug"],
        "Subcommands: list, edit, get SECTION.NAME, set SECTION.NAME VALUE, unset SECTION.NAME, debug",
      );
  }
}
