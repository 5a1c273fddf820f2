// What a resolution hands the commands: each chosen package with its file, the extras asked of
// it, who required it and its metadata, read from the solver's choice of `name` and `name[extra]`
// versions.

import type { IndexFile } from "../index/simple-api.ts";
import type { ResolveTarget } from "../python/target.ts";
import type { CoreMetadata } from "../standards/core-metadata.ts";
import { compareCodePoints } from "../standards/python-string.ts";
import type { Requirement } from "../standards/requirement.ts";
import type { Version } from "../standards/version.ts";
import type { DependencyRules } from "./dependency-rules.ts";
import type { MarkerScope } from "./marker-scope.ts";
import type { PackageCatalog } from "./package-catalog.ts";
import { ROOT } from "./pubgrub.ts";

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

/** A solver package's name and extra: `name[extra]` is the virtual package of that extra. */
export function splitExtra(key: string): [string, string | null] {
  const bracket = key.indexOf("[");
  return bracket < 0 ? [key, null] : [key.slice(0, bracket), key.slice(bracket + 1, -1)];
}

export interface CollectSetup {
  catalog: PackageCatalog;
  rules: DependencyRules;
  scope: MarkerScope;
  /** The user's requirements. */
  requirements: readonly Requirement[];
  target: ResolveTarget;
  urlFiles: ReadonlyMap<string, IndexFile>;
  noDeps: boolean;
  ignoreRequiresPython: boolean;
  warn: (message: string) => void;
}

/** The resolved packages of the solver's choice (`key` → version), with who required each. */
export async function resolvedPackages(
  chosen: ReadonlyMap<string, string>,
  setup: CollectSetup,
): Promise<Map<string, ResolvedPackage>> {
  const { catalog, rules, requirements, target, warn } = setup;
  const direct = new Set(requirements.map((requirement) => requirement.canonicalName));
  const packages = new Map<string, ResolvedPackage>();
  for (const [key, version] of chosen) {
    const [name, extra] = splitExtra(key);
    if (key === ROOT) continue;
    const entry = await catalog.entry(name);
    const candidate = entry.byVersion.get(version)!;
    let resolved = packages.get(name);
    if (resolved === undefined) {
      // Read while solving (for Requires-Python, with --no-deps too).
      const core = await catalog.metadata(name, candidate);
      if (candidate.yanked) {
        const reason = candidate.files[0]?.yanked;
        warn(`${name} ${version} is yanked${reason ? ` (reason: ${reason})` : ""}`);
      }
      if (
        core.requiresPython &&
        !candidate.installed &&
        !setup.ignoreRequiresPython &&
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
        requestedExtras: requestedExtrasOf(name, setup),
        requiredBy: [],
        requested: direct.has(name),
        direct: setup.urlFiles.has(name) && !candidate.installed,
        metadata: core,
      };
      packages.set(name, resolved);
    }
    if (extra !== null) resolved.extras.push(extra);
  }
  // Parents, from the chosen versions' applicable requirements.
  const rootKeys = rules.from(requirements, null).map((dependency) => splitExtra(dependency.name)[0]);
  for (const name of rootKeys) packages.get(name)?.requiredBy.push(ROOT);
  for (const parent of packages.values()) {
    if (parent.metadata === null || setup.noDeps) continue;
    const keys = new Set<string>();
    for (const extra of [null, ...parent.extras])
      for (const dependency of rules.from(parent.metadata.requirementsFor(extra), extra))
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

/** The extras the user's requirements that apply here ask of `name`, as pip reports them. */
function requestedExtrasOf(name: string, { requirements, scope }: CollectSetup): string[] {
  const extras = requirements
    .filter((requirement) => requirement.canonicalName === name)
    .filter((requirement) => scope.appliesHere(requirement))
    .flatMap((requirement) => requirement.extras)
    // pip's safe_extra: runs of other characters become "_", then lower case.
    .map((extra) => extra.replace(/[^A-Za-z0-9.-]+/g, "_").toLowerCase());
  return [...new Set(extras)].sort(compareCodePoints);
}
