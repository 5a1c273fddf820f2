// Finding the Python interpreters a machine has: the active virtual or conda environment, PATH
// (pyenv shims resolved the way pyenv resolves them, without running pyenv), pyenv's versions,
// and /usr/bin and /usr/local/bin. Each is inspected (cached) and duplicates are merged.

import {
  accessSync,
  constants,
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { SpiceError } from "../util/error.ts";
import { realDirectory } from "../util/fs.ts";
import {
  type InspectOptions,
  type Interpreter,
  inspectInterpreter,
  inspectSideBySide,
  venvConfigOf,
} from "./interpreter.ts";

export type InterpreterSource = "VIRTUAL_ENV" | "CONDA_PREFIX" | "PATH" | "pyenv" | "system" | "explicit";

export interface Candidate {
  path: string;
  source: InterpreterSource;
}

export interface DiscoveredInterpreter extends Interpreter {
  sources: InterpreterSource[];
}

export interface DiscoveryContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
}

// python, python3, python3.13, and the names of free-threaded and debug builds: python3.13t,
// python3.13d (Debian's python3-dbg), python3.13td.
const PYTHON_NAME = /^python(\d+(\.\d+)?(t|d|td)?)?$/;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function pyenvRoot(env: NodeJS.ProcessEnv): string {
  return env.PYENV_ROOT || join(homedir(), ".pyenv");
}

function pathDirectories(env: NodeJS.ProcessEnv): string[] {
  return (env.PATH ?? "").split(delimiter).filter((entry) => entry !== "");
}

function isPyenvShimDirectory(directory: string, env: NodeJS.ProcessEnv): boolean {
  const root = pyenvRoot(env);
  return directory.startsWith(`${root}/`) && directory.endsWith("/shims");
}

/** The pyenv version names in effect: PYENV_VERSION, a .python-version file, or the global one. */
export interface PyenvSelection {
  versions: string[];
  /** PYENV_VERSION, a .python-version file, or pyenv's global version file (or none: "system"). */
  source: string;
}

/** The versions pyenv's shims run here, as pyenv chooses them, and what chose them. */
export function pyenvSelection(context: DiscoveryContext): PyenvSelection {
  const { env, cwd } = context;
  const split = (text: string) =>
    text
      .split(/[\s:]+/)
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "" && !entry.startsWith("#"));
  if (env.PYENV_VERSION) return { versions: split(env.PYENV_VERSION), source: "PYENV_VERSION" };
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    const file = join(directory, ".python-version");
    if (existsSync(file)) return { versions: split(readFileSync(file, "utf8")), source: file };
    if (dirname(directory) === directory) break;
  }
  const global = join(pyenvRoot(env), "version");
  return existsSync(global)
    ? { versions: split(readFileSync(global, "utf8")), source: global }
    : { versions: ["system"], source: "pyenv's default" };
}

/** Whether pyenv has `version` installed. */
export function pyenvHas(version: string, env: NodeJS.ProcessEnv): boolean {
  return pyenvVersionDirectory(version, env) !== null;
}

/**
 * The directory of the version pyenv runs for `version`, if installed, resolved as pyenv 2.3+
 * resolves it: the name itself (`3.11.7`, a pyenv-virtualenv name), without a `python-` prefix,
 * or else (`byPrefix`) the newest installed final release it prefixes (`3.8` is 3.8.18; `3.13t`
 * a free-threaded 3.13.x).
 */
export function pyenvVersionDirectory(
  version: string,
  env: NodeJS.ProcessEnv,
  byPrefix = true,
): string | null {
  const versions = join(pyenvRoot(env), "versions");
  const normalised = version.startsWith("python-") ? version.slice("python-".length) : version;
  const named = (name: string) =>
    name !== "" && !name.includes("/") && name !== "." && name !== ".." && existsSync(join(versions, name));
  if (named(version)) return join(versions, version);
  if (named(normalised)) return join(versions, normalised);
  if (!byPrefix) return null;
  let installed: string[];
  try {
    installed = readdirSync(versions);
  } catch {
    return null;
  }
  for (const prefix of new Set([version, normalised])) {
    const latest = latestWithPrefix(prefix, installed);
    if (latest !== null) return join(versions, latest);
  }
  return null;
}

/** pyenv's `latest`: the newest of `names` that `prefix` starts (then `.` or `-`), final releases only. */
function latestWithPrefix(prefix: string, names: readonly string[]): string | null {
  const threaded = /^(.*\d)t$/.exec(prefix);
  const stem = threaded === null ? prefix : threaded[1];
  const matching = names.filter(
    (name) =>
      name.startsWith(stem) &&
      (name[stem.length] === "." || name[stem.length] === "-") &&
      name.endsWith(threaded === null ? "" : "t") &&
      !/(-dev|-src|-latest|(a|b|rc)\d+)$/.test(name) &&
      (threaded !== null || !/\dt$/.test(name)),
  );
  const fields = (name: string) =>
    name.split(/[.-]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  matching.sort((a, b) => {
    const [x, y] = [fields(a), fields(b)];
    for (let index = 0; index < Math.max(x.length, y.length); index++) {
      const [p, q] = [x[index] ?? -1, y[index] ?? -1];
      if (p === q) continue;
      if (typeof p === "number" && typeof q === "number") return q - p;
      return String(q).localeCompare(String(p));
    }
    return 0;
  });
  return matching[0] ?? null;
}

/** Where a pyenv shim named `name` leads, or null when it leads nowhere. */
export function resolvePyenvShim(name: string, context: DiscoveryContext): string | null {
  for (const version of pyenvSelection(context).versions) {
    if (version === "system") {
      for (const directory of pathDirectories(context.env)) {
        if (isPyenvShimDirectory(directory, context.env)) continue;
        const candidate = join(directory, name);
        if (isExecutableFile(candidate)) return candidate;
      }
      continue;
    }
    const directory = pyenvVersionDirectory(version, context.env);
    const candidate = directory === null ? null : join(directory, "bin", name);
    if (candidate !== null && isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** The first executable `name` on PATH, and what running it runs: itself, or a pyenv shim's target (null: none). */
export function commandOnPath(
  name: string,
  context: DiscoveryContext,
): { found: string; runs: string | null } | null {
  for (const directory of pathDirectories(context.env)) {
    const found = join(directory, name);
    if (!isExecutableFile(found)) continue;
    return {
      found,
      runs: isPyenvShimDirectory(directory, context.env) ? resolvePyenvShim(name, context) : found,
    };
  }
  return null;
}

/** The first executable `name` on PATH, with a pyenv shim resolved to its target. */
export function whichOnPath(name: string, context: DiscoveryContext): string | null {
  return commandOnPath(name, context)?.runs ?? null;
}

function listPythons(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return [];
  }
  return names
    .filter((name) => PYTHON_NAME.test(name))
    .sort()
    .map((name) => join(directory, name))
    .filter(isExecutableFile);
}

/**
 * The active conda environment's prefix when it is conda's base environment: conda's own
 * installation, which a shell activates by default (`auto_activate_base`), so CONDA_PREFIX is
 * set in most shells of a machine that has conda. Like uv, spice treats it as a system Python,
 * not as an activated environment: a project's .venv comes first, and changing base needs
 * --system or --python. Conda names it `base` (`root` before conda 4.4) in CONDA_DEFAULT_ENV;
 * it is also the prefix conda itself (CONDA_EXE, `<prefix>/bin/conda`) or micromamba's root
 * (MAMBA_ROOT_PREFIX) lives in.
 */
export function condaBasePrefix(env: NodeJS.ProcessEnv): string | null {
  const prefix = env.CONDA_PREFIX;
  if (!prefix) return null;
  if (env.CONDA_DEFAULT_ENV === "base" || env.CONDA_DEFAULT_ENV === "root") return prefix;
  const roots = [env.CONDA_EXE ? dirname(dirname(env.CONDA_EXE)) : "", env.MAMBA_ROOT_PREFIX ?? ""];
  return roots.some((root) => root !== "" && realDirectory(root) === realDirectory(prefix)) ? prefix : null;
}

/**
 * The active conda environment's prefix, unless it is the base environment (condaBasePrefix) or
 * has no Python (conda environments may hold other tools alone): what spice acts on before a .venv.
 */
export function activeCondaPrefix(
  env: NodeJS.ProcessEnv,
  base: string | null = condaBasePrefix(env),
): string | null {
  const prefix = env.CONDA_PREFIX;
  return prefix && base === null && existsSync(join(prefix, "bin", "python")) ? prefix : null;
}

/**
 * The interpreters a request prefers to all others, in chooseInterpreter's order: the active
 * environment's, then what `python3` on PATH runs. When one of them answers the request, no
 * other interpreter needs to be started.
 */
export function preferredCandidates(context: DiscoveryContext): string[] {
  const python3 = whichOnPath("python3", context);
  return [
    ...activeCandidates(context.env)
      .map((candidate) => candidate.path)
      .filter((path) => existsSync(path)),
    ...(python3 === null ? [] : [python3]),
  ];
}

/** The active environment's interpreter: VIRTUAL_ENV's, or a conda environment's other than base. */
function activeCandidates(env: NodeJS.ProcessEnv): Candidate[] {
  const found: Candidate[] = [];
  if (env.VIRTUAL_ENV) found.push({ path: join(env.VIRTUAL_ENV, "bin", "python"), source: "VIRTUAL_ENV" });
  // conda's base environment is found as any installed Python is: through PATH.
  const conda = activeCondaPrefix(env);
  if (conda !== null) found.push({ path: join(conda, "bin", "python"), source: "CONDA_PREFIX" });
  return found;
}

/** Every place an interpreter may be, in order of preference, before inspection. */
export function candidates(context: DiscoveryContext): Candidate[] {
  const { env } = context;
  const found = activeCandidates(env);
  for (const directory of pathDirectories(env)) {
    if (isPyenvShimDirectory(directory, env)) {
      for (const shim of listPythons(directory)) {
        const target = resolvePyenvShim(shim.slice(directory.length + 1), context);
        if (target !== null) found.push({ path: target, source: "PATH" });
      }
    } else {
      for (const path of listPythons(directory)) found.push({ path, source: "PATH" });
    }
  }
  const versions = join(pyenvRoot(env), "versions");
  let names: string[] = [];
  try {
    names = readdirSync(versions).sort();
  } catch {
    // no pyenv
  }
  for (const name of names) {
    const bin = join(versions, name, "bin");
    const path = ["python3", "python"].map((entry) => join(bin, entry)).find(isExecutableFile);
    if (path) found.push({ path, source: "pyenv" });
  }
  for (const directory of ["/usr/local/bin", "/usr/bin"]) {
    for (const path of listPythons(directory)) found.push({ path, source: "system" });
  }
  return found.filter((candidate) => existsSync(candidate.path));
}

/** Identity of an environment: the real interpreter binary plus the prefix (venvs share binaries). */
function identity(interpreter: Interpreter): string {
  return `${realPathOf(interpreter.facts.executable || interpreter.realPath)}\u0000${interpreter.facts.prefix}`;
}

/**
 * What one run of Python started as `path` is: the binary, and the virtual environment a
 * pyvenv.cfg beside the link makes of it (a venv's bin/python leads to its base's binary).
 */
function runKey(path: string, realPath = realPathOf(path)): string {
  return `${realPath}\u0000${venvConfigOf(path) ?? ""}`;
}

export function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export interface DiscoveryResult {
  interpreters: DiscoveredInterpreter[];
  /** Candidates that could not be inspected, with the reason. */
  skipped: Array<{ candidate: Candidate; reason: string }>;
  /** The interpreter `python3` on PATH runs, if any. */
  defaultPython3: DiscoveredInterpreter | null;
}

/**
 * Inspects every candidate and merges those that are the same environment. `passOver` leaves out,
 * uninspected, the candidates whose real path (links followed) cannot be what is looked for.
 */
export function discoverInterpreters(
  context: DiscoveryContext,
  options: InspectOptions,
  passOver: (realPath: string) => boolean = () => false,
  found: readonly Candidate[] = candidates(context),
): DiscoveryResult {
  const byIdentity = new Map<string, DiscoveredInterpreter>();
  const byPath = new Map<string, DiscoveredInterpreter>();
  const skipped: DiscoveryResult["skipped"] = [];
  for (const candidate of found) {
    const realPath = realPathOf(candidate.path);
    const run = runKey(candidate.path, realPath);
    const known = byPath.get(run);
    if (known !== undefined) {
      if (!known.sources.includes(candidate.source)) known.sources.push(candidate.source);
      continue;
    }
    if (passOver(realPath)) continue;
    let interpreter: Interpreter;
    try {
      interpreter = inspectInterpreter(candidate.path, options);
    } catch (error) {
      if (!(error instanceof SpiceError)) throw error;
      skipped.push({ candidate, reason: error.details.cause ?? error.message });
      continue;
    }
    const key = identity(interpreter);
    const existing = byIdentity.get(key);
    if (existing !== undefined) {
      if (!existing.sources.includes(candidate.source)) existing.sources.push(candidate.source);
      byPath.set(run, existing);
      continue;
    }
    const discovered: DiscoveredInterpreter = { ...interpreter, sources: [candidate.source] };
    byIdentity.set(key, discovered);
    byPath.set(run, discovered);
  }
  const python3 = whichOnPath("python3", context);
  const defaultPython3 = python3 === null ? null : (byPath.get(runKey(python3)) ?? null);
  return { interpreters: [...byIdentity.values()], skipped, defaultPython3 };
}

/**
 * discoverInterpreters, after inspecting side by side the candidates the cache does not know (a
 * first run: about ten interpreters here, one after another 0.3 s, side by side half that).
 */
export async function discoverInterpretersSideBySide(
  context: DiscoveryContext,
  options: InspectOptions,
): Promise<DiscoveryResult> {
  const found = candidates(context);
  const runs = new Map<string, string>();
  for (const candidate of found) {
    const run = runKey(candidate.path);
    if (!runs.has(run)) runs.set(run, candidate.path);
  }
  await inspectSideBySide([...runs.values()], options);
  return discoverInterpreters(context, options, undefined, found);
}
