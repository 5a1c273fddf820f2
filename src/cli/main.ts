// spice's entry point: global options, then the command, whose module is loaded only when it
// runs (start-up cost is paid per command, not for all of them).

import { cacheLostFile, SpiceError, UsageError } from "../util/error.ts";
import { expandUser, goneFrom } from "../util/fs.ts";
import { hearPendingSignals } from "../util/interrupt.ts";
import { nodeWorkerThreads } from "../util/lazy-builtins.ts";
import { didYouMean } from "../util/similar.ts";
import { strtobool } from "../util/strtobool.ts";
import {
  firstPositional,
  type OptionSpec,
  oneOf,
  type ParsedArgs,
  parseArgs,
  pipArgsWords,
  subcommandError,
  value,
} from "./args.ts";
import { GLOBAL_OPTIONS } from "./global-options.ts";
import { formatOptions, formatRows, helpWidth, optionColumn, wrapParagraphs } from "./help-text.ts";
import { Output, type OutputSettings, writeOut } from "./output.ts";
import { type ConfigValue, pipSettings } from "./pip-config.ts";

declare const SPICE_VERSION: string | undefined;
export const VERSION = typeof SPICE_VERSION !== "undefined" ? SPICE_VERSION : "0.0.0-dev";

// A bundle built for one command (scripts/build.mjs: dist/venv.cjs) holds that command alone:
// esbuild folds these tests and leaves the other commands' code out of the file.
declare const SPICE_ONLY_COMMAND: string | undefined;

export interface CommandContext {
  output: Output;
  /** Null with --no-cache. */
  cacheDir: string | null;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The command line after `spice` (for headers that record it). */
  argv?: readonly string[];
}

export interface CommandModule {
  options: OptionSpec[];
  /** Options of each subcommand, when they differ (chosen by the first word after the command). */
  subcommandOptions?: Record<string, OptionSpec[]>;
  /** The words that may follow the command as its subcommand (for shell completion). */
  subcommands?: readonly string[];
  usage: string;
  /** Extra help text after the options. */
  details?: string;
  run(args: ParsedArgs, context: CommandContext): Promise<number> | number;
}

interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

/** A command left out of a one-command bundle: the entry never runs that bundle for it. */
async function notInThisBundle(): Promise<CommandModule> {
  throw new Error("this bundle holds one command only (scripts/build.mjs)");
}

export const COMMANDS: CommandEntry[] = [
  {
    name: "python",
    summary: "Find and list the Python interpreters on this machine",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined" || SPICE_ONLY_COMMAND === "python"
        ? async () => (await import("./commands/python.ts")).command
        : notInThisBundle,
  },
  {
    name: "venv",
    summary: "Create a virtual environment",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined" || SPICE_ONLY_COMMAND === "venv"
        ? async () => (await import("./commands/venv.ts")).command
        : notInThisBundle,
  },
  {
    name: "pip",
    summary: "Install, remove and inspect packages with pip's interface",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined" || SPICE_ONLY_COMMAND === "pip"
        ? async () => (await import("./commands/pip.ts")).command
        : notInThisBundle,
  },
  {
    name: "serve",
    summary: "Serve a directory of wheels and sdists as a package index over HTTP",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined" || SPICE_ONLY_COMMAND === "serve"
        ? async () => (await import("./commands/serve.ts")).command
        : notInThisBundle,
  },
  {
    name: "cache",
    summary: "Show, clean or prune spice's cache",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined" || SPICE_ONLY_COMMAND === "cache"
        ? async () => (await import("./commands/cache.ts")).command
        : notInThisBundle,
  },
  {
    name: "doctor",
    summary: "Explain which Python and packages an environment really uses, and what is wrong",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined" || SPICE_ONLY_COMMAND === "doctor"
        ? async () => (await import("./commands/doctor.ts")).command
        : notInThisBundle,
  },
  {
    name: "debug",
    summary: "Show how spice reads requirements files, versions and specifiers",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined" || SPICE_ONLY_COMMAND === "debug"
        ? async () => (await import("./commands/debug.ts")).command
        : notInThisBundle,
  },
  {
    name: "completion",
    summary: "Print the shell completion script for bash, zsh or fish",
    load:
      typeof SPICE_ONLY_COMMAND === "undefined"
        ? async () => (await import("./commands/completion.ts")).command
        : notInThisBundle,
  },
  { name: "help", summary: "Show help for spice or one of its commands", load: async () => helpCommand },
];

/** Help goes to stdout: wrapped to its terminal, or to COLUMNS (or 100) when piped. */
function stdoutHelpWidth(): number {
  return helpWidth(process.env, process.stdout.isTTY ? process.stdout.columns : undefined);
}

function mainHelp(): string {
  const width = stdoutHelpWidth();
  const commands = formatRows(
    COMMANDS.map((command) => [command.name, command.summary] as const),
    width,
  );
  return [
    `spice ${VERSION}: a fast, correct Python package and project manager`,
    "",
    "Usage: spice [options] <command> [args]",
    "",
    "Commands:",
    commands,
    "",
    "Options:",
    formatOptions(GLOBAL_OPTIONS, width),
    "",
    "Run `spice help <command>` or `spice <command> --help` for a command's options.",
  ].join("\n");
}

/** The usage lines of one subcommand (`spice pip install ...`), as `pip install --help` shows only its own. */
function usageOf(usage: string, command: string, subcommand: string | undefined): string {
  if (subcommand === undefined) return usage;
  const prefix = `spice ${command} ${subcommand}`;
  const lines = usage.split("\n").map((line) => line.trim());
  const own = lines.filter((line) => line === prefix || line.startsWith(`${prefix} `));
  return own.length === 0 ? usage : own.join("\n       ");
}

function commandHelp(entry: CommandEntry, module: CommandModule, subcommand?: string): string {
  const width = stdoutHelpWidth();
  const ownOptions = subcommand !== undefined ? module.subcommandOptions?.[subcommand] : undefined;
  const options = ownOptions ?? module.options;
  // One names column for both lists, so that their help lines up.
  const column = optionColumn(options, GLOBAL_OPTIONS);
  return [
    `${entry.summary}`,
    "",
    `Usage: ${usageOf(module.usage, entry.name, ownOptions ? subcommand : undefined)}`,
    "",
    ...(options.length === 0
      ? []
      : [
          ownOptions ? `Options of ${entry.name} ${subcommand}:` : "Options:",
          formatOptions(options, width, column),
          "",
        ]),
    "Global options:",
    formatOptions(GLOBAL_OPTIONS, width, column),
    ...(module.details ? ["", wrapParagraphs(module.details, width)] : []),
  ].join("\n");
}

const helpCommand: CommandModule = {
  options: [],
  usage: "spice help [command [subcommand]]",
  async run(args, context) {
    const name = args.positionals[0];
    if (name === undefined) {
      context.output.data(mainHelp());
      return 0;
    }
    const entry = COMMANDS.find((command) => command.name === name);
    if (entry === undefined) {
      context.output.error(unknownCommand(name));
      return 2;
    }
    context.output.data(commandHelp(entry, await entry.load(), args.positionals[1]));
    return 0;
  },
};

function unknownCommand(name: string): UsageError {
  const suggestion = didYouMean(
    name,
    COMMANDS.map((command) => command.name),
    (command) => `spice ${command}`,
  );
  return new UsageError(`unknown command '${name}'`, `${suggestion}Run \`spice help\` to list the commands`);
}

/**
 * pip-tools' `--pip-args "..."`: its words split as shlex splits them, then read as options after
 * the command line's (pip-tools appends them to pip's), so a value given in both is theirs.
 */
function withPipArgs(argv: readonly string[], text: string, specs: readonly OptionSpec[]): string[] {
  const words = pipArgsWords(text, specs, "--pip-args");
  const end = argv.indexOf("--");
  return end < 0 ? [...argv, ...words] : [...argv.slice(0, end), ...words, ...argv.slice(end)];
}

/** The working directory, or a user error when it was deleted under the shell (Node throws). */
function workingDirectory(): string {
  try {
    return process.cwd();
  } catch (error) {
    throw new SpiceError("E_NO_WORKING_DIRECTORY", "The current directory no longer exists", {
      cause: (error as Error).message,
      hint: "cd to a directory that exists and run the command again",
    });
  }
}

async function cacheDirFor(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv,
  command: string,
  output: Output,
): Promise<string | null> {
  if (args.options.get("no-cache") === true || args.options.get("no-cache-dir") === true) return null;
  const given = value(args, "cache-dir");
  const explicit = given === undefined ? undefined : expandUser(given, env);
  const { cacheDirectoryProblem, cacheRoot, cacheTurnedOff } = await import("../util/cache-dir.ts");
  if (explicit === undefined && cacheTurnedOff(env, args.options.get("isolated") === true)) return null;
  const root = cacheRoot(explicit, env);
  // The default place may not be writable where a container runs as another user (HOME=/ or a
  // HOME that does not exist): then work without a cache, as pip does. A directory the user
  // named is an error where it is used (Cache.ensureUsable); `spice cache` is about it.
  if (explicit !== undefined || env.SPICE_CACHE_DIR || command === "cache") return root;
  const problem = cacheDirectoryProblem(root);
  if (problem === null) return root;
  output.warn(
    `spice's cache directory ${root} cannot be used (${problem}): working without a cache; set SPICE_CACHE_DIR to a directory you can write to, to keep one`,
  );
  return null;
}

export async function main(argv: readonly string[]): Promise<number> {
  // (`spice --version` alone is answered by the entry, src/cli/entry.ts, before this bundle loads.)
  const commandIndex = firstPositional(argv, GLOBAL_OPTIONS);
  const leading = commandIndex < 0 ? argv : argv.slice(0, commandIndex);
  const settings: OutputSettings = { quiet: false, verbose: false, color: "auto" };
  let output = new Output(settings);
  let cacheRoot: string | null = null;
  try {
    const globalArgs = parseArgs(leading, GLOBAL_OPTIONS);
    applyGlobal(globalArgs, settings);
    output = new Output(settings);
    if (globalArgs.options.get("version") === true) {
      output.data(`spice ${VERSION}`);
      return 0;
    }
    if (commandIndex < 0) {
      if (globalArgs.options.get("help") === true || argv.length === 0) {
        output.data(mainHelp());
        return argv.length === 0 ? 2 : 0;
      }
      output.data(mainHelp());
      return 2;
    }
    const name = argv[commandIndex];
    const entry = COMMANDS.find((command) => command.name === name);
    if (entry === undefined) {
      throw unknownCommand(name);
    }
    const module = await entry.load();
    const rest = argv.slice(commandIndex + 1);
    // `spice pip` takes pip's option prefixes, as pip's optparse does; spice's own commands do not.
    const abbreviations = name === "pip";
    const subcommandIndex = firstPositional(
      rest,
      [...GLOBAL_OPTIONS, ...module.options, ...Object.values(module.subcommandOptions ?? {}).flat()],
      { abbreviations },
    );
    const subcommand = subcommandIndex < 0 ? undefined : rest[subcommandIndex];
    const specs = (subcommand !== undefined && module.subcommandOptions?.[subcommand]) || module.options;
    const argSpecs = [...GLOBAL_OPTIONS, ...specs];
    let args = parseArgs([...leading, ...rest], argSpecs, { abbreviations });
    const pipArgs = value(args, "pip-args");
    if (pipArgs !== undefined)
      args = parseArgs(withPipArgs([...leading, ...rest], pipArgs, argSpecs), argSpecs, { abbreviations });
    applyGlobal(args, settings);
    const pipTurnsCacheOff =
      name === "pip" && applyPipConfiguration(args, settings, process.env, subcommand ?? "");
    output = new Output(settings);
    if (args.options.get("version") === true) {
      output.data(`spice ${VERSION}`);
      return 0;
    }
    if (args.options.get("help") === true) {
      output.data(commandHelp(entry, module, args.positionals[0]));
      return 0;
    }
    // pip's `pip help install`: the help of a command's subcommand, as `--help` after it.
    if (subcommand === "help" && module.subcommands !== undefined && !module.subcommands.includes("help")) {
      const about = args.positionals[1];
      if (about !== undefined && !module.subcommands.includes(about))
        throw subcommandError(
          name,
          about,
          module.subcommands,
          `Subcommands: ${module.subcommands.join(", ")}`,
        );
      output.data(commandHelp(entry, module, about));
      return 0;
    }
    cacheRoot = pipTurnsCacheOff ? null : await cacheDirFor(args, process.env, name, output);
    const context: CommandContext = {
      output,
      cacheDir: cacheRoot,
      env: process.env,
      // Asked for only by commands that use it: help, completion and `cache dir` run anywhere.
      get cwd() {
        return workingDirectory();
      },
      argv: rest.length > 0 ? [name, ...rest] : [name],
    };
    return await module.run(args, context);
  } catch (error) {
    output.error(cacheLoss(error, cacheRoot) ?? error);
    if (error instanceof UsageError) return 2;
    return 1;
  } finally {
    await hearPendingSignals();
  }
}

/** --quiet given `count` times: messages off, and from the second on warnings too (pip's levels). */
function setQuiet(settings: OutputSettings, count: number): void {
  if (count > 0) settings.quiet = true;
  if (count > 1) settings.quietWarnings = true;
}

/**
 * A file of spice's cache gone from under a command (a `spice cache clean` beside it), wherever
 * the command met it: said as that, not as a bug. Null for any other error.
 */
function cacheLoss(error: unknown, cacheRoot: string | null): SpiceError | null {
  const gone = goneFrom(error, cacheRoot === null ? [] : [cacheRoot]);
  return gone === null ? null : cacheLostFile("The command could not finish", gone);
}

function applyGlobal(args: ParsedArgs, settings: OutputSettings): void {
  setQuiet(settings, args.counts?.get("quiet") ?? 0);
  // SPICE_NO_PROGRESS as uv's UV_NO_PROGRESS (CI logs a terminal emulator records).
  if (args.options.get("no-progress") === true || strtobool(process.env.SPICE_NO_PROGRESS ?? "") === true)
    settings.noProgress = true;
  if (args.options.get("verbose") === true) settings.verbose = true;
  if (args.options.get("no-color") === true) settings.color = "never";
  const log = value(args, "log");
  if (log !== undefined) settings.logFile = expandUser(log);
  const color = value(args, "color");
  if (color !== undefined) settings.color = oneOf("color", color, ["auto", "always", "never"], "auto");
}

/**
 * pip's global options that CI and images set outside the command line (PIP_QUIET=1,
 * PIP_LOG=pip.log, PIP_NO_COLOR=1, `no-cache-dir` in /etc/pip.conf), read for `spice pip` as pip
 * reads them: its configuration files ([global], then the command's section), then the PIP_
 * variables (pipSettings: --isolated leaves out the user's file and the variables), the command
 * line winning. Returns whether they turn the cache off (`no-cache-dir`: any value pip accepts
 * does, as PIP_NO_CACHE_DIR's).
 */
function applyPipConfiguration(
  args: ParsedArgs,
  settings: OutputSettings,
  env: NodeJS.ProcessEnv,
  section: string,
): boolean {
  const given = (...names: string[]) => names.some((item) => args.options.has(item));
  // The environment's own pip.conf (the site file) needs the environment, chosen later: the
  // index settings read it; these come from the files that do not depend on it.
  const configured = pipSettings(env, null, section, args.options.get("isolated") === true);
  const setting = (key: string) => {
    const found = configured.get(key);
    return found === undefined || found.source.startsWith("SPICE_") ? undefined : found;
  };
  if (!given("quiet", "verbose")) {
    const quiet = pipCount("quiet", setting("quiet"));
    if (quiet > 0) setQuiet(settings, quiet);
    else if (pipCount("verbose", setting("verbose")) > 0) settings.verbose = true;
  }
  const log = setting("log");
  if (!given("log") && log !== undefined && log.value !== "") settings.logFile = expandUser(log.value, env);
  if (!given("color", "no-color") && yesOrNo("no-color", setting("no-color"))) settings.color = "never";
  // Any value pip accepts turns the cache off, `false` too (yesOrNo refuses the others).
  return !given("cache-dir") && yesOrNo("no-cache-dir", setting("no-cache-dir")) !== null;
}

/** A yes-or-no setting as pip reads it (strtobool); null when unset or empty. */
function yesOrNo(key: string, setting: ConfigValue | undefined): boolean | null {
  if (setting === undefined || setting.value === "") return null;
  const flag = strtobool(setting.value);
  if (flag === null)
    throw new UsageError(`${settingName(key, setting)} takes a yes or no value, not '${setting.value}'`);
  return flag;
}

/** How an error names a pip setting: its variable (PIP_QUIET), or its key in its file. */
function settingName(key: string, setting: ConfigValue): string {
  return setting.source.startsWith("PIP_") ? setting.source : `${key} (in ${setting.source})`;
}

/** A counted option's setting as pip reads it: a yes or no (1 or 0), else a count. */
function pipCount(key: string, setting: ConfigValue | undefined): number {
  const text = setting?.value;
  if (setting === undefined || text === undefined || text === "") return 0;
  const flag = strtobool(text);
  if (flag !== null) return flag ? 1 : 0;
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  throw new UsageError(
    `${settingName(key, setting)} takes a count or a yes or no value, not '${text}'`,
    "Use a value like 1, 2, yes or no",
  );
}

async function runWorkerTask(): Promise<void> {
  const { parentPort, workerData } = nodeWorkerThreads();
  if (workerData?.task === "unpack-wheels" && parentPort !== null) {
    const { runUnpackTask } = await import("../install/parallel-unpack.ts");
    runUnpackTask(workerData, parentPort);
  }
}

// A worker thread started from this bundle (install/parallel-unpack.ts passes --spice-worker)
// does its task instead of running the CLI; checking argv keeps worker_threads off start-up.
// Workers run the whole CLI's bundle (src/cli/entry.ts): a one-command bundle leaves them out.
if (typeof SPICE_ONLY_COMMAND === "undefined" && process.argv[2] === "--spice-worker") {
  void runWorkerTask();
} else {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      try {
        writeOut(2, `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      } catch {
        // stderr itself cannot be written (a full disk): the exit status is all that is left
      }
      process.exitCode = 1;
    },
  );
}
