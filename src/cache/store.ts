// spice's cache directory: versioned buckets of entries, each created atomically (built in a
// temporary directory inside the bucket, then renamed into place), so that concurrent spice
// processes sharing a cache never see a partial entry.

import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { cacheDirectoryProblem } from "../util/cache-dir.ts";
import { SpiceError } from "../util/error.ts";
import { fileNameFor, writeFileAtomic } from "../util/fs.ts";
import { nodeCrypto } from "../util/lazy-builtins.ts";
import { isRunning } from "../util/lock.ts";
import { makeDirectories } from "../util/make-directories.ts";
import { CODE_CACHE_BUCKET } from "./code-cache.ts";

export const BUCKETS = {
  wheels: "wheels-v5",
  localArchives: "local-archives-v1",
  interpreters: "interpreters-v4",
  /** Downloaded files, by sha256. */
  archives: "archives-v1",
  /**
   * Core metadata extracted from files, by the file's sha256 (immutable), after its own sha256:
   * `SHA.metadata` the document, `SHA.core` the headers the resolver reads.
   */
  metadata: "metadata-v3",
  /** Index pages and metadata files with their HTTP caching headers (src/index/http.ts). */
  http: "http-v4",
  /** V8 code caches of the CLI bundle, one per command (written by src/cli/entry.ts). */
  code: CODE_CACHE_BUCKET,
} as const;

// A key names one directory level: no separators, no `.` or `..`, whatever a page or file said.
const SAFE_KEY = /^[0-9A-Za-z_-][0-9A-Za-z._-]*$/;

export class Cache {
  readonly root: string;
  /** Bucket paths, joined once: resolutions ask for hundreds of entries. */
  private readonly buckets = new Map<string, string>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /**
   * Makes the cache's directory, or says why it cannot be used (a path through a file, no
   * permission): asked once by commands that will write into the cache, before they start.
   */
  ensureUsable(): void {
    const problem = cacheDirectoryProblem(this.root);
    if (problem !== null) {
      throw new SpiceError("E_CACHE_DIR", `spice's cache directory ${this.root} cannot be used`, {
        cause: problem,
        hint: "Point --cache-dir or SPICE_CACHE_DIR at a directory you can write to, or pass --no-cache",
      });
    }
  }

  bucket(name: string): string {
    let path = this.buckets.get(name);
    if (path === undefined) {
      path = join(this.root, name);
      this.buckets.set(name, path);
    }
    return path;
  }

  /** `bucket/ab/abcdef...`; the key must be one safe path component. */
  entryPath(bucket: string, key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error(`spice cache: refusing the key ${JSON.stringify(key)}`);
    return `${this.bucket(bucket)}${sep}${key.slice(0, 2)}${sep}${key}`;
  }

  /**
   * The entry's directory, building it with `build(directory)` when it is missing (or when
   * `isValid` rejects it). Concurrent builders race harmlessly: the first rename wins.
   */
  entry(
    bucket: string,
    key: string,
    build: (directory: string) => void,
    isValid: (directory: string) => boolean = () => true,
  ): string {
    const path = this.entryPath(bucket, key);
    if (existsSync(path)) {
      if (isValid(path)) return path;
      rmSync(path, { recursive: true, force: true });
    }
    const staging = join(
      this.bucket(bucket),
      `.tmp-${process.pid}-${nodeCrypto().randomBytes(6).toString("hex")}`,
    );
    makeCacheDirectory(this.bucket(bucket));
    makeDirectories(staging);
    try {
      build(staging);
      makeCacheDirectory(dirname(path));
      try {
        renameSync(staging, path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
        // Another process built the same entry first; theirs is as good as ours.
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return path;
  }

  private archiveIndexFile(path: string): string {
    return join(this.bucket(BUCKETS.localArchives), fileNameFor(resolve(path)));
  }

  /**
   * The sha256 of an archive on disk, remembered by path, size, mtime and inode so that a warm
   * install reads no archive at all; `compute` runs when it is not known.
   */
  archiveDigest(path: string, compute: () => string): string {
    const known = this.knownArchiveDigest(path);
    if (known !== null) return known;
    const sha256 = compute();
    this.rememberArchiveDigest(path, sha256);
    return sha256;
  }

  /** The remembered sha256 of an archive on disk, or null when it is not known (or changed). */
  knownArchiveDigest(path: string): string | null {
    const downloaded = this.downloadedDigest(path);
    if (downloaded !== null) return downloaded;
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return null;
    try {
      const known = JSON.parse(readFileSync(this.archiveIndexFile(path), "utf8")) as {
        path: string;
        size: number;
        mtimeMs: number;
        ino: number;
        sha256: string;
      };
      if (
        known.path === resolve(path) &&
        known.size === stat.size &&
        known.mtimeMs === stat.mtimeMs &&
        known.ino === stat.ino
      )
        return known.sha256;
    } catch {
      // not indexed yet
    }
    return null;
  }

  /**
   * A download's sha256, which names its place in the archives bucket (`ab/<sha256>/<file>`): it
   * needs no index file of its own. Whoever unpacks it checks its bytes against it.
   */
  private downloadedDigest(path: string): string | null {
    const archives = `${this.bucket(BUCKETS.archives)}${sep}`;
    const absolute = resolve(path);
    if (!absolute.startsWith(archives)) return null;
    const parts = absolute.slice(archives.length).split(sep);
    return parts.length === 3 && /^[0-9a-f]{64}$/.test(parts[1]) && parts[1].startsWith(parts[0])
      ? parts[1]
      : null;
  }

  /** Records the sha256 of an archive just written (its digest was computed on the way in). */
  rememberArchiveDigest(path: string, sha256: string): void {
    if (this.downloadedDigest(path) === sha256) return;
    try {
      const stat = statSync(path);
      writeFileAtomic(
        this.archiveIndexFile(path),
        JSON.stringify({
          path: resolve(path),
          size: stat.size,
          mtimeMs: stat.mtimeMs,
          ino: stat.ino,
          sha256,
        }),
      );
    } catch {
      // an unwritable cache only costs speed
    }
  }

  /** Removes the staging directories `entry` made in `bucket` in the process `pid` (a stopped worker's). */
  removeStagingOf(bucket: string, pid: number): void {
    const staging = new RegExp(`^\\.tmp-${pid}-[0-9a-f]{12}$`);
    this.removeTemporary(bucket, (name) => staging.test(name));
  }

  /**
   * Removes what killed or interrupted processes left in `bucket`: staging named after a process
   * that no longer runs (never a running one's, which another spice may be filling), and anything
   * else temporary older than `olderThanMs`.
   */
  removeStaging(bucket: string, olderThanMs = 60 * 60 * 1000): number {
    return this.removeTemporary(bucket, (name, path) => {
      const pid = /^\.tmp-(\d+)-/.exec(name);
      if (pid !== null) return !isRunning(Number(pid[1]));
      return Date.now() - statSync(path).mtimeMs > olderThanMs;
    });
  }

  /** Removes the `.tmp-` entries of `bucket` that `wanted` picks; returns how many. */
  private removeTemporary(bucket: string, wanted: (name: string, path: string) => boolean): number {
    let removed = 0;
    const directory = this.bucket(bucket);
    let names: string[] = [];
    try {
      names = readdirSync(directory);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (!name.startsWith(".tmp-")) continue;
      const path = join(directory, name);
      try {
        if (wanted(name, path)) {
          rmSync(path, { recursive: true, force: true });
          removed++;
        }
      } catch {
        // gone already
      }
    }
    return removed;
  }
}

/**
 * Makes a directory of the cache (and its parents), replacing a file that stands in its place: a
 * name of the cache's own, so damage (found by fuzzing the cache), not something of the user's.
 */
function makeCacheDirectory(directory: string): void {
  try {
    makeDirectories(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    rmSync(directory);
    makeDirectories(directory);
  }
}
