// spice venv: create a virtual environment, without running Python when the base interpreter's
// inspection is cached.

import { rmSync } from "node:fs";
import { basename, join, relative } from "node:path";
import type { LinkMode } from "../../install/linker.ts";
import { activationCommand } from "../../python/activation.ts";
import { activeCondaPrefix, whichOnPath } from "../../python/discovery.ts";
import { findProjectVenv, openVirtualEnvironment } from "../../python/environment.ts";
import { type Interpreter, inspectInterpreter, isVirtualEnvironment } from "../../python/interpreter.ts";
import { findInterpreter, parsePythonRequest } from "../../python/request.ts";
import { createVirtualEnvironment, replacesVirtualEnvironment } from "../../python/venv.ts";
import { tryParseWheelFilename } from "../../standards/filename.ts";
import { compareVersions, type Version } from "../../standards/version.ts";
import { monotonicMilliseconds } from "../../util/clock.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { namesIn, realDirectory } from "../../util/fs.ts";
import { strtobool } from "../../util/strtobool.ts";
import { flag, type ParsedArgs, refuseContradictions, value } from "../args.ts";
import {
  deactivateCommand,
  elapsed,
  findProjectInterpreter,
  NO_CONFIG_OPTION,
  projectRequest,
  pythonOption,
} from "../environment-options.ts";
import { endCleanlyOnSignals } from "../interruptible.ts";
import { type CommandContext, type CommandModule, VERSION } from "../main.ts";
import { canAsk, confirm } from "../prompt.ts";

function baseInterpreter(args: ParsedArgs, context: CommandContext): Interpreter {
  const inspect = { cacheDir: context.cacheDir };
  const request = pythonOption(args, context);
  const project = request === undefined ? projectRequest(args, context) : undefined;
  let interpreter: Interpreter;
  if (request !== undefined)
    interpreter = findInterpreter(
      parsePythonRequest(request),
      { env: context.env, cwd: context.cwd },
      inspect,
    );
  else if (project !== undefined) interpreter = findProjectInterpreter(project, context, inspect);
  else {
    const python3 = whichOnPath("python3", { env: context.env, cwd: context.cwd });
    if (python3 === null)
      throw new SpiceError("E_NO_PYTHON", "No python3 on PATH to create the environment with", {
        hint: "Pass --python with a version or a path",
      });
    interpreter = inspectInterpreter(python3, inspect);
  }
  // A venv's interpreter stands for its base interpreter.
  return isVirtualEnvironment(interpreter) ? inspectInterpreter(interpreter.realPath, inspect) : interpreter;
}

/**
 * The wheels `python -m venv` seeds, found where its ensurepip finds them: pip, and below Python
 * 3.12 setuptools too (ensurepip installs both there). Where a directory holds two versions of one
 * (pyenv's 3.8 has pip 22.0.4 and 23.0.1), the newer. A distribution's Python (Debian's, Fedora's)
 * may keep them in WHEEL_PKG_DIR (/usr/share/python-wheels) instead of its ensurepip's bundle:
 * ensurepip takes them from there first, pip alone from 3.12 on, below that only when pip and
 * setuptools are both there.
 */
function bundledSeeds(interpreter: Interpreter): string[] {
  const [major, minor] = interpreter.facts.version_info;
  const projects = major === 3 && minor < 12 ? ["pip", "setuptools"] : ["pip"];
  const bundled = join(interpreter.facts.stdlib, "ensurepip", "_bundled");
  const systemWheels = interpreter.facts.config_vars.WHEEL_PKG_DIR;
  const directories = systemWheels ? [systemWheels, bundled] : [bundled];
  const found = directories.map((directory) => {
    const names = namesIn(directory);
    return projects.map((project) => newestWheel(directory, names, project));
  });
  const complete = found.find((seeds) => seeds.every((path) => path !== undefined));
  if (complete !== undefined) return complete as string[];
  // Where ensurepip would fail for want of setuptools, pip alone: what --seed is asked for.
  const pip = found.find((seeds) => seeds[0] !== undefined)?.[0];
  if (pip !== undefined) return [pip];
  throw new SpiceError("E_NO_BUNDLED_PIP", `${interpreter.path} has no bundled pip wheel to seed with`, {
    cause: `${directories.join(" and ")} ${directories.length === 1 ? "holds" : "hold"} no pip-*.whl (some system Pythons remove ensurepip)`,
    hint: "Create the environment without --seed, then install pip from a wheel",
  });
}

/** The newest wheel of `project` among `names`, the files of `directory`, if any. */
function newestWheel(directory: string, names: readonly string[], project: string): string | undefined {
  let best: { name: string; version: Version } | undefined;
  for (const name of names) {
    const wheel = tryParseWheelFilename(name);
    if (wheel === null || wheel.name !== project) continue;
    if (best === undefined || compareVersions(wheel.version, best.version) > 0)
      best = { name, version: wheel.version };
  }
  return best === undefined ? undefined : join(directory, best.name);
}

/** python -m venv's options that say the opposite of each other or of spice's, refused as it refuses them. */
function refuseVenvContradictions(args: ParsedArgs): void {
  refuseContradictions(args, [
    ["copies", "symlinks"],
    ["seed", "without-pip"],
    ["upgrade", "clear"],
  ]);
  if (flag(args, "upgrade-deps"))
    throw new UsageError(
      "--upgrade-deps is not supported: spice venv seeds pip from the interpreter's own wheels, without an index",
      "Upgrade them afterwards from your index: spice venv --seed PATH, then spice pip install --python PATH --upgrade pip",
    );
}

/** Installs the seed wheels (bundledSeeds) into the new environment at `root`. */
async function seed(root: string, seeds: string[], args: ParsedArgs, context: CommandContext): Promise<void> {
  // Loaded only here: the installer's modules are start-up time a plain venv does not need.
  const [{ Cache }, { installWheels }, { unpackedWheel }, { makeUnpackScratch }] = await Promise.all([
    import("../../cache/store.ts"),
    import("../../install/installer.ts"),
    import("../../install/wheel-cache.ts"),
    import("../../install/transaction.ts"),
  ]);
  const environment = openVirtualEnvironment(root, { cacheDir: context.cacheDir });
  const cache = context.cacheDir === null ? null : new Cache(context.cacheDir);
  // Without a cache (--no-cache), the wheels are unpacked inside the new environment first.
  const scratch = cache === null ? makeUnpackScratch(environment) : null;
  try {
    const wheels = seeds.map((path) => unpackedWheel(path, cache, scratch?.path ?? ""));
    const result = await installWheels(
      wheels.map((wheel) => ({ wheel, requested: true })),
      {
        environment,
        linkMode: (value(args, "link-mode") as LinkMode | undefined) ?? null,
        compile: false,
        relocatableScripts: flag(args, "relocatable"),
      },
    );
    for (const dist of result.installed) context.output.info(` + ${dist.name}==${dist.version}`);
  } finally {
    scratch?.remove();
  }
}

export const command: CommandModule = {
  usage:
    "spice venv [PATH] [--python REQUEST] [--seed] [--prompt NAME] [--clear] [--allow-existing] [--relocatable]",
  options: [
    {
      name: "python",
      short: "p",
      value: "request",
      help: "The interpreter to base it on: a version (3.12), specifier, implementation or path",
    },
    {
      name: "prompt",
      value: "name",
      help: "The prompt prefix the activation scripts show (default: the directory name; `.`: the current directory's name)",
    },
    { name: "system-site-packages", help: "Let the environment see the base interpreter's site-packages" },
    {
      name: "seed",
      help: "Also install pip (and setuptools below Python 3.12), from the interpreter's own ensurepip wheels, as python -m venv does",
    },
    {
      name: "clear",
      help: "Delete what is at PATH first: a virtual environment (also SPICE_VENV_CLEAR=1), or any directory but the current one, one holding it or your home",
    },
    { name: "allow-existing", help: "Write into an existing directory, keeping its contents" },
    {
      name: "relocatable",
      help: "Activation scripts and script shebangs that work after the environment moves",
    },
    { name: "link-mode", value: "mode", help: "With --seed: how files come from the cache" },
    NO_CONFIG_OPTION,
    // python -m venv's spellings, so that spice venv can take its place in scripts.
    { name: "without-pip", help: "Install no pip: the default without --seed (python -m venv's option)" },
    { name: "symlinks", help: "Link to the interpreter: the default (python -m venv's option)" },
    {
      name: "copies",
      help: "Copy the interpreter's executable into the environment instead of linking to it (python -m venv's option)",
    },
    {
      name: "upgrade",
      help: "Rewrite an existing environment for its interpreter, upgraded in place, keeping its packages: as --allow-existing (python -m venv's option)",
    },
    { name: "without-scm-ignore-files", help: "Write no .gitignore (python -m venv's option)" },
    {
      name: "upgrade-deps",
      help: "Refused: python -m venv's upgrade of pip from an index, which spice venv does not use (the error says what does it)",
    },
  ],
  details:
    "The default PATH is .venv. An existing virtual environment at PATH is replaced only with --clear, or when you answer yes on a terminal (as uv); any other non-empty directory is left alone unless --clear or --allow-existing. Without --python (or SPICE_PYTHON), the Python is the one a .python-version file here or in a parent asks for, else one the project's requires-python (pyproject.toml) allows, else python3 on PATH, as uv chooses it.",
  async run(args, context) {
    endCleanlyOnSignals(context.output);
    if (args.positionals.length > 1) throw new UsageError("spice venv takes one path");
    refuseVenvContradictions(args);
    const started = monotonicMilliseconds();
    const path = args.positionals[0] ?? ".venv";
    const base = baseInterpreter(args, context);
    const facts = base.facts;
    context.output.info(
      `Using ${facts.implementation_name === "cpython" ? "CPython" : facts.implementation_name} ${facts.python_full_version} interpreter at ${base.path}`,
    );
    const target = join(context.cwd, path).startsWith("/")
      ? path.startsWith("/")
        ? path
        : join(context.cwd, path)
      : path;
    // Replacing a venv takes its packages: --clear (or uv's UV_VENV_CLEAR, as SPICE_VENV_CLEAR) says
    // so, else a yes on the terminal; a script gets the error naming --clear. Only --clear itself
    // empties a directory that is no virtual environment.
    let clear: "any" | "venv" | false = flag(args, "clear")
      ? "any"
      : strtobool(context.env.SPICE_VENV_CLEAR ?? "") === true && "venv";
    if (!clear && !flag(args, "allow-existing") && replacesVirtualEnvironment(target) && canAsk())
      clear =
        (await confirm(`A virtual environment already exists at ${path}. Replace it? [y/N] `)) && "venv";
    // Looked for first: an interpreter without them gets no environment it cannot seed.
    const seeds = flag(args, "seed") ? bundledSeeds(base) : null;
    const created = createVirtualEnvironment({
      path: target,
      base,
      // `--prompt .` is the current directory's name, as Python's venv and uv take it.
      prompt: value(args, "prompt") === "." ? basename(context.cwd) : value(args, "prompt"),
      systemSitePackages: flag(args, "system-site-packages"),
      clear,
      allowExisting: flag(args, "allow-existing") || flag(args, "upgrade"),
      relocatable: flag(args, "relocatable"),
      copies: flag(args, "copies"),
      withoutScmIgnoreFiles: flag(args, "without-scm-ignore-files"),
      command: `spice venv ${process.argv.slice(3).join(" ")}`.trim(),
      spiceVersion: VERSION,
    });
    if (created.clearedOther)
      context.output.warn(`--clear deleted what ${path} held, which was no virtual environment`);
    if (created.previousPythonVersion !== undefined)
      context.output.warn(
        `${created.root} was a Python ${created.previousPythonVersion} environment: the packages installed for it stay in lib/python${created.previousPythonVersion} and Python ${facts.version_info[0]}.${facts.version_info[1]} will not see them (--clear starts afresh)`,
      );
    const shown = relative(context.cwd, created.root) || ".";
    context.output.info(
      `${created.replaced ? "Replaced" : "Created"} virtual environment at ${shown.startsWith("..") ? created.root : shown}`,
    );
    if (seeds !== null) {
      try {
        await seed(created.root, seeds, args, context);
      } catch (error) {
        // One command, one outcome: a new environment that could not be seeded goes again, so
        // the same command works once the cause is fixed, without --clear.
        if (created.fresh) {
          rmSync(created.root, { recursive: true, force: true });
          context.output.warn(`Removed the new environment at ${shown}: pip could not be installed into it`);
        }
        throw error;
      }
    }
    context.output.verbose(`done in ${elapsed(started)}`);
    context.output.info(
      `Activate with: ${activationCommand(shown.startsWith("..") ? created.root : shown, context.env)}`,
    );
    // Another environment still active would win over this one in every `spice pip` run here
    // (looked for only then: a plain venv's start-up has a budget).
    const conda = activeCondaPrefix(context.env);
    const active = context.env.VIRTUAL_ENV
      ? { variable: "VIRTUAL_ENV", root: context.env.VIRTUAL_ENV }
      : conda !== null
        ? { variable: "CONDA_PREFIX", root: conda }
        : null;
    const here = active !== null ? findProjectVenv(context.cwd) : null;
    if (
      active !== null &&
      here !== null &&
      realDirectory(here) === realDirectory(created.root) &&
      realDirectory(active.root) !== realDirectory(created.root)
    )
      context.output.warn(
        `${active.variable} is ${active.root}: \`spice pip\` commands run here act on it, not on ${shown}, until you run \`${deactivateCommand(active.variable)}\``,
      );
    return 0;
  },
};
