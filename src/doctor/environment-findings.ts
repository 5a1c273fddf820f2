// The environment itself: a venv whose base interpreter, own python or scripts' interpreters are
// gone or foreign, one that lets the system's or the user's packages in, a leftover site-packages
// of another Python, and a system Python used without a venv although one is near or the Python
// is externally managed.

import { existsSync, lstatSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { distributionsIn } from "../install/installed.ts";
import { upgradedUnder, userSite } from "../python/environment.ts";
import { readPyvenvCfg } from "../python/pyvenv-cfg.ts";
import { venvsIn } from "../python/select.ts";
import { linkTarget, namesIn } from "../util/fs.ts";
import { someOf } from "../util/plural.ts";
import { type Examination, type Finding, shebangInterpreter } from "./findings.ts";

/** Directories where container images and projects keep virtual environments, checked one level down. */
const VENV_PARENTS = ["/opt"];

/**
 * Virtual environments a program run from `cwd` may have been meant to use: any directory that is
 * one beside the current directory or one of its parents (a project's .venv, an image's /venv or
 * /app/.venv), or in /opt (an image's /opt/venv).
 */
function venvsNear(cwd: string): string[] {
  const parents: string[] = [];
  for (let directory = resolve(cwd); ; directory = dirname(directory)) {
    parents.push(directory);
    if (dirname(directory) === directory) break;
  }
  const found: string[] = [];
  for (const parent of [...parents, ...VENV_PARENTS]) {
    for (const name of venvsIn(parent)) {
      const candidate = join(parent, name);
      if (!found.includes(candidate)) found.push(candidate);
    }
  }
  return found;
}

/** The name /etc/passwd or /etc/group gives the id `id`, else the number. */
function accountName(file: "/etc/passwd" | "/etc/group", id: number): string {
  try {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const fields = line.split(":");
      if (fields.length > 2 && Number(fields[2]) === id && fields[0] !== "") return fields[0];
    }
  } catch {
    // no such file: the number it is
  }
  return String(id);
}

/**
 * What in a venv's site-packages and bin belongs to another user than the venv's directory: what
 * a `sudo pip install` into it leaves. Checked one level down, where installs create entries.
 */
function foreignOwned(
  root: string,
  directories: readonly string[],
): { uid: number; gid: number; paths: Map<number, string[]> } | null {
  // The directory itself, through a link to it (an image's /app/.venv -> /data/venv).
  const rootStat = statSync(root, { throwIfNoEntry: false });
  if (rootStat === undefined) return null;
  const paths = new Map<number, string[]>();
  for (const directory of directories) {
    for (const name of namesIn(directory).sort()) {
      const path = join(directory, name);
      const uid = lstatSync(path, { throwIfNoEntry: false })?.uid;
      if (uid === undefined || uid === rootStat.uid) continue;
      paths.set(uid, [...(paths.get(uid) ?? []), relative(root, path)]);
    }
  }
  return paths.size === 0 ? null : { uid: rootStat.uid, gid: rootStat.gid, paths };
}

/** 3. The environment itself. */
export function environmentFindings({
  context,
  env,
  environment,
  facts,
  commands,
  spicePip,
}: Examination): Finding[] {
  const { tools, pythonPath } = commands;
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
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
    const foreign = foreignOwned(environment.root, [
      ...new Set([environment.scheme.purelib, environment.scheme.platlib, join(environment.root, "bin")]),
    ]);
    if (foreign !== null) {
      const owner = accountName("/etc/passwd", foreign.uid);
      for (const [uid, paths] of foreign.paths) {
        const other = accountName("/etc/passwd", uid);
        found({
          severity: "warning",
          code: "venv-foreign-owner",
          message: `${paths.length === 1 ? "1 entry" : `${paths.length} entries`} in ${environment.root} belong to ${other}, not to ${owner}, who owns the environment: ${someOf(paths, 10)}`,
          why: `${other} installed into it (a \`sudo pip install\` into a venv): ${owner} cannot upgrade or remove those packages (Permission denied, part way through an install)`,
          fix: `sudo chown -R ${owner}:${accountName("/etc/group", foreign.gid)} ${environment.root}`,
        });
      }
    }
    // `python -m venv` writes the activation scripts after ensurepip: where that fails (Debian
    // and Ubuntu without python3-venv), the venv is left without them, and without pip.
    if (existsSync(environment.python) && !existsSync(join(environment.root, "bin", "activate"))) {
      found({
        severity: "warning",
        code: "venv-unfinished",
        message: `${join(environment.root, "bin", "activate")} is missing: the environment was never finished`,
        why: "`python -m venv` stops before its activation scripts when ensurepip fails (Debian and Ubuntu without python3-venv): `source bin/activate` fails, and pip is not in it",
        fix: `spice venv --clear ${environment.root} (it needs no ensurepip; add --seed for pip), then install its packages again`,
      });
    }
    const current = `python${facts.version_info[0]}.${facts.version_info[1]}`;
    const lib = join(environment.root, "lib");
    // The base interpreter upgraded to another version under the venv: it starts, and imports
    // none of what was installed for the old one.
    const upgraded = existsSync(environment.python) ? upgradedUnder(environment) : null;
    if (upgraded !== null) {
      const site = join(lib, `python${upgraded.minor}`, "site-packages");
      const left = distributionsIn(site).map((dist) => dist.name);
      found({
        severity: "error",
        code: "venv-base-upgraded",
        message: `The environment was made for Python ${upgraded.madeFor}, and its python now runs Python ${upgraded.running}`,
        why: `the interpreter it was made from${home ? ` (home = ${home})` : ""} was upgraded to another version under it: ${
          left.length === 0
            ? "what was installed for the old one is not importable"
            : `${someOf(left.sort(), 10)}, installed in ${site}, cannot be imported`
        }, and compiled modules built for one version do not load in another`,
        fix: `where Python ${upgraded.minor} is still installed: spice venv --allow-existing --python ${upgraded.minor} ${environment.root}; else: spice pip freeze --path ${site} > requirements.txt, spice venv --clear ${environment.root}, then ${spicePip("install -r requirements.txt")}`,
      });
    }
    // Site-packages of another Python version: left by `venv --allow-existing` with a new Python
    // (but the one the venv was made for, when that Python was upgraded under it: said above).
    const madeFor = upgraded === null ? null : `python${upgraded.minor}`;
    for (const name of namesIn(lib).sort()) {
      if (!/^python\d+\.\d+$/.test(name) || name === current || name === madeFor) continue;
      const stale = distributionsIn(join(lib, name, "site-packages"));
      if (stale.length === 0) continue;
      found({
        severity: "warning",
        code: "venv-other-version-packages",
        message: `${join(lib, name, "site-packages")} holds ${someOf(stale.map((dist) => dist.name).sort(), 10)}, for ${name.replace("python", "Python ")}; this environment runs Python ${facts.version_info[0]}.${facts.version_info[1]}`,
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
  } else if (environment.kind === "system") {
    const unused = venvsNear(context.cwd);
    if (
      unused.length > 0 &&
      pythonPath !== undefined &&
      !unused.some((venv) => resolve(pythonPath).startsWith(`${venv}/`))
    ) {
      const [first] = unused;
      found({
        severity: "warning",
        code: "venv-unused",
        message: `\`${tools.python ? "python" : "python3"}\` here runs ${pythonPath}, outside the virtual environment${unused.length > 1 ? "s" : ""} ${someOf(unused, 10)}`,
        why: `a program started with it (an image's CMD, a script's #!/usr/bin/env python) imports that interpreter's packages, not the ones installed in ${first}: the global-instead-of-venv mistake`,
        fix: `run ${first}/bin/python, or put ${first}/bin first on PATH (in a Dockerfile: ENV PATH="${first}/bin:$PATH"); \`spice doctor --python ${first}\` examines it`,
      });
    }
  }
  if (environment.kind === "system" && facts.externally_managed) {
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
  return findings;
}
