// spice's cache directory: versioned buckets of entries, each created atomically (built in a
// temporary directory inside the bucket, then renamed into place), so that concurrent spice
// processes sharing a cache never see a partial entry.

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { nodeCrypto } from "../util/lazy-builtins.ts";

export const BUCKETS = {
  wheels: "wheels-v1",
  localArchives: "local-archives-v1",
  interpreters: "interpreters-v1",
} as const;

export class Cache {
  constructor(readonly root: string) {}

  bucket(name: string): string {
    return join(this.root, name);
  }

  entryPath(bucket: string, key: string): string {
    return join(this.bucket(bucket), key.slice(0, 2), key);
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
    mkdirSync(staging, { recursive: true });
    try {
      build(staging);
      mkdirSync(join(path, ".."), { recursive: true });
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

  /** Removes temporary directories left by killed processes. */
  removeStaging(bucket: string, olderThanMs = 60 * 60 * 1000): number {
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
        if (Date.now() - statSync(path).mtimeMs > olderThanMs) {
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
