// Download progress on a terminal: one line, rewritten in place, with files and bytes done overall
// and the share of the file being received.
// Nothing when stderr is not a terminal or with --quiet, so piped output stays clean.

import type { FetchProgress } from "../index/file-fetcher.ts";
import type { IndexFile } from "../index/simple-api.ts";
import { isTerminal, type Output } from "./output.ts";

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/**
 * A progress display for downloads, or null when stderr is not a terminal or with --quiet. Lines
 * the command prints meanwhile clear it first; it is drawn again on the next event.
 */
export function downloadProgress(output: Output): (FetchProgress & { done(): void }) | null {
  if (output.settings.quiet || !isTerminal(2)) return null;
  let started = 0;
  let finished = 0;
  let bytes = 0;
  let expected = 0;
  let current: IndexFile | null = null;
  /** Bytes received per file in flight. */
  const received = new Map<IndexFile, number>();
  let lastDraw = 0;
  let drawn = false;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 80) return;
    lastDraw = now;
    const total = expected > 0 ? ` of ${megabytes(expected)}` : "";
    let file = "";
    if (current !== null) {
      const done = received.get(current) ?? 0;
      const percent = current.size
        ? ` ${Math.min(100, Math.floor((done / current.size) * 100))}%`
        : ` ${megabytes(done)}`;
      file = `  ${current.filename}${percent}`;
    }
    const line = `Downloading ${finished}/${started} files, ${megabytes(bytes)}${total}${file}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 80) - 1)}`);
    drawn = true;
  };
  const clear = () => {
    if (drawn) process.stderr.write("\r\x1b[2K");
    drawn = false;
  };
  output.clearLiveLine = clear;
  return {
    start(file: IndexFile) {
      started++;
      expected += file.size ?? 0;
      current = file;
      received.set(file, 0);
      draw();
    },
    advance(file: IndexFile, count: number) {
      bytes += count;
      received.set(file, (received.get(file) ?? 0) + count);
      current = file;
      draw();
    },
    finish(file: IndexFile) {
      finished++;
      received.delete(file);
      if (current === file) current = received.keys().next().value ?? null;
      draw();
    },
    done() {
      clear();
      if (output.clearLiveLine === clear) output.clearLiveLine = null;
    },
  };
}
