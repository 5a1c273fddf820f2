// PEP 440 versions, written by hand because version parsing and comparison sit in the resolver's
// hot path: parsing is a single scan (no regex), results are interned by string, and each version
// carries a flat numeric sort key so that comparing two versions is a few number comparisons.

import { pyStrip } from "./python-string.ts";

/** A version number segment: a JS number when it fits exactly, else a BigInt (PEP 440 numbers are unbounded). */
export type VersionNumber = number | bigint;
export type PreLabel = "a" | "b" | "rc";
export type LocalSegment = string | VersionNumber;

export class InvalidVersion extends Error {
  override name = "InvalidVersion";
}

const PRE_RANK: Record<PreLabel, number> = { a: 0, b: 1, rc: 2 };

export class Version {
  /**
   * Flat sort key: epoch, each release number + 1 (trailing zeros trimmed), a 0 terminator, then
   * pre rank, pre number, post rank, post number, dev rank, dev number. The +1/terminator encoding
   * makes a release that is a prefix of another sort first, as Python's tuple comparison does.
   */
  readonly key: VersionNumber[];
  private cachedString: string | undefined;

  constructor(
    readonly epoch: VersionNumber,
    readonly release: readonly VersionNumber[],
    readonly pre: readonly [PreLabel, VersionNumber] | null,
    readonly post: VersionNumber | null,
    readonly dev: VersionNumber | null,
    readonly local: readonly LocalSegment[] | null,
  ) {
    this.key = buildKey(this);
  }

  get isPrerelease(): boolean {
    return this.pre !== null || this.dev !== null;
  }
  get isPostrelease(): boolean {
    return this.post !== null;
  }
  get isDevrelease(): boolean {
    return this.dev !== null;
  }
  get major(): VersionNumber {
    return this.release[0];
  }
  get minor(): VersionNumber {
    return this.release.length >= 2 ? this.release[1] : 0;
  }
  get micro(): VersionNumber {
    return this.release.length >= 3 ? this.release[2] : 0;
  }

  get baseVersion(): string {
    const release = this.release.join(".");
    return this.epoch === 0 ? release : `${this.epoch}!${release}`;
  }

  /** The version without its local label. */
  get public(): string {
    const text = this.toString();
    const plus = text.indexOf("+");
    return plus < 0 ? text : text.slice(0, plus);
  }

  get localLabel(): string | null {
    return this.local === null ? null : this.local.join(".");
  }

  toString(): string {
    if (this.cachedString !== undefined) return this.cachedString;
    let text = this.release.join(".");
    if (this.epoch !== 0) text = `${this.epoch}!${text}`;
    if (this.pre !== null) text += `${this.pre[0]}${this.pre[1]}`;
    if (this.post !== null) text += `.post${this.post}`;
    if (this.dev !== null) text += `.dev${this.dev}`;
    if (this.local !== null) text += `+${this.local.join(".")}`;
    this.cachedString = text;
    return text;
  }

  /** A copy with some parts replaced (packaging's `Version.__replace__`). */
  with(parts: {
    epoch?: VersionNumber;
    release?: readonly VersionNumber[];
    pre?: readonly [PreLabel, VersionNumber] | null;
    post?: VersionNumber | null;
    dev?: VersionNumber | null;
    local?: readonly LocalSegment[] | null;
  }): Version {
    return new Version(
      parts.epoch ?? this.epoch,
      parts.release ?? this.release,
      parts.pre !== undefined ? parts.pre : this.pre,
      parts.post !== undefined ? parts.post : this.post,
      parts.dev !== undefined ? parts.dev : this.dev,
      parts.local !== undefined ? parts.local : this.local,
    );
  }

  withoutLocal(): Version {
    return this.local === null ? this : this.with({ local: null });
  }
}

function buildKey(version: Version): VersionNumber[] {
  const key: VersionNumber[] = [version.epoch];
  const release = version.release;
  let end = release.length;
  while (end > 0 && release[end - 1] === 0) end--;
  for (let i = 0; i < end; i++) key.push(increment(release[i]));
  key.push(0);
  const { pre, post, dev } = version;
  if (pre === null && post === null && dev !== null) key.push(-1, 0);
  else if (pre === null) key.push(3, 0);
  else key.push(PRE_RANK[pre[0]], pre[1]);
  if (post === null) key.push(0, 0);
  else key.push(1, post);
  if (dev === null) key.push(1, 0);
  else key.push(0, dev);
  return key;
}

function increment(value: VersionNumber): VersionNumber {
  if (typeof value === "bigint") return value + 1n;
  return value < Number.MAX_SAFE_INTEGER ? value + 1 : BigInt(value) + 1n;
}

/** -1, 0 or 1, as PEP 440 orders `a` and `b`. */
export function compareVersions(a: Version, b: Version): number {
  if (a === b) return 0;
  const ka = a.key;
  const kb = b.key;
  const length = Math.min(ka.length, kb.length);
  for (let i = 0; i < length; i++) {
    const x = ka[i];
    const y = kb[i];
    if (x !== y) {
      if (x < y) return -1;
      if (x > y) return 1;
    }
  }
  // Keys of equal prefix differ in length only through the release part, which the terminator
  // already decided, so equal-length keys reach here; locals break the tie.
  if (ka.length !== kb.length) return ka.length < kb.length ? -1 : 1;
  return compareLocals(a.local, b.local);
}

function compareLocals(a: readonly LocalSegment[] | null, b: readonly LocalSegment[] | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    const xIsString = typeof x === "string";
    const yIsString = typeof y === "string";
    // PEP 440: alphanumeric segments sort before numeric ones.
    if (xIsString !== yIsString) return xIsString ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function versionsEqual(a: Version, b: Version): boolean {
  return compareVersions(a, b) === 0;
}

// Interning: the same strings are parsed again and again (index pages, metadata, specifiers).
const INTERN_LIMIT = 200_000;
let internTable = new Map<string, Version | null>();

/** Parses a PEP 440 version, or returns null when the text is not one. Results are interned. */
export function tryParseVersion(text: string): Version | null {
  const cached = internTable.get(text);
  if (cached !== undefined) return cached;
  const version = scanVersion(text);
  if (internTable.size >= INTERN_LIMIT) internTable = new Map();
  internTable.set(text, version);
  return version;
}

export function parseVersion(text: string): Version {
  const version = tryParseVersion(text);
  if (version === null) throw new InvalidVersion(`Invalid version: '${text}'`);
  return version;
}

export function isValidVersion(text: string): boolean {
  return tryParseVersion(text) !== null;
}

/** packaging's `canonicalize_version`: normalized, trailing zeros of the release removed (one kept). */
export function canonicalizeVersion(text: string | Version, stripTrailingZero = true): string {
  const version = typeof text === "string" ? tryParseVersion(text) : text;
  if (version === null) return text as string;
  if (!stripTrailingZero) return version.toString();
  let end = version.release.length;
  while (end > 1 && version.release[end - 1] === 0) end--;
  if (end === version.release.length) return version.toString();
  return version.with({ release: version.release.slice(0, end) }).toString();
}

export function parseNumber(digits: string): VersionNumber {
  if (digits.length < 16) return Number(digits);
  const big = BigInt(digits);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

// ---------------------------------------------------------------------------------------------
// The scanner follows packaging's VERSION_PATTERN, including its possessive quantifiers: each
// optional part, once matched, is never given back.

function lowerAscii(code: number): number {
  return code >= 0x41 && code <= 0x5a ? code + 32 : code;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isSeparator(code: number): boolean {
  return code === 0x2e || code === 0x5f || code === 0x2d; // . _ -
}

function isAsciiAlnum(code: number): boolean {
  const lower = lowerAscii(code);
  return isDigit(code) || (lower >= 0x61 && lower <= 0x7a);
}

/** Does `word` (lower-case ASCII) occur case-insensitively at `pos`? */
function matchesWord(text: string, pos: number, word: string): boolean {
  if (pos + word.length > text.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (lowerAscii(text.charCodeAt(pos + i)) !== word.charCodeAt(i)) return false;
  }
  return true;
}

function firstWord(text: string, pos: number, words: readonly string[]): string | null {
  for (const word of words) if (matchesWord(text, pos, word)) return word;
  return null;
}

const PRE_WORDS = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"] as const;
const PRE_NORMAL: Record<string, PreLabel> = {
  alpha: "a",
  a: "a",
  beta: "b",
  b: "b",
  preview: "rc",
  pre: "rc",
  c: "rc",
  rc: "rc",
};
const POST_WORDS = ["post", "rev", "r"] as const;

function digitsEnd(text: string, pos: number): number {
  while (pos < text.length && isDigit(text.charCodeAt(pos))) pos++;
  return pos;
}

// Set by readNumber: where the digits ended.
let numberEnd = 0;

/** Reads a run of ASCII digits at `pos` (setting numberEnd), or returns -1 when there is none. */
function readNumber(text: string, pos: number): VersionNumber {
  let value = 0;
  let end = pos;
  for (; end < text.length; end++) {
    const code = text.charCodeAt(end);
    if (code < 0x30 || code > 0x39) break;
    value = value * 10 + (code - 0x30);
  }
  numberEnd = end;
  if (end === pos) return -1;
  // Up to 15 digits always fit a double exactly; longer runs go through BigInt.
  return end - pos <= 15 ? value : parseNumber(text.slice(pos, end));
}

export function scanVersion(input: string): Version | null {
  const text = pyStrip(input);
  const length = text.length;
  let pos = 0;
  if (pos < length && lowerAscii(text.charCodeAt(pos)) === 0x76) pos++; // v

  // Epoch and release.
  let first = readNumber(text, pos);
  if (first === -1) return null;
  pos = numberEnd;
  let epoch: VersionNumber = 0;
  if (text.charCodeAt(pos) === 0x21) {
    epoch = first;
    first = readNumber(text, pos + 1);
    if (first === -1) return null;
    pos = numberEnd;
  }
  const release: VersionNumber[] = [first];
  while (text.charCodeAt(pos) === 0x2e && isDigit(text.charCodeAt(pos + 1))) {
    release.push(readNumber(text, pos + 1));
    pos = numberEnd;
  }
  // Most versions are a bare release: skip the optional parts.
  if (pos === length) return new Version(epoch, release, null, null, null, null);

  // Pre-release: [._-]? (alpha|a|beta|b|preview|pre|c|rc) [._-]? [0-9]*
  let pre: [PreLabel, VersionNumber] | null = null;
  {
    let p = pos;
    if (p < length && isSeparator(text.charCodeAt(p))) p++;
    const word = firstWord(text, p, PRE_WORDS);
    if (word !== null) {
      p += word.length;
      if (p < length && isSeparator(text.charCodeAt(p))) p++;
      const numberEnd = digitsEnd(text, p);
      pre = [PRE_NORMAL[word], numberEnd > p ? parseNumber(text.slice(p, numberEnd)) : 0];
      pos = numberEnd;
    }
  }

  // Post-release: -N | [._-]? (post|rev|r) [._-]? [0-9]*
  let post: VersionNumber | null = null;
  {
    const p = pos;
    if (text.charCodeAt(p) === 0x2d && isDigit(text.charCodeAt(p + 1))) {
      const numberEnd = digitsEnd(text, p + 1);
      post = parseNumber(text.slice(p + 1, numberEnd));
      pos = numberEnd;
    } else {
      let q = p;
      if (q < length && isSeparator(text.charCodeAt(q))) q++;
      const word = firstWord(text, q, POST_WORDS);
      if (word !== null) {
        q += word.length;
        if (q < length && isSeparator(text.charCodeAt(q))) q++;
        const numberEnd = digitsEnd(text, q);
        post = numberEnd > q ? parseNumber(text.slice(q, numberEnd)) : 0;
        pos = numberEnd;
      }
    }
  }

  // Development release: [._-]? dev [._-]? [0-9]*
  let dev: VersionNumber | null = null;
  {
    let p = pos;
    if (p < length && isSeparator(text.charCodeAt(p))) p++;
    if (matchesWord(text, p, "dev")) {
      p += 3;
      if (p < length && isSeparator(text.charCodeAt(p))) p++;
      const numberEnd = digitsEnd(text, p);
      dev = numberEnd > p ? parseNumber(text.slice(p, numberEnd)) : 0;
      pos = numberEnd;
    }
  }

  // Local version label: + [a-z0-9]+ ([._-][a-z0-9]+)*
  let local: LocalSegment[] | null = null;
  if (text.charCodeAt(pos) === 0x2b) {
    let p = pos + 1;
    const segments: LocalSegment[] = [];
    for (;;) {
      const start = p;
      while (p < length && isAsciiAlnum(text.charCodeAt(p))) p++;
      if (p === start) return null;
      segments.push(localSegment(text.slice(start, p)));
      if (p < length && isSeparator(text.charCodeAt(p)) && isAsciiAlnum(text.charCodeAt(p + 1))) {
        p++;
        continue;
      }
      break;
    }
    local = segments;
    pos = p;
  }

  if (pos !== length) return null;
  return new Version(epoch, release, pre, post, dev, local);
}

function localSegment(text: string): LocalSegment {
  for (let i = 0; i < text.length; i++) {
    if (!isDigit(text.charCodeAt(i))) return text.toLowerCase();
  }
  return parseNumber(text);
}

/** Empties the intern table (benchmarks measure cold parsing with it). */
export function clearVersionCache(): void {
  internTable = new Map();
}
