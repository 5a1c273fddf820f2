// Resolving requirements against package sources: candidate versions from the index pages,
// dependencies from core metadata (through a MetadataSource: a PEP 658 file, the wheel, or an
// sdist's static PKG-INFO), extras as virtual packages, markers evaluated for the target
// environment, constraints intersected in, overrides replacing what packages ask for, and PubGrub
// choosing. Metadata of each dependency's likeliest version is fetched ahead of the solver.

import type { FileFilter } from "../index/package-source.ts";
import { bareIndexFile, type IndexFile } from "../index/simple-api.ts";
import type { ResolveTarget } from "../python/target.ts";
import { type CoreMetadata, coreHeadersOf, coreMetadataFrom } from "../standards/core-metadata.ts";
import { tryParseWheelFilename } from "../standards/filename.ts";
import type { Marker, MarkerEnvironment } from "../standards/marker.ts";
import { MarkerSpace } from "../standards/marker-space.ts";
import { InvalidMetadata, type RawMetadata } from "../standards/metadata.ts";
import { canonicalizeName } from "../standards/name.ts";
import { compareCodePoints } from "../standards/python-string.ts";
import { pyUnquote } from "../standards/python-url.ts";
import type { Requirement } from "../standards/requirement.ts";
import { parseSpecifierSet, type Specifier } from "../standards/specifier.ts";
import { tagRanks } from "../standards/tags.ts";
import { compareVersions, tryParseVersion, type Version, versionsEqual } from "../standards/version.ts";
import { consistentPlatforms, installsIn } from "../standards/wheel-environments.ts";
import { SpiceError } from "../util/error.ts";
import { plural } from "../util/plural.ts";
import { redactText, redactUrl } from "../util/redact.ts";
import {
  type Candidate,
  type CandidatePolicy,
  type CandidateSet,
  otherPlatformRelease,
  otherPlatformWheels,
  type PrereleasePolicy,
  type ResolutionStrategy,
  selectCandidates,
} from "./candidates.ts";
import { type Dependency, ROOT, SolveFailure, Solver } from "./pubgrub.ts";
import { admitsPython, lowerBounds, pythonsAdmitted } from "./requires-python.ts";

/** Where files and their metadata come from (cli/ wires an index, find-links and a cache). */
export interface MetadataSource {
  /** Every file the sources offer for a canonical project name, less those `filter` drops (counted). */
  files(name: string, filter?: FileFilter): Promise<{ files: readonly IndexFile[]; dropped: number }>;
  /** The core metadata text of one file; throws SpiceError E_NEEDS_BUILD when it must be built. */
  metadata(file: IndexFile): Promise<string>;
  /** Only the headers of it that the resolver reads (coreHeadersOf): less to read from a cache. */
  coreHeaders(file: IndexFile): Promise<RawMetadata>;
}

/** A distribution already in the target environment. */
export interface InstalledCandidate {
  version: Version;
  metadata: CoreMetadata;
}

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

/** Tag ranks that take every wheel alike: a universal resolution is for every platform. */
class EveryTag extends Map<string, number> {
  override get(): number {
    return 0;
  }
  override has(): boolean {
    return true;
  }
}

export interface ResolvedPackage {
  name: string;
  version: Version;
  /** The file to install, or null when the installed distribution is kept. */
  file: IndexFile | null;
  /** Every usable file of that version (for hashes in a compiled output). */
  files: IndexFile[];
  /** Extras of it that were asked for. */
  extras: string[];
  /** The extras the user's own requirements on it name, sorted as pip reports them (`requested_extras`). */
  requestedExtras: string[];
  /** Who asked for it: canonical parent names, and ROOT for the user's requirements. */
  requiredBy: string[];
  /** Asked for by the user (REQUESTED). */
  requested: boolean;
  /** Named by URL or path (`name @ URL`, a wheel file): PEP 610 direct_url.json is written. */
  direct: boolean;
  metadata: CoreMetadata | null;
}

export interface Resolution {
  packages: Map<string, ResolvedPackage>;
}

interface Entry {
  candidates: Candidate[];
  skipped: CandidateSet["skipped"];
  /** version string → candidate */
  byVersion: Map<string, Candidate & { installed?: InstalledCandidate }>;
  /** Versions whose files are all yanked. */
  yanked: Set<string>;
}

/** Said of a dependency's URL requirement that the user's requirements do not name. */
const STRAY_URL_NOTE = "a URL that only your own requirements or constraints can name";

/** A VCS URL (pip's `git+`, `hg+`, `svn+`, `bzr+` schemes) names a checkout to build: refused as such. */
export function refuseVcs(url: string): void {
  const vcs = /^(git|hg|svn|bzr)\+/i.exec(url);
  if (vcs === null) return;
  throw new SpiceError(
    "E_BUILD_REQUIRED",
    `${redactUrl(url)} is a ${vcs[1].toLowerCase()} checkout to build, and spice does not build yet`,
    {
      cause: "spice installs wheels; a checkout needs its build backend run first",
      hint: "Build a wheel from a checkout (`python -m build --wheel`) and install the .whl file, or require a released version",
    },
  );
}

function splitExtra(key: string): [string, string | null] {
  const bracket = key.indexOf("[");
  return bracket < 0 ? [key, null] : [key.slice(0, bracket), key.slice(bracket + 1, -1)];
}

function isPinned(requirement: Requirement): boolean {
  return requirement.specifier.specs.some((spec) => spec.operator === "==" || spec.operator === "===");
}

export async function resolve(options: ResolveOptions): Promise<Resolution> {
  const { source, target } = options;
  const warn = options.warn ?? (() => {});
  const direct = new Set(options.requirements.map((requirement) => requirement.canonicalName));
  const universe = options.universe ?? null;
  const requiredEnvironments = options.requiredEnvironments ?? [];
  /** Each required environment's marker text, for messages. */
  const requiredText = new Map(
    requiredEnvironments.map((environment) => [environment, environment.toMarkerText() ?? "every platform"]),
  );
  /**
   * Each required environment within this resolution's environments (its Pythons, for wheels'
   * tags), among those a Python runs in: `platform_system == 'Linux'` is where sys_platform is linux.
   */
  const requiredHere = new Map(
    requiredEnvironments.map((environment) => [
      environment,
      consistentPlatforms(universe ? environment.and(universe) : environment),
    ]),
  );
  // Where each marker holds, by marker and extra (universal resolution reads them as sets).
  const spaceOf = perMarkerAndExtra((marker, extra) => MarkerSpace.of(marker.markers, extra));
  const environments = new Map<string, MarkerEnvironment>();
  const environmentWith = (extra: string): MarkerEnvironment => {
    let environment = environments.get(extra);
    if (environment === undefined) {
      environment = { ...target.markers, extra };
      environments.set(extra, environment);
    }
    return environment;
  };
  /** Whether a marker holds for the target (universal: somewhere in this fork's environments). */
  const holds = perMarkerAndExtra((marker, extra) =>
    universe ? spaceOf(marker, extra).overlaps(universe) : marker.evaluate(environmentWith(extra)),
  );
  // For --resolution lowest-direct: a universal fork's direct names are those required there.
  const directHere = universe
    ? new Set(
        options.requirements
          .filter((requirement) => requirement.marker === null || holds(requirement.marker, ""))
          .map((requirement) => requirement.canonicalName),
      )
    : direct;
  const requestedExtrasOf = (name: string): string[] => {
    const extras = options.requirements
      .filter((requirement) => requirement.canonicalName === name)
      .filter((requirement) => requirement.marker === null || markerHolds(requirement, ""))
      .flatMap((requirement) => requirement.extras)
      // pip's safe_extra: runs of other characters become "_", then lower case.
      .map((extra) => extra.replace(/[^A-Za-z0-9.-]+/g, "_").toLowerCase());
    return [...new Set(extras)].sort(compareCodePoints);
  };
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
  const entries = new Map<string, Promise<Entry>>();
  const metadata = new Map<string, Promise<CoreMetadata>>();
  const byName = (list: readonly Requirement[] | undefined) => {
    const map = new Map<string, Requirement[]>();
    for (const requirement of list ?? []) {
      if (requirement.marker && !holds(requirement.marker, "")) continue;
      map.set(requirement.canonicalName, [...(map.get(requirement.canonicalName) ?? []), requirement]);
    }
    return map;
  };
  const constraints = byName(options.constraints);
  const overrides = byName(options.overrides);
  // Direct URL requirements: that one file is the only candidate for its name.
  const urlFiles = new Map<string, IndexFile>();
  for (const requirement of [
    ...options.requirements,
    ...(options.constraints ?? []),
    ...(options.overrides ?? []),
  ]) {
    if (requirement.url === null) continue;
    const url = parsedUrl(requirement.url, requirement.name);
    const filename = pyUnquote(url.pathname.split("/").pop() ?? "");
    const hashes = Object.fromEntries(
      [...url.hash.slice(1).split("&")]
        .map((part) => part.split("="))
        .filter(([algorithm, digest]) => digest && /^(sha\d+|md5)$/.test(algorithm)),
    );
    const file = bareIndexFile(filename, requirement.url.split("#")[0], hashes);
    const subdirectory = /[#&]subdirectory=([^&]*)/.exec(url.hash)?.[1];
    if (subdirectory) file.subdirectory = subdirectory;
    urlFiles.set(requirement.canonicalName, file);
  }

  function entryOf(name: string): Promise<Entry> {
    let pending = entries.get(name);
    if (pending === undefined) {
      pending = (async () => {
        const urlFile = urlFiles.get(name);
        const policy = policyFor(name);
        // Upload times come before tags (otherPlatformWheels): a name with a cut-off of its own
        // (--exclude-newer-package) reads its page whole.
        const filter = policy.excludeNewer ? undefined : platformFilter;
        const { files, dropped } = urlFile
          ? { files: [urlFile], dropped: 0 }
          : await source.files(name, filter);
        let filePolicy = policy;
        if (urlFile) {
          filePolicy = { ...policy, excludeNewer: null };
          const wheel = tryParseWheelFilename(urlFile.filename);
          if (options.ignoreTags && wheel)
            filePolicy.tagRanks = new Map([
              ...ranks,
              ...[...wheel.tags].map((tag) => [tag, ranks.size] as const),
            ]);
        }
        const selected = selectCandidates(name, files, filePolicy, dropped);
        if (urlFile && selected.candidates.length === 0) {
          const wheel = tryParseWheelFilename(urlFile.filename);
          if (wheel && wheel.name === name) {
            throw new SpiceError(
              "E_INCOMPATIBLE_WHEEL",
              `${urlFile.filename} is not compatible with the target Python and platform`,
              {
                cause: `its tags (${[...wheel.tags].sort().join(", ")}) are none of Python ${target.pythonVersion}'s`,
                hint: "Use a wheel built for this Python and platform, or --ignore-tags to install it anyway",
              },
            );
          }
          refuseVcs(urlFile.url);
          throw new SpiceError("E_DIRECT_URL", `${redactUrl(urlFile.url)} cannot be installed for ${name}`, {
            cause: "its file name is not a wheel or sdist of that project",
          });
        }
        let candidates: Array<Candidate & { installed?: InstalledCandidate }> = selected.candidates;
        const installed = urlFile ? undefined : options.installed?.get(name);
        // Compared by PEP 440 (a pin or an installed `1.0` is a candidate `1.0.0`).
        const pinned = options.preferences?.get(name);
        const preferred = pinned === undefined ? installed?.version : (tryParseVersion(pinned) ?? undefined);
        if (preferred !== undefined) {
          const index = candidates.findIndex((candidate) => versionsEqual(candidate.version, preferred));
          const isInstalled = installed !== undefined && versionsEqual(installed.version, preferred);
          if (index >= 0) {
            const [chosen] = candidates.splice(index, 1);
            candidates.unshift(isInstalled ? { ...chosen, installed } : chosen);
          } else if (installed && isInstalled) {
            candidates = [{ version: installed.version, files: [], yanked: false, installed }, ...candidates];
          }
        }
        return {
          candidates,
          skipped: selected.skipped,
          byVersion: new Map(candidates.map((candidate) => [candidate.version.toString(), candidate])),
          yanked: new Set(candidates.filter((item) => item.yanked).map((item) => item.version.toString())),
        };
      })();
      entries.set(name, pending);
    }
    return pending;
  }

  function metadataFor(
    name: string,
    candidate: Candidate & { installed?: InstalledCandidate },
  ): Promise<CoreMetadata> {
    if (candidate.installed) return Promise.resolve(candidate.installed.metadata);
    const key = `${name}==${candidate.version}`;
    let pending = metadata.get(key);
    if (pending === undefined) {
      const file = candidate.files[0];
      // A report shows the whole document; resolving needs only a few of its headers.
      const read = options.keepMetadata
        ? source.metadata(file).then((text) => ({ headers: coreHeadersOf(text), text }))
        : source.coreHeaders(file).then((headers) => ({ headers, text: null }));
      pending = read.then(({ headers, text }) => {
        let core: CoreMetadata;
        try {
          core = coreMetadataFrom(headers, text);
        } catch (error) {
          if (!(error instanceof InvalidMetadata)) throw error;
          throw new SpiceError("E_METADATA", `The metadata of ${file.filename} is invalid`, {
            cause: error.message,
            hint: `Report it to the project; \`${name}!=${candidate.version}\` in your requirements skips this version`,
          });
        }
        if (canonicalizeName(core.name) !== name) {
          throw new SpiceError("E_METADATA", `${file.filename} says it is ${core.name}, not ${name}`);
        }
        // As pip does (MetadataInconsistent): metadata served beside a file must be that file's.
        if (compareVersions(core.version, candidate.version) !== 0) {
          throw new SpiceError(
            "E_METADATA",
            `The metadata of ${file.filename} says version ${core.version}, not ${candidate.version}`,
            { hint: "The index serves metadata that does not match its files; report it to its operator" },
          );
        }
        return core;
      });
      metadata.set(key, pending);
    }
    return pending;
  }

  /**
   * Starts fetching the metadata of the version the solver will most likely try first: the best
   * candidate that the requirements known so far on the name allow.
   */
  function prefetch(name: string): void {
    entryOf(name)
      .then((entry) => {
        const known = [...(wanted.get(name) ?? []), ...(constraints.get(name) ?? [])];
        const first = entry.candidates.find((candidate) =>
          known.every(
            (requirement) =>
              requirement.url !== null || requirement.specifier.contains(candidate.version, true),
          ),
        );
        if (first) metadataFor(name, first).catch(() => {});
      })
      .catch(() => {});
  }
  /** Requirements seen on each name (for prefetching the right version). */
  const wanted = new Map<string, Requirement[]>();

  // Yanked releases (PEP 592) are usable when the user pins the name exactly, wherever else it
  // is required from.
  const pinnedByUser = new Set(
    [...options.requirements, ...(options.constraints ?? [])]
      .filter(isPinned)
      .map((item) => item.canonicalName),
  );

  /**
   * A requirement as the solver's dependency on `key` (`name` or `name[extra]`); `needed` are
   * the required environments where it applies, each of which the chosen version must install on.
   */
  function dependencyOn(requirement: Requirement, key: string, needed: readonly MarkerSpace[]): Dependency {
    const name = requirement.canonicalName;
    // Pre-releases stay inside every range unless disallowed: candidates are ordered finals
    // first, so a pre-release is chosen only when no final release fits ("if necessary"),
    // including when backtracking rules the finals out.
    const prereleasesAllowed = prereleasePolicyOf(name) !== "disallow";
    const constraining = (constraints.get(name) ?? []).filter((item) => item.url === null);
    const applied = [requirement, ...constraining];
    const pinned = applied.some(isPinned) || pinnedByUser.has(name);
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
      ...(needed.length === 0
        ? []
        : [`installable on ${needed.map((environment) => requiredText.get(environment)).join(" and on ")}`]),
    ];
    // A failure's explanation is printed: a URL's credentials are not.
    const described = requirement.url === null ? requirement.toString() : redactText(requirement.toString());
    return {
      name: key,
      requirement: notes.length === 0 ? described : `${described} (${notes.join("; ")})`,
      allowed: (versions) => {
        if (strayUrl) return [];
        const entry = resolvedEntries.get(name);
        let matching = versions;
        for (const item of applied) {
          if (item.url !== null) continue;
          matching = item.specifier.filter(matching, prereleasesAllowed);
        }
        const allowed = new Set(matching);
        return versions.flatMap((version, index) => {
          if (!allowed.has(version)) return [];
          if (!pinned && entry?.yanked.has(version)) return [];
          if (needed.length > 0 && !installsOnAll(entry?.byVersion.get(version), needed)) return [];
          return [index];
        });
      },
    };
  }

  /** Whether a candidate has a file for each environment: a wheel that runs there, or an sdist. */
  function installsOnAll(candidate: Candidate | undefined, needed: readonly MarkerSpace[]): boolean {
    // A version the solver has no files for (a URL requirement's, an installed one) is taken as is.
    if (candidate === undefined || candidate.files.length === 0) return true;
    return needed.every((environment) =>
      installsIn(candidate.files, requiredHere.get(environment) ?? environment),
    );
  }

  /** For a failure: the newest versions it names that do not install on a required environment. */
  function requiredEnvironmentHints(explanation: string): string[] {
    if (requiredEnvironments.length === 0) return [];
    const hints: string[] = [];
    for (const [name, entry] of resolvedEntries) {
      if (!mentions(explanation, name)) continue;
      for (const candidate of entry.candidates.slice(0, 3)) {
        const missing = requiredEnvironments.filter(
          (environment) => !installsOnAll(candidate, [environment]),
        );
        if (missing.length === 0) continue;
        const where = missing.map((environment) => requiredText.get(environment)).join(", nor where ");
        hints.push(
          `${name} ${candidate.version} has no wheel that installs where ${where}, and no source distribution`,
        );
      }
    }
    return hints;
  }

  /** The required environments where a requirement (of a package asked for with `extra`) applies. */
  function neededFor(requirement: Requirement, extra: string | null): readonly MarkerSpace[] {
    if (universe === null || requiredEnvironments.length === 0) return [];
    const space = requirement.marker ? spaceOf(requirement.marker, extra ?? "").and(universe) : universe;
    return requiredEnvironments.filter((environment) => environment.overlaps(space));
  }

  /** Entries the solver has loaded, for synchronous use in `allowed` and for failure hints. */
  const resolvedEntries = new Map<string, Entry>();

  function markerHolds(requirement: Requirement, extra: string): boolean {
    return holds(requirement.marker!, extra);
  }

  /**
   * Whether `requirement` applies to the package, or to its `extra`'s package: for an extra's
   * package, only what the extra adds (the base package brings the rest).
   */
  function applies(requirement: Requirement, extra: string | null): boolean {
    if (requirement.marker === null) return extra === null;
    return markerHolds(requirement, extra ?? "") && (extra === null || !markerHolds(requirement, ""));
  }

  function dependenciesFrom(requirements: readonly Requirement[], extra: string | null): Dependency[] {
    const result: Dependency[] = [];
    const seenOverrides = new Set<string>();
    for (const original of requirements) {
      if (!applies(original, extra)) continue;
      const name = original.canonicalName;
      if (options.excludes?.has(name)) continue;
      const replaced = overrides.get(name);
      const applied = replaced ?? [original];
      if (replaced) {
        if (seenOverrides.has(name)) continue;
        seenOverrides.add(name);
      }
      for (const requirement of applied) {
        wanted.set(name, [...(wanted.get(name) ?? []), requirement]);
        const needed = neededFor(requirement, extra);
        result.push(dependencyOn(requirement, name, needed));
        for (const requested of requirement.extras)
          result.push(dependencyOn(requirement, `${name}[${canonicalizeName(requested)}]`, needed));
      }
    }
    return result;
  }

  /**
   * Whether `requirements` (of one package, or the user's) split this fork's environments, as
   * uv's universal resolver forks: two or more requirements on one name whose markers differ
   * there, or one whose marker raises the lowest Python. Null when they do not.
   */
  function forkOf(
    requirements: readonly Requirement[],
    extra: string | null,
    owner: string,
  ): ForkNeeded | null {
    if (universe === null) return null;
    const byName = new Map<string, Array<{ requirement: Requirement; space: MarkerSpace }>>();
    for (const requirement of requirements) {
      if (!applies(requirement, extra)) continue;
      const space = requirement.marker ? spaceOf(requirement.marker, extra ?? "").and(universe) : universe;
      const list = byName.get(requirement.canonicalName) ?? [];
      list.push({ requirement, space });
      byName.set(requirement.canonicalName, list);
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
   * uv's requires-python fork: where `requiresPython` (a version's) leaves out the part's lowest
   * Python but admits a newer one in it, the part splits at its lower bound, so that the newer
   * Pythons get that version and the older ones an older one. Null when it does not split.
   */
  function requiresPythonFork(requiresPython: string, owner: string): ForkNeeded | null {
    if (universe === null || options.forkStrategy === "fewest" || options.resolution === "lowest")
      return null;
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

  const rootFork = forkOf(options.requirements, null, "you");
  if (rootFork) throw rootFork;

  const solver = new Solver(
    {
      async versions(key) {
        const [name] = splitExtra(key);
        const entry = await entryOf(name);
        resolvedEntries.set(name, entry);
        // A newer version than any this part's Pythons can all run: fork where it starts to run.
        const newer = entry.skipped.newestForNewerPython;
        const best = entry.candidates[0]?.version;
        if (newer !== null && (best === undefined || compareVersions(newer.version, best) > 0)) {
          const forked = requiresPythonFork(newer.requiresPython, `${name} ${newer.version}`);
          if (forked) throw forked;
        }
        prefetch(name);
        return entry.candidates.map((candidate) => candidate.version.toString());
      },
      async dependencies(key, version) {
        const [name, extra] = splitExtra(key);
        const entry = await entryOf(name);
        const candidate = entry.byVersion.get(version);
        if (!candidate) return { unavailable: "no usable file" };
        // With --no-deps the metadata is still read: Requires-Python applies, as in pip.
        let core: CoreMetadata;
        try {
          core = await metadataFor(name, candidate);
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
          const forked = requiresPythonFork(core.requiresPython.toString(), `${name} ${version}`);
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
        if (extra === null) dependencies = dependenciesFrom(core.requirementsFor(null), null);
        else {
          const self: Dependency = {
            name,
            requirement: `${name}==${version}`,
            allowed: (versions) => versions.flatMap((item, index) => (item === version ? [index] : [])),
          };
          const provided = core.providesExtra.map((item) => canonicalizeName(item));
          const mentioned = core
            .requirementsFor(extra)
            .some((requirement) => requirement.marker !== null && holds(requirement.marker, extra));
          if (!provided.includes(extra) && !mentioned) {
            warn(`${name} ${version} does not provide the extra '${extra}'`);
            return [self];
          }
          dependencies = options.noDeps
            ? [self]
            : [self, ...dependenciesFrom(core.requirementsFor(extra), extra)];
        }
        for (const dependency of dependencies) prefetch(splitExtra(dependency.name)[0]);
        return dependencies;
      },
    },
    dependenciesFrom(options.requirements, null),
  );

  let solution: Map<string, string>;
  try {
    solution = await solver.solve();
  } catch (error) {
    if (error instanceof SolveFailure) {
      // Which tags the wheels left out have: read again unfiltered, only on this failure's path.
      const otherPlatform = new Map<string, { version: Version; tags: string[] }>();
      for (const [name, entry] of resolvedEntries) {
        if (entry.skipped.incompatibleTags === 0 || !mentions(error.explanation, name)) continue;
        const release = otherPlatformRelease(name, (await source.files(name)).files, policyFor(name));
        if (release !== null) otherPlatform.set(name, release);
      }
      const hints = [
        failureHints(error.explanation, resolvedEntries, options.prereleases ?? "if-necessary", {
          releases: otherPlatform,
          bestTag: target.tags[0] ?? "",
        }),
        ...requiredEnvironmentHints(error.explanation),
      ].filter((hint) => hint !== "");
      throw new SpiceError("E_NO_SOLUTION", "No solution found for the requirements", {
        cause: error.explanation,
        hint: hints.length > 0 ? hints.join("\n") : undefined,
      });
    }
    throw error;
  }
  return { packages: await collect(solution) };

  async function collect(chosen: Map<string, string>): Promise<Map<string, ResolvedPackage>> {
    const packages = new Map<string, ResolvedPackage>();
    for (const [key, version] of chosen) {
      const [name, extra] = splitExtra(key);
      if (key === ROOT) continue;
      const entry = await entryOf(name);
      const candidate = entry.byVersion.get(version)!;
      let resolved = packages.get(name);
      if (resolved === undefined) {
        // Read while solving (for Requires-Python, with --no-deps too).
        const core = await metadataFor(name, candidate);
        if (candidate.yanked) {
          const reason = candidate.files[0]?.yanked;
          warn(`${name} ${version} is yanked${reason ? ` (reason: ${reason})` : ""}`);
        }
        if (
          core.requiresPython &&
          !candidate.installed &&
          !options.ignoreRequiresPython &&
          !core.requiresPython.contains(target.pythonVersion, true)
        ) {
          warn(
            `${name} ${version} declares Requires-Python ${core.requiresPython}, which leaves out Python ${target.pythonVersion}; spice reads only its lower bound, as uv does`,
          );
        }
        resolved = {
          name,
          version: candidate.version,
          file: candidate.installed ? null : candidate.files[0],
          files: candidate.files,
          extras: [],
          requestedExtras: requestedExtrasOf(name),
          requiredBy: [],
          requested: direct.has(name),
          direct: urlFiles.has(name) && !candidate.installed,
          metadata: core,
        };
        packages.set(name, resolved);
      }
      if (extra !== null) resolved.extras.push(extra);
    }
    // Parents, from the chosen versions' applicable requirements.
    const rootKeys = dependenciesFrom(options.requirements, null).map(
      (dependency) => splitExtra(dependency.name)[0],
    );
    for (const name of rootKeys) packages.get(name)?.requiredBy.push(ROOT);
    for (const parent of packages.values()) {
      if (parent.metadata === null || options.noDeps) continue;
      const keys = new Set<string>();
      for (const extra of [null, ...parent.extras])
        for (const dependency of dependenciesFrom(parent.metadata.requirementsFor(extra), extra))
          keys.add(splitExtra(dependency.name)[0]);
      for (const name of keys) {
        const child = packages.get(name);
        if (child && name !== parent.name && !child.requiredBy.includes(parent.name))
          child.requiredBy.push(parent.name);
      }
    }
    for (const resolved of packages.values()) resolved.requiredBy = [...new Set(resolved.requiredBy)];
    return packages;
  }
}

/** A cache of one value per marker and extra: each requirement's marker is asked about many times. */
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

/** Whether a failure's explanation names the project `name`. */
function mentions(explanation: string, name: string): boolean {
  return new RegExp(`(^|[^a-z0-9_.-])${name.replace(/[.]/g, "\\.")}([^a-z0-9_.-]|$)`).test(explanation);
}

/**
 * Hints for a failure: pre-releases, other Pythons, yanked releases and files that were left out;
 * `otherPlatform` has the newest releases whose wheels are all for other tags (otherPlatformRelease)
 * and the most specific tag the target takes.
 */
function failureHints(
  explanation: string,
  entries: Map<string, Entry>,
  prereleases: PrereleasePolicy,
  otherPlatform: { releases: ReadonlyMap<string, { version: Version; tags: string[] }>; bestTag: string },
): string {
  const hints: string[] = [];
  for (const [name, entry] of entries) {
    if (!mentions(explanation, name)) continue;
    const { skipped } = entry;
    const pre = entry.candidates
      .filter((candidate) => candidate.version.isPrerelease)
      .map((candidate) => candidate.version.toString());
    if (prereleases !== "allow" && (pre.length > 0 || skipped.prereleases > 0))
      hints.push(
        `${name} has pre-releases${pre.length > 0 ? ` (${pre.slice(0, 3).join(", ")})` : ""}: a specifier naming one, or --pre, allows them`,
      );
    if (skipped.requiresPython.length > 0)
      hints.push(
        `${name} has versions for other Pythons: ${[...new Set(skipped.requiresPython)].slice(0, 3).join(", ")}`,
      );
    if (entry.yanked.size > 0)
      hints.push(
        `${name} has yanked versions (${[...entry.yanked].slice(0, 3).join(", ")}), usable only when pinned with ==`,
      );
    if (skipped.sdistOnly > 0)
      hints.push(
        `${name} has ${plural(skipped.sdistOnly, "source distribution")} that --only-binary leaves out`,
      );
    if (skipped.binaryRefused > 0)
      hints.push(`${name} has ${plural(skipped.binaryRefused, "wheel")} that --no-binary leaves out`);
    const release = otherPlatform.releases.get(name);
    if (release !== undefined) {
      const shown = release.tags.slice(0, 3).join(", ");
      const more = release.tags.length > 3 ? ` and ${release.tags.length - 3} more` : "";
      hints.push(
        `${name} ${release.version} has wheels only for other platforms or Pythons (${shown}${more}); the most specific tag this target takes is ${otherPlatform.bestTag}`,
      );
    } else if (skipped.incompatibleTags > 0)
      hints.push(
        `${name} has ${plural(skipped.incompatibleTags, "wheel")} only for other platforms or Pythons`,
      );
    const leftOut =
      skipped.incompatibleTags +
      skipped.requiresPython.length +
      skipped.sdistOnly +
      skipped.binaryRefused +
      skipped.prereleases;
    if (explanation.includes(`${name} @ `) && explanation.includes(STRAY_URL_NOTE)) {
      hints.push(
        `A dependency asks for ${name} from a URL: to allow that, require \`${name} @ URL\` yourself (or as a constraint)`,
      );
    } else if (entry.candidates.length === 0 && leftOut === 0) {
      hints.push(
        `${name} was not found on the index or in the --find-links locations: check the name and the index URL`,
      );
    } else if (new RegExp(`no version of ${name.replace(/[.]/g, "\\.")}(?![a-z0-9_.-])`).test(explanation)) {
      // What pip prints as "(from versions: ...)": the requirement may just be mistyped.
      const usable = entry.candidates
        .filter((candidate) => !candidate.yanked)
        .sort((a, b) => compareVersions(b.version, a.version));
      const newest = usable.slice(0, 5).map((candidate) => candidate.version.toString());
      // A constraint named in the explanation is what left them out.
      const constrained = explanation.includes(`(with the constraint ${name}`)
        ? ", before the constraints"
        : "";
      if (usable.length > 0)
        hints.push(
          `${name} has ${plural(usable.length, "usable version")}${usable.length > 5 ? ", the newest" : ""}${constrained}: ${newest.join(", ")}`,
        );
    }
  }
  return hints.join("\n");
}

/** A direct URL requirement's URL; one that is no URL is the user's to fix, not a crash. */
function parsedUrl(url: string, name: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new SpiceError("E_INVALID_REQUIREMENT", `${name} @ ${redactUrl(url)}: that is not a valid URL`, {
      hint: "Check the URL: a file's URL looks like https://host/path/name-1.0-py3-none-any.whl",
    });
  }
}
