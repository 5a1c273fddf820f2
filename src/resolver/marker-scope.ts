// Which requirements apply where a resolution is for: the target's marker environment, or (a
// universal resolution) somewhere in one fork's set of environments. Each requirement's marker
// is asked about many times while solving, so every answer is kept.

import type { Marker, MarkerEnvironment } from "../standards/marker.ts";
import { MarkerSpace } from "../standards/marker-space.ts";
import type { Requirement } from "../standards/requirement.ts";

export class MarkerScope {
  /** Where each marker holds, by marker and extra (universal resolution reads them as sets). */
  readonly spaceOf = perMarkerAndExtra((marker, extra) => MarkerSpace.of(marker.markers, extra));
  private readonly environments = new Map<string, MarkerEnvironment>();
  /** Whether a marker holds for the target (universal: somewhere in this fork's environments). */
  readonly holds = perMarkerAndExtra((marker, extra) =>
    this.universe
      ? this.spaceOf(marker, extra).overlaps(this.universe)
      : marker.evaluate(this.environmentWith(extra)),
  );

  constructor(
    private readonly markers: MarkerEnvironment,
    readonly universe: MarkerSpace | null,
  ) {}

  private environmentWith(extra: string): MarkerEnvironment {
    let environment = this.environments.get(extra);
    if (environment === undefined) {
      environment = { ...this.markers, extra };
      this.environments.set(extra, environment);
    }
    return environment;
  }

  /** Whether a requirement without an extra (the user's, a package's own) applies here. */
  appliesHere(requirement: Requirement): boolean {
    return requirement.marker === null || this.holds(requirement.marker, "");
  }

  /**
   * Whether `requirement` applies to the package, or to its `extra`'s package: for an extra's
   * package, only what the extra adds (the base package brings the rest).
   */
  applies(requirement: Requirement, extra: string | null): boolean {
    if (requirement.marker === null) return extra === null;
    return (
      this.holds(requirement.marker, extra ?? "") && (extra === null || !this.holds(requirement.marker, ""))
    );
  }

  /** Where a requirement applies within a universe. */
  placedIn(universe: MarkerSpace, requirement: Requirement, extra: string | null): MarkerSpace {
    return requirement.marker ? this.spaceOf(requirement.marker, extra ?? "").and(universe) : universe;
  }
}

/** A cache of one value per marker and extra. */
function perMarkerAndExtra<T>(
  compute: (marker: Marker, extra: string) => T,
): (marker: Marker, extra: string) => T {
  const cache = new WeakMap<Marker, Map<string, T>>();
  return (marker, extra) => {
    let byExtra = cache.get(marker);
    if (byExtra === undefined) {
      byExtra = new Map();
      cache.set(marker, byExtra);
    }
    let value = byExtra.get(extra);
    if (value === undefined) {
      value = compute(marker, extra);
      byExtra.set(extra, value);
    }
    return value;
  };
}
