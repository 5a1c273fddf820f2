// The distributions on the import path: installed twice (two versions, or the same one twice),
// without METADATA or RECORD, missing the files their RECORD lists or sharing them, and with
// requirements that are not installed or not met.

import { existsSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import {
  activeRequirements,
  distributionsIn,
  type InstalledDistribution,
  installedDistributions,
  isInInstallDirectories,
  listedFiles,
  ownsDistribution,
} from "../install/installed.ts";
import { markerEnvironment } from "../python/interpreter.ts";
import { namesIn } from "../util/fs.ts";
import { plural, someOf } from "../util/plural.ts";
import { compiledModuleFindings } from "./compiled-modules.ts";
import { addTo, type Examination, type Finding, pathCauses, type Severity } from "./findings.ts";

/** 6. Distributions: duplicates, broken metadata, unmet requirements. */
export function distributionFindings(
  { environment, spicePip }: Examination,
  searchPath: readonly string[],
  origins: ReadonlyMap<string, string>,
): Finding[] {
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
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
      if (distribution.rawVersion === "") {
        found({
          severity: "error",
          code: "broken-metadata",
          message: `${distribution.path} has no valid metadata (no Version)`,
          why: "pip 23.2's list, freeze and check fail on it with a traceback, and no requirement can be checked against it",
          fix: `remove ${distribution.path} and reinstall ${distribution.name}`,
        });
      } else if (distribution.version === null) {
        found({
          severity: "warning",
          code: "invalid-version",
          message: `${distribution.name}'s version '${distribution.rawVersion}' is not a PEP 440 version (${distribution.path})`,
          why: "no requirement with a version matches it, and packaging 22 and later, which newer pip and most tools use, cannot read it",
          fix: `reinstall ${distribution.name} from a release with a valid version`,
        });
      }
      const direct = distribution.directUrlError;
      if (direct !== null) {
        found({
          severity: "warning",
          code: "invalid-direct-url",
          message: `${distribution.name}'s direct_url.json cannot be read: ${direct} (${distribution.path})`,
          why: "pip and spice take it as installed from an index: freeze pins its version, not the URL or checkout it came from",
          fix: spicePip(`install --reinstall --no-deps <the URL or path it came from>`),
        });
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
  // A fix naming what put a duplicate's directory on sys.path (PYTHONPATH, which .pth file).
  const offPath = (directories: readonly string[], otherwise: string) => {
    const causes = pathCauses(directories, origins);
    return causes.length === 0
      ? null
      : `take the directory that does not belong off sys.path (${causes.join("; ")}), or ${otherwise}`;
  };
  const duplicate = (project: string, list: InstalledDistribution[], severity: Severity): Finding => ({
    severity,
    code: "duplicate-distribution",
    message: `${project} is installed ${list.length} times: ${list.map((dist) => `${dist.displayVersion} in ${dist.path}`).join("; ")}`,
    why: `Python imports whichever comes first on sys.path (${list[0].displayVersion}), while tools may report another`,
    fix: list.every((dist) => isInInstallDirectories(environment, dist))
      ? `${spicePip(`install ${project}==${list[0].displayVersion}`)} (or the version you want) replaces every copy with one`
      : (offPath(
          list.map((dist) => dirname(dist.path)),
          "remove the copies you do not want with the tool that put them there",
        ) ??
        "remove the copies you do not want with the tool that put them there (the system's package manager, PYTHONPATH, a .pth file)"),
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
    const directories = key.split("\n");
    if (new Set(directories).size === 1) {
      // Two records of one version side by side (Debian's python3-cryptography ships an
      // .egg-info beside its .dist-info): imports and tools agree; only an uninstall through
      // one record could leave the other.
      // The fix keeps a .dist-info (its RECORD lists the files), where the records are the
      // environment's own; a system's are its package manager's.
      for (const [project, list] of projects) {
        const kept = list.find((dist) => dist.path.endsWith(".dist-info"));
        const own = list.every((dist) => isInInstallDirectories(environment, dist));
        found({
          severity: "info",
          code: "duplicate-distribution",
          message: `${project} ${list[0].displayVersion} is recorded ${list.length} times in ${directories[0]}: ${list.map((dist) => basename(dist.path)).join(", ")}`,
          why: "imports and tools see the same version; an uninstall that goes by one record may leave the other behind",
          ...(own && kept !== undefined
            ? {
                fix: `remove ${list
                  .filter((dist) => dist !== kept)
                  .map((dist) => dist.path)
                  .join(" and ")} (${basename(kept.path)} lists the files)`,
              }
            : {}),
        });
      }
      continue;
    }
    if (projects.length === 1) {
      found(duplicate(...projects[0], "warning"));
      continue;
    }
    const named = someOf(
      projects.map(([project, list]) => `${project} ${list[0].displayVersion}`),
      10,
    );
    found({
      severity: "warning",
      code: "duplicate-distribution",
      message: `${projects.length} distributions are installed at the same versions in ${directories.join(" and ")}: ${named}`,
      why: `Python imports the copies in ${directories[0]}, while tools may report the others`,
      fix:
        offPath(directories, "spice pip uninstall the copies you do not want") ??
        `take ${directories[0]} off sys.path if it does not belong there (PYTHONPATH, a .pth file), or spice pip uninstall the copies you do not want`,
    });
  }
  const visible = installedDistributions(environment.sitePackages);
  // Only what installs here manage: a system's own packages (Debian's) may ship RECORDs of their
  // build tree, and their requirements are their package manager's to meet, not spice's.
  const own = visible.filter((dist) => ownsDistribution(environment, dist));
  for (const finding of fileFindings(own, spicePip)) found(finding);
  for (const finding of compiledModuleFindings(own, environment.interpreter, spicePip)) found(finding);
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
        message: `${dist.name} ${dist.displayVersion} is missing ${missing.length} of the ${plural(files.length, "file")} its RECORD lists: ${someOf(
          missing.map((path) => relative(dist.location, path)),
          10,
        )}`,
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
      message: `${pair} both install ${someOf(paths, 10)}`,
      why: "the one installed last overwrote the other's copy, and uninstalling either removes the files both need",
      fix: "uninstall the one you do not need, then reinstall the other",
    });
  return findings;
}
