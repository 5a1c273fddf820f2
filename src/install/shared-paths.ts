// Paths that two wheels of one install both hold (opencv-python and opencv-python-headless both
// ship cv2/): a link cannot overwrite, so only one copy is placed, the one pip would leave.

import { dirname, relative } from "node:path";
import { type DistributionPlan, libFilePath } from "./distribution-plan.ts";

/** Files two wheels of one install both hold (opencv-python and opencv-python-headless: cv2/). */
export interface SharedFiles {
  /** The wheel whose copy is placed. */
  kept: string;
  /** The wheel whose copy is not. */
  lost: string;
  paths: string[];
}

/** A path several wheels of one install hold: whose copy is placed, and whose are not. */
export interface SharedPath {
  kept: DistributionPlan;
  lost: DistributionPlan[];
}

/**
 * Destinations more than one plan installs. The copy placed is the one pip would install last
 * (each overwrites), by `pipOrder`; without it, the first by name's (pip installs wheels that
 * need nothing else in reverse name order). Only directories that several wheels put files in
 * are compared file by file.
 */
export function sharedDestinations(
  plans: readonly DistributionPlan[],
  pipOrder?: () => ReadonlyMap<string, number>,
): Map<string, SharedPath> {
  const byDirectory = new Map<string, DistributionPlan[]>();
  const add = (directory: string, plan: DistributionPlan) => {
    const owners = byDirectory.get(directory);
    if (owners === undefined) byDirectory.set(directory, [plan]);
    else if (owners[owners.length - 1] !== plan) owners.push(plan);
  };
  for (const plan of plans) {
    for (const directory of plan.libDirectories) add(directory.path, plan);
    for (const file of plan.files) add(dirname(file.destination), plan);
  }
  const claims = new Map<string, DistributionPlan[]>();
  for (const [directory, owners] of byDirectory) {
    if (owners.length < 2) continue;
    for (const plan of owners) {
      const indices = plan.libDirectories.find((item) => item.path === directory)?.indices ?? [];
      const paths = [
        ...indices.map((index) => libFilePath(plan, index)),
        ...plan.files.flatMap((file) => (dirname(file.destination) === directory ? [file.destination] : [])),
      ];
      for (const path of paths) {
        const claimants = claims.get(path);
        if (claimants === undefined) claims.set(path, [plan]);
        else claimants.push(plan);
      }
    }
  }
  const shared = new Map<string, SharedPath>();
  let order: ReadonlyMap<string, number> | undefined;
  const installedAfter = (plan: DistributionPlan, other: DistributionPlan): boolean => {
    order ??= pipOrder?.() ?? new Map();
    const [mine, theirs] = [order.get(plan.canonicalName), order.get(other.canonicalName)];
    if (mine !== undefined && theirs !== undefined) return mine > theirs;
    return plan.canonicalName < other.canonicalName;
  };
  for (const [path, claimants] of claims) {
    if (claimants.length < 2) continue;
    const kept = claimants.reduce((winner, plan) => (installedAfter(plan, winner) ? plan : winner));
    shared.set(path, { kept, lost: claimants.filter((plan) => plan !== kept) });
  }
  return shared;
}

/** What the warning says of `shared`: the paths by pair of wheels, relative to `root`. */
export function sharedFilesOf(shared: ReadonlyMap<string, SharedPath>, root: string): SharedFiles[] {
  const byPair = new Map<string, SharedFiles>();
  for (const [path, { kept, lost }] of shared) {
    for (const plan of lost) {
      const key = `${plan.name}\0${kept.name}`;
      let entry = byPair.get(key);
      if (entry === undefined) {
        entry = { kept: kept.name, lost: plan.name, paths: [] };
        byPair.set(key, entry);
      }
      entry.paths.push(relative(root, path));
    }
  }
  return [...byPair.values()];
}
