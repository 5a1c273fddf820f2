// The import path as Python builds it (PYTHONPATH, site-packages, what .pth files add) and what
// shadows what on it: one module from several directories, or a file in the current directory
// named like a module it hides.

import { existsSync, readdirSync, statSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { pthEntries } from "../install/installed.ts";
import { namesIn } from "../util/fs.ts";
import { someOf } from "../util/plural.ts";
import { addTo, type Examination, type Finding, pathCauses, realPath } from "./findings.ts";

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

/** The import path, and how each directory not an environment's own site came to be on it. */
export interface ImportPath {
  searchPath: string[];
  /** `PYTHONPATH`, or the .pth file that adds the directory. */
  origins: Map<string, string>;
  findings: Finding[];
}

/**
 * 4. The import path: PYTHONPATH, then site-packages, each followed by what its .pth files add;
 * a .pth line that adds a directory outside the environment is a finding.
 */
export function importPath({ env, environment, facts }: Examination): ImportPath {
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
  const pythonPathEntries = (env.PYTHONPATH ?? "").split(delimiter).filter((entry) => entry !== "");
  const origins = new Map<string, string>();
  for (const entry of pythonPathEntries) if (!origins.has(entry)) origins.set(entry, "PYTHONPATH");
  // A system environment's site directories begin with the user site when Python would use it.
  const sites = [...environment.sitePackages];
  const searchPath: string[] = [...pythonPathEntries];
  const within = (path: string, root: string) => path.startsWith(`${root}/`);
  const ownRoots = [environment.root, facts.prefix];
  for (const site of sites) {
    searchPath.push(site);
    // A directory belongs where the .pth file adding it does: a venv's own site-packages may add
    // what lies in the venv, not the base interpreter's directories it exists to keep out (a
    // venv's .pth naming the global site-packages lets in what include-system-site-packages =
    // false keeps out).
    const venvSite = environment.kind === "venv" && ownRoots.some((root) => within(site, root));
    const roots = venvSite ? ownRoots : [...ownRoots, facts.base_prefix];
    for (const { file, directory: added } of pthEntries(site)) {
      searchPath.push(added);
      const pth = join(site, file);
      if (!origins.has(added)) origins.set(added, `the line in ${pth}`);
      if (roots.some((root) => within(added, root))) continue;
      const baseSite = venvSite && within(added, facts.base_prefix) && /-packages$/.test(added);
      found({
        severity: "warning",
        code: "pth-outside",
        message: baseSite
          ? `${pth} adds the base interpreter's ${added} to sys.path`
          : `${pth} adds ${added} to sys.path`,
        why: baseSite
          ? "the base interpreter's packages become importable in this virtual environment, which exists to keep them out: the global-instead-of-venv mistake, made by one line of a .pth file that pyvenv.cfg does not show"
          : "code outside the environment becomes importable from it (an editable install, or a leftover)",
        fix: baseSite
          ? `remove the line (or the file) ${pth}; to use the base's packages on purpose: spice venv --system-site-packages`
          : `remove the line (or the file) ${pth} if it is not an editable install you made`,
      });
    }
  }
  return { searchPath, origins, findings };
}

/** 5. Shadowing: one module name from several places on the path. */
export function shadowingFindings(
  searchPath: readonly string[],
  origins: ReadonlyMap<string, string>,
): Finding[] {
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
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
  // The fix names what put the directories on sys.path, when that was not Python itself.
  const fixFor = (directories: readonly string[]) => {
    const causes = pathCauses(directories, origins);
    return `remove the copies you do not want (spice pip uninstall)${causes.length > 0 ? `, or take their directory off sys.path (${causes.join("; ")})` : ""}`;
  };
  for (const [key, modules] of byDirectories) {
    const directories = key.split("\n");
    if (modules.length <= SHADOWED_ONE_BY_ONE) {
      for (const [module, paths] of modules) {
        found({
          severity: "warning",
          code: "shadowed-module",
          message: `The module \`${module}\` is provided by ${paths.length} places: ${paths.join(", ")}`,
          why: `\`import ${module}\` gets the first (${paths[0]}); the others are invisible, whatever versions they are`,
          fix: fixFor(directories),
        });
      }
      continue;
    }
    const [first, ...others] = directories;
    const names = someOf(
      modules.map(([module]) => `\`${module}\``),
      10,
    );
    found({
      severity: "warning",
      code: "shadowed-module",
      message: `${modules.length} modules are provided by ${others.length + 1} places: ${first}, ${others.join(", ")} (${names})`,
      why: `imports get them from ${first}; the copies in ${others.join(", ")} are invisible, whatever versions they are`,
      fix: fixFor(directories),
    });
  }
  return findings;
}

/**
 * 5b. The current directory: `python -c`, `python -m`, the REPL and a script run from here put
 * it first on sys.path (unless -P or PYTHONSAFEPATH, Python 3.11 on), so a file named like an
 * installed or standard module shadows it: a script named after the package it imports.
 */
export function currentDirectoryFindings(
  { context, env, facts }: Examination,
  searchPath: readonly string[],
): Finding[] {
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
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
        message: `${shadowing.length} files in ${context.cwd} are named like modules they shadow (${someOf(
          shadowing.map(([module]) => `\`${module}\``),
          10,
        )})`,
        why,
        fix,
      });
  }
  return findings;
}
