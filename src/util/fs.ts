import { renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { sha256Hex } from "./hash.ts";
import { makeDirectories } from "./make-directories.ts";

/** NAME_MAX of Linux's file systems (and macOS's): the longest name one path component may have. */
export const NAME_MAX_BYTES = 255;

/** Whether a component of `path` is longer than file systems take (counted in UTF-8 bytes). */
export function hasOverlongComponent(path: string): boolean {
  return path.split("/").some((component) => Buffer.byteLength(component) > NAME_MAX_BYTES);
}

/** Temporary names are unique by process and by a counter: no random bytes, so no crypto load. */
let temporaryCounter = 0;

/**
 * Writes a file so that readers see the old content or the new, never a part: write to a
 * temporary sibling, then rename over the target (atomic on one filesystem).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeDirectories(dirname(path));
  const temporary = `${path}.${process.pid}.${Date.now().toString(36)}.${temporaryCounter++}.tmp`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
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
