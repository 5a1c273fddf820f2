// What the sources offer the resolver for each project: its candidate versions in the order the
// solver tries them (a preferred or installed version first, a direct URL's one file alone), and
// each version's core metadata, checked against the file it came with. Each is fetched once,
// however often the solver, the prefetcher and the result ask for it.

import type { FileFilter } from "../index/package-source.ts";
import { bareIndexFile, type IndexFile } from "../index/simple-api.ts";
import { type CoreMetadata, coreHeadersOf, coreMetadataFrom } from "../standards/core-metadata.ts";
import { tryParseWheelFilename } from "../standards/filename.ts";
import { InvalidMetadata, type RawMetadata } from "../standards/metadata.ts";
import { canonicalizeName } from "../standards/name.ts";
import { pyUnquote } from "../standards/python-url.ts";
import type { Requirement } from "../standards/requirement.ts";
import { compareVersions, tryParseVersion, type Version, versionsEqual } from "../standards/version.ts";
import { SpiceError } from "../util/error.ts";
import { redactUrl } from "../util/redact.ts";
import { type Candidate, type CandidatePolicy, type CandidateSet, selectCandidates } from "./candidates.ts";

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

export type CatalogCandidate = Candidate & { installed?: InstalledCandidate };

export interface PackageEntry {
  candidates: CatalogCandidate[];
  skipped: CandidateSet["skipped"];
  /** version string → candidate */
  byVersion: Map<string, CatalogCandidate>;
  /** Versions whose files are all yanked. */
  yanked: Set<string>;
}

export interface CatalogSettings {
  source: MetadataSource;
  /** The target Python's version, for messages. */
  pythonVersion: string;
  policyFor(name: string): CandidatePolicy;
  /** Drops other platforms' wheels as pages are read (otherPlatformWheels); none for a universe. */
  platformFilter: FileFilter | undefined;
  /** The one file each direct URL requirement names (directUrlFiles). */
  urlFiles: ReadonlyMap<string, IndexFile>;
  /** Accept files named by URL or path even when their tags do not fit the target. */
  ignoreTags: boolean;
  /** Versions to try first when they fit (pins from an earlier output, installed versions). */
  preferences: ReadonlyMap<string, string> | undefined;
  installed: { get(name: string): InstalledCandidate | undefined } | undefined;
  /** Keep each version's whole metadata document, not only the headers resolving reads. */
  keepMetadata: boolean;
}

export class PackageCatalog {
  private readonly entries = new Map<string, Promise<PackageEntry>>();
  private readonly metadataByVersion = new Map<string, Promise<CoreMetadata>>();

  constructor(private readonly settings: CatalogSettings) {}

  entry(name: string): Promise<PackageEntry> {
    let pending = this.entries.get(name);
    if (pending === undefined) {
      pending = this.load(name);
      this.entries.set(name, pending);
    }
    return pending;
  }

  private async load(name: string): Promise<PackageEntry> {
    const { settings } = this;
    const urlFile = settings.urlFiles.get(name);
    const policy = settings.policyFor(name);
    // Upload times come before tags (otherPlatformWheels): a name with a cut-off of its own
    // (--exclude-newer-package) reads its page whole.
    const filter = policy.excludeNewer ? undefined : settings.platformFilter;
    const { files, dropped } = urlFile
      ? { files: [urlFile], dropped: 0 }
      : await settings.source.files(name, filter);
    let filePolicy = policy;
    if (urlFile) {
      filePolicy = { ...policy, excludeNewer: null };
      const wheel = tryParseWheelFilename(urlFile.filename);
      if (settings.ignoreTags && wheel) {
        const ranks = policy.tagRanks;
        filePolicy.tagRanks = new Map([
          ...ranks,
          ...[...wheel.tags].map((tag) => [tag, ranks.size] as const),
        ]);
      }
    }
    const selected = selectCandidates(name, files, filePolicy, dropped);
    if (urlFile && selected.candidates.length === 0) refuseUrlFile(urlFile, name, settings.pythonVersion);
    let candidates: CatalogCandidate[] = selected.candidates;
    const installed = urlFile ? undefined : settings.installed?.get(name);
    // Compared by PEP 440 (a pin or an installed `1.0` is a candidate `1.0.0`).
    const pinned = settings.preferences?.get(name);
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
  }

  /** A candidate's core metadata: the installed distribution's, else its first file's. */
  metadata(name: string, candidate: CatalogCandidate): Promise<CoreMetadata> {
    if (candidate.installed) return Promise.resolve(candidate.installed.metadata);
    const key = `${name}==${candidate.version}`;
    let pending = this.metadataByVersion.get(key);
    if (pending === undefined) {
      pending = this.readMetadata(name, candidate);
      this.metadataByVersion.set(key, pending);
    }
    return pending;
  }

  private async readMetadata(name: string, candidate: Candidate): Promise<CoreMetadata> {
    const { source } = this.settings;
    const file = candidate.files[0];
    // A report shows the whole document; resolving needs only a few of its headers.
    const { headers, text } = this.settings.keepMetadata
      ? await source.metadata(file).then((text) => ({ headers: coreHeadersOf(text), text }))
      : await source.coreHeaders(file).then((headers) => ({ headers, text: null }));
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
  }
}

/** Direct URL requirements (`name @ URL`, a wheel's path): that one file is the only candidate for its name. */
export function directUrlFiles(requirements: readonly Requirement[]): Map<string, IndexFile> {
  const urlFiles = new Map<string, IndexFile>();
  for (const requirement of requirements) {
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
  return urlFiles;
}

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

/** Why a direct URL's file gave no candidate: a wheel for another target, a checkout, another project. */
function refuseUrlFile(urlFile: IndexFile, name: string, pythonVersion: string): never {
  const wheel = tryParseWheelFilename(urlFile.filename);
  if (wheel && wheel.name === name) {
    throw new SpiceError(
      "E_INCOMPATIBLE_WHEEL",
      `${urlFile.filename} is not compatible with the target Python and platform`,
      {
        cause: `its tags (${[...wheel.tags].sort().join(", ")}) are none of Python ${pythonVersion}'s`,
        hint: "Use a wheel built for this Python and platform, or --ignore-tags to install it anyway",
      },
    );
  }
  refuseVcs(urlFile.url);
  throw new SpiceError("E_DIRECT_URL", `${redactUrl(urlFile.url)} cannot be installed for ${name}`, {
    cause: "its file name is not a wheel or sdist of that project",
  });
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
