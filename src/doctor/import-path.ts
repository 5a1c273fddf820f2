// The import path as Python builds it (PYTHONPATH, site-packages, what .pth files add) and what
// shadows what on it: one module from several directories, or a file in the current directory
// named like a module it hides.

import { existsSync, readdirSync, statSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { pthDirectories } from "../install/installed.ts";
import { abridged, addTo, type Examination, type Finding, namesIn, realPath } from "./findings.ts";

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

/**
 * 4. The import path: PYTHONPATH, then site-packages, each followed by what its .pth files add;
 * a .pth line that adds a directory outside the environment is a finding.
 */
export function importPath({ env, environment, facts }: Examination): {
  searchPath: string[];
  findings: Finding[];
} {
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
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
  return { searchPath, findings };
}

/** 5. Shadowing: one module name from several places on the path. */
export function shadowingFindings(searchPath: readonly string[]): Finding[] {
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
        message: `${shadowing.length} files in ${context.cwd} are named like modules they shadow (${abridged(shadowing.map(([module]) => `\`${module}\``))})`,
        why,
        fix,
      });
  }
  return findings;
}
