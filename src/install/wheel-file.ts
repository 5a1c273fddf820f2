// A wheel file, opened and checked before anything is installed from it: its name, its one
// .dist-info directory, WHEEL's version, every member's hash against RECORD, and every path for
// escapes (absolute paths, `..`, backslashes, symlinks). A wheel that fails here installs nothing.

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseWheelFilename, type WheelFilename } from "../standards/filename.ts";
import { parseMetadataEmail } from "../standards/metadata.ts";
import { canonicalizeName } from "../standards/name.ts";
import { compareVersions, tryParseVersion } from "../standards/version.ts";
import { SpiceError } from "../util/error.ts";
import { hasOverlongComponent, NAME_MAX_BYTES } from "../util/fs.ts";
import { digestHex, parseRecordHash, sha256Hex } from "../util/hash.ts";
import { ZipArchive, ZipError } from "../util/zip.ts";
import { parseRecord } from "./record.ts";

export interface WheelMember {
  /** Path inside the wheel, `/`-separated. */
  path: string;
  data: Buffer;
  /** Executable bit from the archive. */
  executable: boolean;
}

export interface OpenedWheel {
  path: string;
  filename: WheelFilename;
  sha256: string;
  /** `name-1.0.dist-info` as it appears in the archive. */
  distInfo: string;
  rootIsPurelib: boolean;
  wheelVersion: [number, number];
  metadataText: string;
  /** Every file except RECORD (and its signatures), hashes checked. */
  members: WheelMember[];
  /** RECORD's hash of each member (`sha256=...`). */
  recordHashes: Map<string, string>;
}

export const SUPPORTED_WHEEL_MAJOR = 1;
/** The newest minor version of that major the binary distribution format has (1.0): a wheel of a later one installs with a warning. */
export const SUPPORTED_WHEEL_MINOR = 0;
const DATA_KEYS = new Set(["purelib", "platlib", "headers", "scripts", "data"]);

function invalid(path: string, cause: string, hint?: string): SpiceError {
  return new SpiceError("E_INVALID_WHEEL", `${basename(path)} is not a valid wheel`, {
    cause,
    hint: hint ?? "Rebuild the wheel, or report it to the project that publishes it",
  });
}

/** Is `path` a relative, forward-slash path that stays inside its root? */
export function isSafeRelativePath(path: string): boolean {
  // One pass over the characters: called twice for every member of every wheel unpacked.
  if (path === "" || path.charCodeAt(0) === SLASH) return false;
  if (path.length >= 2 && path.charCodeAt(1) === COLON && /^[A-Za-z]/.test(path)) return false; // C:
  let segment = 0;
  for (let index = 0; index <= path.length; index++) {
    const code = index < path.length ? path.charCodeAt(index) : SLASH;
    if (code === BACKSLASH || code === 0) return false;
    if (code === SLASH) {
      if (index - segment === 2 && path.charCodeAt(segment) === DOT && path.charCodeAt(segment + 1) === DOT)
        return false;
      segment = index + 1;
    }
  }
  return true;
}

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const DOT = 0x2e;

/**
 * The WHEEL file's headers, read as pip reads them (an email message): the first of each,
 * continuation lines joined, nothing after the first blank line.
 */
function wheelHeaders(text: string): { wheelVersion?: string; rootIsPurelib?: string } {
  const { unparsed } = parseMetadataEmail(text, WHEEL_HEADERS);
  return { wheelVersion: unparsed["wheel-version"]?.[0], rootIsPurelib: unparsed["root-is-purelib"]?.[0] };
}

const WHEEL_HEADERS: ReadonlySet<string> = new Set(["wheel-version", "root-is-purelib"]);

/** Opens and fully checks a wheel. `data` may be passed when the bytes are already in memory. */
export function openWheel(
  path: string,
  data?: Buffer,
  /** The sha256 of `data`, when the caller has just computed it (hashing 50 MB takes 45 ms). */
  digest?: string,
): OpenedWheel {
  let filename: WheelFilename;
  try {
    filename = parseWheelFilename(basename(path));
  } catch (error) {
    throw invalid(path, (error as Error).message, "Wheel file names look like name-1.0-py3-none-any.whl");
  }
  let bytes: Buffer;
  try {
    bytes = data ?? readFileSync(path);
  } catch (error) {
    throw new SpiceError("E_WHEEL_UNREADABLE", `Cannot read ${path}`, { cause: (error as Error).message });
  }
  let archive: ZipArchive;
  try {
    archive = new ZipArchive(bytes);
  } catch (error) {
    throw invalid(path, `it is not a readable zip archive: ${(error as Error).message}`);
  }

  for (const entry of archive.entries) {
    if (!isSafeRelativePath(entry.name.replace(/\/$/, "")))
      throw invalid(path, `member '${entry.name}' would be written outside the install directory`);
    if (!entry.name.endsWith("/") && /(^|\/)\.$/.test(entry.name))
      throw invalid(path, `member '${entry.name}' names a directory, not a file`);
    // A UTF-16 unit takes at most 3 bytes of UTF-8: only a long name can break the limit.
    if (entry.name.length > NAME_MAX_BYTES / 3 && hasOverlongComponent(entry.name))
      throw invalid(
        path,
        `member '${entry.name}' has a name longer than ${NAME_MAX_BYTES} bytes, which file systems refuse`,
      );
    if (entry.unixMode !== null && (entry.unixMode & 0o170000) === 0o120000) {
      throw invalid(path, `member '${entry.name}' is a symbolic link, which wheels may not contain`);
    }
  }
  const topLevel = new Set(archive.entries.map((entry) => entry.name.split("/")[0]));
  const distInfos = [...topLevel].filter((name) => name.endsWith(".dist-info"));
  if (distInfos.length === 0) throw invalid(path, "it has no .dist-info directory");
  if (distInfos.length > 1)
    throw invalid(path, `it has several .dist-info directories: ${distInfos.sort().join(", ")}`);
  const distInfo = distInfos[0];
  const stem = distInfo.slice(0, -".dist-info".length);
  const dash = stem.lastIndexOf("-");
  const infoName = dash < 0 ? stem : stem.slice(0, dash);
  const infoVersion = dash < 0 ? null : tryParseVersion(stem.slice(dash + 1));
  if (canonicalizeName(infoName) !== filename.name) {
    throw invalid(
      path,
      `its .dist-info directory '${distInfo}' names a different project than the file name ('${filename.name}')`,
    );
  }
  if (infoVersion === null || compareVersions(infoVersion, filename.version) !== 0) {
    throw invalid(
      path,
      `its .dist-info directory '${distInfo}' has a different version than the file name (${filename.version})`,
    );
  }

  const readText = (name: string): string => {
    const entry = archive.get(`${distInfo}/${name}`);
    if (entry === undefined) throw invalid(path, `${distInfo}/${name} is missing`);
    try {
      return archive.read(entry).toString("utf8");
    } catch (error) {
      throw invalid(path, (error as Error).message);
    }
  };
  const wheelInfo = wheelHeaders(readText("WHEEL"));
  // pip's reading: integers separated by dots (`1.0`, or `1`).
  const versionText = (wheelInfo.wheelVersion ?? "").trim();
  if (!/^\d+(\.\d+)*$/.test(versionText))
    throw invalid(path, `WHEEL has no valid Wheel-Version ('${versionText}')`);
  const [major, minor = 0] = versionText.split(".").map(Number);
  const wheelVersion: [number, number] = [major, minor];
  if (wheelVersion[0] > SUPPORTED_WHEEL_MAJOR) {
    throw invalid(
      path,
      `it is Wheel-Version ${versionText}; spice installs version 1 wheels`,
      "Upgrade spice, or use an older build of the wheel",
    );
  }
  const rootIsPurelib = (wheelInfo.rootIsPurelib ?? "").toLowerCase() === "true";
  const metadataText = readText("METADATA");

  const recordPath = `${distInfo}/RECORD`;
  const record = new Map<string, { hash: string; size: string }>();
  for (const [file, hash, size] of parseRecord(readText("RECORD"))) {
    if (!isSafeRelativePath(file))
      throw invalid(path, `RECORD names '${file}', a path outside the install directory`);
    record.set(file, { hash, size });
  }

  const members: WheelMember[] = [];
  for (const entry of archive.entries) {
    if (entry.isDirectory) continue;
    const name = entry.name;
    if (name === recordPath || name === `${recordPath}.jws` || name === `${recordPath}.p7s`) continue;
    const parts = name.split("/");
    if (parts[0].endsWith(".data") && parts.length > 2 && !DATA_KEYS.has(parts[1])) {
      throw invalid(path, `member '${name}' is in an unknown .data directory '${parts[1]}'`);
    }
    const expected = record.get(name);
    if (expected === undefined || expected.hash === "")
      throw invalid(path, `member '${name}' is not listed with a hash in RECORD`);
    let content: Buffer;
    try {
      content = archive.read(entry, false); // its RECORD hash is checked below
    } catch (error) {
      throw invalid(path, error instanceof ZipError ? error.message : String(error));
    }
    const parsed = parseRecordHash(expected.hash);
    const actual = parsed === null ? null : digestHex(parsed[0], content);
    if (parsed === null || actual === null)
      throw invalid(path, `RECORD has an unusable hash for '${name}': ${expected.hash}`);
    if (actual !== parsed[1]) {
      // Some published wheels (gmsh's) write the digest in hex, not urlsafe base64: the same
      // digest, told apart by its length. Accepted when it matches, and kept in the standard form.
      const written = expected.hash.slice(expected.hash.indexOf("=") + 1).toLowerCase();
      if (actual !== written) throw invalid(path, `member '${name}' does not match its hash in RECORD`);
      expected.hash = `${parsed[0]}=${Buffer.from(actual, "hex").toString("base64url")}`;
    }
    if (expected.size !== "" && Number(expected.size) !== content.length) {
      throw invalid(path, `member '${name}' is ${content.length} bytes, RECORD says ${expected.size}`);
    }
    members.push({
      path: name,
      data: content,
      executable: entry.unixMode !== null && (entry.unixMode & 0o111) !== 0,
    });
  }
  return {
    path,
    filename,
    sha256: digest ?? sha256Hex(bytes),
    distInfo,
    rootIsPurelib,
    wheelVersion,
    metadataText,
    members,
    recordHashes: new Map([...record].map(([file, { hash }]) => [file, hash])),
  };
}
