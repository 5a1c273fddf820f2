// A small argument parser: long options (`--name value`, `--name=value`), short aliases,
// flags, repeatable options and positionals. Unknown options are usage errors (exit 2).

import { canonicalizeName } from "../standards/name.ts";
import { pyShlexSplit } from "../standards/python-string.ts";
import { UsageError } from "../util/error.ts";
import { redactText } from "../util/redact.ts";
import { didYouMean } from "../util/similar.ts";

export interface OptionSpec {
  /** Long name without dashes: "python". */
  name: string;
  short?: string;
  /** Other long names for it (uv's plurals: `--requirements` for pip's `--requirement`). */
  aliases?: readonly string[];
  /** Takes a value (otherwise a flag). */
  value?: string;
  multiple?: boolean;
  help: string;
}

export interface ParsedArgs {
  options: Map<string, string[] | true>;
  positionals: string[];
  /** Where options the command line did not give came from (pip-tools' configuration), by name. */
  sources?: ReadonlyMap<string, string>;
  /** How many times each flag was given (`-qq` is --quiet twice), by name. */
  counts?: ReadonlyMap<string, number>;
}

/**
 * Long option names (aliases too) to their specs; a later spec of one name wins. Plain loops: the
 * scan for `spice pip`'s subcommand reads the options of all its subcommands (864 specs), and the
 * map built with flatMap cost 5 ms of every pip command in a fresh process, where this code runs
 * in V8's interpreter.
 */
function longNames(specs: readonly OptionSpec[]): Map<string, OptionSpec> {
  const names = new Map<string, OptionSpec>();
  for (const spec of specs) {
    names.set(spec.name, spec);
    if (spec.aliases !== undefined) for (const alias of spec.aliases) names.set(alias, spec);
  }
  return names;
}

/** Short letters to their specs; a later spec of one letter wins. */
function shortNames(specs: readonly OptionSpec[]): Map<string, OptionSpec> {
  const letters = new Map<string, OptionSpec>();
  for (const spec of specs) if (spec.short) letters.set(spec.short, spec);
  return letters;
}

/** The spec an option word names (`--python`, `--python=x`, an alias, `-p`), or undefined. */
export function optionSpecOf(word: string, specs: readonly OptionSpec[]): OptionSpec | undefined {
  if (word.startsWith("--")) return longNames(specs).get(word.slice(2).split("=")[0]);
  return word.length === 2 ? specs.find((spec) => spec.short === word[1]) : undefined;
}

/**
 * The spec a long option names. With `abbreviations` (pip's commands: optparse takes any
 * unambiguous prefix, `--upgrade-strat` for `--upgrade-strategy`), a prefix of exactly one
 * option names it, and a prefix of several is an error that lists them, as optparse says it.
 */
function longOption(
  name: string,
  byLong: ReadonlyMap<string, OptionSpec>,
  abbreviations: boolean,
): OptionSpec | undefined {
  const exact = byLong.get(name);
  if (exact !== undefined || !abbreviations || name === "") return exact;
  const matches = [...byLong].filter(([long]) => long.startsWith(name));
  // One option may be listed for several subcommands (one spec each): it is one match.
  if (new Set(matches.map(([, spec]) => spec.name)).size > 1)
    throw new UsageError(
      `ambiguous option: --${redactText(name)} (${matches.map(([long]) => `--${long}`).join(", ")}?)`,
      "Write the option out in full",
    );
  return matches[0]?.[1];
}

/**
 * One option as written: a long option (`--name`, `--name=value`, `--name value`) or one letter of
 * a short group (`-qo out.txt` is `-q`, then `-o` with its value). `spec` is undefined for an
 * option the specs lack (read leniently).
 */
interface OptionWord {
  kind: "option";
  spec: OptionSpec | undefined;
  /** `--name` (without any `=value`, as the user abbreviated it) or `-x`. */
  written: string;
  /** Its value, inline or the next word; null for a flag, or when the words ran out. */
  value: string | null;
  /** Whether the value was inline (`--name=value`, `-ovalue`). */
  inline: boolean;
  /** The word it is in, and the last word it used (its value's). */
  first: number;
  last: number;
  /** For a letter of a short group, its place in the word. */
  letter?: number;
}

type CommandWord = OptionWord | { kind: "positional"; index: number } | { kind: "separator"; index: number };

/**
 * The command line's words as options, their values and positionals: the one reading of the option
 * grammar, shared by parseArgs, withoutOptions and firstPositional. Short flags may be grouped
 * (`-qq`, `-yv`), as pip and POSIX tools take them; one that takes a value takes the rest of the
 * group (`-rrequirements.txt`) or the next word. Strictly read, an unknown or ambiguous option is
 * a usage error; leniently, it is an option without a value.
 */
function* commandWords(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  { abbreviations = false, lenient = false } = {},
): Generator<CommandWord> {
  // Built when the first option of their kind comes: a command line whose first word is the
  // subcommand (`spice pip install ...`) needs neither for that scan.
  let byLongBuilt: Map<string, OptionSpec> | undefined;
  let byShortBuilt: Map<string, OptionSpec> | undefined;
  const byLong = () => (byLongBuilt ??= longNames(specs));
  const byShort = () => (byShortBuilt ??= shortNames(specs));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const first = i;
    if (arg === "--") {
      yield { kind: "separator", index: i };
      return;
    }
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      const name = arg.slice(2, equals < 0 ? undefined : equals);
      let spec: OptionSpec | undefined;
      try {
        spec = longOption(name, byLong(), abbreviations);
      } catch (error) {
        if (!lenient) throw error;
      }
      if (spec === undefined && !lenient)
        throw new UsageError(
          `unexpected option '--${redactText(name)}'`,
          `${didYouMean(name, byLong().keys(), (long) => `--${long}`)}Run with --help to see the options`,
        );
      const inline = equals >= 0;
      const value = inline ? arg.slice(equals + 1) : spec?.value !== undefined ? (argv[++i] ?? null) : null;
      yield {
        kind: "option",
        spec,
        written: `--${name}`,
        value,
        inline,
        first,
        last: Math.min(i, argv.length - 1),
      };
    } else if (arg.startsWith("-") && arg.length > 1) {
      for (let at = 1; at < arg.length; at++) {
        const spec = byShort().get(arg[at]);
        if (spec === undefined && !lenient)
          throw new UsageError(
            // The word may hold a URL with a password (`-o=https://user:pass@...`): never printed.
            at === 1
              ? `unexpected option '${redactText(arg)}'`
              : `unexpected option '-${arg[at]}' in '${redactText(arg)}'`,
            "Run with --help to see the options",
          );
        const written = `-${arg[at]}`;
        if (spec?.value === undefined) {
          yield { kind: "option", spec, written, value: null, inline: false, first, last: i, letter: at };
          continue;
        }
        const inline = at + 1 < arg.length;
        const value = inline ? arg.slice(at + 1) : (argv[++i] ?? null);
        yield {
          kind: "option",
          spec,
          written,
          value,
          inline,
          first,
          last: Math.min(i, argv.length - 1),
          letter: at,
        };
        break;
      }
    } else {
      yield { kind: "positional", index: i };
    }
  }
}

export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  { abbreviations = false } = {},
): ParsedArgs {
  const options = new Map<string, string[] | true>();
  const counts = new Map<string, number>();
  const positionals: string[] = [];
  for (const word of commandWords(argv, specs, { abbreviations })) {
    if (word.kind === "separator") {
      positionals.push(...argv.slice(word.index + 1));
      break;
    }
    if (word.kind === "positional") {
      positionals.push(argv[word.index]);
      continue;
    }
    const spec = word.spec!; // read strictly: every option is known
    if (spec.value === undefined) {
      if (word.inline) throw new UsageError(`option '${word.written}' takes no value`);
      options.set(spec.name, true);
      counts.set(spec.name, (counts.get(spec.name) ?? 0) + 1);
      continue;
    }
    if (word.value === null) throw new UsageError(`option '${word.written}' needs a value (${spec.value})`);
    const values = spec.multiple ? ((options.get(spec.name) as string[] | undefined) ?? []) : [];
    values.push(word.value);
    options.set(spec.name, values);
  }
  return { options, positionals, counts };
}

/**
 * `argv` without the options `dropped` names (spec names) and their values, for a command line
 * written back out (pip compile's header leaves out --upgrade and --quiet, as pip-tools and uv
 * do). Words are read as parseArgs reads them: a short group loses only the dropped letters
 * (`-qo out.txt` becomes `-o out.txt`), and nothing after `--` is an option.
 */
export function withoutOptions(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  dropped: ReadonlySet<string>,
  { abbreviations = false } = {},
): string[] {
  const kept: string[] = [];
  // The kept letters of the short group being read (`-` and them), and a value from the next word.
  let group = "";
  let groupValue: string | null = null;
  const endGroup = () => {
    if (group.length > 1) kept.push(group);
    if (groupValue !== null) kept.push(groupValue);
    group = "";
    groupValue = null;
  };
  let groupWord = -1;
  for (const word of commandWords(argv, specs, { abbreviations, lenient: true })) {
    const index = word.kind === "option" ? word.first : word.index;
    if (word.kind !== "option" || word.letter === undefined || index !== groupWord) endGroup();
    if (word.kind === "separator") {
      kept.push(...argv.slice(word.index));
      break;
    }
    if (word.kind === "positional") {
      kept.push(argv[word.index]);
      continue;
    }
    const keep = word.spec === undefined || !dropped.has(word.spec.name);
    if (word.letter === undefined) {
      if (keep) kept.push(...argv.slice(word.first, word.last + 1));
      continue;
    }
    if (groupWord !== index) {
      groupWord = index;
      group = "-";
    }
    if (!keep) continue;
    group += word.inline ? argv[index].slice(word.letter) : word.written.slice(1);
    if (word.last !== word.first) groupValue = argv[word.last];
  }
  endGroup();
  return kept;
}

/**
 * The index of the first word in `argv` that is neither an option nor an option's value (-1 when
 * none): where a command or subcommand name sits when options come before it
 * (`spice pip --python .venv uninstall -y six`). Unknown options are skipped here; parseArgs
 * reports them.
 */
export function firstPositional(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  { abbreviations = false } = {},
): number {
  for (const word of commandWords(argv, specs, { abbreviations, lenient: true })) {
    if (word.kind === "separator") return word.index + 1 < argv.length ? word.index + 1 : -1;
    if (word.kind === "positional") return word.index;
  }
  return -1;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options.get(name) === true;
}

/** Refuses flags given together that say the opposite of each other (`--copies --symlinks`). */
export function refuseContradictions(
  args: ParsedArgs,
  pairs: ReadonlyArray<readonly [string, string]>,
): void {
  for (const [one, other] of pairs)
    if (flag(args, one) && flag(args, other))
      throw new UsageError(`--${one} and --${other} contradict each other`);
}

export function value(args: ParsedArgs, name: string): string | undefined {
  const values = args.options.get(name);
  return Array.isArray(values) ? values[values.length - 1] : undefined;
}

/**
 * An option that takes one of `choices`: its value (else `fallback`), or a usage error naming the
 * choices, with the closest one when the value looks like a typo of it.
 */
export function oneOf<T extends string>(
  option: string,
  given: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  const chosen = given ?? fallback;
  if ((choices as readonly string[]).includes(chosen)) return chosen as T;
  const listed = `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`;
  const suggestion = didYouMean(chosen, choices, (choice) => `--${option} ${choice}`).trim();
  throw new UsageError(`--${option} takes ${listed}, not '${chosen}'`, suggestion || undefined);
}

/**
 * The usage error for a missing or unknown subcommand of `spice COMMAND`, its hint after the
 * closest of `names` when the word looks like a typo of one.
 */
export function subcommandError(
  command: string,
  sub: string | undefined,
  names: readonly string[],
  hint: string,
  missing = `spice ${command} needs a subcommand`,
): UsageError {
  return new UsageError(
    sub === undefined ? missing : `unknown subcommand '${command} ${sub}'`,
    `${didYouMean(sub, names, (name) => `spice ${command} ${name}`)}${hint}`,
  );
}

export function values(args: ParsedArgs, name: string): string[] {
  const found = args.options.get(name);
  return Array.isArray(found) ? found : [];
}

/**
 * The project names these options give, canonical: `-P NAME==1.0`, `--reinstall-package NAME`
 * and the like name a project, with a version, extras or a marker after it at most.
 */
export function projectNames(args: ParsedArgs, ...options: string[]): string[] {
  return options
    .flatMap((option) => values(args, option))
    .map((item) => canonicalizeName(item.split(/[=<>!~ ;[]/)[0]));
}

/** A repeatable option's items as uv takes them: each given alone or several as NAME,NAME. */
export function listValues(args: ParsedArgs, name: string): string[] {
  return values(args, name)
    .flatMap((item) => item.split(","))
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/**
 * pip-tools' `pip-args` ("--retries 5 --timeout 30"): its words as shlex splits them, options only
 * (pip-tools hands them to pip after its own); `where` names the setting in errors.
 */
export function pipArgsWords(text: string, specs: readonly OptionSpec[], where: string): string[] {
  const words = pyShlexSplit(text);
  if (words === null)
    throw new UsageError(`${where}: cannot split ${JSON.stringify(redactText(text))} into words`);
  const stray = parseArgs(words, specs, { abbreviations: true }).positionals[0];
  if (stray !== undefined)
    throw new UsageError(
      `${where} takes options only, not '${redactText(stray)}'`,
      "Name requirements and files on the command line",
    );
  return words;
}
