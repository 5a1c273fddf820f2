import {
  closeSync,
  copyFileSync,
  type Dirent,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { cacheLostFile, fileSystemFailure, SpiceError } from "./error.ts";
import { sha256Hex } from "./hash.ts";
import { makeDirectories } from "./make-directories.ts";

/** A relative path with no empty, `.` or `..` segment, backslash or NUL: joining it changes nothing. */
export const PLAIN_RELATIVE_PATH = /^(?!\/)(?!.*(?:^|\/)\.{0,2}(?:\/|$))[^\\\0]+$/s;

/**
 * What `read` makes of the file at `path` through a descriptor, or null when the file cannot be
 * opened or read: for readers that never fail (a cache entry, a file that may be of any kind).
 */
export function readFileWith<T>(path: string, read: (descriptor: number) => T | null): T | null {
  let descriptor: number;
  try {
    descriptor = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    return read(descriptor);
  } catch {
    return null;
  } finally {
    closeSync(descriptor);
  }
}

/**
 * `~` and `~/...` as Python's os.path.expanduser reads them (HOME, else the account's home), for
 * the path options pip expands so (--log, --cert, --client-cert, --cache-dir, list's --path),
 * whether given as `--log=~/pip.log`, where no shell expands it, or in pip.conf or a PIP_
 * variable. Any other path is returned as it is.
 */
export function expandUser(path: string, env: NodeJS.ProcessEnv = process.env): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  return (env.HOME || homedir()).replace(/\/+$/, "") + path.slice(1) || "/";
}

/** NAME_MAX of Linux's file systems (and macOS's): the longest name one path component may have. */
export const NAME_MAX_BYTES = 255;

/** Whether a component of `path` is longer than file systems take (counted in UTF-8 bytes). */
export function hasOverlongComponent(path: string): boolean {
  return path.split("/").some((component) => Buffer.byteLength(component) > NAME_MAX_BYTES);
}

/** Temporary names are unique by process and by a counter: no random bytes, so no crypto load. */
let temporaryCounter = 0;

/**
 * Makes `path` through a temporary sibling that `make` fills, renamed over the target (atomic on
 * one filesystem): readers see the old content or the new, and a failure leaves no part behind.
 */
function replaceAtomically(path: string, make: (temporary: string) => void): void {
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.${temporaryCounter++}.tmp`;
  try {
    make(temporary);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Writes a file atomically (replaceAtomically), making its directory first. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDirectories(dirname(path));
  replaceAtomically(path, (temporary) => writeFileSync(temporary, data));
}

/** `source` copied to `path` atomically (replaceAtomically). */
export function copyFileAtomic(source: string, path: string): void {
  replaceAtomically(path, (temporary) => copyFileSync(source, temporary));
}

/**
 * A file name for a cache key (a path, a URL): the key itself with unsafe characters escaped, so
 * that a lookup costs no hashing (loading crypto alone costs milliseconds at start-up); keys too
 * long for a name fall back to their sha256.
 */
export function fileNameFor(key: string): string {
  const safe = key.replace(
    /[^A-Za-z0-9._-]/g,
    (char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return safe.length <= 200 ? safe : `sha256-${sha256Hex(key)}`;
}

/** Runs `step`; a file system failure in it becomes a SpiceError saying `what` failed (and why). */
export function onDisk<T>(what: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw fileSystemFailure(what, error) ?? error;
  }
}

/**
 * onDisk for work on spice's cache at `cacheRoot`: a file of it gone meanwhile (ENOENT inside it)
 * is said as the cache emptied by another process, which running the command again mends.
 */
export function onCacheDisk<T>(what: string, cacheRoot: string | null, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw cacheDiskFailure(what, error, cacheRoot === null ? [] : [cacheRoot]);
  }
}

/**
 * What failed work on spice's cache says: a file gone below one of `cacheDirectories` is the cache
 * emptied by another process; any other file system failure as onDisk says it.
 */
export function cacheDiskFailure(what: string, error: unknown, cacheDirectories: readonly string[]): unknown {
  const gone = goneFrom(error, cacheDirectories);
  return gone !== null ? cacheLostFile(what, gone) : (fileSystemFailure(what, error) ?? error);
}

/** The failure, when it is a file missing (ENOENT) below one of `directories`; else null. */
export function goneFrom(error: unknown, directories: readonly string[]): NodeJS.ErrnoException | null {
  const failure = error as NodeJS.ErrnoException | null;
  const path = failure?.code === "ENOENT" ? failure.path : undefined;
  return path !== undefined && directories.some((directory) => path.startsWith(`${resolve(directory)}/`))
    ? failure
    : null;
}

/** Where a symbolic link points, or null when `path` is no link. */
export function linkTarget(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/**
 * Why a link to `target` leads nowhere: what it leads to is gone, or, `denied`, lies where this
 * user may not enter.
 */
export function deadLinkCause(target: string, denied: boolean): string {
  return denied
    ? `links to ${target}, in a directory this user is not allowed to enter (permission denied)`
    : `links to ${target}, which no longer exists`;
}

/** Whether reaching `path` (through its links) fails for want of permission, not for being missing. */
export function isDenied(path: string): boolean {
  try {
    statSync(path);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EACCES";
  }
}

/** Where a path really is, links resolved, or null when it (or what it links to) is missing. */
export function realPath(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}

/** Where a path really is, links resolved; the path as given (made absolute) when it is missing. */
export function realDirectory(path: string): string {
  return realPath(path) ?? resolve(path);
}

/**
 * A directory's entries; none when it is missing or no directory (a `.pth` line may name a file,
 * a zip or `/etc/passwd`, and a damaged venv may have a file for bin/).
 */
export function namesIn(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

/** Every file below a directory (links as files, not followed); none when it is no directory. */
export function filesBelow(directory: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesBelow(path) : [path];
  });
}

/**
 * A new directory for temporary files, named PREFIX + six random characters, in the first of
 * the places Python's tempfile tries that takes it: $TMPDIR, $TEMP, $TMP, /tmp, /var/tmp,
 * /usr/tmp, the current directory. A TMPDIR that does not exist is passed over, as pip passes it.
 */
export function makeTemporaryDirectory(prefix: string, env: NodeJS.ProcessEnv = process.env): string {
  const places = [env.TMPDIR, env.TEMP, env.TMP, "/tmp", "/var/tmp", "/usr/tmp", "."];
  let first: unknown = null;
  for (const place of places) {
    if (!place) continue;
    try {
      return mkdtempSync(join(resolve(place), prefix));
    } catch (error) {
      first ??= error;
    }
  }
  throw new SpiceError("E_NO_TEMPORARY_DIRECTORY", "Could not make a directory for temporary files", {
    cause: (first as Error).message,
    hint: "Set TMPDIR to a directory you can write to",
  });
}
