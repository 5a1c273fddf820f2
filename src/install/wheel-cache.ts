// Wheels unpacked once into the content-addressed cache (keyed by the wheel's sha256), checked
// on the way in (openWheel) and on the way out (each file's size and mtime against the entry's
// manifest, so a cached file that was edited through a hard link is noticed and the entry rebuilt).
//
// An entry keeps its files in one flat directory, each named by its index in the manifest, not in
// the wheel's own tree: a cold install is bound by creating inodes on slow disks, and the tree's
// directories were one in seven of them (jupyter: 2,000 directories for 12,000 files). The tree an
// install needs is made in the environment itself, or ahead of time as a spare tree.

import {
  chmodSync,
  existsSync,
  lstatSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { BUCKETS, type Cache } from "../cache/store.ts";
import { SpiceError } from "../util/error.ts";
import { onCacheDisk, PLAIN_RELATIVE_PATH } from "../util/fs.ts";
import { checkedText, sha256Hex, withDamageChecksum } from "../util/hash.ts";
import { makeDirectories } from "../util/make-directories.ts";
import { type OpenedWheel, openWheel } from "./wheel-file.ts";

export interface CachedFile {
  /** Path inside the wheel. */
  path: string;
  /** RECORD form: `sha256=...` (recomputed when the wheel used another algorithm). */
  hash: string;
  size: number;
  executable: boolean;
  mtimeMs: number;
}

/** Files an installer writes itself into the .dist-info directory (a wheel's own copy is not used). */
export const GENERATED_DIST_INFO_FILES = ["INSTALLER", "REQUESTED", "direct_url.json"] as const;

/** What spice writes into INSTALLER (PEP 376): the same for every distribution it installs. */
export const INSTALLER_TEXT = "spice\n";

export interface WheelManifest {
  format: 4;
  filename: string;
  sha256: string;
  distInfo: string;
  rootIsPurelib: boolean;
  /** The WHEEL file's Wheel-Version (absent in entries made before it was kept: 1.0 then). */
  wheelVersion?: [number, number];
  name: string;
  version: string;
  tags: string[];
  /** Sorted by path: the order RECORD lists them in. */
  files: CachedFile[];
  /**
   * The files an install links under their own path into the lib directory (purelib or platlib):
   * plainly named, outside `.data`, not one an installer writes. Grouped by their directory
   * relative to it ("" for the root), parents first, so that an install handles them per
   * directory rather than per file. A spare tree holds exactly these.
   */
  libDirectories: Array<[directory: string, indices: number[]]>;
}

export interface UnpackedWheel {
  /** Directory holding the wheel's files, each named by its index in `manifest.files`. */
  root: string;
  manifest: WheelManifest;
  /** Where the wheel came from (for direct_url.json and messages). */
  source: string;
  /** The cache entry directory (absent when unpacked without a cache). */
  cacheEntry?: string;
  /**
   * The entry's spare tree, when its lib files were checked there rather than in `root` (the
   * same inodes, looked up once): an install takes them from the tree (withLibFile).
   */
  checkedTree?: string;
}

const MANIFEST = "manifest.json";

/** The directory of an entry (or scratch unpack) that holds the wheel's files. */
export function filesOf(directory: string): string {
  return `${directory}/files`;
}

/** Where an entry (or scratch unpack) keeps the manifest's `index`th file; `root` is filesOf(it). */
export function storedFile(root: string, index: number): string {
  return `${root}/${index}`;
}

/** A cache entry as an unpacked wheel from `source`, its files checked as `checked` says. */
function entryWheel(
  directory: string,
  manifest: WheelManifest,
  source: string,
  checked: CheckedBy = "files",
): UnpackedWheel {
  const wheel: UnpackedWheel = { root: filesOf(directory), manifest, source, cacheEntry: directory };
  if (checked === "spare tree") wheel.checkedTree = spareTreeOf(directory);
  return wheel;
}

function recordHashOf(hash: string, data: Buffer): string {
  return hash.startsWith("sha256=")
    ? hash
    : `sha256=${Buffer.from(sha256Hex(data), "hex").toString("base64url")}`;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function libDirectoriesOf(files: readonly CachedFile[], distInfo: string): Array<[string, number[]]> {
  const dataDirectory = `${distInfo.slice(0, -".dist-info".length)}.data/`;
  const generated = new Set<string>(GENERATED_DIST_INFO_FILES.map((name) => `${distInfo}/${name}`));
  const byDirectory = new Map<string, number[]>();
  files.forEach(({ path }, index) => {
    if (path.startsWith(dataDirectory) || generated.has(path) || !PLAIN_RELATIVE_PATH.test(path)) return;
    const directory = path.slice(0, Math.max(path.lastIndexOf("/"), 0));
    const indices = byDirectory.get(directory);
    if (indices === undefined) byDirectory.set(directory, [index]);
    else indices.push(index);
  });
  // A parent's path is a prefix of its children's: sorting puts it first.
  return [...byDirectory].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Writes an opened wheel's files and manifest into `directory`. */
export function unpackWheel(wheel: OpenedWheel, directory: string): WheelManifest {
  const files: CachedFile[] = [];
  const root = filesOf(directory);
  makeDirectories(root);
  [...wheel.members].sort(byPath).forEach((member, index) => {
    const target = storedFile(root, index);
    writeFileSync(target, member.data);
    if (member.executable) chmodSync(target, 0o755);
    files.push({
      path: member.path,
      hash: recordHashOf(wheel.recordHashes.get(member.path) ?? "", member.data),
      size: member.data.length,
      executable: member.executable,
      mtimeMs: lstatSync(target).mtimeMs,
    });
  });
  const manifest: WheelManifest = {
    format: 4,
    filename: wheel.filename.filename,
    sha256: wheel.sha256,
    distInfo: wheel.distInfo,
    rootIsPurelib: wheel.rootIsPurelib,
    wheelVersion: wheel.wheelVersion,
    name: wheel.filename.name,
    version: wheel.filename.version.toString(),
    tags: [...wheel.filename.tags],
    files,
    libDirectories: libDirectoriesOf(files, wheel.distInfo),
  };
  writeFileSync(join(directory, MANIFEST), manifestFileText(manifest));
  return manifest;
}

/** What an entry's manifest file holds: a checksum of the manifest's JSON, a newline, the JSON. */
export function manifestFileText(manifest: WheelManifest): string {
  return withDamageChecksum(JSON.stringify(manifest));
}

/** The entry's manifest, or null when it has none (or an unknown format). */
export function readManifest(directory: string): WheelManifest | null {
  try {
    // The manifest opens with a checksum of the rest: a damaged one (a flipped byte in a path
    // would install a file under another name) fails the check, and the entry is rebuilt.
    const text = checkedText(readFileSync(join(directory, MANIFEST)));
    if (text === null) return null;
    const manifest = JSON.parse(text) as WheelManifest;
    return manifest.format === 4 && libDirectoriesHold(manifest) ? manifest : null;
  } catch {
    return null;
  }
}

/**
 * Whether every file `libDirectories` names sits directly in its plainly named directory: an
 * install links them by plain concatenation, so a damaged manifest must not lead outside the
 * lib directory (the entry is then rebuilt). A name without "/" that is not "." or ".." cannot
 * (a NUL would make the system call fail, and a backslash is a plain character here).
 */
function libDirectoriesHold(manifest: WheelManifest): boolean {
  const { files } = manifest;
  for (const [directory, indices] of manifest.libDirectories) {
    if (directory !== "" && !PLAIN_RELATIVE_PATH.test(directory)) return false;
    const start = directory === "" ? 0 : directory.length + 1;
    for (const index of indices) {
      const path = files[index]?.path;
      if (typeof path !== "string" || path.length <= start || path.indexOf("/", start) >= 0) return false;
      if (start > 0 && (path.charCodeAt(start - 1) !== 47 || !path.startsWith(directory))) return false;
      if (path.length - start <= 2 && /(^|\/)\.\.?$/.test(path)) return false;
    }
  }
  return true;
}

/** A cache entry's spare tree: `<entry>/spare/<path inside the wheel>`, with INSTALLER (spare-trees.ts). */
export function spareTreeOf(entry: string): string {
  return `${entry}/spare`;
}

/** Whether the cache entry holds a spare tree now. */
export function hasSpareTree(entry: string): boolean {
  return existsSync(spareTreeOf(entry));
}

/** The file's lstat, or undefined when there is none (or a file stands where a directory was). */
function lstatOf(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, or a directory made unreadable
  }
}

function isUnchanged(path: string, file: CachedFile): boolean {
  const stat = lstatOf(path);
  return stat !== undefined && stat.size === file.size && stat.mtimeMs === file.mtimeMs;
}

/** Where an entry's lib files were checked: in its files directory, or through its spare tree. */
export type CheckedBy = "files" | "spare tree";

/** Does every cached file still have the size and mtime it was written with? */
export function isIntact(directory: string, manifest: WheelManifest): boolean {
  return checkedEntry(directory, manifest) !== null;
}

/**
 * Checks every cached file's size and mtime, and says where. An entry with a spare tree has its
 * lib files checked there: they are the entry's own inodes (hard links), so one lstat checks the
 * file and that the tree still holds it; an install then takes them from the tree (a tree missing
 * a file, from a cache removed halfway, would otherwise install without it). A damaged tree is
 * discarded, and the entry checked by its own files. Null when a file changed.
 */
export function checkedEntry(directory: string, manifest: WheelManifest): CheckedBy | null {
  const files = manifest.files;
  const root = filesOf(directory);
  const inTree = spareTreeChecked(directory, manifest);
  for (let index = 0; index < files.length; index++)
    if (inTree?.[index] !== 1 && !isUnchanged(storedFile(root, index), files[index])) return null;
  return inTree === null ? "files" : "spare tree";
}

/**
 * Marks the files the entry's spare tree holds unchanged; null when it has no tree, or a damaged
 * one (then discarded).
 */
function spareTreeChecked(directory: string, manifest: WheelManifest): Uint8Array | null {
  if (!hasSpareTree(directory)) return null;
  const spare = spareTreeOf(directory);
  const { files } = manifest;
  const checked = new Uint8Array(files.length);
  for (const [, indices] of manifest.libDirectories) {
    for (const index of indices) {
      if (!isUnchanged(`${spare}/${files[index].path}`, files[index])) {
        discardSpareTree(directory);
        return null;
      }
      checked[index] = 1;
    }
  }
  // Its INSTALLER is a file of its own, with no size or mtime kept: its six bytes are read (an
  // absent one is written by the install).
  if (!holdsSpiceInstaller(`${spare}/${manifest.distInfo}/INSTALLER`)) {
    discardSpareTree(directory);
    return null;
  }
  return checked;
}

/** Whether the file at `path` is spice's INSTALLER, or absent. */
function holdsSpiceInstaller(path: string): boolean {
  try {
    return readFileSync(path, "latin1") === INSTALLER_TEXT;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}

/**
 * Takes a wheel's `index`th file, a lib file, through `use`: from the spare tree `tree` its entry
 * was checked in (UnpackedWheel.checkedTree, or where this install moved the tree it claimed), or,
 * when that is gone (another install claimed it since), from the entry's own files in `root` once
 * that one is checked. Without a tree, from `root`.
 */
export function withLibFile<T>(
  manifest: WheelManifest,
  root: string,
  tree: string | undefined,
  index: number,
  use: (path: string) => T,
): T {
  if (tree === undefined) return use(storedFile(root, index));
  try {
    return use(`${tree}/${manifest.files[index].path}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  return use(checkedStoredFile(manifest, root, index));
}

/**
 * The entry's own copy of its `index`th file, checked first: for an entry checked through its
 * spare tree, and used without it.
 */
export function checkedStoredFile(manifest: WheelManifest, root: string, index: number): string {
  const stored = storedFile(root, index);
  if (isUnchanged(stored, manifest.files[index])) return stored;
  throw new SpiceError(
    "E_CACHE_CHANGED",
    `spice's cache entry of ${manifest.filename} changed while in use`,
    {
      cause: `${stored} is not the file that was unpacked there`,
      hint: "Run the command again: the entry is unpacked anew",
    },
  );
}

let discarded = 0;

/**
 * Takes a damaged spare tree out of its entry with one rename, so that no install claims it while
 * it is removed (one left by a killed process is staging of a process gone: store.ts removes it).
 */
function discardSpareTree(entry: string): void {
  const aside = join(dirname(dirname(entry)), `.tmp-${process.pid}-damaged-spare-${discarded++}`);
  try {
    renameSync(spareTreeOf(entry), aside);
  } catch {
    return; // claimed or discarded by another process meanwhile
  }
  rmSync(aside, { recursive: true, force: true });
}

function localArchiveDigest(path: string, cache: Cache): string {
  return cache.archiveDigest(path, () => sha256Hex(readFileSync(path)));
}

/** The wheel's intact cache entry, or null when it must be (re)built. `verify` checks every file. */
export function cachedWheel(path: string, cache: Cache, verify = true): UnpackedWheel | null {
  return intactEntryWheel(cache.entryPath(BUCKETS.wheels, localArchiveDigest(path, cache)), path, verify);
}

/**
 * The entry in `directory` as an unpacked wheel from `source`, when its manifest reads and (with
 * `verify`) every file checks out (checkedEntry); else null.
 */
function intactEntryWheel(directory: string, source: string, verify = true): UnpackedWheel | null {
  const manifest = readManifest(directory);
  if (manifest === null) return null;
  const checked = verify ? checkedEntry(directory, manifest) : "files";
  return checked === null ? null : entryWheel(directory, manifest, source, checked);
}

/**
 * The wheel at `path`, unpacked: from the cache when an intact entry exists, else opened,
 * checked and unpacked into it. Without a cache, into `scratch` (a directory the caller removes).
 */
export function unpackedWheel(path: string, cache: Cache | null, scratch: string): UnpackedWheel {
  // A full disk or an unwritable cache is said as such, not as a bug.
  const into = cache === null ? scratch : cache.bucket(BUCKETS.wheels);
  return onCacheDisk(`Could not unpack ${basename(path)} into ${into}`, cache?.root ?? null, () =>
    unpackedWheelIn(path, cache, scratch),
  );
}

function unpackedWheelIn(path: string, cache: Cache | null, scratch: string): UnpackedWheel {
  if (cache === null) {
    const bytes = readFileSync(path);
    const digest = sha256Hex(bytes);
    const directory = join(scratch, digest);
    const wheel = openWheel(path, bytes, digest);
    return { root: filesOf(directory), manifest: unpackWheel(wheel, directory), source: path };
  }
  const key = localArchiveDigest(path, cache);
  let manifest: WheelManifest | null = null;
  let checked: CheckedBy = "files";
  const directory = cache.entry(
    BUCKETS.wheels,
    key,
    (staging) => {
      const bytes = readFileSync(path);
      if (sha256Hex(bytes) !== key) {
        throw new SpiceError("E_ARCHIVE_CHANGED", `${path} does not have the sha256 spice knows it by`, {
          cause: `expected sha256:${key}: the file changed while spice read it, or was damaged on disk`,
          hint: "Run the command again; `spice cache clean` removes damaged downloads from spice's cache",
        });
      }
      manifest = unpackWheel(openWheel(path, bytes, key), staging);
    },
    (existing) => {
      const found = readManifest(existing);
      const by = found === null ? null : checkedEntry(existing, found);
      if (by === null) return false;
      checked = by;
      manifest = found;
      return true;
    },
  );
  manifest ??= readManifest(directory);
  if (manifest === null) throw new Error(`cache entry ${directory} has no manifest`);
  return entryWheel(directory, manifest, path, checked);
}

/** The intact cache entry of the wheel whose sha256 is `digest` (known from an index), or null. */
export function cachedWheelByDigest(digest: string, cache: Cache, source: string): UnpackedWheel | null {
  return intactEntryWheel(cache.entryPath(BUCKETS.wheels, digest), source);
}
