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

// `\w` in Python's Unicode sense; `$` there also accepts a final newline.
const WHEEL_NAME_PART = /^[\p{L}\p{Nd}\p{Nl}\p{No}_.]*\n?$/u;

export function parseWheelFilename(filename: string, validateOrder = false): WheelFilename {
  if (!filename.endsWith(".whl")) {
    throw new InvalidWheelFilename(`Invalid wheel filename (extension must be '.whl'): '${filename}'`);
  }
  const stem = filename.slice(0, -4);
  const dashes = stem.split("-").length - 1;
  if (dashes !== 4 && dashes !== 5) {
    throw new InvalidWheelFilename(`Invalid wheel filename (wrong number of parts): '${filename}'`);
  }
  const parts = stem.split("-");
  const namePart = parts[0];
  if (namePart.includes("__") || !WHEEL_NAME_PART.test(namePart)) {
    throw new InvalidWheelFilename(`Invalid project name: '${filename}'`);
  }
  const version = tryParseVersion(parts[1]);
  if (version === null)
    throw new InvalidWheelFilename(`Invalid wheel filename (invalid version): '${filename}'`);
  let build: WheelFilename["build"] = [];
  if (dashes === 5) {
    const match = /^([0-9]+)([^\n]*)/.exec(parts[2]);
    if (match === null) throw new InvalidWheelFilename(`Invalid build number: ${parts[2]} in '${filename}'`);
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
    if (error instanceof UnsortedTags) {
      throw new InvalidWheelFilename(
        `Invalid wheel filename (compressed tag set components must be in sorted order per PEP 425): '${filename}'`,
      );
    }
    throw new InvalidWheelFilename(`Invalid wheel filename (invalid tag): '${filename}'`);
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
  try {
    return parseWheelFilename(filename);
  } catch {
    return null;
  }
}

export interface SdistFilename {
  readonly filename: string;
  readonly name: string;
  readonly version: Version;
}

export function parseSdistFilename(filename: string): SdistFilename {
  let stem: string;
  if (filename.endsWith(".tar.gz")) stem = filename.slice(0, -7);
  else if (filename.endsWith(".zip")) stem = filename.slice(0, -4);
  else
    throw new InvalidSdistFilename(
      `Invalid sdist filename (extension must be '.tar.gz' or '.zip'): '${filename}'`,
    );
  const dash = stem.lastIndexOf("-");
  if (dash < 0) throw new InvalidSdistFilename(`Invalid sdist filename: '${filename}'`);
  const version = tryParseVersion(stem.slice(dash + 1));
  if (version === null)
    throw new InvalidSdistFilename(`Invalid sdist filename (invalid version): '${filename}'`);
  return { filename, name: canonicalizeName(stem.slice(0, dash)), version };
}

export function tryParseSdistFilename(filename: string): SdistFilename | null {
  try {
    return parseSdistFilename(filename);
  } catch {
    return null;
  }
}
