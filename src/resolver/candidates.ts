// Which files of a project can be used, and in what order its versions are tried: wheels whose
// tags the target interpreter supports (best tag first), Requires-Python whose lower bound admits
// the target Python (requires-python.ts), yanked files only when pinned (PEP 592), pre-releases
// per PEP 440 unless allowed, and source distributions only as a last resort (they need static
// metadata, or a build).

import type { FileFilter, SourcedFile } from "../index/package-source.ts";
import type { IndexFile } from "../index/simple-api.ts";
import { tryParseSdistFilename, tryParseWheelFilename, type WheelFilename } from "../standards/filename.ts";
import { bestRank } from "../standards/tags.ts";
import { compareVersions, type Version } from "../standards/version.ts";
import { crc32Hex } from "../util/hash.ts";
import { textAdmitsPython } from "./requires-python.ts";

export type PrereleasePolicy = "allow" | "if-necessary" | "disallow";
export type ResolutionStrategy = "highest" | "lowest";

export interface CandidatePolicy {
  /** The target interpreter's supported tags and their ranks. */
  tagRanks: ReadonlyMap<string, number>;
  /** The Python version requires-python is checked against (e.g. "3.12.1"). */
  pythonVersion: string;
  prereleases: PrereleasePolicy;
  resolution: ResolutionStrategy;
  /** Names (canonical) for which only wheels may be used, or ":all:". */
  onlyBinary: ReadonlySet<string>;
  /** Names (canonical) for which wheels may not be used, or ":all:". */
  noBinary: ReadonlySet<string>;
  /** ISO timestamp: files uploaded after it are ignored. */
  excludeNewer?: string | null;
  /** Try versions that have a wheel before newer ones that only have an sdist (pip's --prefer-binary). */
  preferBinary?: boolean;
  /** Use files whatever their Requires-Python says (pip's --ignore-requires-python). */
  ignoreRequiresPython?: boolean;
}

export interface Candidate {
  version: Version;
  /** Usable files for this version, best first. */
  files: IndexFile[];
  yanked: boolean;
}

export interface CandidateSet {
  /** Usable versions, in the order to try them. */
  candidates: Candidate[];
  /** Why other files were left out (for failure hints). */
  skipped: {
    incompatibleTags: number;
    requiresPython: string[];
    /** The newest version left out by its Requires-Python alone, with that Requires-Python. */
    newestForNewerPython: { version: Version; requiresPython: string } | null;
    /** Source distributions left out by --only-binary. */
    sdistOnly: number;
    /** Wheels left out by --no-binary. */
    binaryRefused: number;
    prereleases: number;
    yanked: number;
    /** Files left out by an --exclude-newer cut-off: uploaded after it, or of no known time. */
    uploadedAfter: number;
    noUploadTime: number;
  };
}

/**
 * A wheel's rank among the target's tags (lower is better), -1 when the target cannot use it.
 * `ranks` remembers each tag triple's rank, which most of a project's files share (a page of
 * 100,000 files has a few dozen).
 */
function tagRank(
  filename: string,
  wheel: WheelFilename,
  tagRanks: ReadonlyMap<string, number>,
  ranks: Map<string, number>,
): number {
  // The last three dash-separated fields of the name are the tags (a build tag comes before).
  const tagText = filename.slice(
    filename.lastIndexOf("-", filename.lastIndexOf("-", filename.lastIndexOf("-") - 1) - 1),
  );
  let rank = ranks.get(tagText);
  if (rank === undefined) {
    rank = bestRank(wheel.tags, tagRanks);
    ranks.set(tagText, rank);
  }
  return rank;
}

/**
 * A file's rank among the target's tags (lower is better), or why it cannot be used. `wheel` is
 * the file's parsed wheel name, null for an sdist.
 */
function rankOf(
  filename: string,
  wheel: WheelFilename | null,
  policy: CandidatePolicy,
  name: string,
  ranks: Map<string, number>,
): number | "incompatible-tags" | "binary-refused" | "source-refused" {
  if (wheel !== null) {
    if (refusesBinary(policy, name)) return "binary-refused";
    const rank = tagRank(filename, wheel, policy.tagRanks, ranks);
    return rank < 0 ? "incompatible-tags" : rank;
  }
  return policy.onlyBinary.has(name) || policy.onlyBinary.has(":all:")
    ? "source-refused"
    : Number.MAX_SAFE_INTEGER;
}

function refusesBinary(policy: CandidatePolicy, name: string): boolean {
  return policy.noBinary.has(name) || policy.noBinary.has(":all:");
}

/**
 * The files of a project that selectCandidates would count as wheels for other platforms and
 * nothing else (their name, Requires-Python and upload time aside): an index page's cache keeps a
 * form without them for this target (index/package-source.ts), and selectCandidates counts the
 * `dropped` ones it is given. A page of numpy's kind holds thousands of wheels, a fiftieth of
 * them for any one interpreter. Null when files are left out by upload time (--exclude-newer
 * comes before tags, so such a file must not be counted).
 */
export function otherPlatformWheels(policy: CandidatePolicy): FileFilter | null {
  if (policy.excludeNewer) return null;
  const ranks = new Map<string, number>();
  const { tagRanks, pythonVersion } = policy;
  return {
    // The tags and Python version are all it depends on ("w1": how it decides). The tags in
    // their order of preference: one target lists them alike every time (sorting cost 3 ms).
    key: `w1:${crc32Hex([...tagRanks.keys()].join(" "))}:${pythonVersion}`,
    drops: (file, project) => {
      const wheel = tryParseWheelFilename(file.filename);
      if (wheel === null || wheel.name !== project) return false;
      if (file.requiresPython && !textAdmitsPython(file.requiresPython, pythonVersion)) return false;
      return tagRank(file.filename, wheel, tagRanks, ranks) < 0;
    },
  };
}

/**
 * The usable versions of project `name` among `files`; `dropped` more were left out already as
 * otherPlatformWheels(policy) (they count as skipped).
 */
/** Where a candidate's index ranks under unsafe-first-match (0: find-links, or no ranking). */
function priorityOf(candidate: Candidate): number {
  return (candidate.files[0] as SourcedFile).priority ?? 0;
}

export function selectCandidates(
  name: string,
  files: readonly IndexFile[],
  policy: CandidatePolicy,
  dropped = 0,
): CandidateSet {
  // Wheels refused by --no-binary are counted as such before their tags are looked at.
  const binaryRefused = refusesBinary(policy, name);
  const skipped = {
    incompatibleTags: binaryRefused ? 0 : dropped,
    requiresPython: [] as string[],
    newestForNewerPython: null as CandidateSet["skipped"]["newestForNewerPython"],
    sdistOnly: 0,
    binaryRefused: binaryRefused ? dropped : 0,
    prereleases: 0,
    yanked: 0,
    uploadedAfter: 0,
    noUploadTime: 0,
  };
  const byVersion = new Map<string, { version: Version; files: Array<[IndexFile, number]> }>();
  const newest = policy.excludeNewer ? Date.parse(policy.excludeNewer) : null;
  const ranks = new Map<string, number>();
  for (const file of files) {
    const wheel = tryParseWheelFilename(file.filename);
    const parsed = wheel ?? tryParseSdistFilename(file.filename);
    if (parsed === null || parsed.name !== name) continue;
    if (newest !== null) {
      // A file without an upload time cannot be shown to be older, so it is left out too (as uv).
      if (!file.uploadTime) {
        skipped.noUploadTime++;
        continue;
      }
      if (Date.parse(file.uploadTime) > newest) {
        skipped.uploadedAfter++;
        continue;
      }
    }
    if (file.requiresPython && !policy.ignoreRequiresPython) {
      if (!textAdmitsPython(file.requiresPython, policy.pythonVersion)) {
        skipped.requiresPython.push(`${parsed.version} (Requires-Python ${file.requiresPython})`);
        // The newest such version a newer Python could use (a universal resolution forks there).
        const known = skipped.newestForNewerPython;
        if (
          (known === null || compareVersions(parsed.version, known.version) > 0) &&
          typeof rankOf(file.filename, wheel, policy, name, ranks) === "number"
        )
          skipped.newestForNewerPython = { version: parsed.version, requiresPython: file.requiresPython };
        continue;
      }
    }
    const rank = rankOf(file.filename, wheel, policy, name, ranks);
    if (typeof rank !== "number") {
      if (rank === "incompatible-tags") skipped.incompatibleTags++;
      else if (rank === "source-refused") skipped.sdistOnly++;
      else if (rank === "binary-refused") skipped.binaryRefused++;
      continue;
    }
    const key = parsed.version.toString();
    const entry = byVersion.get(key) ?? { version: parsed.version, files: [] };
    entry.files.push([file, rank]);
    byVersion.set(key, entry);
  }
  let candidates: Candidate[] = [...byVersion.values()].map(({ version, files: ranked }) => {
    const ordered = ranked.sort((a, b) => a[1] - b[1]).map(([file]) => file);
    return { version, files: ordered, yanked: ordered.every((file) => file.yanked !== null) };
  });
  // A release whose files are all yanked is chosen only when pinned exactly (the caller checks).
  const withoutYanked = candidates.filter((candidate) => !candidate.yanked);
  skipped.yanked = candidates.length - withoutYanked.length;
  // Newest first, or oldest first for --resolution lowest; the partitions below keep this order.
  candidates.sort((a, b) => compareVersions(b.version, a.version));
  if (policy.resolution === "lowest") candidates.reverse();
  // unsafe-first-match: every version of an earlier index before any of a later one (a stable
  // sort keeps each index's versions in the order above).
  if (candidates.some((candidate) => priorityOf(candidate) > 0))
    candidates.sort((a, b) => priorityOf(a) - priorityOf(b));
  // --prefer-binary: versions with a wheel first; the pre-release partition below still puts
  // every final release before any pre-release, as pip leaves pre-releases out when a final fits.
  if (policy.preferBinary) {
    const hasWheel = (candidate: Candidate) => candidate.files.some((file) => file.filename.endsWith(".whl"));
    candidates = [...candidates.filter(hasWheel), ...candidates.filter((candidate) => !hasWheel(candidate))];
  }
  if (policy.prereleases !== "allow") {
    const finals = candidates.filter((candidate) => !candidate.version.isPrerelease);
    const pre = candidates.filter((candidate) => candidate.version.isPrerelease);
    if (policy.prereleases === "disallow") {
      skipped.prereleases = pre.length;
      candidates = finals;
    } else {
      // Pre-releases are tried after every final release (PEP 440: only when nothing else fits).
      candidates = [...finals, ...pre];
    }
  }
  // Yanked releases go last: usable only when a pin leaves nothing else.
  candidates = [
    ...candidates.filter((candidate) => !candidate.yanked),
    ...candidates.filter((candidate) => candidate.yanked),
  ];
  return { candidates, skipped };
}

/**
 * For a failure's hint: the newest release of `name` among `files`, newer than any the target can
 * use, that has wheels only for tags the target does not take, with those wheels' tags as their
 * file names write them (`cp311-cp311-manylinux_2_17_x86_64`); null when there is none. What
 * Requires-Python leaves out is hinted apart.
 */
export function otherPlatformRelease(
  name: string,
  files: readonly IndexFile[],
  policy: CandidatePolicy,
): { version: Version; tags: string[] } | null {
  const ranks = new Map<string, number>();
  let newestUsable: Version | null = null;
  const other = new Map<string, { version: Version; tags: Set<string> }>();
  for (const file of files) {
    const wheel = tryParseWheelFilename(file.filename);
    if (wheel === null || wheel.name !== name) continue;
    if (
      file.requiresPython &&
      !policy.ignoreRequiresPython &&
      !textAdmitsPython(file.requiresPython, policy.pythonVersion)
    )
      continue;
    if (tagRank(file.filename, wheel, policy.tagRanks, ranks) >= 0) {
      if (newestUsable === null || compareVersions(wheel.version, newestUsable) > 0)
        newestUsable = wheel.version;
      continue;
    }
    const key = wheel.version.toString();
    const release = other.get(key) ?? { version: wheel.version, tags: new Set() };
    release.tags.add(file.filename.slice(0, -".whl".length).split("-").slice(-3).join("-"));
    other.set(key, release);
  }
  let newest: { version: Version; tags: Set<string> } | null = null;
  for (const release of other.values())
    if (
      (newestUsable === null || compareVersions(release.version, newestUsable) > 0) &&
      (newest === null || compareVersions(release.version, newest.version) > 0)
    )
      newest = release;
  return newest === null ? null : { version: newest.version, tags: [...newest.tags].sort() };
}
