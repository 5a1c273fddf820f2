// Which environment a `spice pip` command acts on: `--python`, else the active VIRTUAL_ENV, else
// CONDA_PREFIX (unless it is conda's base environment), else a `.venv` here or above (or the venv
// the working directory is in); an interpreter found on PATH only with `--system`.
// The incident spice exists for is a command that touched the wrong Python; so this never guesses.

import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { pyShlexQuote } from "../standards/python-string.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { linkTarget, realDirectory } from "../util/fs.ts";
import { parseIni } from "../util/ini.ts";
import { someOf } from "../util/plural.ts";
import { activeCondaPrefix, condaBasePrefix, type DiscoveryContext, whichOnPath } from "./discovery.ts";
import {
  type Environment,
  findProjectVenv,
  isVirtualEnvironmentDirectory,
  openVirtualEnvironment,
  prefixEnvironment,
  rootedEnvironment,
  systemEnvironment,
  targetEnvironment,
  userEnvironment,
} from "./environment.ts";
import {
  type InspectOptions,
  type Interpreter,
  inspectInterpreter,
  isVirtualEnvironment,
} from "./interpreter.ts";
import { findInterpreter, parsePythonRequest } from "./request.ts";

export interface SelectOptions {
  python?: string;
  /** Where `python` came from, when not --python: "PIP_PYTHON=3.12", "python = ... in pip.conf". */
  pythonReason?: string;
  system?: boolean;
  target?: string;
  prefix?: string;
  /** pip's --root: the chosen layout, moved under this directory. */
  root?: string;
  user?: boolean;
  breakSystemPackages?: boolean;
  /** The command will change the environment (PEP 668 applies). */
  modifies: boolean;
}

export interface Selection {
  environment: Environment;
  /** Why this environment: shown with --verbose. */
  reason: string;
  /**
   * Found with no option naming it (the active VIRTUAL_ENV or CONDA_PREFIX, the nearest .venv):
   * a command run here without options acts on it too.
   */
  discovered?: boolean;
  /**
   * The venv a command run here would have found (a `.venv`, or the venv it runs in) when the
   * active VIRTUAL_ENV or CONDA_PREFIX, which wins, is another: worth a warning, since the user
   * in a project may have forgotten what is activated (uv's issue 5837).
   */
  passedOver?: { venv: string; by: "VIRTUAL_ENV" | "CONDA_PREFIX" };
}

/** The venv found here, when the environment the active `variable` names is another. */
function passedOver(
  cwd: string,
  active: Environment,
  by: "VIRTUAL_ENV" | "CONDA_PREFIX",
): Selection["passedOver"] {
  const venv = findProjectVenv(cwd);
  return venv === null || realDirectory(venv) === realDirectory(active.root) ? undefined : { venv, by };
}

function venvOf(interpreter: Interpreter, inspect: InspectOptions): Environment | null {
  if (!isVirtualEnvironment(interpreter)) return null;
  return openVirtualEnvironment(interpreter.facts.prefix, inspect);
}

function fromPython(request: string, context: DiscoveryContext, inspect: InspectOptions): Environment {
  const parsed = parsePythonRequest(request);
  if (parsed.kind === "path") {
    if (isVirtualEnvironmentDirectory(parsed.path)) return openVirtualEnvironment(parsed.path, inspect);
    const venvRoot = dirname(dirname(parsed.path));
    if (existsSync(parsed.path) && isVirtualEnvironmentDirectory(venvRoot))
      return openVirtualEnvironment(venvRoot, inspect);
  }
  const interpreter = findInterpreter(parsed, context, inspect);
  return venvOf(interpreter, inspect) ?? systemEnvironment(interpreter, context.env);
}

/**
 * The message of a PEP 668 marker: its `Error` key, in the user's language when the marker has one
 * (`Error-de_DE`, then `Error-de`), else null (no readable key: the caller says it in its words).
 */
export function externallyManagedMessage(text: string, env: NodeJS.ProcessEnv): string | null {
  const section = parseIni(text).get("externally-managed");
  if (section === undefined) return null;
  const locale = (env.LC_ALL || env.LC_MESSAGES || env.LANG || "").replace(/[.@].*$/, "").toLowerCase();
  const keys =
    locale && locale !== "c" && locale !== "posix"
      ? [`error-${locale}`, `error-${locale.split("_")[0]}`]
      : [];
  for (const key of [...keys, "error"]) {
    const message = section.get(key);
    if (message) return message;
  }
  return null;
}

function checkExternallyManaged(
  environment: Environment,
  options: SelectOptions,
  env: NodeJS.ProcessEnv,
): void {
  if (!options.modifies || environment.kind !== "system" || options.breakSystemPackages) return;
  // Read now, not from the cached inspection: a marker added or removed since counts.
  const stdlib = environment.interpreter.facts.stdlib;
  let marker: string;
  try {
    if (!stdlib) return;
    marker = readFileSync(join(stdlib, "EXTERNALLY-MANAGED"), "utf8");
  } catch {
    return;
  }
  const message = externallyManagedMessage(marker, env);
  throw new SpiceError(
    "E_EXTERNALLY_MANAGED",
    `The Python at ${environment.interpreter.path} is managed by your system (PEP 668)`,
    {
      cause: message ?? "its EXTERNALLY-MANAGED marker says packages belong to the system package manager",
      hint: "Create a virtual environment with `spice venv` and install there, or pass --break-system-packages if you really mean it",
    },
  );
}

/**
 * A venv whose bin/python does not start (a link left dangling when its interpreter moved, while
 * pyvenv.cfg still leads to one) is not changed: what spice installed could not be run there, and
 * uv and pip, which run that python, fail on it too.
 */
function checkVenvInterpreter(environment: Environment, options: SelectOptions): void {
  if (!options.modifies || environment.kind !== "venv" || existsSync(environment.python)) return;
  const target = linkTarget(environment.python);
  const [major, minor] = environment.interpreter.facts.version_info;
  throw new SpiceError(
    "E_BROKEN_VENV",
    `The virtual environment at ${environment.root} has no working python`,
    {
      cause:
        target === null
          ? `${environment.python} is missing`
          : `${environment.python} links to ${target}, which does not exist`,
      hint: `Repair its links with \`spice venv --allow-existing --python ${major}.${minor} ${environment.root}\`, or recreate it with --clear`,
    },
  );
}

/**
 * `--python ROOT/bin/python` where ROOT looks like a virtual environment (its activate script and
 * site-packages) but lacks the pyvenv.cfg that makes it one: that python runs as the interpreter
 * it links to. ROOT, when `request` reached the (system) environment so; else null.
 */
export function venvWithoutConfig(environment: Environment, request: string): string | null {
  if (environment.kind !== "system") return null;
  const given = resolve(request);
  if (!lstatSync(given, { throwIfNoEntry: false })?.isSymbolicLink()) return null;
  const root = dirname(dirname(given));
  const [major, minor] = environment.interpreter.facts.version_info;
  const looksLikeVenv =
    existsSync(join(root, "bin", "activate")) &&
    existsSync(join(root, "lib", `python${major}.${minor}`, "site-packages"));
  return root !== environment.interpreter.facts.prefix && looksLikeVenv ? root : null;
}

/**
 * A change through such a venv would go into the global Python's own site-packages (what the
 * fuzzer did to this machine's pyenv Python when it deleted a copy's pyvenv.cfg): refused unless
 * --system asks for that Python.
 */
function checkVenvWithoutConfig(environment: Environment, request: string, options: SelectOptions): void {
  if (!options.modifies || options.system) return;
  const root = venvWithoutConfig(environment, request);
  if (root === null) return;
  throw new SpiceError("E_BROKEN_VENV", `${root} looks like a virtual environment, but has no pyvenv.cfg`, {
    cause: `without it, ${resolve(request)} runs as the Python at ${environment.root} itself, so a change would go into that Python's own site-packages`,
    hint: `Recreate it with \`spice venv --clear ${root}\`, or pass --system to change the Python at ${environment.root} on purpose`,
  });
}

/**
 * Virtual environments directly in `directory` under another name than .venv (`venv`, `env`),
 * which spice does not take without being told: named in the hint when none was found.
 */
export function venvsIn(directory: string): string[] {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && isVirtualEnvironmentDirectory(join(directory, entry.name)))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/**
 * The venv whose `bin` puts python3 first on PATH without VIRTUAL_ENV (a Dockerfile's
 * `ENV PATH=/opt/venv/bin:$PATH`, where pip would install into it): said in the hint, not taken.
 */
function venvOnPath(context: DiscoveryContext): string | null {
  const python3 = whichOnPath("python3", context);
  if (python3 === null) return null;
  const root = dirname(dirname(python3));
  return isVirtualEnvironmentDirectory(root) ? root : null;
}

/**
 * The prefix of the Python selectEnvironment acts on (its sys.prefix), found without inspecting
 * it, for what must be known before (pip's "site" pip.conf, read from that prefix): the one
 * `python` names, else VIRTUAL_ENV, else an active conda environment other than base, else the
 * nearest .venv, else with `system` the python3 on PATH. Null for none, and for a version to find.
 */
export function environmentRootOf(
  python: string | undefined,
  system: boolean,
  context: DiscoveryContext,
): string | null {
  const { env, cwd } = context;
  if (python) return prefixOfPython(resolve(cwd, python));
  if (env.VIRTUAL_ENV) return env.VIRTUAL_ENV;
  const found = activeCondaPrefix(env) ?? findProjectVenv(cwd);
  if (found !== null || !system) return found;
  const python3 = pythonOnPath(context);
  return python3 === null ? null : prefixOfPython(python3);
}

/** What --system takes: python3 on PATH, else python. */
function pythonOnPath(context: DiscoveryContext): string | null {
  return whichOnPath("python3", context) ?? whichOnPath("python", context);
}

/**
 * A Python's prefix from its path: an environment's directory as given, a venv's root for a
 * python in its bin, else the directory above the bin of the executable it really is.
 */
function prefixOfPython(path: string): string | null {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats?.isDirectory()) return path;
  if (!stats?.isFile()) return null;
  const root = dirname(dirname(path));
  return isVirtualEnvironmentDirectory(root) ? root : dirname(dirname(realpathSync(path)));
}

export function selectEnvironment(
  options: SelectOptions,
  context: DiscoveryContext,
  inspect: InspectOptions,
): Selection {
  const { env, cwd } = context;
  // Looked at only when neither --python nor VIRTUAL_ENV says: each may cost a realpath or two.
  const discovering = !options.python && !env.VIRTUAL_ENV;
  const condaBase = discovering ? condaBasePrefix(env) : null;
  const condaPrefix = discovering ? activeCondaPrefix(env, condaBase) : null;
  let base: Selection | null = null;
  if (options.python) {
    base = {
      environment: fromPython(options.python, context, inspect),
      reason: options.pythonReason ?? `--python ${options.python}`,
    };
    checkVenvWithoutConfig(base.environment, resolve(cwd, options.python), options);
  } else if (env.VIRTUAL_ENV) {
    // An activated environment that is gone is said, not passed over for another (as uv does).
    if (!isVirtualEnvironmentDirectory(env.VIRTUAL_ENV))
      throw new SpiceError(
        "E_NO_ENVIRONMENT",
        `VIRTUAL_ENV is ${env.VIRTUAL_ENV}, which is not a virtual environment (it has no pyvenv.cfg)`,
        {
          cause: "the environment that was activated in this shell was moved or deleted since",
          hint: `Deactivate it (\`deactivate\`, or unset VIRTUAL_ENV), or make it again: spice venv ${env.VIRTUAL_ENV}`,
        },
      );
    const environment = openVirtualEnvironment(env.VIRTUAL_ENV, inspect);
    base = {
      environment,
      reason: "the active VIRTUAL_ENV",
      discovered: true,
      passedOver: passedOver(cwd, environment, "VIRTUAL_ENV"),
    };
  } else if (condaPrefix !== null) {
    const environment = systemEnvironment(
      inspectInterpreter(join(condaPrefix, "bin", "python"), inspect),
      env,
    );
    base = {
      environment,
      reason: "the active CONDA_PREFIX",
      discovered: true,
      passedOver: passedOver(cwd, environment, "CONDA_PREFIX"),
    };
  } else {
    const project = findProjectVenv(cwd);
    if (project !== null)
      base = {
        environment: openVirtualEnvironment(project, inspect),
        reason: `${project} (${basename(project) === ".venv" ? "the nearest .venv" : "the virtual environment the working directory is in"}${condaBase === null ? "" : `; the active CONDA_PREFIX ${condaBase} is conda's base environment, used only when named`})`,
        discovered: true,
      };
  }
  const needsInterpreterOnly =
    options.target !== undefined || options.prefix !== undefined || options.root !== undefined;
  if (base === null && (options.system || needsInterpreterOnly)) {
    const python3 = pythonOnPath(context);
    if (python3 === null) {
      throw new SpiceError("E_NO_PYTHON", "No python3 on PATH", {
        hint: "Install Python, or pass --python with a path",
      });
    }
    const interpreter = inspectInterpreter(python3, inspect);
    base = {
      environment: venvOf(interpreter, inspect) ?? systemEnvironment(interpreter, env),
      reason: `${python3} on PATH (--system)`,
    };
  }
  if (base === null) {
    const nearby = venvsIn(cwd);
    const onPath = venvOnPath(context);
    throw new SpiceError("E_NO_ENVIRONMENT", `No virtual environment found in ${cwd} or its parents`, {
      cause:
        "spice acts on an activated environment (VIRTUAL_ENV), --python, or a .venv; never on a Python it merely finds on PATH",
      hint:
        nearby.length > 0
          ? `${someOf(nearby, 5)} ${nearby.length === 1 ? "is a virtual environment" : "are virtual environments"} here: pass --python ${pyShlexQuote(nearby[0])} (or activate it), or create .venv with \`spice venv\``
          : onPath !== null
            ? `python3 on PATH runs in the virtual environment ${onPath} (its bin is first on PATH without VIRTUAL_ENV, as a Dockerfile's ENV PATH=... leaves it): pass --python ${pyShlexQuote(onPath)}, or set VIRTUAL_ENV=${pyShlexQuote(onPath)}`
            : condaBase !== null
              ? `The active CONDA_PREFIX ${condaBase} is conda's base environment, conda's own installation, which spice changes only when asked: pass --python ${pyShlexQuote(condaBase)} to use it, \`conda activate\` another environment, or create a venv with \`spice venv\``
              : "Create one with `spice venv`, or pass --system to use the python3 on PATH itself",
    });
  }
  const interpreter = base.environment.interpreter;
  if (options.target !== undefined) {
    if (options.root !== undefined) throw new UsageError("--root and --target cannot be combined");
    return {
      environment: targetEnvironment(interpreter, options.target),
      reason: `--target ${options.target}`,
    };
  }
  // A staging directory under --root is no installed Python: PEP 668 does not apply, as in pip.
  const { root } = options;
  const rooted = (selection: Selection): Selection =>
    root === undefined
      ? selection
      : {
          environment: rootedEnvironment(selection.environment, root),
          reason: `${selection.reason}, under --root ${root}`,
        };
  if (options.prefix !== undefined)
    return rooted({
      environment: prefixEnvironment(interpreter, options.prefix),
      reason: `--prefix ${options.prefix}`,
    });
  if (options.user) {
    if (base.environment.kind === "venv") {
      throw new SpiceError("E_USER_IN_VENV", "Cannot install with --user into a virtual environment", {
        cause: "user site-packages are not visible inside virtual environments",
        hint: "Drop --user to install into the environment itself",
      });
    }
    if (root === undefined) checkExternallyManaged(base.environment, options, env);
    return rooted({ environment: userEnvironment(interpreter, env), reason: "--user" });
  }
  if (root !== undefined) return rooted(base);
  checkExternallyManaged(base.environment, options, env);
  checkVenvInterpreter(base.environment, options);
  return base;
}
