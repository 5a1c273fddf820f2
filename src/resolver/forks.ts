// Where a universal resolution splits its environments, as uv's resolver forks: each part is
// then resolved on its own (resolver/universal.ts) and the parts' results merged.

import type { MarkerSpace } from "../standards/marker-space.ts";
import type { Requirement } from "../standards/requirement.ts";
import { parseSpecifierSet, type Specifier } from "../standards/specifier.ts";
import { consistentPlatforms } from "../standards/wheel-environments.ts";
import { lowerBounds, pythonsAdmitted } from "./requires-python.ts";

/**
 * Thrown by a universal resolution when requirements on one name with different markers split
 * its environments: each part is resolved on its own (resolver/universal.ts).
 */
export class ForkNeeded extends Error {
  constructor(
    readonly parts: readonly MarkerSpace[],
    readonly reason: string,
  ) {
    super(`universal resolution forks: ${reason}`);
  }
}

/** A requirement with where it applies in the resolution's environments. */
export interface PlacedRequirement {
  requirement: Requirement;
  space: MarkerSpace;
}

/**
 * Whether `requirements` (of one package, or the user's) split the `universe`: two or more
 * requirements on one name whose markers differ there, or one whose marker raises the lowest
 * Python. Null when they do not.
 */
export function markerFork(
  universe: MarkerSpace,
  requirements: readonly PlacedRequirement[],
  owner: string,
): ForkNeeded | null {
  const byName = new Map<string, PlacedRequirement[]>();
  for (const placed of requirements) {
    const list = byName.get(placed.requirement.canonicalName) ?? [];
    list.push(placed);
    byName.set(placed.requirement.canonicalName, list);
  }
  const lowest = universe.lowestPython();
  for (const list of byName.values()) {
    const splitting = list.find(({ space }) => !universe.within(space));
    if (splitting === undefined) continue;
    const differ = list.some(({ space }) => !space.equals(list[0].space));
    // Within the universe, a part's lowest Python differs from its lowest only when higher.
    const raisesPython = list.length === 1 && lowest !== null && splitting.space.lowestPython() !== lowest;
    if (!differ && !raisesPython) continue;
    // A part where no Python runs is left out: split first on `sys_platform == 'linux'`, a
    // requirement marked `platform_system == 'Windows'` would otherwise split off Linux with
    // Windows' platform_system, where requirements meant for each system meet and conflict.
    return new ForkNeeded(
      [splitting.space, universe.and(splitting.space.not())].filter(
        (part) => !consistentPlatforms(part).isEmpty(),
      ),
      `${owner} requires ${splitting.requirement}`,
    );
  }
  return null;
}

/**
 * uv's requires-python fork: where `requiresPython` (a version's) leaves out the universe's
 * lowest Python but admits a newer one in it, the universe splits at its lower bound, so that the
 * newer Pythons get that version and the older ones an older one. Null when it does not split.
 */
export function requiresPythonFork(
  universe: MarkerSpace,
  requiresPython: string,
  owner: string,
): ForkNeeded | null {
  let bounds: readonly Specifier[];
  try {
    bounds = lowerBounds(parseSpecifierSet(requiresPython)).specs;
  } catch {
    return null;
  }
  if (bounds.length === 0 || bounds.some((spec) => spec.operator === "===")) return null;
  const newer = pythonsAdmitted(bounds);
  const parts = [universe.and(newer), universe.and(newer.not())].filter(
    (part) => !consistentPlatforms(part).isEmpty(),
  );
  return parts.length === 2 ? new ForkNeeded(parts, `${owner} requires Python ${requiresPython}`) : null;
}
