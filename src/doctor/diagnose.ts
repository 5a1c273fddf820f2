// Why "it works on my machine" imports the wrong package: which interpreters `python` and `pip`
// really are, whether the active environment is the one in use, what leaks into it from outside,
// what shadows what, and which installed distributions are broken. Each finding says what was
// found, why it matters, and the command that fixes it.

import { closeSync, existsSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import {
  activeRequirements,
  distributionsIn,
  type InstalledDistribution,
  installedDistributions,
  isInInstallDirectories,
  listedFiles,
  ownsDistribution,
  pthDirectories,
} from "../install/installed.ts";
import { type DiscoveryContext, whichOnPath } from "../python/discovery.ts";
import { type Environment, readPyvenvCfg, userSite } from "../python/environment.ts";
import { markerEnvironment } from "../python/interpreter.ts";
import { linkTarget } from "../util/fs.ts";
import { plural } from "../util/plural.ts";

export type Severity = "error" | "warning" | "info";

export interface Finding {
  severity: Severity;
  code: string;
  /** What was found. */
  message: string;
  /** Why it matters. */
  why: string;
  /** The command (or action) that fixes it. */
  fix?: string;
}

/** Up to this many modules shadowed between the same directories get a finding each. */
const SHADOWED_ONE_BY_ONE = 3;

/**
 * Directories a project commonly has whose names a stray installed package or the standard
 * library also uses (`test` is the stdlib's own test suite): not worth a warning.
 */
const PROJECT_DIRECTORY_NAMES = new Set([
  "test",
  "tests",
  "docs",
  "doc",
  "examples",
  "scripts",
  "tools",
  "build",
  "dist",
  "benchmarks",
]);

/** A list for one finding's message: up to ten items, else the first eight and how many more. */
function abridged(items: readonly string[]): string {
  return (items.length > 10 ? [...items.slice(0, 8), `and ${items.length - 8} more`] : items).join(", ");
}

/** Appends `item` to the list `key` holds in `groups`. */
function addTo<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const list = groups.get(key);
  if (list === undefined) groups.set(key, [item]);
  else list.push(item);
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The interpreter a script's `#!` line names (following the /bin/sh trampoline pip writes). */
export function shebangInterpreter(path: string): string | null {
  let head: string;
  try {
    const fd = openSync(path, "r");
    const buffer = Buffer.alloc(512);
    const length = readSync(fd, buffer, 0, 512, 0);
    closeSync(fd);
    head = buffer.subarray(0, length).toString("latin1");
  } catch {
    return null;
  }
  if (!head.startsWith("#!")) return null;
  const lines = head.split("\n");
  if (lines[0].trim() === "#!/bin/sh" && lines[1]?.startsWith("'''exec' ")) {
    const match = /^'''exec' "?([^" ]+)"?/.exec(lines[1]);
    if (match === null || match[1].includes("$(")) return null; // relocatable: finds python beside itself
    return match[1];
  }
  const command = lines[0].slice(2).trim().split(/\s+/);
  if (command[0] === "/usr/bin/env") return command[1] ?? null;
  return command[0];
}

/**
 * A directory's entries; none when it is missing or no directory (a `.pth` line may name a file,
 * a zip or `/etc/passwd`, and a damaged venv may have a file for bin/).
 */
function namesIn(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

function topLevelNames(directory: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const entry of namesIn(directory)) {
    if (
      entry.startsWith(".") ||
      entry === "__pycache__" ||
      entry.endsWith(".dist-info") ||
      entry.endsWith(".egg-info")
    )
      continue;
    if (entry.endsWith(".pth") || entry.endsWith(".txt") || entry === "README") continue;
    const path = join(directory, entry);
    let isPackage = false;
    try {
      isPackage =
        statSync(path).isDirectory() &&
        (existsSync(join(path, "__init__.py")) ||
          readdirSync(path).some((name) => name.endsWith(".py") || name.endsWith(".so")));
    } catch {
      continue;
    }
    const module = isPackage ? entry : /^([A-Za-z_][\w]*)\.(py|pyc|so|.*\.so)$/.exec(entry)?.[1];
    if (module) names.set(module, path);
  }
  return names;
}

export interface DiagnoseInput {
  context: DiscoveryContext;
  environment: Environment | null;
  /** Why this environment was chosen (or why none was). */
  reason: string;
  /**
   * Whether `spice pip` finds this environment by itself here (the active VIRTUAL_ENV or
   * CONDA_PREFIX, the nearest .venv); if not, the fixes name it with --python.
   */
  foundByDefault: boolean;
}

export function diagnose({ context, environment, reason, foundByDefault }: DiagnoseInput): Finding[] {
  const findings: Finding[] = [];
  // A fix changes the environment examined, not whichever one `spice pip` would find here.
  const spicePip = (words: string) =>
    environment === null || foundByDefault
      ? `spice pip ${words}`
      : `spice pip ${words} --python ${environment.python}`;
  const { env } = context;
  const found = (finding: Finding) => findings.push(finding);

  // 1. What the commands on PATH really are.
  const tools = Object.fromEntries(
    ["python", "python3", "pip", "pip3"].map((name) => [name, whichOnPath(name, context)]),
  );
  const pythonPath = tools.python ?? tools.python3;
  const pythonReal = pythonPath ? realPath(pythonPath) : null;
  for (const pipName of ["pip", "pip3"]) {
    const pip = tools[pipName];
    if (!pip || !pythonPath) continue;
    const interpreter = shebangInterpreter(pip);
    if (interpreter === null) continue;
    const pipPrefix = dirname(dirname(interpreter));
    const pythonPrefix = dirname(dirname(pythonPath));
    if (realPath(interpreter) !== pythonReal || pipPrefix !== pythonPrefix) {
      found({
        severity: "warning",
        code: "pip-python-mismatch",
        message: `\`${pipName}\` (${pip}) installs into ${interpreter}, but \`${tools.python ? "python" : "python3"}\` runs ${pythonPath}`,
        why: `packages installed with \`${pipName} install\` will not be importable from \`python\`: the classic "installed it but import fails"`,
        fix: `use \`python -m pip\` (or \`spice pip ... --python ${pythonPath}\`) so the installer and the interpreter are the same`,
      });
    }
  }

  // 2. The active environment against the interpreter in use.
  if (env.VIRTUAL_ENV) {
    if (!existsSync(join(env.VIRTUAL_ENV, "pyvenv.cfg"))) {
      found({
        severity: "error",
        code: "virtual-env-missing",
        message: `VIRTUAL_ENV is ${env.VIRTUAL_ENV}, which is not a virtual environment (no pyvenv.cfg)`,
        why: "tools that honour VIRTUAL_ENV act on a directory that is gone or was never a venv",
        fix: `deactivate, or recreate it: spice venv ${env.VIRTUAL_ENV}`,
      });
    } else if (pythonPath && !resolve(pythonPath).startsWith(`${resolve(env.VIRTUAL_ENV)}/`)) {
      found({
        severity: "warning",
        code: "virtual-env-inactive",
        message: `VIRTUAL_ENV is ${env.VIRTUAL_ENV}, but \`python\` on PATH is ${pythonPath}`,
        why: "the environment you think is active is not the one `python` runs: PATH was changed after activation",
        fix: `run \`source ${env.VIRTUAL_ENV}/bin/activate\` again, or call ${env.VIRTUAL_ENV}/bin/python directly`,
      });
    }
  }
  for (const variable of ["PYTHONPATH", "PYTHONHOME"]) {
    if (env[variable]) {
      found({
        severity: "warning",
        code: `${variable.toLowerCase()}-set`,
        message: `${variable} is set (${env[variable]})`,
        why:
          variable === "PYTHONPATH"
            ? "its directories come before site-packages: modules there shadow the installed ones in every environment"
            : "it overrides where Python finds its standard library, for every interpreter",
        fix: `unset ${variable}`,
      });
    }
  }
  // CA certificates named where there are none: every HTTPS request of pip (through requests),
  // curl and spice to an index then fails, a container's usual "certificate verify failed".
  for (const variable of [
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "PIP_CERT",
    "SSL_CERT_DIR",
  ]) {
    const paths = variable === "SSL_CERT_DIR" ? (env[variable] ?? "").split(":") : [env[variable] ?? ""];
    const missing = paths.filter((path) => path !== "" && !existsSync(path));
    if (missing.length === 0) continue;
    found({
      severity: "warning",
      code: "ca-certificates-missing",
      message: `${variable} names ${missing.join(", ")}, which does not exist`,
      why: "pip (through requests), curl and spice look for the CA certificates of HTTPS there: requests to an index fail with a certificate error",
      fix: `unset ${variable}, or point it at the CA certificates (on Debian and Ubuntu: /etc/ssl/certs/ca-certificates.crt)`,
    });
  }

  if (environment === null) {
    found({
      severity: "info",
      code: "no-environment",
      message: `No environment to examine: ${reason}`,
      why: "only PATH and variables were checked",
      fix: "spice doctor --python PATH",
    });
    return findings;
  }
  const facts = environment.interpreter.facts;

  // 3. The environment itself.
  if (environment.kind === "venv") {
    const config = readPyvenvCfg(environment.root);
    const home = config?.get("home");
    if (
      home &&
      !["python3", "python", `python${facts.version_info[0]}.${facts.version_info[1]}`].some((name) =>
        existsSync(join(home, name)),
      )
    ) {
      found({
        severity: "error",
        code: "venv-home-missing",
        message: `The environment's base interpreter is gone: pyvenv.cfg says home = ${home}`,
        why: "the venv was moved, copied from another machine, or built on another image (a Docker layer): its python cannot start",
        fix: `spice venv --clear ${environment.root} --python <a Python ${facts.version_info[0]}.${facts.version_info[1]}>, then reinstall`,
      });
    }
    if ((config?.get("include-system-site-packages") ?? "false").toLowerCase() === "true") {
      found({
        severity: "warning",
        code: "system-site-packages",
        message: "include-system-site-packages = true",
        why: "the base interpreter's packages are importable from this environment, so it may use versions you never installed into it",
        fix: `spice venv --clear ${environment.root} (without --system-site-packages)`,
      });
    }
    if (!env.VIRTUAL_ENV && pythonPath && !resolve(pythonPath).startsWith(`${environment.root}/`)) {
      found({
        severity: "warning",
        code: "venv-not-on-path",
        message: `\`${tools.python ? "python" : "python3"}\` on PATH runs ${pythonPath}, not this environment's ${environment.python}`,
        why: "a program started with it here imports that interpreter's packages, not the ones installed in this environment: the global-instead-of-venv mistake",
        fix: `source ${environment.root}/bin/activate, or run ${environment.python} itself (in a container: put ${environment.root}/bin first on PATH)`,
      });
    }
    if (!existsSync(environment.python)) {
      const target = linkTarget(environment.python);
      found({
        severity: "error",
        code: "venv-python-missing",
        message: `The environment's own ${environment.python} does not exist${
          target === null ? "" : ` (it links to ${target})`
        }`,
        why: "nothing can run in this environment: its interpreter was moved or removed after the venv was made",
        fix: `spice venv --allow-existing --python ${facts.version_info[0]}.${facts.version_info[1]} ${environment.root}`,
      });
    }
    // Site-packages of another Python version: left by `venv --allow-existing` with a new Python.
    const current = `python${facts.version_info[0]}.${facts.version_info[1]}`;
    const lib = join(environment.root, "lib");
    for (const name of namesIn(lib).sort()) {
      if (!/^python\d+\.\d+$/.test(name) || name === current) continue;
      const stale = distributionsIn(join(lib, name, "site-packages"));
      if (stale.length === 0) continue;
      found({
        severity: "warning",
        code: "venv-other-version-packages",
        message: `${join(lib, name, "site-packages")} holds ${abridged(stale.map((dist) => dist.name).sort())}, for ${name.replace("python", "Python ")}; this environment runs Python ${facts.version_info[0]}.${facts.version_info[1]}`,
        why: "the environment was made again for another Python over the old one: those packages are not importable, and look installed to anyone who lists the directory",
        fix: `spice venv --clear ${environment.root}, then install again (or remove ${join(lib, name)})`,
      });
    }
    const bin = join(environment.root, "bin");
    for (const name of namesIn(bin).sort()) {
      const script = join(bin, name);
      if (name.startsWith("python") || name.startsWith("activate") || name.startsWith("Activate")) continue;
      const interpreter = shebangInterpreter(script);
      if (interpreter === null || interpreter.startsWith("/bin/") || interpreter.startsWith("/usr/bin/env"))
        continue;
      if (!existsSync(interpreter)) {
        found({
          severity: "error",
          code: "script-interpreter-missing",
          message: `${script} runs ${interpreter}, which does not exist`,
          why: "the script was written for another location of this environment (moved or copied venv): it fails with 'bad interpreter'",
          fix: `reinstall the package that provides it: ${spicePip("install --force-reinstall <package>")}`,
        });
      } else if (!resolve(interpreter).startsWith(`${environment.root}/`)) {
        found({
          severity: "warning",
          code: "script-interpreter-foreign",
          message: `${script} runs ${interpreter}, outside this environment`,
          why: "running it uses another interpreter's packages, not this environment's",
          fix: `reinstall the package that provides it: ${spicePip("install --force-reinstall <package>")}`,
        });
      }
    }
  } else if (environment.kind === "system" && facts.externally_managed) {
    found({
      severity: "warning",
      code: "externally-managed",
      message: `${environment.interpreter.path} is an externally managed Python (PEP 668) and no virtual environment is in use`,
      why: "installing into it can break the system's own tools, and what it imports depends on system packages",
      fix: "spice venv && source .venv/bin/activate",
    });
  }
  const { site: userSitePath } = userSite(facts, env);
  if (
    facts.user_site_enabled &&
    !env.PYTHONNOUSERSITE &&
    existsSync(userSitePath) &&
    distributionsIn(userSitePath).length > 0
  ) {
    found({
      severity: "warning",
      code: "user-site",
      message: `The user site ${userSitePath} is enabled and holds packages`,
      why: "they are importable from this interpreter on top of its own site-packages, for this user only",
      fix: "use a virtual environment (it ignores the user site), or set PYTHONNOUSERSITE=1",
    });
  }

  // 4. The import path as Python builds it: PYTHONPATH, the stdlib, site-packages, .pth additions.
  const pythonPathEntries = (env.PYTHONPATH ?? "").split(delimiter).filter((entry) => entry !== "");
  // A system environment's site directories begin with the user site when Python would use it.
  const sites = [...environment.sitePackages];
  const searchPath: string[] = [...pythonPathEntries];
  for (const site of sites) {
    searchPath.push(site);
    for (const added of pthDirectories(site)) {
      searchPath.push(added);
      const inside = [environment.root, facts.prefix, facts.base_prefix].some((root) =>
        added.startsWith(`${root}/`),
      );
      if (!inside) {
        found({
          severity: "warning",
          code: "pth-outside",
          message: `A .pth file in ${site} adds ${added} to sys.path`,
          why: "code outside the environment becomes importable from it (an editable install, or a leftover)",
          fix: `remove the line (or the .pth file) from ${site} if it is not an editable install you made`,
        });
      }
    }
  }

  // 5. Shadowing: one module name from several places on the path.
  const providers = new Map<string, string[]>();
  for (const entry of [...new Set(searchPath)]) {
    for (const [module, path] of topLevelNames(entry)) {
      const list = providers.get(module) ?? [];
      list.push(path);
      providers.set(module, list);
    }
  }
  // Modules shadowed between the same directories are one finding: PYTHONPATH pointing at another
  // site-packages shadows dozens of modules at once, and a line for each buried everything else.
  const byDirectories = new Map<string, Array<[string, string[]]>>();
  for (const [module, paths] of [...providers].sort()) {
    if (paths.length < 2) continue;
    addTo(byDirectories, paths.map((path) => dirname(path)).join("\n"), [module, paths]);
  }
  const fix = "remove the copies you do not want (spice pip uninstall, or unset PYTHONPATH)";
  for (const [key, modules] of byDirectories) {
    if (modules.length <= SHADOWED_ONE_BY_ONE) {
      for (const [module, paths] of modules) {
        found({
          severity: "warning",
          code: "shadowed-module",
          message: `The module \`${module}\` is provided by ${paths.length} places: ${paths.join(", ")}`,
          why: `\`import ${module}\` gets the first (${paths[0]}); the others are invisible, whatever versions they are`,
          fix,
        });
      }
      continue;
    }
    const [first, ...others] = key.split("\n");
    const names = abridged(modules.map(([module]) => `\`${module}\``));
    found({
      severity: "warning",
      code: "shadowed-module",
      message: `${modules.length} modules are provided by ${others.length + 1} places: ${first}, ${others.join(", ")} (${names})`,
      why: `imports get them from ${first}; the copies in ${others.join(", ")} are invisible, whatever versions they are`,
      fix,
    });
  }

  // 5b. The current directory: `python -c`, `python -m`, the REPL and a script run from here put
  // it first on sys.path (unless -P or PYTHONSAFEPATH, Python 3.11 on), so a file named like an
  // installed or standard module shadows it: a script named after the package it imports.
  const here = realPath(context.cwd);
  if (!env.PYTHONSAFEPATH && ![...searchPath, facts.stdlib].some((entry) => realPath(entry) === here)) {
    const importable = new Map<string, string>();
    for (const entry of [facts.stdlib, join(facts.stdlib, "lib-dynload"), ...new Set(searchPath)])
      for (const [module, path] of topLevelNames(entry))
        if (!importable.has(module)) importable.set(module, path);
    const shadowing = [...topLevelNames(context.cwd)]
      .filter(([module]) => importable.has(module) && !PROJECT_DIRECTORY_NAMES.has(module))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const why =
      "Python run from this directory (`python -c`, `python -m`, the REPL, a script here) puts it first on sys.path, so the import finds the local copy";
    const fix =
      facts.version_info[0] > 3 || (facts.version_info[0] === 3 && facts.version_info[1] >= 11)
        ? "rename the local file, or run Python with -P (or set PYTHONSAFEPATH=1) to leave this directory off sys.path"
        : "rename the local file (Python 3.11 and later can also leave this directory off sys.path with -P)";
    if (shadowing.length <= SHADOWED_ONE_BY_ONE) {
      for (const [module, path] of shadowing)
        found({
          severity: "warning",
          code: "shadowed-by-cwd",
          message: `${relative(context.cwd, path)} in ${context.cwd} shadows the module \`${module}\` of ${importable.get(module)}`,
          why,
          fix,
        });
    } else
      found({
        severity: "warning",
        code: "shadowed-by-cwd",
        message: `${shadowing.length} files in ${context.cwd} are named like modules they shadow (${abridged(shadowing.map(([module]) => `\`${module}\``))})`,
        why,
        fix,
      });
  }

  // 6. Distributions: duplicates, broken metadata, unmet requirements.
  const byProject = new Map<string, InstalledDistribution[]>();
  for (const site of [...new Set(searchPath)]) {
    for (const distribution of distributionsIn(site)) {
      if (!distribution.name) {
        found({
          severity: "error",
          code: "broken-metadata",
          message: `${distribution.path} has no valid metadata (no Name)`,
          why: "tools cannot tell what it is: pip and spice skip it, imports may still find its files",
          fix: `remove ${distribution.path} and reinstall the package`,
        });
        continue;
      }
      const list = byProject.get(distribution.canonicalName) ?? [];
      list.push(distribution);
      byProject.set(distribution.canonicalName, list);
      if (distribution.format === "dist-info" && distribution.record === null) {
        found({
          severity: "warning",
          code: "no-record",
          message: `${distribution.name} ${distribution.displayVersion} has no RECORD (${distribution.path})`,
          why: "nothing can uninstall or upgrade it cleanly: its files are unknown",
          fix: spicePip(`install --reinstall --no-deps ${distribution.name}==${distribution.displayVersion}`),
        });
      }
    }
  }
  for (const site of [...new Set(searchPath)]) {
    for (const entry of namesIn(site)) {
      if (entry.endsWith(".dist-info") && !existsSync(join(site, entry, "METADATA"))) {
        found({
          severity: "error",
          code: "no-metadata",
          message: `${join(site, entry)} has no METADATA`,
          why: "a half-removed or half-installed distribution: tools ignore it, its files may remain importable",
          fix: `remove ${join(site, entry)} and reinstall the package`,
        });
      }
    }
  }
  // Two versions is a real conflict, reported one by one; the same version recorded twice (an
  // .egg-info beside a .dist-info, as some system packages ship, or a leaked site-packages) is
  // only untidy, and reported once for each set of directories, as shadowed modules are.
  const duplicate = (project: string, list: InstalledDistribution[], severity: Severity): Finding => ({
    severity,
    code: "duplicate-distribution",
    message: `${project} is installed ${list.length} times: ${list.map((dist) => `${dist.displayVersion} in ${dist.path}`).join("; ")}`,
    why: `Python imports whichever comes first on sys.path (${list[0].displayVersion}), while tools may report another`,
    fix: list.every((dist) => isInInstallDirectories(environment, dist))
      ? `${spicePip(`install ${project}==${list[0].displayVersion}`)} (or the version you want) replaces every copy with one`
      : "remove the copies you do not want with the tool that put them there (the system's package manager, PYTHONPATH, a .pth file)",
  });
  const sameVersion = new Map<string, Array<[string, InstalledDistribution[]]>>();
  for (const [project, list] of [...byProject].sort()) {
    if (list.length < 2) continue;
    if (new Set(list.map((dist) => dist.displayVersion)).size > 1) {
      found(duplicate(project, list, "error"));
      continue;
    }
    addTo(sameVersion, list.map((dist) => dirname(dist.path)).join("\n"), [project, list]);
  }
  for (const [key, projects] of sameVersion) {
    if (projects.length === 1) {
      found(duplicate(...projects[0], "warning"));
      continue;
    }
    const directories = key.split("\n");
    const named = abridged(projects.map(([project, list]) => `${project} ${list[0].displayVersion}`));
    found({
      severity: "warning",
      code: "duplicate-distribution",
      message: `${projects.length} distributions are installed at the same versions in ${directories.join(" and ")}: ${named}`,
      why: `Python imports the copies in ${directories[0]}, while tools may report the others`,
      fix: `take ${directories[0]} off sys.path if it does not belong there (PYTHONPATH, a .pth file), or spice pip uninstall the copies you do not want`,
    });
  }
  const visible = installedDistributions(environment.sitePackages);
  // Only what installs here manage: a system's own packages (Debian's) may ship RECORDs of their
  // build tree, and their requirements are their package manager's to meet, not spice's.
  const own = visible.filter((dist) => ownsDistribution(environment, dist));
  for (const finding of fileFindings(own, spicePip)) found(finding);
  const markers = markerEnvironment(environment.interpreter);
  const byName = new Map(visible.map((dist) => [dist.canonicalName, dist]));
  for (const dist of own) {
    for (const requirement of activeRequirements(dist, markers)) {
      const dependency = byName.get(requirement.canonicalName);
      if (dependency === undefined) {
        found({
          severity: "error",
          code: "missing-requirement",
          message: `${dist.name} ${dist.displayVersion} requires ${requirement}, which is not installed`,
          why: `importing ${dist.name} may fail, or it falls back to a copy outside the environment`,
          fix: spicePip(`install '${requirement.toString().split(";")[0]}'`),
        });
      } else if (dependency.version !== null && !requirement.specifier.contains(dependency.version, true)) {
        found({
          severity: "error",
          code: "conflicting-requirement",
          message: `${dist.name} ${dist.displayVersion} requires ${requirement}, but ${dependency.name} ${dependency.displayVersion} is installed`,
          why: "the combination was never tested together and may break at run time",
          fix: spicePip(`install '${requirement.toString().split(";")[0]}'`),
        });
      }
    }
  }
  return findings;
}

/**
 * What the distributions' RECORDs say of their files: files gone (another package's uninstall
 * took a module both shipped, or a hand's `rm`), and files two distributions both list (the one
 * installed last overwrote the other's). Compiled files are left out: clearing __pycache__ is
 * harmless.
 */
function fileFindings(
  distributions: readonly InstalledDistribution[],
  spicePip: (words: string) => string,
): Finding[] {
  const findings: Finding[] = [];
  // Whether a file exists, from one listing of its directory: a venv of 100 packages has 20,000
  // files in 1,600 directories.
  const listings = new Map<string, Set<string>>();
  const present = (path: string): boolean => {
    const directory = dirname(path);
    let names = listings.get(directory);
    if (names === undefined) {
      names = new Set(namesIn(directory));
      listings.set(directory, names);
    }
    return names.has(path.slice(directory.length + 1));
  };
  // The first owner of each file; the files with more, apart (a map of 20,000 arrays costs GC).
  const owners = new Map<string, InstalledDistribution>();
  const sharedBy = new Map<string, Set<InstalledDistribution>>();
  for (const dist of distributions) {
    const files = (listedFiles(dist) ?? []).filter((path) => !path.endsWith(".pyc"));
    const missing = files.filter((path) => !present(path));
    if (missing.length > 0)
      findings.push({
        severity: "error",
        code: "missing-files",
        message: `${dist.name} ${dist.displayVersion} is missing ${missing.length} of the ${plural(files.length, "file")} its RECORD lists: ${abridged(missing.map((path) => relative(dist.location, path)))}`,
        why: "importing it may fail, or find another copy of the module",
        fix: spicePip(`install --reinstall --no-deps ${dist.name}==${dist.displayVersion}`),
      });
    for (const path of files) {
      const first = owners.get(path);
      if (first === undefined) owners.set(path, dist);
      else if (first !== dist) sharedBy.set(path, (sharedBy.get(path) ?? new Set([first])).add(dist));
    }
  }
  const shared = new Map<string, string[]>();
  for (const [path, owning] of sharedBy) {
    const list = [...owning];
    addTo(
      shared,
      list.map((dist) => `${dist.name} ${dist.displayVersion}`).join(" and "),
      relative(list[0].location, path),
    );
  }
  for (const [pair, paths] of shared)
    findings.push({
      severity: "warning",
      code: "shared-files",
      message: `${pair} both install ${abridged(paths)}`,
      why: "the one installed last overwrote the other's copy, and uninstalling either removes the files both need",
      fix: "uninstall the one you do not need, then reinstall the other",
    });
  return findings;
}
