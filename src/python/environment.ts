// A Python environment spice installs into: a virtual environment, an interpreter's own
// site-packages (`--system`), or a `--target` / `--prefix` / `--user` directory. A virtual
// environment's facts are derived from its base interpreter's cached inspection and pyvenv.cfg,
// so that working with it runs no Python at all.

import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { SpiceError } from "../util/error.ts";
import { deadLinkCause, isDenied, linkTarget, realPath } from "../util/fs.ts";
import {
  type InspectOptions,
  type Interpreter,
  type InterpreterFacts,
  inspectInterpreter,
} from "./interpreter.ts";
import { madeWith, minorOf, readPyvenvCfg, repairHint } from "./pyvenv-cfg.ts";

export interface InstallScheme {
  purelib: string;
  platlib: string;
  scripts: string;
  /** Header files go to `<headers>/<distribution name>`. */
  headers: string;
  data: string;
}

export type EnvironmentKind = "venv" | "system" | "target" | "prefix" | "user";

export interface Environment {
  kind: EnvironmentKind;
  /** The directory named to the user (`Using ... environment at <root>`). */
  root: string;
  /** The interpreter whose facts apply (for a venv: facts as seen from inside it). */
  interpreter: Interpreter;
  /** The interpreter path scripts and shebangs should name. */
  python: string;
  scheme: InstallScheme;
  /** Directories whose distributions belong to this environment, in sys.path order. */
  sitePackages: string[];
  /** A venv's Python version as its pyvenv.cfg gives it. */
  madeFor?: string;
}

/**
 * The venv's Python version as made, and as its python runs now, where the two differ in
 * major.minor: the python3 its links lead to was upgraded under it (a distribution's or
 * Homebrew's upgrade), and what was installed for the old version is not importable.
 */
export function upgradedUnder(
  environment: Environment,
): { madeFor: string; running: string; minor: string } | null {
  const minor = minorOf(environment.madeFor);
  const [major, runningMinor, micro] = environment.interpreter.facts.version_info;
  if (minor === undefined || minor === `${major}.${runningMinor}`) return null;
  return { madeFor: environment.madeFor!, running: `${major}.${runningMinor}.${micro}`, minor };
}

export function isVirtualEnvironmentDirectory(prefix: string): boolean {
  return existsSync(join(prefix, "pyvenv.cfg"));
}

/**
 * The base interpreter's install paths, re-rooted at `base`: a venv's scheme, or the one the
 * interpreter prefers for a prefix (pip's --prefix: Debian's Pythons prefer posix_local there,
 * `base/local/lib/python3.X/dist-packages`).
 */
export function schemeFor(
  facts: InterpreterFacts,
  base: string,
  preferVenvScheme: boolean,
): Record<string, string> {
  const template = (preferVenvScheme ? facts.scheme_venv : facts.scheme_prefix) ?? facts.scheme_posix_prefix;
  if (template === null) {
    const short = `${facts.version_info[0]}.${facts.version_info[1]}`;
    const lib = join(base, "lib", `python${short}`, "site-packages");
    return {
      purelib: lib,
      platlib: lib,
      scripts: join(base, "bin"),
      data: base,
      include: join(base, "include", `python${short}`),
    };
  }
  const placeholder = facts.scheme_placeholder;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(template)) result[key] = value.split(placeholder).join(base);
  return result;
}

function versionShort(facts: InterpreterFacts): string {
  return `${facts.version_info[0]}.${facts.version_info[1]}`;
}

function toScheme(
  paths: Record<string, string>,
  headersBase: string,
  facts: InterpreterFacts,
): InstallScheme {
  return {
    purelib: paths.purelib,
    platlib: paths.platlib,
    scripts: paths.scripts,
    data: paths.data,
    // pip puts headers under include/site/pythonX.Y/<name> in a venv, as distutils did.
    headers: join(headersBase, "include", "site", `python${versionShort(facts)}`),
  };
}

function unique(paths: string[]): string[] {
  return [...new Set(paths)];
}

/** The facts of a venv's interpreter, derived from its base interpreter without running it. */
export function deriveVenvFacts(
  base: InterpreterFacts,
  prefix: string,
  systemSitePackages: boolean,
): InterpreterFacts {
  const paths = schemeFor(base, prefix, true);
  // The base's site directories are its scheme's and every other site-packages or dist-packages
  // its site module adds (Debian's adds /usr/lib/python3/dist-packages beside its scheme's
  // /usr/local/lib/python3.X/dist-packages): a venv sees none of them but with
  // include-system-site-packages, then after its own.
  const baseSite = new Set([base.paths.purelib, base.paths.platlib]);
  const isSite = (entry: string) => baseSite.has(entry) || /[/\\](site|dist)-packages$/.test(entry);
  const entries = base.sys_path.filter((entry) => entry !== "" && entry !== base.user_site);
  const sysPath = entries.filter((entry) => !isSite(entry));
  sysPath.push(...unique([paths.purelib, paths.platlib]));
  if (systemSitePackages)
    sysPath.push(...unique([...entries.filter(isSite), base.paths.purelib, base.paths.platlib]));
  return {
    ...base,
    executable: join(prefix, "bin", "python"),
    prefix,
    exec_prefix: prefix,
    paths,
    sys_path: sysPath,
    user_site_enabled: false,
    externally_managed: false,
  };
}

/** Opens the virtual environment at `prefix` from pyvenv.cfg and its (cached) base interpreter. */
export function openVirtualEnvironment(prefix: string, options: InspectOptions): Environment {
  const root = resolve(prefix);
  const config = readPyvenvCfg(root);
  if (config === null) {
    throw new SpiceError("E_NOT_A_VENV", `${root} is not a virtual environment (it has no pyvenv.cfg)`, {
      hint: `Create one with \`spice venv ${root}\``,
    });
  }
  const home = config.get("home");
  const python = join(root, "bin", "python");
  // What bin/python runs when it links to an interpreter: pyvenv.cfg may be stale there, as when
  // the python3 its home names was upgraded to another version under the venv (Python itself
  // follows the link). A copied bin/python (--copies) runs what pyvenv.cfg names.
  const linked = linkTarget(python) === null ? null : realPath(python);
  const candidates = [
    linked ?? undefined,
    config.get("executable"),
    ...(home
      ? [
          `python${config.get("version_info")?.split(".").slice(0, 2).join(".") ?? ""}`,
          "python3",
          "python",
        ].map((name) => join(home, name))
      : []),
  ].filter(
    (candidate): candidate is string => candidate !== undefined && candidate !== "" && existsSync(candidate),
  );
  let interpreter: Interpreter;
  if (candidates.length > 0) {
    const base = inspectInterpreter(candidates[0], options);
    const systemSite = (config.get("include-system-site-packages") ?? "false").toLowerCase() === "true";
    interpreter = {
      path: python,
      realPath: base.realPath,
      facts: deriveVenvFacts(base.facts, root, systemSite),
    };
  } else if (existsSync(python)) {
    // pyvenv.cfg does not lead to the base interpreter (a moved or hand-made venv): ask it.
    interpreter = inspectInterpreter(python, options);
  } else {
    // bin/python is most often a link to the base interpreter, left dangling when it went; or
    // one this user may not reach (made by root from a Python in /root, run as another user).
    const target = linkTarget(python);
    if (target !== null && isDenied(python)) {
      throw new SpiceError(
        "E_BROKEN_VENV",
        `The virtual environment at ${root} has no interpreter this user may run`,
        {
          cause: `bin/python ${deadLinkCause(target, true)}`,
          hint: `Run as the user who made the environment, or make it with a Python every user may run (one outside a home directory: \`spice venv --clear --python /usr/bin/python3 ${root}\`)`,
        },
      );
    }
    throw new SpiceError("E_BROKEN_VENV", `The virtual environment at ${root} has no working interpreter`, {
      cause: `pyvenv.cfg names home = ${home ?? "(nothing)"}, which holds no Python, and bin/python ${target === null ? "is missing" : deadLinkCause(target, false)}`,
      hint: repairHint(root, config),
    });
  }
  const facts = interpreter.facts;
  return {
    kind: "venv",
    root,
    interpreter,
    python,
    scheme: toScheme(facts.paths, root, facts),
    sitePackages: unique([
      facts.paths.purelib,
      facts.paths.platlib,
      ...facts.sys_path.filter((entry) => entry.includes("-packages")),
    ]),
    madeFor: madeWith(config),
  };
}

/**
 * The user site (PEP 370) as Python sees it now, and its base. PYTHONUSERBASE moves it; the cached
 * inspection ran with -E and did not see that.
 */
export function userSite(facts: InterpreterFacts, env: NodeJS.ProcessEnv): { base: string; site: string } {
  const base = env.PYTHONUSERBASE || join(homedir(), ".local");
  const site =
    env.PYTHONUSERBASE || facts.user_site === null
      ? join(base, "lib", `python${versionShort(facts)}`, "site-packages")
      : facts.user_site;
  return { base, site };
}

/** The interpreter's own environment (`--system`). */
export function systemEnvironment(
  interpreter: Interpreter,
  env: NodeJS.ProcessEnv = process.env,
): Environment {
  const facts = interpreter.facts;
  const sitePackages = facts.sys_path.filter(
    (entry) => /[/\\](site|dist)-packages$/.test(entry) && entry !== facts.user_site,
  );
  // site.py puts the user site first, when it is enabled and exists: decided now, as the cached
  // inspection saw it only if it existed then (a first `pip install --user` makes it).
  const { site } = userSite(facts, env);
  const user =
    facts.user_site_enabled &&
    !env.PYTHONNOUSERSITE &&
    statSync(site, { throwIfNoEntry: false })?.isDirectory()
      ? [site]
      : [];
  return {
    kind: "system",
    root: facts.prefix,
    interpreter,
    python: interpreter.path,
    scheme: toScheme(facts.paths, facts.prefix, facts),
    sitePackages: unique([...user, facts.paths.purelib, facts.paths.platlib, ...sitePackages]),
  };
}

/** `--target DIR`: everything importable lands in DIR itself, scripts in DIR/bin. */
export function targetEnvironment(interpreter: Interpreter, directory: string): Environment {
  const root = resolve(directory);
  return {
    kind: "target",
    root,
    interpreter,
    python: interpreter.facts.executable,
    scheme: {
      purelib: root,
      platlib: root,
      scripts: join(root, "bin"),
      data: root,
      // Where pip's --target puts them: its home scheme's include/site/pythonX.Y, moved in.
      headers: join(root, "include", "site", `python${versionShort(interpreter.facts)}`),
    },
    sitePackages: [root],
  };
}

/** `--prefix DIR`: the interpreter's own layout, re-rooted at DIR. */
export function prefixEnvironment(interpreter: Interpreter, directory: string): Environment {
  const root = resolve(directory);
  const paths = schemeFor(interpreter.facts, root, false);
  return {
    kind: "prefix",
    root,
    interpreter,
    python: interpreter.facts.executable,
    scheme: toScheme(paths, root, interpreter.facts),
    sitePackages: unique([paths.purelib, paths.platlib]),
  };
}

/**
 * pip's `--root DIR`: an environment's layout moved under DIR, as a staging directory a package
 * is built in (`DESTDIR`). Scripts keep the environment's own interpreter in their shebangs, as
 * pip writes them: they are meant to run once the tree is copied to `/`. What is installed is
 * what DIR holds.
 */
export function rootedEnvironment(environment: Environment, directory: string): Environment {
  const root = resolve(directory);
  const under = (path: string) => join(root, resolve(path));
  const { purelib, platlib, scripts, data, headers } = environment.scheme;
  const scheme = {
    purelib: under(purelib),
    platlib: under(platlib),
    scripts: under(scripts),
    data: under(data),
    headers: under(headers),
  };
  return {
    kind: "prefix",
    root: under(environment.root),
    interpreter: environment.interpreter,
    python: environment.python,
    scheme,
    sitePackages: unique([scheme.purelib, scheme.platlib]),
  };
}

/**
 * `--user`: the user site (~/.local on Linux). What the interpreter's own site directories hold
 * counts as installed too, as with pip: a requirement one of them satisfies is not installed
 * again into the user site (two copies of one version on one path), and a new version goes into
 * the user site, shadowing the system's copy, which stays (ownsDistribution).
 */
export function userEnvironment(interpreter: Interpreter, env: NodeJS.ProcessEnv = process.env): Environment {
  const facts = interpreter.facts;
  const { base, site } = userSite(facts, env);
  const system = systemEnvironment(interpreter, env).sitePackages.filter((entry) => entry !== site);
  return {
    kind: "user",
    root: base,
    interpreter,
    python: interpreter.facts.executable,
    scheme: {
      purelib: site,
      platlib: site,
      scripts: join(base, "bin"),
      data: base,
      headers: join(base, "include", `python${versionShort(facts)}`),
    },
    sitePackages: unique([site, ...system]),
  };
}

/**
 * The virtual environment a command run in `cwd` belongs to, or null: from `cwd` up, the first
 * directory that has a `.venv` or is itself a virtual environment (a command run inside a venv it
 * did not activate, `cd venv && spice pip list`, acts on that venv, as uv does).
 */
export function findProjectVenv(cwd: string): string | null {
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    const candidate = join(directory, ".venv");
    if (isVirtualEnvironmentDirectory(candidate)) return candidate;
    if (isVirtualEnvironmentDirectory(directory)) return directory;
    if (dirname(directory) === directory) return null;
  }
}
