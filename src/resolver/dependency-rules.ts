// How a requirement becomes the solver's dependency: markers decide whether it applies here,
// overrides replace it, constraints narrow it, extras add a dependency on the `name[extra]`
// virtual package, and a yanked version or one that cannot install on a required environment is
// left out of what it allows.

import type { IndexFile } from "../index/simple-api.ts";
import type { MarkerSpace } from "../standards/marker-space.ts";
import { canonicalizeName } from "../standards/name.ts";
import type { Requirement } from "../standards/requirement.ts";
import { redactText } from "../util/redact.ts";
import type { PrereleasePolicy } from "./candidates.ts";
import { STRAY_URL_NOTE } from "./failure-hints.ts";
import type { MarkerScope } from "./marker-scope.ts";
import type { PackageEntry } from "./package-catalog.ts";
import type { Dependency } from "./pubgrub.ts";
import type { RequiredEnvironments } from "./required-environments.ts";

export interface DependencyRulesSetup {
  scope: MarkerScope;
  /** A universal resolution's environments (one fork's), else null. */
  universe: MarkerSpace | null;
  required: RequiredEnvironments;
  /** By canonical name, those that apply here. */
  constraints: ReadonlyMap<string, Requirement[]>;
  overrides: ReadonlyMap<string, Requirement[]>;
  /** Files the user's requirements name by URL or path, by canonical name. */
  urlFiles: ReadonlyMap<string, IndexFile>;
  excludes?: ReadonlySet<string>;
  prereleasePolicyOf: (name: string) => PrereleasePolicy;
  /** Names the user pins exactly (`==`, `===`) in requirements or constraints. */
  pinnedByUser: ReadonlySet<string>;
}

export class DependencyRules {
  /** Requirements seen on each name (for prefetching the version the solver will try first). */
  readonly wanted = new Map<string, Requirement[]>();
  /** Entries the solver has loaded, for synchronous use in `allowed` and for failure hints. */
  readonly entries = new Map<string, PackageEntry>();

  constructor(private readonly setup: DependencyRulesSetup) {}

  /** The solver's dependencies from requirements (a package's for `extra`, or the user's). */
  from(requirements: readonly Requirement[], extra: string | null): Dependency[] {
    const { scope, excludes, overrides } = this.setup;
    const result: Dependency[] = [];
    const seenOverrides = new Set<string>();
    for (const original of requirements) {
      if (!scope.applies(original, extra)) continue;
      const name = original.canonicalName;
      if (excludes?.has(name)) continue;
      const replaced = overrides.get(name);
      const applied = replaced ?? [original];
      if (replaced) {
        if (seenOverrides.has(name)) continue;
        seenOverrides.add(name);
      }
      for (const requirement of applied) {
        this.wanted.set(name, [...(this.wanted.get(name) ?? []), requirement]);
        const needed = this.neededFor(requirement, extra);
        result.push(this.dependencyOn(requirement, name, needed));
        for (const requested of requirement.extras)
          result.push(this.dependencyOn(requirement, `${name}[${canonicalizeName(requested)}]`, needed));
      }
    }
    return result;
  }

  /** The required environments where a requirement (of a package asked for with `extra`) applies. */
  private neededFor(requirement: Requirement, extra: string | null): readonly MarkerSpace[] {
    const { universe, required, scope } = this.setup;
    if (universe === null || required.environments.length === 0) return [];
    return required.within(scope.placedIn(universe, requirement, extra));
  }

  /**
   * A requirement as the solver's dependency on `key` (`name` or `name[extra]`); `needed` are
   * the required environments where it applies, each of which the chosen version must install on.
   */
  private dependencyOn(requirement: Requirement, key: string, needed: readonly MarkerSpace[]): Dependency {
    const { constraints, urlFiles, required, pinnedByUser } = this.setup;
    const name = requirement.canonicalName;
    // Pre-releases stay inside every range unless disallowed: candidates are ordered finals
    // first, so a pre-release is chosen only when no final release fits ("if necessary"),
    // including when backtracking rules the finals out.
    const prereleasesAllowed = this.setup.prereleasePolicyOf(name) !== "disallow";
    const constraining = (constraints.get(name) ?? []).filter((item) => item.url === null);
    const applied = [requirement, ...constraining];
    // Yanked releases (PEP 592) are usable when the user pins the name exactly, wherever else it
    // is required from.
    const pinned = applied.some((item) => item.pinsVersion) || pinnedByUser.has(name);
    // A dependency's own URL is taken only when the user's requirements name it too (as uv):
    // a package on an index cannot make the resolution fetch from wherever it says.
    const strayUrl = requirement.url !== null && !urlFiles.has(name);
    // A failure's explanation names the constraint that narrowed what was asked for: without
    // it, `you require beta>=1, which no version of beta satisfies` hid a `-c` file's `beta<1`.
    const notes = [
      ...(strayUrl ? [STRAY_URL_NOTE] : []),
      ...(constraining.length === 0
        ? []
        : [`with the constraint ${constraining.map((item) => `${item.name}${item.specifier}`).join(", ")}`]),
      ...(needed.length === 0 ? [] : [`installable on ${required.describe(needed, " and on ")}`]),
    ];
    // A failure's explanation is printed: a URL's credentials are not.
    const described = requirement.url === null ? requirement.toString() : redactText(requirement.toString());
    return {
      name: key,
      requirement: notes.length === 0 ? described : `${described} (${notes.join("; ")})`,
      allowed: (versions) => {
        if (strayUrl) return [];
        const entry = this.entries.get(name);
        let matching = versions;
        for (const item of applied) {
          if (item.url !== null) continue;
          matching = item.specifier.filter(matching, prereleasesAllowed);
        }
        const allowed = new Set(matching);
        return versions.flatMap((version, index) => {
          if (!allowed.has(version)) return [];
          if (!pinned && entry?.yanked.has(version)) return [];
          if (needed.length > 0 && !required.installsOnAll(entry?.byVersion.get(version), needed)) return [];
          return [index];
        });
      },
    };
  }
}
