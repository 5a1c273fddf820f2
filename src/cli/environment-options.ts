// The options that choose an environment, shared by every command that acts on one, and the
// "Using ... environment at ..." line every changing command prints first.

import { relative } from "node:path";
import { recoverIfInterrupted } from "../install/transaction.ts";
import { type Environment, upgradedUnder } from "../python/environment.ts";
import type { InspectOptions, Interpreter } from "../python/interpreter.ts";
import { type ProjectPythonRequest, projectPythonRequest } from "../python/project-python.ts";
import { findInterpreter, parsePythonRequest } from "../python/request.ts";
import {
  environmentRootOf,
  type Selection,
  type SelectOptions,
  selectEnvironment,
} from "../python/select.ts";
import { monotonicMilliseconds } from "../util/clock.ts";
import { SpiceError } from "../util/error.ts";
import { notChangedYet } from "../util/interrupt.ts";
import { strtobool } from "../util/strtobool.ts";
import { flag, type OptionSpec, type ParsedArgs, value } from "./args.ts";
import type { CommandContext } from "./main.ts";

export const ENVIRONMENT_OPTIONS: OptionSpec[] = [
  {
    name: "python",
    short: "p",
    value: "python",
    help: "The environment's interpreter or directory, or a version request (3.12); also SPICE_PYTHON",
  },
  {
    name: "system",
    help: "Use the python3 on PATH itself, not a virtual environment (PEP 668 still applies); also SPICE_SYSTEM_PYTHON",
  },
  { name: "break-system-packages", help: "Allow changing an externally managed Python (PEP 668)" },
];

export const LOCATION_OPTIONS: OptionSpec[] = [
  {
    name: "target",
    short: "t",
    value: "dir",
    help: "Install into DIR (importable when DIR is on sys.path), as pip's --target (but a version DIR has is replaced whole, as uv does, where pip leaves its files without --upgrade)",
  },
  {
    name: "prefix",
    value: "dir",
    help: "Install under the prefix DIR with the interpreter's layout, as pip's --prefix (but DIR gets every package, also those the interpreter has)",
  },
  { name: "user", help: "Install into the user site (~/.local), as pip's --user; refused inside a venv" },
  {
    name: "root",
    value: "dir",
    help: "Install everything under DIR as if it were / (a staging directory for a package), as pip's --root",
  },
];

/** --python, else SPICE_PYTHON (as uv reads UV_PYTHON for every pip command and venv). */
export function pythonOption(args: ParsedArgs, context: CommandContext): string | undefined {
  return value(args, "python") ?? (context.env.SPICE_PYTHON || undefined);
}

/** uv's --no-config, for the commands whose default Python a project's files choose. */
export const NO_CONFIG_OPTION: OptionSpec = {
  name: "no-config",
  help: "Read no .python-version or pyproject.toml for the default Python (uv's option)",
};

/**
 * Without --python, the Python a `.python-version` or the project's `requires-python` asks for
 * (projectPythonRequest), said with --verbose; none with --no-config.
 */
export function projectRequest(args: ParsedArgs, context: CommandContext): ProjectPythonRequest | undefined {
  if (flag(args, "no-config")) return undefined;
  const found = projectPythonRequest({ env: context.env, cwd: context.cwd });
  if (found === null) return undefined;
  context.output.verbose(`python: ${found.request} (from ${found.source})`);
  return found;
}

/** findInterpreter for a request a project's file made: a failure says which file asked. */
export function findProjectInterpreter(
  found: ProjectPythonRequest,
  context: CommandContext,
  options: InspectOptions,
): Interpreter {
  try {
    return findInterpreter(
      parsePythonRequest(found.request),
      { env: context.env, cwd: context.cwd },
      options,
    );
  } catch (error) {
    if (!(error instanceof SpiceError)) throw error;
    throw new SpiceError(error.code, error.message, {
      cause: error.details.cause,
      hint: `${found.source} asks for it: install that Python, change the file, or pass --python (--no-config reads neither .python-version nor pyproject.toml)`,
    });
  }
}

/** Where --python's value came from when not the command line (said with --verbose). */
function pythonReason(args: ParsedArgs, context: CommandContext): string | undefined {
  const python = pythonOption(args, context);
  const source = args.options.has("python") ? args.sources?.get("python") : "SPICE_PYTHON";
  if (python === undefined || source === undefined) return undefined;
  // pip.conf sources read "FILE [section]"; variables are bare names.
  return source.includes(" [") ? `python = ${python} in ${source}` : `${source}=${python}`;
}

/**
 * The prefix whose pip.conf pip's settings include (pip's "site" file, in the prefix of the
 * interpreter pip runs in): that of the Python the command acts on, however it was chosen, as
 * `.venv/bin/pip` and `pip --python .venv` both read .venv/pip.conf.
 */
export function pipSiteRoot(args: ParsedArgs, context: CommandContext): string | null {
  return environmentRootOf(pythonOption(args, context), systemOption(args, context), {
    env: context.env,
    cwd: context.cwd,
  });
}

/** --system, or SPICE_SYSTEM_PYTHON as uv's UV_SYSTEM_PYTHON, for CI images without a venv. */
function systemOption(args: ParsedArgs, context: CommandContext): boolean {
  return flag(args, "system") || strtobool(context.env.SPICE_SYSTEM_PYTHON ?? "") === true;
}

/**
 * The environment a command acts on, said with --verbose. What is amiss with the choice (a venv
 * here that the active one wins over, a venv whose Python was upgraded under it) is a warning,
 * unless `warn` is false: doctor makes findings of them.
 */
export function selectFromArgs(
  args: ParsedArgs,
  context: CommandContext,
  modifies: boolean,
  { warn = true } = {},
): Selection {
  const options: SelectOptions = {
    python: pythonOption(args, context),
    pythonReason: pythonReason(args, context),
    system: systemOption(args, context),
    target: value(args, "target"),
    prefix: value(args, "prefix"),
    root: value(args, "root"),
    user: flag(args, "user"),
    breakSystemPackages: flag(args, "break-system-packages") || context.env.PIP_BREAK_SYSTEM_PACKAGES === "1",
    modifies,
  };
  const selection = selectEnvironment(
    options,
    { env: context.env, cwd: context.cwd },
    { cacheDir: context.cacheDir },
  );
  context.output.verbose(`environment: ${selection.environment.root} (chosen by ${selection.reason})`);
  if (selection.passedOver !== undefined && warn)
    context.output.warn(passedOverMessage(selection, context.cwd));
  // pip's require-virtualenv (often set for good in PIP_REQUIRE_VIRTUALENV): a change goes into a
  // virtual environment or a --target directory, never into a Python's own directories.
  const kind = selection.environment.kind;
  if (modifies && flag(args, "require-virtualenv") && kind !== "venv" && kind !== "target") {
    throw new SpiceError(
      "E_REQUIRE_VIRTUALENV",
      `Not changing the ${kind === "user" ? "user site of" : kind === "prefix" ? "prefix for" : "Python at"} ${selection.environment.root}: require-virtualenv is set, and it is no virtual environment`,
      {
        hint: "Create one with `spice venv` and pass --python .venv, or unset PIP_REQUIRE_VIRTUALENV (or require-virtualenv in pip.conf)",
      },
    );
  }
  const { environment } = selection;
  const upgraded = upgradedUnder(environment);
  if (upgraded !== null && warn)
    context.output.warn(
      `${environment.root} was made for Python ${upgraded.madeFor}, and its python now runs Python ${upgraded.running}: what was installed for ${upgraded.minor} is not importable (\`spice doctor\` explains)`,
    );
  // A change that a killed spice left half done is undone before anything reads the environment.
  if (recoverIfInterrupted(environment.scheme.purelib, `The environment at ${environment.root}`)) {
    context.output.warn(`rolled back an interrupted change in ${environment.root}`);
  }
  return selection;
}

/**
 * For commands that only read (compile, download, index): the selected environment when there is
 * one, else the default interpreter to resolve for, with no environment.
 */
export function environmentIfAny(
  args: ParsedArgs,
  context: CommandContext,
): { environment: Environment | null; interpreter: Interpreter } {
  try {
    const { environment } = selectFromArgs(args, context, false);
    return { environment, interpreter: environment.interpreter };
  } catch (error) {
    if (!(error instanceof SpiceError) || error.code !== "E_NO_ENVIRONMENT") throw error;
    const interpreter = findInterpreter(
      parsePythonRequest(undefined),
      { env: context.env, cwd: context.cwd },
      { cacheDir: context.cacheDir },
    );
    return { environment: null, interpreter };
  }
}

function displayPath(path: string, cwd: string): string {
  const relativePath = relative(cwd, path);
  return relativePath !== "" && !relativePath.startsWith("..") ? relativePath : path;
}

/** What turns off the environment `variable` (VIRTUAL_ENV or CONDA_PREFIX) names in a shell. */
export function deactivateCommand(variable: string): string {
  return variable === "CONDA_PREFIX" ? "conda deactivate" : "deactivate";
}

/** The parts of what is said of a venv here that the active environment wins over. */
export function passedOverParts(
  selection: Selection,
  cwd: string,
): { variable: string; other: string; deactivate: string } {
  const variable = selection.passedOver?.by ?? "VIRTUAL_ENV";
  return {
    variable,
    other: displayPath(selection.passedOver?.venv ?? "", cwd),
    deactivate: deactivateCommand(variable),
  };
}

function passedOverMessage(selection: Selection, cwd: string): string {
  const { variable, other, deactivate } = passedOverParts(selection, cwd);
  return `acting on ${selection.environment.root}, the active ${variable}, not on ${other} here; run \`${deactivate}\` or pass --python ${other} to act on that one`;
}

/** Says which environment a change acts on; if the command is interrupted, that it was not changed. */
export function announceEnvironment(environment: Environment, context: CommandContext): void {
  const facts = environment.interpreter.facts;
  const what = {
    venv: "environment",
    system: "system environment",
    target: "target directory",
    prefix: "prefix",
    user: "user site",
  }[environment.kind];
  const shown = displayPath(environment.root, context.cwd);
  context.output.info(`Using Python ${facts.python_full_version} ${what} at ${shown}`);
  notChangedYet(`the ${what} at ${shown}`);
}

export function elapsed(started: number): string {
  return duration(monotonicMilliseconds() - started);
}

/** A time as uv prints it: `12ms`, `1.20s`. */
export function duration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)}ms` : `${(milliseconds / 1000).toFixed(2)}s`;
}
