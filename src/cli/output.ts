// Everything spice prints goes through here: data to stdout, messages to stderr, colour only on
// a terminal and never with NO_COLOR or `--color never`.

import { fstatSync, openSync, statSync, writeSync } from "node:fs";
import { SpiceError } from "../util/error.ts";
import { nodeTty } from "../util/lazy-builtins.ts";
import { redactText } from "../util/redact.ts";

// Output is written with fs.writeSync, and terminals are recognized by fstat first: the first
// touch of process.stdout or process.stderr builds a stream and loads node:stream, node:net and
// node:tty (about 3.5 ms of every command), which only a terminal needs.

let nullDevice: number | null | undefined;

/** Whether `fd` is a terminal; the tty module is loaded only for a character device. */
export function isTerminal(fd: 1 | 2): boolean {
  let stats: ReturnType<typeof fstatSync>;
  try {
    stats = fstatSync(fd);
  } catch {
    return false;
  }
  if (!stats.isCharacterDevice()) return false;
  if (nullDevice === undefined) {
    try {
      nullDevice = statSync("/dev/null").rdev;
    } catch {
      nullDevice = null;
    }
  }
  if (stats.rdev === nullDevice) return false;
  return nodeTty().isatty(fd);
}

const closed = new Set<number>();

/** Writes all of `text` to fd 1 or 2; a closed pipe (`spice pip list | head`) ends the output quietly. */
export function writeOut(fd: 1 | 2, text: string): void {
  if (closed.has(fd)) return;
  const buffer = Buffer.from(text);
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") {
        // A non-blocking descriptor inherited from the parent: let the stream queue the rest.
        (fd === 1 ? process.stdout : process.stderr).write(buffer.subarray(offset));
        return;
      }
      if (code === "EPIPE") {
        closed.add(fd);
        return;
      }
      closed.add(fd); // the error itself must not try this descriptor again
      throw new SpiceError(
        "E_OUTPUT",
        `Could not write to ${fd === 1 ? "standard output" : "standard error"}`,
        {
          cause: (error as Error).message,
          hint: "Check where the output goes (a full disk, a closed terminal)",
        },
      );
    }
  }
}

export type ColorChoice = "auto" | "always" | "never";

export interface OutputSettings {
  quiet: boolean;
  /** `-qq`: warnings silenced too (still logged), as pip's second --quiet leaves errors alone. */
  quietWarnings?: boolean;
  verbose: boolean;
  color: ColorChoice;
  /** `--no-progress`: no progress bars on a terminal either. */
  noProgress?: boolean;
  /** `--log FILE`: every message, verbose ones too, appended there with a time (as pip's --log). */
  logFile?: string;
}

/** pip's log time: local, `2026-11-28T15:04:05,123`. */
function logTime(now: Date): string {
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())},${pad(now.getMilliseconds(), 3)}`;
}

export class Output {
  readonly useColor: boolean;

  constructor(readonly settings: OutputSettings) {
    this.useColor =
      settings.color === "always" ||
      (settings.color === "auto" && !process.env.NO_COLOR && isTerminal(2) && process.env.TERM !== "dumb");
  }

  /** Clears a live line (download progress) before anything else is printed. */
  clearLiveLine: (() => void) | null = null;

  private logDescriptor: number | null = null;

  /** Appends to the --log file, each line with the time; a log that cannot be written is an error. */
  /**
   * Appends to the --log file, each line with the time. A file that cannot be opened fails the
   * command at its first message, before it changes anything; one that fails later is dropped with
   * a warning rather than failing a change half made.
   */
  private log(text: string): void {
    const file = this.settings.logFile;
    if (file === undefined) return;
    let descriptor = this.logDescriptor;
    if (descriptor === null) {
      try {
        descriptor = openSync(file, "a");
      } catch (error) {
        this.settings.logFile = undefined;
        throw new SpiceError("E_LOG", `Could not open the log file ${file}`, {
          cause: (error as Error).message,
        });
      }
      this.logDescriptor = descriptor;
    }
    const time = logTime(new Date());
    const lines = text.replace(/\n$/, "").split("\n");
    try {
      writeSync(descriptor, `${lines.map((line) => `${time} ${line}`).join("\n")}\n`);
    } catch (error) {
      this.settings.logFile = undefined;
      writeOut(2, `warning: stopped writing the log file ${file}: ${(error as Error).message}\n`);
    }
  }

  /** Data: what another program may parse. Never silenced. */
  data(text: string): void {
    this.clearLiveLine?.();
    this.log(text);
    writeOut(1, text.endsWith("\n") ? text : `${text}\n`);
  }

  // Messages never show a URL's password, whatever put the URL in them (a requirement as typed, a
  // resolver's explanation, a file's line): every message and log line is redacted here, on its
  // way out. `data` is left as it is: it is the command's output, which never holds credentials.

  /** A message for the user (stderr); silenced by --quiet. */
  info(message: string): void {
    const text = redactText(message);
    this.clearLiveLine?.();
    this.log(text);
    if (!this.settings.quiet) writeOut(2, `${text}\n`);
  }

  /** The why behind a decision; shown with --verbose only (and always in --log's file). */
  verbose(message: string): void {
    const text = redactText(message);
    this.clearLiveLine?.();
    this.log(text);
    if (this.settings.verbose) writeOut(2, `${this.dim(text)}\n`);
  }

  warn(message: string): void {
    const text = redactText(message);
    this.clearLiveLine?.();
    this.log(`warning: ${text}`);
    if (!this.settings.quietWarnings) writeOut(2, `${this.paint("warning", "33")}: ${text}\n`);
  }

  paint(text: string, code: string): string {
    return this.useColor ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
  bold(text: string): string {
    return this.paint(text, "1");
  }
  dim(text: string): string {
    return this.paint(text, "2");
  }
  green(text: string): string {
    return this.paint(text, "32");
  }
  red(text: string): string {
    return this.paint(text, "31");
  }

  /** A SpiceError as `error:` / `caused by:` / `hint:` lines; anything else with its stack. */
  error(error: unknown): void {
    // An interruption (cli/interruptible.ts) may come while a progress display is drawn.
    this.clearLiveLine?.();
    try {
      this.log(`error: ${redactText(error instanceof Error ? error.message : String(error))}`);
    } catch {
      // the log file itself failed: the error below still reaches stderr
    }
    if (error instanceof SpiceError) {
      const lines = [`${this.paint("error", "1;31")}: ${redactText(error.message)}`];
      // A cause of several lines (a resolver's explanation) stays aligned under its first; lines
      // that bring their own indentation keep it.
      const cause = error.details.cause?.replace(/\n(?=\S)/g, `\n${" ".repeat("  caused by: ".length)}`);
      if (cause) lines.push(`  ${this.paint("caused by", "1")}: ${redactText(cause)}`);
      // Several hints are several lines, each marked as one.
      for (const hint of error.details.hint?.split("\n") ?? [])
        lines.push(`${this.paint("hint", "1;36")}: ${redactText(hint)}`);
      if (this.settings.verbose || process.env.SPICE_DEBUG)
        lines.push(this.dim(redactText(error.stack ?? "")));
      writeOut(2, `${lines.join("\n")}\n`);
      return;
    }
    const stack = redactText(error instanceof Error ? (error.stack ?? error.message) : String(error));
    writeOut(
      2,
      `${this.paint("error", "1;31")}: spice hit an internal error (a bug)\n${stack}\n${this.paint("hint", "1;36")}: Please report it with the command you ran\n`,
    );
  }
}
