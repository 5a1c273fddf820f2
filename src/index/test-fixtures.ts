// Index files for unit tests.

import type { IndexFile } from "./simple-api.ts";

/** An index entry for `filename` with nothing known about it but what `extra` says. */
export function indexFile(filename: string, extra: Partial<IndexFile> = {}): IndexFile {
  return {
    filename,
    url: `https://x.example/${filename}`,
    hashes: {},
    requiresPython: null,
    yanked: null,
    coreMetadata: false,
    size: null,
    uploadTime: null,
    ...extra,
  };
}
