// Download progress on a terminal: an overall bar (files and bytes) and a bar for each file being
// received, redrawn in place at most every 80 ms. Nothing when stderr is not a terminal or with
// --quiet, so piped output stays clean.

import type { FetchProgress } from "../index/file-fetcher.ts";
import type { IndexFile } from "../index/simple-api.ts";
import { oneOf, type ParsedArgs, value } from "./args.ts";
import { isTerminal, type Output } from "./output.ts";

/** Files shown with a bar of their own; the rest are counted in a last line. */
const FILE_LINES = 4;
const BAR_WIDTH = 20;

function megabytes(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** `[#####.....]` for a share between 0 and 1, or a blank bar when the total is unknown. */
export function bar(share: number | null): string {
  if (share === null) return `[${" ".repeat(BAR_WIDTH)}]`;
  const filled = Math.round(Math.min(1, Math.max(0, share)) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`;
}

/** The lines of the display, each cut to `columns`: overall first, then the files in flight. */
export function progressLines(
  state: {
    finished: number;
    started: number;
    bytes: number;
    expected: number;
    received: ReadonlyMap<IndexFile, number>;
    /** Sizes the index did not give, learned from the responses. */
    sizes?: ReadonlyMap<IndexFile, number>;
  },
  columns: number,
): string[] {
  const { finished, started, bytes, expected, received, sizes } = state;
  const sizeOf = (file: IndexFile) => file.size || sizes?.get(file);
  // Bytes of a total only while every file in flight has a known size; else files of a count.
  const overall =
    expected > 0 && [...received.keys()].every(sizeOf)
      ? `${bar(bytes / expected)} ${megabytes(bytes)} of ${megabytes(expected)}`
      : `${bar(started > 0 ? finished / started : null)} ${megabytes(bytes)}`;
  const lines = [`Downloading ${finished}/${started} files ${overall}`];
  const files = [...received];
  for (const [file, done] of files.slice(0, FILE_LINES)) {
    const size = sizeOf(file);
    const detail = size ? `${Math.min(100, Math.floor((done / size) * 100))}%` : megabytes(done);
    lines.push(`  ${bar(size ? done / size : null)} ${detail.padStart(4)} ${file.filename}`);
  }
  if (files.length > FILE_LINES) lines.push(`  and ${files.length - FILE_LINES} more`);
  return lines.map((line) => line.slice(0, Math.max(1, columns - 1)));
}

/** downloadProgress, unless pip's --progress-bar (or its setting) is off. */
export function downloadProgressUnlessOff(
  args: ParsedArgs,
  output: Output,
): (FetchProgress & { done(): void }) | null {
  const progressBar = oneOf("progress-bar", value(args, "progress-bar"), ["on", "off"], "on");
  return progressBar === "on" ? downloadProgress(output) : null;
}

/**
 * A progress display for downloads, or null when stderr is not a terminal or with --quiet. Lines
 * the command prints meanwhile clear it first; it is drawn again on the next event.
 */
export function downloadProgress(output: Output): (FetchProgress & { done(): void }) | null {
  if (output.settings.quiet || output.settings.noProgress || !isTerminal(2)) return null;
  const state = {
    finished: 0,
    started: 0,
    bytes: 0,
    expected: 0,
    received: new Map<IndexFile, number>(),
    sizes: new Map<IndexFile, number>(),
  };
  let lastDraw = 0;
  /** Lines on screen; the cursor sits at the end of the last one. */
  let drawnLines = 0;
  const toTop = () => (drawnLines > 1 ? `\r\x1b[${drawnLines - 1}A` : "\r");
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - lastDraw < 80) return;
    lastDraw = now;
    // A terminal that reports no width (0, as some pseudo-terminals do) gets 80 columns.
    const lines = progressLines(state, process.stderr.columns || 80);
    process.stderr.write(`${toTop()}\x1b[J${lines.join("\n")}`);
    drawnLines = lines.length;
  };
  const clear = () => {
    if (drawnLines > 0) process.stderr.write(`${toTop()}\x1b[J`);
    drawnLines = 0;
  };
  output.clearLiveLine = clear;
  return {
    start(file: IndexFile) {
      state.started++;
      state.expected += file.size ?? 0;
      state.received.set(file, 0);
      draw();
    },
    begin(file: IndexFile, length: number | null) {
      // A retry starts the file over.
      state.bytes -= state.received.get(file) ?? 0;
      state.received.set(file, 0);
      if (!file.size && length !== null && !state.sizes.has(file)) {
        state.sizes.set(file, length);
        state.expected += length;
      }
      draw();
    },
    advance(file: IndexFile, count: number) {
      state.bytes += count;
      state.received.set(file, (state.received.get(file) ?? 0) + count);
      draw();
    },
    finish(file: IndexFile) {
      state.finished++;
      state.received.delete(file);
      state.sizes.delete(file);
      draw();
    },
    done() {
      clear();
      if (output.clearLiveLine === clear) output.clearLiveLine = null;
    },
  };
}
