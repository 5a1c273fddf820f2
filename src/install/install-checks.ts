// What an install checks in the environment before it changes anything, beyond the wheels
// themselves: links that would carry its writes outside, files of the environment's own it must
// not replace, and the files of other distributions it overwrites (said, not refused).

import { lstatSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import type { Environment, InstallScheme } from "../python/environment.ts";
import { SpiceError } from "../util/error.ts";
import { realDirectory } from "../util/fs.ts";
import { type DistributionPlan, libFilePath } from "./distribution-plan.ts";
import { distributionFiles, type InstalledDistribution } from "./installed.ts";

/** Files a new distribution wrote over that another installed distribution (left in place) lists. */
export interface Clobbered {
  by: string;
  owner: InstalledDistribution;
  paths: string[];
}

/**
 * Finds a link below one of the scheme's directories that leads out of it (a package directory
 * linked to a checkout elsewhere): installing through it would overwrite files outside the
 * environment, so the install is refused instead (wheels hold no links; a user made it). Each
 * directory is looked at once; most installs write into few that exist already.
 */
export function linkLeavingScheme(
  scheme: InstallScheme,
): (directory: string) => { link: string; target: string } | null {
  const roots = [...new Set([scheme.purelib, scheme.platlib, scheme.scripts, scheme.headers, scheme.data])]
    .map((root) => ({ root, real: realDirectory(root) }))
    .sort((a, b) => b.root.length - a.root.length);
  const found = new Map<string, { link: string; target: string } | null>();
  const below = (directory: string, root: string, real: string): { link: string; target: string } | null => {
    if (directory === root || !directory.startsWith(`${root}/`)) return null;
    let answer = found.get(directory);
    if (answer !== undefined) return answer;
    answer = below(dirname(directory), root, real);
    if (answer === null && lstatSync(directory, { throwIfNoEntry: false })?.isSymbolicLink()) {
      const target = realDirectory(directory);
      if (target !== real && !target.startsWith(`${real}/`)) answer = { link: directory, target };
    }
    found.set(directory, answer);
    return answer;
  };
  return (directory) => {
    const scheme = roots.find(({ root }) => directory.startsWith(`${root}/`));
    return scheme === undefined ? null : below(directory, scheme.root, scheme.real);
  };
}

/**
 * Which installed distributions list the files a new one overwrites (`overwrites`: path and the
 * new owner's name): two packages that ship one module, where the last installed wins and
 * removing either takes the other's files. RECORDs are read only when something was overwritten
 * that no replaced distribution listed, which an install into a tidy environment never does.
 */
export function filesOfOthers(
  overwrites: ReadonlyArray<[string, string]>,
  others: readonly InstalledDistribution[],
  scripts: string,
): Clobbered[] {
  if (overwrites.length === 0) return [];
  const newOwner = new Map(overwrites);
  const clobbered: Clobbered[] = [];
  for (const owner of others) {
    const byNewOwner = new Map<string, string[]>();
    for (const path of distributionFiles(owner, scripts) ?? []) {
      const by = newOwner.get(path);
      if (by === undefined) continue;
      const paths = byNewOwner.get(by);
      if (paths === undefined) byNewOwner.set(by, [path]);
      else paths.push(path);
    }
    for (const [by, paths] of byNewOwner) clobbered.push({ by, owner, paths });
  }
  return clobbered;
}

/**
 * What an existing file in the scripts directory is to the environment itself, when a wheel's
 * script must not replace it: the interpreter (a `python` console script would leave a venv
 * whose python runs itself), or a venv's activation script. Null for anything else.
 */
export function environmentFile(environment: Environment, path: string): string | null {
  const name = basename(path);
  // A venv made with --copies has python, python3 and python3.X as separate files.
  if (
    realDirectory(path) === realDirectory(environment.python) ||
    (environment.kind === "venv" && /^python(w|\d+(\.\d+)?)?$/.test(name))
  )
    return "the environment's interpreter";
  if (
    environment.kind === "venv" &&
    /^(activate(\.(csh|fish|nu|bat))?|Activate\.ps1|deactivate\.bat)$/.test(name)
  )
    return "the environment's activation script";
  return null;
}

/** Where placing files overwrites existing ones, and by whose file. */
export interface NewFiles {
  /** Every path the install creates (the journal's list: a rollback removes them). */
  created: string[];
  /** Existing files the install writes over, each with the name of the distribution writing it. */
  overwrittenBy: Map<string, string>;
}

/**
 * Checks where the new files land before anything changes: no file where the environment has a
 * directory, no script over the environment's own interpreter or activation scripts, no write
 * through a link that leads out of the environment. A file can only be overwritten where its
 * directory already exists, so existence is asked per directory first, then per file only inside
 * existing ones (a fresh venv needs almost none).
 */
export function checkNewFiles(
  environment: Environment,
  plans: readonly DistributionPlan[],
  compileTargets: ReadonlyArray<[string, string]>,
  directoryExists: (directory: string) => boolean,
): NewFiles {
  const created: string[] = [];
  const overwrittenBy = new Map<string, string>();
  const checkNewFile = (path: string, owner: string) => {
    if (!directoryExists(dirname(path))) return; // inside a directory the change creates
    const existing = lstatSync(path, { throwIfNoEntry: false });
    if (existing !== undefined) {
      if (existing.isDirectory()) {
        throw new SpiceError(
          "E_INSTALL_CONFLICT",
          `Cannot install ${owner}: it has a file at ${relative(environment.root, path)}, which is a directory in the environment`,
          {
            hint: "Find the distribution that owns that directory (`spice pip show -f`) and uninstall one of them",
          },
        );
      }
      if (dirname(path) === environment.scheme.scripts) {
        const own = environmentFile(environment, path);
        if (own !== null)
          throw new SpiceError(
            "E_INSTALL_CONFLICT",
            `Cannot install ${owner}: its script ${relative(environment.root, path)} would replace ${own}`,
            {
              hint: `The environment would no longer work; leave ${owner} out, or install it into another one`,
            },
          );
      }
      overwrittenBy.set(path, owner);
    }
    created.push(path);
  };
  const leavingLink = linkLeavingScheme(environment.scheme);
  const refuseLinkOut = (directory: string, owner: string) => {
    const out = leavingLink(directory);
    if (out === null) return;
    throw new SpiceError(
      "E_INSTALL_CONFLICT",
      `Cannot install ${owner}: ${relative(environment.root, out.link)} is a link to ${out.target}, outside the environment`,
      {
        cause: "installing through it would overwrite the files it leads to",
        hint: `Remove the link (rm ${out.link}) to install ${owner} into the environment, or keep the linked copy and leave ${owner} out`,
      },
    );
  };
  for (const plan of plans) {
    for (const directory of plan.libDirectories) {
      if (!directoryExists(directory.path)) continue;
      refuseLinkOut(directory.path, plan.name);
      for (const index of directory.indices) checkNewFile(libFilePath(plan, index), plan.name);
    }
    for (const file of plan.files) {
      if (directoryExists(dirname(file.destination))) refuseLinkOut(dirname(file.destination), plan.name);
      checkNewFile(file.destination, plan.name);
    }
    if (directoryExists(dirname(plan.record))) refuseLinkOut(dirname(plan.record), plan.name);
    checkNewFile(plan.record, plan.name);
  }
  for (const [source, target] of compileTargets) checkNewFile(target, relative(environment.root, source));
  return { created, overwrittenBy };
}
