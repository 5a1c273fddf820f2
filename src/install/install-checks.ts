// What an install checks in the environment before it changes anything, beyond the wheels
// themselves: links that would carry its writes outside, files of the environment's own it must
// not replace, and the files of other distributions it overwrites (said, not refused).

import { lstatSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { Environment, InstallScheme } from "../python/environment.ts";
import { realDirectory } from "../util/fs.ts";
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
