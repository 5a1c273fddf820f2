// Universal resolution (uv's `--universal`): one set of pins, each with the marker of the
// environments it is installed in, valid on every platform and every Python the project supports.
//
// As uv's forking resolver: requirements apply wherever their markers can hold; when one
// package's requirements on a name have markers that differ (`a>=2; sys_platform == 'linux'`,
// `a<2; sys_platform == 'darwin'`), or one marker raises the lowest Python, the environments are
// split in two (where the marker holds and where it does not) and each part is resolved on its
// own, so that no environment ever gets two versions of one package. Where uv splits in the middle
// of solving and keeps what was decided, spice solves each part again from the start; pages and
// metadata come from the caches, and what each part decides can only be narrower.

import { MarkerSpace } from "../standards/marker-space.ts";
import type { Requirement } from "../standards/requirement.ts";
import { compareVersions } from "../standards/version.ts";
import { SpiceError } from "../util/error.ts";
import { ForkNeeded } from "./forks.ts";
import { type ResolvedPackage, type ResolveOptions, resolve } from "./resolve.ts";

/** One pinned version and where it is installed. */
export interface UniversalPin {
  resolved: ResolvedPackage;
  /** The environments that install this version, within the resolution's universe. */
  space: MarkerSpace;
}

export interface UniversalResolution {
  /** Sorted by name, then version. */
  pins: UniversalPin[];
}

/** More parts than this is a runaway split (each marker on a name splits once). */
const MAX_FORKS = 128;

/**
 * Resolves `options` for every environment in `universe` (the Python versions the project
 * supports, from its lowest on). `options.target.pythonVersion` is replaced by each part's lowest
 * Python.
 */
export async function resolveUniversal(
  options: ResolveOptions,
  universe: MarkerSpace,
  /** The versions to try first in one part (an earlier output's pins where they hold), else options.preferences. */
  preferencesIn?: (space: MarkerSpace) => ReadonlyMap<string, string>,
): Promise<UniversalResolution> {
  const pending: MarkerSpace[] = [universe];
  const solved: Array<{ space: MarkerSpace; packages: Map<string, ResolvedPackage> }> = [];
  while (pending.length > 0) {
    const space = pending.shift()!;
    const pythonVersion = space.lowestPython() ?? options.target.pythonVersion;
    try {
      const resolution = await resolve({
        ...options,
        preferences: preferencesIn?.(space) ?? options.preferences,
        universe: space,
        target: { ...options.target, pythonVersion },
      });
      solved.push({ space, packages: resolution.packages });
    } catch (error) {
      if (error instanceof ForkNeeded) {
        pending.push(...error.parts);
        if (solved.length + pending.length > MAX_FORKS)
          throw new SpiceError(
            "E_NO_SOLUTION",
            "Universal resolution split the environments too many times",
            {
              cause: `more than ${MAX_FORKS} parts; the last split: ${error.reason}`,
              hint: "Resolve for one environment (without --universal), or narrow the markers of the requirements",
            },
          );
        continue;
      }
      if (
        error instanceof SpiceError &&
        error.code === "E_NO_SOLUTION" &&
        solved.length + pending.length > 0
      ) {
        const where = space.toMarkerText(universe);
        throw new SpiceError(error.code, `${error.message}${where ? ` where ${where}` : ""}`, error.details);
      }
      throw error;
    }
  }
  return { pins: mergeForks(solved, options.requirements) };
}

/**
 * Where each chosen package is reached in one part: from the user's requirements down, along the
 * requirements `follows` (all: a universal part's space leaves out those that do not hold).
 */
export function reachability(
  space: MarkerSpace,
  packages: Map<string, ResolvedPackage>,
  requirements: readonly Requirement[],
  follows: (requirement: Requirement, extra: string) => boolean = () => true,
): Map<string, MarkerSpace> {
  const reached = new Map<string, MarkerSpace>();
  const queue: string[] = [];
  const reach = (name: string, where: MarkerSpace) => {
    if (!packages.has(name) || where.isEmpty()) return;
    const before = reached.get(name);
    if (before !== undefined && where.within(before)) return;
    reached.set(name, before === undefined ? where : before.or(where));
    queue.push(name);
  };
  const markerSpace = (requirement: Requirement, extra: string) =>
    requirement.marker === null ? MarkerSpace.everything : MarkerSpace.of(requirement.marker.markers, extra);
  for (const requirement of requirements)
    if (follows(requirement, "")) reach(requirement.canonicalName, space.and(markerSpace(requirement, "")));
  while (queue.length > 0) {
    const name = queue.shift()!;
    const parent = packages.get(name)!;
    const where = reached.get(name)!;
    if (parent.metadata === null) continue;
    for (const extra of [null, ...parent.extras])
      for (const requirement of parent.metadata.requirementsFor(extra)) {
        if (extra !== null && (requirement.marker === null || !markerSpace(requirement, "").isEmpty()))
          continue;
        if (!follows(requirement, extra ?? "")) continue;
        reach(requirement.canonicalName, where.and(markerSpace(requirement, extra ?? "")));
      }
  }
  return reached;
}

function mergeForks(
  solved: Array<{ space: MarkerSpace; packages: Map<string, ResolvedPackage> }>,
  requirements: readonly Requirement[],
): UniversalPin[] {
  const pins = new Map<string, UniversalPin>();
  for (const { space, packages } of solved) {
    const reached = reachability(space, packages, requirements);
    for (const [name, resolved] of packages) {
      const where = reached.get(name);
      if (where === undefined) continue; // chosen, but only on a path no environment takes
      const key = `${name}==${resolved.version}`;
      const pin = pins.get(key);
      if (pin === undefined)
        pins.set(key, { resolved: { ...resolved, extras: [...resolved.extras] }, space: where });
      else {
        pin.space = pin.space.or(where);
        for (const extra of resolved.extras)
          if (!pin.resolved.extras.includes(extra)) pin.resolved.extras.push(extra);
        pin.resolved.requiredBy = [...new Set([...pin.resolved.requiredBy, ...resolved.requiredBy])];
      }
    }
  }
  return [...pins.values()].sort(
    (a, b) =>
      (a.resolved.name < b.resolved.name ? -1 : a.resolved.name > b.resolved.name ? 1 : 0) ||
      compareVersions(a.resolved.version, b.resolved.version),
  );
}
