// uv's `required-environments` for a universal resolution: environments every chosen version
// must install on wherever it is required there, with a wheel that runs there or an sdist.

import type { MarkerSpace } from "../standards/marker-space.ts";
import { consistentPlatforms, installsIn } from "../standards/wheel-environments.ts";
import type { Candidate } from "./candidates.ts";
import { mentions } from "./failure-hints.ts";
import type { PackageEntry } from "./package-catalog.ts";

export class RequiredEnvironments {
  /** Each environment's marker text, for messages. */
  private readonly text: Map<MarkerSpace, string>;
  /**
   * Each environment within the resolution's own (its Pythons, for wheels' tags), among those a
   * Python runs in: `platform_system == 'Linux'` is where sys_platform is linux.
   */
  private readonly here: Map<MarkerSpace, MarkerSpace>;

  constructor(
    readonly environments: readonly MarkerSpace[],
    universe: MarkerSpace | null,
  ) {
    this.text = new Map(
      environments.map((environment) => [environment, environment.toMarkerText() ?? "every platform"]),
    );
    this.here = new Map(
      environments.map((environment) => [
        environment,
        consistentPlatforms(universe ? environment.and(universe) : environment),
      ]),
    );
  }

  /** The environments a requirement applying in `space` must install on. */
  within(space: MarkerSpace): readonly MarkerSpace[] {
    return this.environments.filter((environment) => environment.overlaps(space));
  }

  describe(environments: readonly MarkerSpace[], separator: string): string {
    return environments.map((environment) => this.text.get(environment)).join(separator);
  }

  /** Whether a candidate has a file for each environment: a wheel that runs there, or an sdist. */
  installsOnAll(candidate: Candidate | undefined, needed: readonly MarkerSpace[]): boolean {
    // A version the solver has no files for (a URL requirement's, an installed one) is taken as is.
    if (candidate === undefined || candidate.files.length === 0) return true;
    return needed.every((environment) =>
      installsIn(candidate.files, this.here.get(environment) ?? environment),
    );
  }

  /** For a failure: the newest versions it names that do not install on a required environment. */
  hints(explanation: string, entries: ReadonlyMap<string, PackageEntry>): string[] {
    const hints: string[] = [];
    for (const [name, entry] of entries) {
      if (!mentions(explanation, name)) continue;
      for (const candidate of entry.candidates.slice(0, 3)) {
        const missing = this.environments.filter(
          (environment) => !this.installsOnAll(candidate, [environment]),
        );
        if (missing.length === 0) continue;
        hints.push(
          `${name} ${candidate.version} has no wheel that installs where ${this.describe(missing, ", nor where ")}, and no source distribution`,
        );
      }
    }
    return hints;
  }
}
