// Everything spice prints goes through here: data to stdout, messages to stderr, colour only on
// a terminal and never with NO_COLOR or `--color never`.

import { SpiceError } from "../util/error.ts";

export type ColorChoice = "auto" | "always" | "never";

export interface OutputSettings {
  quiet: boolean;
  verbose: boolean;
  color: ColorChoice;
}

export class Output {
  readonly useColor: boolean;

  constructor(readonly settings: OutputSettings) {
    this.useColor =
      settings.color === "always" ||
      (settings.color === "auto" &&
        !process.env.NO_COLOR &&
        process.stderr.isTTY === true &&
        process.env.TERM !== "dumb");
  }

  /** Clears a live line (download progress) before anything else is printed. */
  clearLiveLine: (() => void) | null = null;

  /** Data: what another program may parse. Never silenced. */
  data(text: string): void {
    this.clearLiveLine?.();
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** A message for the user (stderr); silenced by --quiet. */
  info(text: string): void {
    this.clearLiveLine?.();
    if (!this.settings.quiet) process.stderr.write(`${text}\n`);
  }

  /** The why behind a decision; shown with --verbose only. */
  verbose(text: string): void {
    this.clearLiveLine?.();
    if (this.settings.verbose) process.stderr.write(`${this.dim(text)}\n`);
  }

  warn(text: string): void {
    this.clearLiveLine?.();
    process.stderr.write(`${this.paint("warning", "33")}: ${text}\n`);
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
    if (error instanceof SpiceError) {
      const lines = [`${this.paint("error", "1;31")}: ${error.message}`];
      if (error.details.cause) lines.push(`  ${this.paint("caused by", "1")}: ${error.details.cause}`);
      if (error.details.hint) lines.push(`${this.paint("hint", "1;36")}: ${error.details.hint}`);
      if (this.settings.verbose || process.env.SPICE_DEBUG) lines.push(this.dim(error.stack ?? ""));
      process.stderr.write(`${lines.join("\n")}\n`);
      return;
    }
    const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(
      `${this.paint("error", "1;31")}: spice hit an internal error (a bug)\n${stack}\n${this.paint("hint", "1;36")}: Please report it with the command you ran\n`,
    );
  }
}
