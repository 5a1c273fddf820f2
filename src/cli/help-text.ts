// Help laid out for the reader's terminal: option names in a column, their help wrapped beside
// it. Without wrapping, pip's help ran to 320 characters a line, which a terminal folds mid-word.

import type { OptionSpec } from "./args.ts";

/** Names longer than this get a line of their own, with their help below, as clap does. */
const NAME_COLUMN_LIMIT = 34;
const MIN_WIDTH = 60;
/** Wider lines are hard to read even on a wide terminal. */
const MAX_WIDTH = 120;
/** When output is a pipe and COLUMNS is unset (argparse would say 80, clap 100). */
const PIPED_WIDTH = 100;

/** The width help is wrapped to: COLUMNS when set (as argparse reads it), else the terminal's. */
export function helpWidth(env: NodeJS.ProcessEnv, terminalColumns: number | undefined): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? "", 10);
  const columns = fromEnv > 0 ? fromEnv : terminalColumns || PIPED_WIDTH;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, columns));
}

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (word === "") continue;
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/** Prose reflowed to `width`: lines within a paragraph joined, paragraphs (blank-line apart) kept. */
export function wrapParagraphs(text: string, width: number): string {
  return text
    .split(/\n[ \t]*\n/)
    .map((paragraph) => wrapWords(paragraph, width).join("\n"))
    .join("\n\n");
}

/** An option's names as help shows them: `-p, --python <python>`. */
function optionNames(spec: OptionSpec): string {
  return `${spec.short ? `-${spec.short}, ` : "    "}--${spec.name}${spec.value ? ` <${spec.value}>` : ""}`;
}

/** The width of the names column for these lists of options, laid out alike. */
export function optionColumn(...lists: ReadonlyArray<readonly OptionSpec[]>): number {
  return nameColumn(lists.flat().map(optionNames));
}

function nameColumn(names: readonly string[]): number {
  return Math.min(NAME_COLUMN_LIMIT, Math.max(0, ...names.map((name) => name.length)));
}

export function formatOptions(
  specs: readonly OptionSpec[],
  width: number,
  column = optionColumn(specs),
): string {
  return formatRows(
    specs.map((spec) => {
      const aliases = spec.aliases?.map((alias) => `--${alias}`).join(", ");
      return [optionNames(spec), aliases ? `${spec.help} (also ${aliases})` : spec.help] as const;
    }),
    width,
    column,
  );
}

/** Rows of a name and its help: names in a column, each help wrapped beside its name. */
export function formatRows(
  rows: readonly (readonly [string, string])[],
  width: number,
  column = nameColumn(rows.map(([name]) => name)),
): string {
  const helpIndent = " ".repeat(2 + column + 2);
  return rows
    .flatMap(([name, help]) => {
      const wrapped = wrapWords(help, width - helpIndent.length);
      if (name.length > column) return [`  ${name}`, ...wrapped.map((line) => helpIndent + line)];
      const [first = "", ...rest] = wrapped;
      return [`  ${name.padEnd(column)}  ${first}`.trimEnd(), ...rest.map((line) => helpIndent + line)];
    })
    .join("\n");
}
