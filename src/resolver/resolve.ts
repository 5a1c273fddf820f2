// Resolving requirements against package sources: candidate versions from the index pages,
// dependencies from core metadata (through a MetadataSource: a PEP 658 file, the wheel, or an
// sdist's static PKG-INFO), extras as virtual packages, markers evaluated for the target
// environment, constraints intersected in, overrides replacing what packages ask for, and PubGrub
// choosing. Metadata of each dependency's likeliest version is fetched ahead of the solver.

import type { ResolveTarget } from "../python/target.ts";
import type { CoreMetadata } from "../standards/core-metadata.ts";
import type { MarkerSpace } from "../standards/marker-space.ts";
import { canonicalizeName } from "../standards/name.ts";
import type { Requirement } from "../standards/requirement.ts";
import { tagRanks } from "../standards/tags.ts";
import { compareVersions, type Version } from "../standards/version.ts";
import { SpiceError } from "../util/error.ts";
import {
  type CandidatePolicy,
  otherPlatformRelease,
  otherPlatformWheels,
  type PrereleasePolicy,
  type ResolutionStrategy,
} from "./candidates.ts";
import { DependencyRules } from "./dependency-rules.ts";
import { failureHints, mentions } from "./failure-hints.ts";
import { type ForkNeeded, markerFork, requiresPythonFork } from "./forks.ts";
import { MarkerScope } from "./marker-scope.ts";
import {
  directUrlFiles,
  type InstalledCandidate,
  type MetadataSource,
  PackageCatalog,
} from "./package-catalog.ts";
import { type Dependency, SolveFailure, Solver } from "./pubgrub.ts";
import { RequiredEnvironments } from "./required-environments.ts";
import { admitsPython } from "./requires-python.ts";
import { type Resolution, resolvedPackages, splitExtra } from "./resolved-packages.ts";

export interface ResolveOptions {
  source: MetadataSource;
  target: ResolveTarget;
  requirements: readonly Requirement[];
  constraints?: readonly Requirement[];
  /** Replace every requirement on the same name (marker-less overrides apply everywhere). */
  overrides?: readonly Requirement[];
  /** Names no requirement brings in, the user's or a package's (uv's --excludes). */
  excludes?: ReadonlySet<string>;
  prereleases?: PrereleasePolicy;
  /**
   * How a universal resolution picks versions across Pythons (uv's --fork-strategy):
   * `requires-python` (the default, as uv's) splits the Pythons where the newest version of a
   * package needs a newer one than the part's lowest, so each Python gets the newest it can run;
   * `fewest` picks one version that runs on them all.
   */
  forkStrategy?: "requires-python" | "fewest";
  /** Canonical name → its own pre-release policy (uv's --prerelease-package), before `prereleases`. */
  prereleasePackages?: ReadonlyMap<string, PrereleasePolicy>;
  resolution?: ResolutionStrategy | "lowest-direct";
  onlyBinary?: ReadonlySet<string>;
  noBinary?: ReadonlySet<string>;
  excludeNewer?: string | null;
  /** Canonical name → its own cut-off (uv's --exclude-newer-package; null: none), before excludeNewer. */
  excludeNewerPackages?: ReadonlyMap<string, string | null>;
  preferBinary?: boolean;
  /** Use versions whatever their Requires-Python says (pip's --ignore-requires-python). */
  ignoreRequiresPython?: boolean;
  noDeps?: boolean;
  /**
   * Keep each chosen package's whole metadata document, not only the headers resolving reads
   * (an installation report shows it).
   */
  keepMetadata?: boolean;
  /** Accept files named by URL or path even when their tags do not fit the target. */
  ignoreTags?: boolean;
  /** Versions to try first when they fit (pins from an earlier output, installed versions). */
  preferences?: ReadonlyMap<string, string>;
  /** What is installed: kept when it satisfies, even if no index has that version any more. */
  installed?: { get(name: string): InstalledCandidate | undefined };
  warn?: (message: string) => void;
  /**
   * Universal resolution (one fork of it, resolve/universal.ts): the marker environments this
   * resolution is for. A requirement applies when its marker can hold somewhere in them, wheels
   * of every platform are usable, and Requires-Python is checked against the lowest Python in
   * them (`target.pythonVersion`); `target.markers` and `target.tags` are not read.
   */
  universe?: MarkerSpace;
  /**
   * With a universe: environments every chosen version must install on wherever it is required
   * there (uv's `required-environments`): a wheel for each, or a source distribution.
   */
  requiredEnvironments?: readonly MarkerSpace[];
}

/** Tag ranks that take every wheel alike: a universal resolution is for every platform. */
class EveryTag extends Map<string, number> {
  override get(): number {
    return 0;
  }
  override has(): boolean {
    return true;
  }
}

export type { Resolution, ResolvedPackage } from "./resolved-packages.ts";

/** The error of a failed resolution: the solver's explanation, and hints on what was left out. */
async function noSolution(
  failure: SolveFailure,
  setup: {
    options: ResolveOptions;
    rules: DependencyRules;
    required: RequiredEnvironments;
    policyFor: (name: string) => CandidatePolicy;
  },
): Promise<SpiceError> {
  const { options, rules, required, policyFor } = setup;
  const { explanation } = failure;
  // Which tags the wheels left out have: read again unfiltered, only on this failure's path.
  const otherPlatform = new Map<string, { version: Version; tags: string[] }>();
  for (const [name, entry] of rules.entries) {
    if (entry.skipped.incompatibleTags === 0 || !mentions(explanation, name)) continue;
    const release = otherPlatformRelease(name, (await options.source.files(name)).files, policyFor(name));
    if (release !== null) otherPlatform.set(name, release);
  }
  const found = failureHints(explanation, rules.entries, options.prereleases ?? "if-necessary", {
    releases: otherPlatform,
    bestTag: options.target.tags[0] ?? "",
  });
  const hints = [...found.hints, ...required.hints(explanation, rules.entries)];
  return new SpiceError("E_NO_SOLUTION", "No solution found for the requirements", {
    cause: explanation,
    hint: hints.length > 0 ? hints.join("\n") : undefined,
    notFound: found.notFound,
  });
}

export async function resolve(options: ResolveOptions): Promise<Resolution> {
  const { source, target } = options;
  const warn = options.warn ?? (() => {});
  const direct = new Set(options.requirements.map((requirement) => requirement.canonicalName));
  const universe = options.universe ?? null;
  const required = new RequiredEnvironments(options.requiredEnvironments ?? [], universe);
  const scope = new MarkerScope(target.markers, universe);
  // For --resolution lowest-direct: a universal fork's direct names are those required there.
  const directHere = universe
    ? new Set(
        options.requirements
          .filter((requirement) => scope.appliesHere(requirement))
          .map((requirement) => requirement.canonicalName),
      )
    : direct;
  const prereleasePolicyOf = (name: string): PrereleasePolicy =>
    options.prereleasePackages?.get(name) ?? options.prereleases ?? "if-necessary";
  const policyFor = (name: string): CandidatePolicy => ({
    tagRanks: ranks,
    pythonVersion: target.pythonVersion,
    prereleases: prereleasePolicyOf(name),
    resolution:
      options.resolution === "lowest" || (options.resolution === "lowest-direct" && directHere.has(name))
        ? "lowest"
        : "highest",
    onlyBinary: options.onlyBinary ?? new Set(),
    noBinary: options.noBinary ?? new Set(),
    excludeNewer: options.excludeNewerPackages?.has(name)
      ? (options.excludeNewerPackages.get(name) ?? null)
      : (options.excludeNewer ?? null),
    preferBinary: options.preferBinary ?? false,
    ignoreRequiresPython: options.ignoreRequiresPython ?? false,
  });
  const ranks = universe ? new EveryTag() : tagRanks(target.tags);
  // One for every project: it depends on the target alone (and its key on a checksum of its tags).
  const platformFilter = universe ? undefined : (otherPlatformWheels(policyFor("")) ?? undefined);
  const byName = (list: readonly Requirement[] | undefined) => {
    const map = new Map<string, Requirement[]>();
    for (const requirement of list ?? []) {
      if (!scope.appliesHere(requirement)) continue;
      map.set(requirement.canonicalName, [...(map.get(requirement.canonicalName) ?? []), requirement]);
    }
    return map;
  };
  const constraints = byName(options.constraints);
  const overrides = byName(options.overrides);
  const urlFiles = directUrlFiles([
    ...options.requirements,
    ...(options.constraints ?? []),
    ...(options.overrides ?? []),
  ]);
  const catalog = new PackageCatalog({
    source,
    pythonVersion: target.pythonVersion,
    policyFor,
    platformFilter,
    urlFiles,
    ignoreTags: options.ignoreTags ?? false,
    preferences: options.preferences,
    installed: options.installed,
    keepMetadata: options.keepMetadata ?? false,
  });

  const rules = new DependencyRules({
    scope,
    universe,
    required,
    constraints,
    overrides,
    urlFiles,
    excludes: options.excludes,
    prereleasePolicyOf,
    pinnedByUser: new Set(
      [...options.requirements, ...(options.constraints ?? [])]
        .filter((requirement) => requirement.pinsVersion)
        .map((item) => item.canonicalName),
    ),
  });

  /**
   * Starts fetching the metadata of the version the solver will most likely try first: the best
   * candidate that the requirements known so far on the name allow.
   */
  function prefetch(name: string): void {
    catalog
      .entry(name)
      .then((entry) => {
        const known = [...(rules.wanted.get(name) ?? []), ...(constraints.get(name) ?? [])];
        const first = entry.candidates.find((candidate) =>
          known.every(
            (requirement) =>
              requirement.url !== null || requirement.specifier.contains(candidate.version, true),
          ),
        );
        if (first) catalog.metadata(name, first).catch(() => {});
      })
      .catch(() => {});
  }

  /** Whether the requirements of one package (or the user's) split this fork's environments. */
  function forkOf(
    requirements: readonly Requirement[],
    extra: string | null,
    owner: string,
  ): ForkNeeded | null {
    if (universe === null) return null;
    const placed = requirements
      .filter((requirement) => scope.applies(requirement, extra))
      .map((requirement) => ({ requirement, space: scope.placedIn(universe, requirement, extra) }));
    return markerFork(universe, placed, owner);
  }

  /** A version's Requires-Python splits this fork's Pythons (uv's default fork strategy). */
  function pythonFork(requiresPython: string, owner: string): ForkNeeded | null {
    if (universe === null || options.forkStrategy === "fewest" || options.resolution === "lowest")
      return null;
    return requiresPythonFork(universe, requiresPython, owner);
  }

  const rootFork = forkOf(options.requirements, null, "you");
  if (rootFork) throw rootFork;

  const solver = new Solver(
    {
      async versions(key) {
        const [name] = splitExtra(key);
        const entry = await catalog.entry(name);
        rules.entries.set(name, entry);
        // A newer version than any this part's Pythons can all run: fork where it starts to run.
        const newer = entry.skipped.newestForNewerPython;
        const best = entry.candidates[0]?.version;
        if (newer !== null && (best === undefined || compareVersions(newer.version, best) > 0)) {
          const forked = pythonFork(newer.requiresPython, `${name} ${newer.version}`);
          if (forked) throw forked;
        }
        prefetch(name);
        return entry.candidates.map((candidate) => candidate.version.toString());
      },
      async dependencies(key, version) {
        const [name, extra] = splitExtra(key);
        const entry = await catalog.entry(name);
        const candidate = entry.byVersion.get(version);
        if (!candidate) return { unavailable: "no usable file" };
        // With --no-deps the metadata is still read: Requires-Python applies, as in pip.
        let core: CoreMetadata;
        try {
          core = await catalog.metadata(name, candidate);
        } catch (error) {
          if (error instanceof SpiceError && error.code === "E_NEEDS_BUILD")
            return { unavailable: error.message };
          throw error;
        }
        if (
          core.requiresPython &&
          !candidate.installed &&
          !options.ignoreRequiresPython &&
          !admitsPython(core.requiresPython, target.pythonVersion)
        ) {
          // Known from the metadata only (an index page that does not say it): fork there too.
          const forked = pythonFork(core.requiresPython.toString(), `${name} ${version}`);
          if (forked) throw forked;
          return { unavailable: `it requires Python ${core.requiresPython}` };
        }
        if (options.noDeps && extra === null) return [];
        // A dependency that does not parse is not dropped: the version cannot be used, as uv has
        // it (pip 23.2 stops with a traceback), and the resolver may still pick another.
        const invalid = core.invalidRequirementsFor(extra);
        if (invalid.length > 0)
          return { unavailable: `its metadata has an invalid Requires-Dist: '${invalid[0]}'` };
        if (universe) {
          const forked = forkOf(core.requirementsFor(extra), extra, `${key} ${version}`);
          if (forked) throw forked;
        }
        let dependencies: Dependency[];
        if (extra === null) dependencies = rules.from(core.requirementsFor(null), null);
        else {
          const self: Dependency = {
            name,
            requirement: `${name}==${version}`,
            allowed: (versions) => versions.flatMap((item, index) => (item === version ? [index] : [])),
          };
          const provided = core.providesExtra.map((item) => canonicalizeName(item));
          const mentioned = core
            .requirementsFor(extra)
            .some((requirement) => requirement.marker !== null && scope.holds(requirement.marker, extra));
          if (!provided.includes(extra) && !mentioned) {
            warn(`${name} ${version} does not provide the extra '${extra}'`);
            return [self];
          }
          dependencies = options.noDeps ? [self] : [self, ...rules.from(core.requirementsFor(extra), extra)];
        }
        for (const dependency of dependencies) prefetch(splitExtra(dependency.name)[0]);
        return dependencies;
      },
    },
    rules.from(options.requirements, null),
  );

  let solution: Map<string, string>;
  try {
    solution = await solver.solve();
  } catch (error) {
    if (error instanceof SolveFailure) throw await noSolution(error, { options, rules, required, policyFor });
    throw error;
  }
  return {
    packages: await resolvedPackages(solution, {
      catalog,
      rules,
      scope,
      requirements: options.requirements,
      target,
      urlFiles,
      noDeps: options.noDeps ?? false,
      ignoreRequiresPython: options.ignoreRequiresPython ?? false,
      warn,
    }),
  };
}
