// Wheel and source distribution file names (binary distribution format, PEP 427/491; sdist names
// per PEP 625), parsed as packaging 26 parses them.

import { canonicalizeName } from "./name.ts";
import { parseTag, type Tag, UnsortedTags } from "./tags.ts";
import { tryParseVersion, type Version } from "./version.ts";

export class InvalidWheelFilename extends Error {
  override name = "InvalidWheelFilename";
}
export class InvalidSdistFilename extends Error {
  override name = "InvalidSdistFilename";
}

export interface WheelFilename {
  readonly filename: string;
  /** Normalized (PEP 503). */
  readonly name: string;
  readonly version: Version;
  /** `[]` or `[number, rest]`: a build tag starts with digits. */
  readonly build: readonly [] | readonly [number | bigint, string];
  readonly tags: ReadonlySet<Tag>;
}

/**
 * The name part's pattern: `\w` in Python's Unicode sense, and `$` there also accepts a final
 * newline. Made on first use: a Unicode property pattern costs about 0.4 ms to create
 * (python-string.ts).
 */
let wheelNamePart: RegExp | undefined;

export function parseWheelFilename(filename: string, validateOrder = false): WheelFilename {
  const parsed = readWheelFilename(filename, validateOrder);
  if (typeof parsed === "string") throw new InvalidWheelFilename(parsed);
  return parsed;
}

/**
 * The parsed name, or what is wrong with it: the try- form runs over every file of an index page
 * (sdists among them), and an Error made for each took a quarter second on a page of 100,000.
 */
function readWheelFilename(filename: string, validateOrder: boolean): WheelFilename | string {
  if (!filename.endsWith(".whl")) return `Invalid wheel filename (extension must be '.whl'): '${filename}'`;
  const stem = filename.slice(0, -4);
  const parts = stem.split("-");
  const dashes = parts.length - 1;
  if (dashes !== 4 && dashes !== 5) return `Invalid wheel filename (wrong number of parts): '${filename}'`;
  const namePart = parts[0];
  if (namePart.includes("__") || !(wheelNamePart ??= /^[\p{L}\p{Nd}\p{Nl}\p{No}_.]*\n?$/u).test(namePart))
    return `Invalid project name: '${filename}'`;
  const version = tryParseVersion(parts[1]);
  if (version === null) return `Invalid wheel filename (invalid version): '${filename}'`;
  let build: WheelFilename["build"] = [];
  if (dashes === 5) {
    const match = /^([0-9]+)([^\n]*)/.exec(parts[2]);
    if (match === null) return `Invalid build number: ${parts[2]} in '${filename}'`;
    const digits = BigInt(match[1]);
    build = [digits <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(digits) : digits, match[2]];
  }
  // The tag is everything after the version (and build), dashes included.
  const tagText = parts.slice(dashes === 5 ? 3 : 2).join("-");
  let tags = validateOrder ? undefined : TAG_SETS.get(tagText);
  try {
    if (tags === undefined) {
      tags = parseTag(tagText, validateOrder);
      if (TAG_SETS.size >= TAG_SETS_KEPT) TAG_SETS.clear();
      TAG_SETS.set(tagText, tags);
    }
  } catch (error) {
    return error instanceof UnsortedTags
      ? `Invalid wheel filename (compressed tag set components must be in sorted order per PEP 425): '${filename}'`
      : `Invalid wheel filename (invalid tag): '${filename}'`;
  }
  return { filename, name: canonicalizeName(namePart), version, build, tags };
}

/**
 * Parsed tag sets by their text, shared (they are read-only): a project's files have a few dozen
 * between them, where a page may list 100,000 files.
 */
const TAG_SETS = new Map<string, ReadonlySet<Tag>>();
const TAG_SETS_KEPT = 4096;

export function tryParseWheelFilename(filename: string): WheelFilename | null {
  const parsed = readWheelFilename(filename, false);
  return typeof parsed === "string" ? null : parsed;
}

export interface SdistFilename {
  readonly filename: string;
  readonly name: string;
  readonly version: Version;
}

export function parseSdistFilename(filename: string): SdistFilename {
  const parsed = readSdistFilename(filename);
  if (typeof parsed === "string") throw new InvalidSdistFilename(parsed);
  return parsed;
}

/** The parsed name, or what is wrong with it (as readWheelFilename). */
function readSdistFilename(filename: string): SdistFilename | string {
  let stem: string;
  if (filename.endsWith(".tar.gz")) stem = filename.slice(0, -7);
  else if (filename.endsWith(".zip")) stem = filename.slice(0, -4);
  else return `Invalid sdist filename (extension must be '.tar.gz' or '.zip'): '${filename}'`;
  const dash = stem.lastIndexOf("-");
  if (dash < 0) return `Invalid sdist filename: '${filename}'`;
  const version = tryParseVersion(stem.slice(dash + 1));
  if (version === null) return `Invalid sdist filename (invalid version): '${filename}'`;
  return { filename, name: canonicalizeName(stem.slice(0, dash)), version };
}

export function tryParseSdistFilename(filename: string): SdistFilename | null {
  const parsed = readSdistFilename(filename);
  return typeof parsed === "string" ? null : parsed;
}
