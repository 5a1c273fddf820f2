// Index files for unit tests.

import { bareIndexFile, type IndexFile } from "./simple-api.ts";

/** An index entry for `filename` with nothing known about it but what `extra` says. */
export function indexFile(filename: string, extra: Partial<IndexFile> = {}): IndexFile {
  return { ...bareIndexFile(filename, `https://x.example/${filename}`), ...extra };
}
