// spice cache dir | info | clean [PACKAGE...] | prune

import { type Dirent, existsSync, lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { setPriority } from "node:os";
import { basename, join } from "node:path";
import { BUCKETS, Cache } from "../../cache/store.ts";
import { makeSpareTrees, spareTreesLockPath } from "../../install/spare-trees.ts";
import { readManifest, type WheelManifest } from "../../install/wheel-cache.ts";
import { tryParseSdistFilename, tryParseWheelFilename } from "../../standards/filename.ts";
import { canonicalizeName } from "../../standards/name.ts";
import { SpiceError } from "../../util/error.ts";
import { onDisk } from "../../util/fs.ts";
import { acquireLock } from "../../util/lock.ts";
import { plural } from "../../util/plural.ts";
import { oneOf, type ParsedArgs, subcommandError, value, values } from "../args.ts";
import type { CommandContext, CommandModule } from "../main.ts";

export function requireCache(context: CommandContext): Cache {
  if (context.cacheDir === null)
    throw new SpiceError("E_NO_CACHE", "The cache is turned off, so there is none to act on", {
      cause:
        "--no-cache (--no-cache-dir), PIP_NO_CACHE_DIR, pip.conf's no-cache-dir or SPICE_NO_CACHE turned it off",
      hint: "Drop the one that is set, or name the cache with --cache-dir DIR",
    });
  return new Cache(context.cacheDir);
}

export function sizeOf(path: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  // Spare trees hard-link the files of their entries: each file is counted once.
  const seen = new Set<number>();
  const walk = (current: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(current, entry.name);
      if (entry.isDirectory()) walk(child);
      else {
        const stat = lstatSync(child);
        if (stat.nlink > 1) {
          if (seen.has(stat.ino)) continue;
          seen.add(stat.ino);
        }
        files++;
        bytes += stat.size;
      }
    }
  };
  walk(path);
  return { bytes, files };
}

function human(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Wheel entries: [entry directory, its manifest, or null when it has none]. */
function wheelEntries(cache: Cache): Array<[string, WheelManifest | null]> {
  const bucket = cache.bucket(BUCKETS.wheels);
  const entries: Array<[string, WheelManifest | null]> = [];
  for (const shard of existsSync(bucket) ? readdirSync(bucket) : []) {
    if (shard.startsWith(".")) continue; // temporary directories
    for (const key of readdirSync(join(bucket, shard))) {
      const directory = join(bucket, shard, key);
      entries.push([directory, readManifest(directory)]);
    }
  }
  return entries;
}

/** Removes the whole cache; returns what it held. */
export function removeCache(cache: Cache): { bytes: number; files: number } {
  const held = sizeOf(cache.root);
  onDisk(`Could not remove spice's cache at ${cache.root}`, () =>
    rmSync(cache.root, { recursive: true, force: true }),
  );
  return held;
}

/**
 * Removes the downloads and unpacked wheels whose file names `matches` accepts; returns how many
 * entries went and how many files they held.
 */
export function removeFiles(
  cache: Cache,
  matches: (filename: string) => boolean,
): { entries: number; files: number } {
  let entries = 0;
  let files = 0;
  const remove = (directory: string) => {
    files += sizeOf(directory).files;
    onDisk(`Could not remove ${directory} from spice's cache`, () =>
      rmSync(directory, { recursive: true, force: true }),
    );
    entries++;
  };
  // Downloaded files of those packages (archives-v1/<shard>/<sha256>/<file name>).
  const downloads = cache.bucket(BUCKETS.archives);
  for (const shard of existsSync(downloads) ? readdirSync(downloads) : []) {
    if (shard.startsWith(".tmp-")) continue;
    for (const key of readdirSync(join(downloads, shard))) {
      const directory = join(downloads, shard, key);
      if (readdirSync(directory).some(matches)) remove(directory);
    }
  }
  for (const [directory, manifest] of wheelEntries(cache))
    if (manifest !== null && matches(manifest.filename)) remove(directory);
  return { entries, files };
}

/**
 * Runs `change` to the cache while no spare trees are being made (their files would appear in a
 * half-removed cache).
 */
export function whileNoSpareTrees<T>(cache: Cache, change: () => T): T {
  const lock = existsSync(cache.root)
    ? acquireLock(spareTreesLockPath(cache), `The cache at ${cache.root}`)
    : null;
  try {
    return change();
  } finally {
    lock?.release();
  }
}

/** A wheel the cache holds: its file name, project and size, and where it is. */
export interface CachedWheelFile {
  filename: string;
  name: string;
  /** The downloaded file, or the unpacked entry of a wheel installed from a local file. */
  path: string;
  bytes: number;
}

/**
 * Every wheel the cache holds unpacked, by the file it came from; its size is that file's (a
 * download's, or a local file's as the cache remembers it), else what it holds unpacked.
 */
export function cachedWheelFiles(cache: Cache): CachedWheelFile[] {
  const localSizes = new Map<string, number>();
  const localArchives = cache.bucket(BUCKETS.localArchives);
  for (const file of existsSync(localArchives) ? readdirSync(localArchives) : []) {
    try {
      const known = JSON.parse(readFileSync(join(localArchives, file), "utf8")) as {
        sha256: string;
        size: number;
      };
      localSizes.set(known.sha256, known.size);
    } catch {
      // a damaged record: the unpacked size stands in
    }
  }
  const wheels: CachedWheelFile[] = [];
  for (const [directory, manifest] of wheelEntries(cache)) {
    if (manifest === null) continue;
    const key = basename(directory);
    const download = join(cache.entryPath(BUCKETS.archives, key), manifest.filename);
    const stat = lstatSync(download, { throwIfNoEntry: false });
    wheels.push({
      filename: manifest.filename,
      name: manifest.name,
      path: stat === undefined ? directory : download,
      bytes:
        stat?.size ?? localSizes.get(key) ?? manifest.files.reduce((total, file) => total + file.size, 0),
    });
  }
  return wheels;
}

/** `cache clean [PACKAGE...]`: everything, or the named packages' downloads and unpacked wheels. */
function clean(cache: Cache, args: ParsedArgs, context: CommandContext): number {
  const packages = args.positionals.slice(1).map((name) => canonicalizeName(name));
  if (packages.length === 0) {
    const { bytes, files } = removeCache(cache);
    context.output.info(`Removed ${plural(files, "file")} (${human(bytes)}) from ${cache.root}`);
    return 0;
  }
  const { entries } = removeFiles(cache, (file) => {
    const name = (tryParseWheelFilename(file) ?? tryParseSdistFilename(file))?.name;
    return name !== undefined && packages.includes(name);
  });
  context.output.info(
    `Removed ${entries} cache entr${entries === 1 ? "y" : "ies"} for ${packages.join(", ")}`,
  );
  return 0;
}

/**
 * Buckets an earlier spice laid out differently (wheels-v1 kept each wheel's own tree, wheels-v2
 * its files unsorted, wheels-v3 its manifests without a checksum, code-v1 its code caches without
 * one, http-v1 its pages under one checksum, so that reading a parsed page read its body too;
 * wheels-v4, metadata-v2, http-v2 and interpreters-v3 checked with a slower checksum than CRC-32;
 * http-v3 kept a page fetched in plain http under the name of its https URL).
 */
function staleBuckets(cache: Cache): string[] {
  const current = new Set<string>(Object.values(BUCKETS));
  return (existsSync(cache.root) ? readdirSync(cache.root) : []).filter(
    (name) => /^[a-z]+(-[a-z]+)*-v\d+$/.test(name) && !current.has(name),
  );
}

function run(args: ParsedArgs, context: CommandContext): number {
  const sub = args.positionals[0];
  if (sub === "dir") {
    if (context.cacheDir === null) throw new SpiceError("E_NO_CACHE", "--no-cache leaves no cache directory");
    context.output.data(context.cacheDir);
    return 0;
  }
  const cache = requireCache(context);
  if (sub === "info") {
    const format = oneOf("format", value(args, "format"), ["text", "json"], "text");
    const buckets = Object.values(BUCKETS).map((bucket) => ({ bucket, ...sizeOf(cache.bucket(bucket)) }));
    const unpacked = wheelEntries(cache).length;
    const stale = staleBuckets(cache).map((bucket) => ({ bucket, ...sizeOf(join(cache.root, bucket)) }));
    if (format === "json") {
      // For scripts (a CI step that reports or caps the cache's size); sizes in bytes.
      const sizes = (list: ReadonlyArray<{ bucket: string; bytes: number; files: number }>) =>
        Object.fromEntries(list.map(({ bucket, bytes, files }) => [bucket, { bytes, files }]));
      context.output.data(
        JSON.stringify({
          directory: cache.root,
          bytes: [...buckets, ...stale].reduce((total, { bytes }) => total + bytes, 0),
          buckets: sizes(buckets),
          unpacked_wheels: unpacked,
          stale_buckets: sizes(stale),
        }),
      );
      return 0;
    }
    context.output.data(`Cache directory: ${cache.root}`);
    for (const { bucket, bytes, files } of buckets)
      context.output.data(`${bucket.padEnd(20)} ${human(bytes).padStart(10)}  ${plural(files, "file")}`);
    context.output.data(`wheels: ${unpacked} unpacked`);
    for (const { bucket, bytes } of stale)
      context.output.data(
        `${bucket}: ${human(bytes)} left by an earlier spice (spice cache prune removes it)`,
      );
    return 0;
  }
  if (sub === "make-spares") {
    // Started in the background by installs (see install/spare-trees.ts), at low priority.
    setPriority(19);
    makeSpareTrees(cache, args.positionals.slice(1), values(args, "discard"));
    return 0;
  }
  if (sub === "clean") return whileNoSpareTrees(cache, () => clean(cache, args, context));
  if (sub === "prune") {
    let removed = 0;
    for (const bucket of Object.values(BUCKETS)) removed += cache.removeStaging(bucket, 0);
    for (const name of staleBuckets(cache)) {
      rmSync(join(cache.root, name), { recursive: true, force: true });
      removed++;
    }
    for (const [directory, manifest] of wheelEntries(cache)) {
      if (manifest === null) {
        rmSync(directory, { recursive: true, force: true });
        removed++;
      }
    }
    const archives = cache.bucket(BUCKETS.localArchives);
    for (const file of existsSync(archives) ? readdirSync(archives) : []) {
      const path = join(archives, file);
      try {
        const known = JSON.parse(readFileSync(path, "utf8")) as { sha256: string };
        if (!existsSync(cache.entryPath(BUCKETS.wheels, known.sha256))) {
          rmSync(path, { force: true });
          removed++;
        }
      } catch {
        rmSync(path, { force: true });
        removed++;
      }
    }
    context.output.info(`Pruned ${removed} unused or incomplete entr${removed === 1 ? "y" : "ies"}`);
    return 0;
  }
  throw subcommandError(
    "cache",
    sub,
    ["dir", "info", "clean", "prune"],
    "Subcommands: dir, info, clean [PACKAGE...], prune, make-spares SHA256...",
  );
}

export const command: CommandModule = {
  usage: "spice cache dir | info [--format text|json] | clean [PACKAGE...] | prune | make-spares SHA256...",
  options: [],
  subcommands: ["dir", "info", "clean", "prune"],
  subcommandOptions: {
    info: [
      { name: "format", value: "text|json", help: "Output format (json for other tools: sizes in bytes)" },
    ],
    "make-spares": [
      {
        name: "discard",
        value: "name",
        multiple: true,
        help: "Also delete this leftover of an install or uninstall in the wheels bucket (repeatable)",
      },
    ],
  },
  details:
    "Removing the cache is always safe: installed environments keep their files (hard links or copies). make-spares lays out the spare trees of the wheels with these sha256s, which installs move into environments whole; installs run it in the background after they finish (SPICE_SPARE_TREES=inline makes it part of the install, =off turns spare trees off).",
  run,
};
