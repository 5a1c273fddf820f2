// Download progress on a terminal: one line, rewritten in place, with files and bytes done.
// Nothing when stderr is not a terminal or with --quiet, so piped output stays clean.

import type { FetchProgress } from "../index/file-fetcher.ts";
import type { IndexFile } from "../index/simple-api.ts";
import type { Output } from "./output.ts";

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export function downloadProgress(output: Output): (FetchProgress & { done(): void }) | null {
  if (output.settings.quiet || process.stderr.isTTY !== true) return null;
  let started = 0;
  let finished = 0;
  let bytes = 0;
  let expected = 0;
  let current = "";
  let lastDraw = 0;
  let drawn = false;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 80) return;
    lastDraw = now;
    const total = expected > 0 ? ` of ${megabytes(expected)}` : "";
    const line = `Downloading ${finished}/${started} files, ${megabytes(bytes)}${total} ${current}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 80) - 1)}`);
    drawn = true;
  };
  return {
    start(file: IndexFile) {
      started++;
      expected += file.size ?? 0;
      current = file.filename;
      draw();
    },
    advance(_file: IndexFile, count: number) {
      bytes += count;
      draw();
    },
    finish() {
      finished++;
      draw();
    },
    done() {
      if (drawn) process.stderr.write("\r\x1b[2K");
    },
  };
}
