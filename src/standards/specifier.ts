// PEP 440 version specifiers with packaging 26's semantics: the operator rules, the pre-release
// rules ("pre-releases only when nothing else matches", decided per filter call), and
// `isUnsatisfiable` by intersecting version ranges.

import { compareCodePoints, isPyWhitespace, pyStrip } from "./python-string.ts";
import {
  canonicalizeVersion,
  compareVersions,
  parseVersion,
  scanVersion,
  tryParseVersion,
  type Version,
} from "./version.ts";
import {
  canonicalNoStrip,
  isNotSuffix,
  joinVersion,
  leftPad,
  numericPrefixLength,
  splitVersion,
} from "./version-prefix.ts";
import {
  FULL_RANGE,
  intersectRanges,
  onlyPrereleasesIn,
  specifierRanges,
  type VersionRange,
} from "./version-range.ts";

export class InvalidSpecifier extends Error {
  override name = "InvalidSpecifier";
}

/** Python's `\s` as a regex character class body. */
export const PY_WS_CLASS =
  "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WS = `[${PY_WS_CLASS}]`;

const PRE = "(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?";
const POST = "(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?";
const DEV = "(?:[-_.]?dev[-_.]?[0-9]*)?";
const LOCAL = "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";

/** packaging's specifier grammar (one specifier, no surrounding whitespace). */
export const SPECIFIER_PATTERN =
  `(?:(?:===${WS}*[^${PY_WS_CLASS};)]*)` +
  `|(?:(?:==|!=)${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})?)` +
  `|(?:~=${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${PRE}${POST}${DEV})` +
  `|(?:(?:<=|>=|<|>)${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*${PRE}${POST}${DEV}))`;

/**
 * Whether `text` is one specifier as SPECIFIER_PATTERN reads it, with whitespace around it.
 * Written out rather than matched: V8 compiled that pattern afresh in every process (its code
 * cache keeps no regexes), 1-2 ms on first use, then ran it in its regex interpreter, about 0.1 ms
 * a call, and every resolve parses hundreds of specifiers. The version after the operator is
 * PEP 440's, which scanVersion reads; the operator narrows it.
 */
function isSpecifierText(text: string): boolean {
  let start = 0;
  let end = text.length;
  while (start < end && isPyWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPyWhitespace(text.charCodeAt(end - 1))) end--;
  if (text.startsWith("===", start)) {
    // Arbitrary equality: anything up to whitespace, ';' or ')'.
    let at = start + 3;
    while (at < end && isPyWhitespace(text.charCodeAt(at))) at++;
    for (; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === 0x3b || code === 0x29 || isPyWhitespace(code)) return false;
    }
    return true;
  }
  const two = text.slice(start, start + 2);
  const operator = ["~=", "==", "!=", "<=", ">="].includes(two) ? two : text.charAt(start);
  if (operator !== two && operator !== "<" && operator !== ">") return false;
  let at = start + operator.length;
  while (at < end && isPyWhitespace(text.charCodeAt(at))) at++;
  const written = text.slice(at, end);
  const equality = operator === "==" || operator === "!=";
  if (equality && written.endsWith(".*")) return isReleaseText(written.slice(0, -2));
  const version = written === "" || isPyWhitespace(written.charCodeAt(0)) ? null : scanVersion(written);
  if (version === null) return false;
  // Only == and != take a local label; ~= needs two release numbers (~=1 would mean nothing).
  if (version.local !== null && !equality) return false;
  return operator !== "~=" || version.release.length >= 2;
}

/** `v? (N!)? N(.N)*`: what a `.*` prefix may be. */
function isReleaseText(text: string): boolean {
  let at = text.length > 0 && (text.charCodeAt(0) | 0x20) === 0x76 ? 1 : 0;
  const digits = () => {
    const from = at;
    while (at < text.length && text.charCodeAt(at) >= 0x30 && text.charCodeAt(at) <= 0x39) at++;
    return at > from;
  };
  if (!digits()) return false;
  if (text.charCodeAt(at) === 0x21) {
    at++;
    if (!digits()) return false;
  }
  while (at < text.length) {
    if (text.charCodeAt(at) !== 0x2e) return false;
    at++;
    if (!digits()) return false;
  }
  return true;
}

export type Operator = "~=" | "==" | "!=" | "<=" | ">=" | "<" | ">" | "===";

type VersionItem = string | Version;

function coerce(item: VersionItem): Version | null {
  return typeof item === "string" ? tryParseVersion(item) : item;
}

function itemText(item: VersionItem): string {
  return typeof item === "string" ? item : item.toString();
}

function publicVersion(version: Version): Version {
  return version.withoutLocal();
}

export class Specifier {
  private parsedVersion: Version | null | undefined;
  private wildcardSplit: [string[], number] | undefined;
  private ranges: VersionRange[] | undefined;

  constructor(
    readonly operator: Operator,
    /** The version as written (stripped), `1.0.*` for prefix matches. */
    readonly version: string,
    readonly explicitPrereleases: boolean | null = null,
  ) {}

  toString(): string {
    return `${this.operator}${this.version}`;
  }

  /** Identity for equality: the operator and the normalized version (`==1.0` equals `==1.0.0`). */
  get canonicalKey(): string {
    if (this.operator === "===" || this.version.endsWith(".*")) return `${this.operator}${this.version}`;
    return `${this.operator}${canonicalizeVersion(this.requireVersion(), this.operator !== "~=")}`;
  }

  /** The spec's version, or null for an `===` string that is not a version. */
  get specVersion(): Version | null {
    if (this.parsedVersion === undefined) this.parsedVersion = tryParseVersion(this.version);
    return this.parsedVersion;
  }

  private requireVersion(): Version {
    const version = this.specVersion;
    if (version === null) throw new InvalidSpecifier(`Invalid specifier version: '${this.version}'`);
    return version;
  }

  get prereleases(): boolean | null {
    if (this.explicitPrereleases !== null) return this.explicitPrereleases;
    if (this.operator === "!=") return false;
    if (this.operator === "==" && this.version.endsWith(".*")) return false;
    const version = this.specVersion;
    if (version === null) return null;
    return version.isPrerelease;
  }

  /** Whether `prospective` satisfies the operator, ignoring pre-release policy. */
  matchesOperator(prospective: Version, item: VersionItem = prospective): boolean {
    switch (this.operator) {
      case "===":
        return itemText(item).toLowerCase() === this.version.toLowerCase();
      case "==":
        return this.compareEqual(prospective, this.version);
      case "!=":
        return !this.compareEqual(prospective, this.version);
      case "~=":
        return this.compareCompatible(prospective);
      case "<=":
        return compareVersions(publicVersion(prospective), this.requireVersion()) <= 0;
      case ">=":
        return compareVersions(publicVersion(prospective), this.requireVersion()) >= 0;
      case "<":
        return this.compareLessThan(prospective);
      case ">":
        return this.compareGreaterThan(prospective);
    }
  }

  private compareCompatible(prospective: Version): boolean {
    // ~=2.2 means >=2.2, ==2.*: everything but the last release part, ignoring suffixes.
    const parts = splitVersion(this.version);
    const kept: string[] = [];
    for (const part of parts) {
      if (!isNotSuffix(part)) break;
      kept.push(part);
    }
    kept.pop();
    const prefix = `${joinVersion(kept)}.*`;
    return (
      compareVersions(publicVersion(prospective), this.requireVersion()) >= 0 &&
      this.compareEqual(prospective, prefix)
    );
  }

  private compareEqual(prospective: Version, spec: string): boolean {
    if (spec.endsWith(".*")) {
      let split: [string[], number];
      if (spec === this.version && this.wildcardSplit !== undefined) split = this.wildcardSplit;
      else {
        const normalized = canonicalNoStrip(spec.slice(0, -2));
        const parts = splitVersion(normalized);
        split = [parts, numericPrefixLength(parts)];
        if (spec === this.version) this.wildcardSplit = split;
      }
      const [specParts, specNumericLength] = split;
      const prospectiveParts = leftPad(
        splitVersion(publicVersion(prospective).toString()),
        specNumericLength,
      ).slice(0, specParts.length);
      if (prospectiveParts.length !== specParts.length) return false;
      for (let i = 0; i < specParts.length; i++) if (prospectiveParts[i] !== specParts[i]) return false;
      return true;
    }
    const specVersion = parseVersion(spec);
    const candidate = specVersion.local === null ? publicVersion(prospective) : prospective;
    return compareVersions(candidate, specVersion) === 0;
  }

  private compareLessThan(prospective: Version): boolean {
    const spec = this.requireVersion();
    if (!(compareVersions(prospective, spec) < 0)) return false;
    // PEP 440: <V must not allow a pre-release of V unless V itself is one.
    if (
      !spec.isPrerelease &&
      prospective.isPrerelease &&
      compareVersions(prospective, spec.with({ dev: 0, local: null })) >= 0
    ) {
      return false;
    }
    return true;
  }

  private compareGreaterThan(prospective: Version): boolean {
    const spec = this.requireVersion();
    if (!(compareVersions(prospective, spec) > 0)) return false;
    // PEP 440: >V must not allow a post-release of V unless V itself is one.
    if (
      !spec.isPostrelease &&
      prospective.isPostrelease &&
      compareVersions(prospective.with({ post: null, dev: null, local: null }), spec) === 0
    ) {
      return false;
    }
    // Nor a local version of V.
    if (prospective.local !== null && compareVersions(publicVersion(prospective), spec) === 0) return false;
    return true;
  }

  /** packaging's `Specifier.filter`. */
  filter<T extends VersionItem>(items: Iterable<T>, prereleases: boolean | null = null): T[] {
    const result: T[] = [];
    const held: T[] = [];
    let foundNonPrerelease = false;
    const includePrereleases = prereleases ?? this.prereleases;
    for (const item of items) {
      const parsed = coerce(item);
      if (parsed === null) {
        if (this.operator === "===" && itemText(item).toLowerCase() === this.version.toLowerCase()) {
          result.push(item);
        }
        continue;
      }
      if (!this.matchesOperator(parsed, item)) continue;
      if (!parsed.isPrerelease || includePrereleases) {
        foundNonPrerelease = true;
        result.push(item);
      } else if (prereleases === null && this.explicitPrereleases !== false) {
        held.push(item);
      }
    }
    if (!foundNonPrerelease && prereleases === null && this.explicitPrereleases !== false) {
      result.push(...held);
    }
    return result;
  }

  contains(item: VersionItem, prereleases: boolean | null = null): boolean {
    return this.filter([item], prereleases).length > 0;
  }

  /** This specifier as sorted, non-overlapping version ranges (`===` is the full range). */
  toRanges(): VersionRange[] {
    if (this.ranges === undefined) this.ranges = specifierRanges(this.operator, this.version);
    return this.ranges;
  }
}

/** Splits one specifier string (`>=1.0`) into a Specifier, or throws InvalidSpecifier. */
export function parseSpecifier(text: string, prereleases: boolean | null = null): Specifier {
  if (!isSpecifierText(text)) throw new InvalidSpecifier(`Invalid specifier: '${text}'`);
  const spec = pyStrip(text);
  let operator: string;
  let version: string;
  if (spec.startsWith("===")) {
    operator = "===";
    version = pyStrip(spec.slice(3));
  } else if (/^(~=|==|!=|<=|>=)/.test(spec)) {
    operator = spec.slice(0, 2);
    version = pyStrip(spec.slice(2));
  } else {
    operator = spec.slice(0, 1);
    version = pyStrip(spec.slice(1));
  }
  return new Specifier(operator as Operator, version, prereleases);
}

export class SpecifierSet {
  private canonical: Specifier[] | undefined;
  private unsatisfiable: boolean | undefined;

  constructor(
    /** In input order, duplicates kept. */
    readonly specs: readonly Specifier[],
    readonly explicitPrereleases: boolean | null = null,
    readonly hasArbitrary: boolean = specs.some((spec) => spec.operator === "==="),
  ) {}

  get isEmpty(): boolean {
    return this.specs.length === 0;
  }

  /** Sorted by text, duplicates removed: what `str()` prints. */
  canonicalSpecs(): Specifier[] {
    if (this.canonical === undefined) {
      const byKey = new Map<string, Specifier>();
      for (const spec of [...this.specs].sort((a, b) => compareCodePoints(a.toString(), b.toString()))) {
        const key = spec.canonicalKey;
        if (!byKey.has(key)) byKey.set(key, spec);
      }
      this.canonical = [...byKey.values()];
    }
    return this.canonical;
  }

  toString(): string {
    return this.canonicalSpecs().join(",");
  }

  /** packaging's `SpecifierSet.__eq__`: the same specifiers, each by its canonical form (`==1.0` is `==1.0.0`). */
  equals(other: SpecifierSet): boolean {
    const mine = new Set(this.specs.map((spec) => spec.canonicalKey));
    const theirs = new Set(other.specs.map((spec) => spec.canonicalKey));
    return mine.size === theirs.size && [...mine].every((key) => theirs.has(key));
  }

  get prereleases(): boolean | null {
    if (this.explicitPrereleases !== null) return this.explicitPrereleases;
    if (this.specs.length === 0) return null;
    return this.specs.some((spec) => spec.prereleases) ? true : null;
  }

  withPrereleases(prereleases: boolean | null): SpecifierSet {
    return new SpecifierSet(this.specs, prereleases, this.hasArbitrary);
  }

  /** packaging's `SpecifierSet.contains`. */
  contains(item: VersionItem, prereleases: boolean | null = null, installed = false): boolean {
    const version = coerce(item);
    if (version !== null && installed && version.isPrerelease) prereleases = true;
    // With `===` in play a string is compared as written, not normalized.
    const checkItem: VersionItem =
      version === null || (this.hasArbitrary && typeof item === "string") ? item : version;
    return this.filter([checkItem], prereleases).length > 0;
  }

  /** Fast path for the resolver: does this set accept the parsed version (pre-releases allowed)? */
  allows(version: Version): boolean {
    for (const spec of this.specs) if (!spec.matchesOperator(version)) return false;
    return true;
  }

  /** packaging's `SpecifierSet.filter`. */
  filter<T extends VersionItem>(items: Iterable<T>, prereleases: boolean | null = null): T[] {
    if (prereleases === null && this.prereleases !== null) prereleases = this.prereleases;
    if (this.specs.length > 0) {
      const allowPre = prereleases ?? true;
      const filtered =
        this.specs.length === 1 ? this.specs[0].filter(items, allowPre) : this.filterAll(items, allowPre);
      return prereleases !== null ? filtered : finalsUnlessNone(filtered);
    }
    if (prereleases === true) return [...items];
    if (prereleases === false) {
      return [...items].filter((item) => {
        const version = coerce(item);
        return version === null || !version.isPrerelease;
      });
    }
    return finalsUnlessNone(items);
  }

  private filterAll<T extends VersionItem>(items: Iterable<T>, prereleases: boolean): T[] {
    const result: T[] = [];
    for (const item of items) {
      const parsed = coerce(item);
      if (parsed === null) {
        const text = itemText(item).toLowerCase();
        if (this.specs.every((spec) => spec.operator === "===" && text === spec.version.toLowerCase())) {
          result.push(item);
        }
      } else if (!prereleases && parsed.isPrerelease) {
        // excluded
      } else if (this.specs.every((spec) => spec.matchesOperator(parsed, item))) {
        result.push(item);
      }
    }
    return result;
  }

  isUnsatisfiable(): boolean {
    if (this.unsatisfiable === undefined) this.unsatisfiable = this.computeUnsatisfiable();
    return this.unsatisfiable;
  }

  private computeUnsatisfiable(): boolean {
    if (this.specs.length === 0) return false;
    const ranges = this.ranges();
    if (ranges.length === 0) return true;
    if (this.arbitraryUnsatisfiable()) return true;
    if (this.prereleases === false) return onlyPrereleasesIn(ranges);
    return false;
  }

  /** The intersection of every specifier's ranges. */
  ranges(): VersionRange[] {
    let result: VersionRange[] | null = null;
    for (const spec of this.specs) {
      result = result === null ? spec.toRanges() : intersectRanges(result, spec.toRanges());
      if (result.length === 0) break;
    }
    return result ?? [FULL_RANGE];
  }

  private arbitraryUnsatisfiable(): boolean {
    const arbitrary = this.specs.filter((spec) => spec.operator === "===");
    if (arbitrary.length === 0) return false;
    const first = arbitrary[0].version.toLowerCase();
    if (arbitrary.some((spec) => spec.version.toLowerCase() !== first)) return true;
    const candidate = tryParseVersion(arbitrary[0].version);
    if (this.prereleases === false && candidate !== null && candidate.isPrerelease) return true;
    const standard = this.specs.filter((spec) => spec.operator !== "===");
    if (standard.length === 0) return false;
    if (candidate === null) return true;
    return !standard.every((spec) => spec.contains(candidate));
  }
}

/** Parses a comma-separated specifier set (`>=1.0, !=1.5`), or throws InvalidSpecifier. */
export function parseSpecifierSet(text: string, prereleases: boolean | null = null): SpecifierSet {
  const specs: Specifier[] = [];
  for (const piece of text.split(",")) {
    const stripped = pyStrip(piece);
    if (stripped !== "") specs.push(parseSpecifier(stripped));
  }
  return new SpecifierSet(specs, prereleases, text.includes("==="));
}

export const EMPTY_SPECIFIER_SET = new SpecifierSet([]);

/** PEP 440's default: drop pre-releases unless nothing else is left. */
function finalsUnlessNone<T extends VersionItem>(items: Iterable<T>): T[] {
  const finals: T[] = [];
  const all: T[] = [];
  let foundFinal = false;
  for (const item of items) {
    const parsed = coerce(item);
    if (parsed === null || !parsed.isPrerelease) {
      if (parsed !== null) foundFinal = true;
      finals.push(item);
    }
    all.push(item);
  }
  return foundFinal ? finals : all;
}
