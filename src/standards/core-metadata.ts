// Core metadata as an installer and resolver read it: the few fields they use, each read on its
// own and tolerant of the others failing validation (a sixth of real METADATA does), with
// Requires-Dist parsed only when asked for, and per extra.

import { parseMetadataEmail, type RawMetadata, readField } from "./metadata.ts";
import { canonicalizeName } from "./name.ts";
import { parseRequirement, type Requirement } from "./requirement.ts";
import type { SpecifierSet } from "./specifier.ts";
import type { Version } from "./version.ts";

/** What an installer and resolver read from METADATA, tolerant of fields that fail validation. */
export interface CoreMetadata {
  metadataVersion: string | null;
  name: string;
  version: Version;
  /** Every Requires-Dist entry that parses (pip's list and check skip the others too). */
  readonly requiresDist: Requirement[];
  /**
   * The entries that can apply when `extra` (canonical) is requested, or with no extra: the same
   * as filtering requiresDist by marker, without parsing the entries marked `extra == "other"`,
   * most of a typical distribution's list.
   */
  requirementsFor(extra: string | null): Requirement[];
  /** The entries requirementsFor(extra) leaves out because they do not parse, as written. */
  invalidRequirementsFor(extra: string | null): string[];
  requiresPython: SpecifierSet | null;
  providesExtra: string[];
  summary: string | null;
  /** Header names declared dynamic (Metadata 2.2+), lower-case. */
  dynamic: string[];
  /**
   * The METADATA document itself; null when only its core headers were kept (the resolver reads
   * those from spice's cache: an installation report asks for the whole document).
   */
  readonly text: string | null;
}

/** The headers readCoreMetadata converts; the rest stay in `text`. */
const CORE_HEADERS = new Set([
  "metadata-version",
  "name",
  "version",
  "requires-dist",
  "requires-python",
  "provides-extra",
  "summary",
  "dynamic",
]);

/**
 * The headers readCoreMetadata reads, as the email parser returns them and before any is
 * validated: what spice's cache keeps of an index file's METADATA for the resolver (the jupyter
 * set's: 46 KB of 824 KB, the rest mostly descriptions; reading the whole documents cost its
 * warm resolve about 15 ms here).
 */
export function coreHeadersOf(text: string): RawMetadata {
  return parseMetadataEmail(text, CORE_HEADERS).raw;
}

/**
 * Reads METADATA leniently: name and version must be valid (nothing works without them); a
 * field that fails on its own is left out rather than failing the whole document. An installed
 * .egg-info keeps its requirements apart, in requires.txt: `requiresTxt` holds them.
 */
export function readCoreMetadata(text: string, requiresTxt: readonly string[] = []): CoreMetadata {
  return coreMetadataFrom(coreHeadersOf(text), text, requiresTxt);
}

/** readCoreMetadata of a document whose core headers (coreHeadersOf) are `raw`. */
export function coreMetadataFrom(
  raw: RawMetadata,
  text: string | null,
  requiresTxt: readonly string[] = [],
): CoreMetadata {
  const lenient = <T>(rawName: string, fallback: T): T => {
    try {
      return (readField(raw, rawName) as T) ?? fallback;
    } catch {
      return fallback;
    }
  };
  const name = readField(raw, "name") as string;
  const version = readField(raw, "version") as Version;
  const requirements = new LazyRequirements((raw.requires_dist as string[] | undefined) ?? requiresTxt);
  return {
    metadataVersion: typeof raw.metadata_version === "string" ? raw.metadata_version : null,
    name,
    version,
    get requiresDist() {
      return requirements.all();
    },
    requirementsFor: (extra) => requirements.applicableTo(extra),
    invalidRequirementsFor: (extra) => requirements.invalidFor(extra),
    requiresPython: lenient<SpecifierSet | null>("requires_python", null),
    providesExtra: ((raw.provides_extra as string[] | undefined) ?? []).map((extra) =>
      canonicalizeName(extra),
    ),
    summary: typeof raw.summary === "string" ? raw.summary : null,
    dynamic: lenient<string[]>("dynamic", []),
    text,
  };
}

// `; extra == "name"` as the whole marker: such an entry applies exactly when that extra is asked for.
// (Names that could read as versions are left to the full parse: markers compare those as versions.)
const ONLY_FOR_EXTRA = /;[ \t]*extra[ \t]*==[ \t]*(?:'([A-Za-z][^'\\\n\r]*)'|"([A-Za-z][^"\\\n\r]*)")[ \t]*$/;

/**
 * Requires-Dist entries parsed on demand, each once. A malformed one is left out of the lists
 * (pip's list and check skip it too); invalidFor names them, for the resolver to refuse the version.
 */
class LazyRequirements {
  private readonly parsed: Array<Requirement | null | undefined>;
  /** Per entry: the canonical extra it is only for, null when it is not that simple, or unknown. */
  private readonly onlyFor: Array<string | null | undefined>;

  constructor(private readonly texts: readonly string[]) {
    this.parsed = new Array(texts.length);
    this.onlyFor = new Array(texts.length);
  }

  all(): Requirement[] {
    const result: Requirement[] = [];
    for (let index = 0; index < this.texts.length; index++) {
      const requirement = this.at(index);
      if (requirement !== null) result.push(requirement);
    }
    return result;
  }

  applicableTo(extra: string | null): Requirement[] {
    const result: Requirement[] = [];
    for (let index = 0; index < this.texts.length; index++) {
      if (!this.mayApply(index, extra)) continue;
      const requirement = this.at(index);
      if (requirement !== null) result.push(requirement);
    }
    return result;
  }

  invalidFor(extra: string | null): string[] {
    const result: string[] = [];
    for (let index = 0; index < this.texts.length; index++)
      if (this.mayApply(index, extra) && this.at(index) === null) result.push(this.texts[index]);
    return result;
  }

  /** False only for an entry whose marker is plainly `extra == "other"`, told without parsing it. */
  private mayApply(index: number, extra: string | null): boolean {
    let onlyFor = this.onlyFor[index];
    if (onlyFor === undefined) {
      const match = ONLY_FOR_EXTRA.exec(this.texts[index]);
      onlyFor = match === null ? null : canonicalizeName(match[1] ?? match[2]);
      this.onlyFor[index] = onlyFor;
    }
    return onlyFor === null || onlyFor === extra;
  }

  private at(index: number): Requirement | null {
    let requirement = this.parsed[index];
    if (requirement === undefined) {
      try {
        requirement = parseRequirement(this.texts[index]);
      } catch {
        requirement = null; // `spice pip check` reports it
      }
      this.parsed[index] = requirement;
    }
    return requirement;
  }
}
