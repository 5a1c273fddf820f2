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
}

/** Long option names (aliases too) to their specs. */
function longNames(specs: readonly OptionSpec[]): Map<string, OptionSpec> {
  return new Map(
    specs.flatMap((spec) => [spec.name, ...(spec.aliases ?? [])].map((name) => [name, spec] as const)),
  );
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

export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  { abbreviations = false } = {},
): ParsedArgs {
  const byLong = longNames(specs);
  const byShort = new Map(specs.filter((spec) => spec.short).map((spec) => [spec.short!, spec]));
  const options = new Map<string, string[] | true>();
  const positionals: string[] = [];
  const set = (spec: OptionSpec, value: string | null) => {
    if (spec.value === undefined) {
      options.set(spec.name, true);
      return;
    }
    const values = spec.multiple ? ((options.get(spec.name) as string[] | undefined) ?? []) : [];
    values.push(value!);
    options.set(spec.name, values);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      const name = arg.slice(2, equals < 0 ? undefined : equals);
      const spec = longOption(name, byLong, abbreviations);
      if (spec === undefined)
        throw new UsageError(
          `unexpected option '--${redactText(name)}'`,
          `${didYouMean(name, byLong.keys(), (long) => `--${long}`)}Run with --help to see the options`,
        );
      if (spec.value === undefined) {
        if (equals >= 0) throw new UsageError(`option '--${name}' takes no value`);
        set(spec, null);
      } else {
        const value = equals >= 0 ? arg.slice(equals + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option '--${name}' needs a value (${spec.value})`);
        set(spec, value);
      }
    } else if (arg.startsWith("-") && arg.length > 1) {
      // Short flags may be grouped (`-qq`, `-yv`), as pip and POSIX tools take them; one that
      // takes a value takes the rest of the group (`-rrequirements.txt`) or the next argument.
      for (let at = 1; at < arg.length; at++) {
        const spec = byShort.get(arg[at]);
        if (spec === undefined)
          throw new UsageError(
            // The word may hold a URL with a password (`-o=https://user:pass@...`): never printed.
            at === 1
              ? `unexpected option '${redactText(arg)}'`
              : `unexpected option '-${arg[at]}' in '${redactText(arg)}'`,
            "Run with --help to see the options",
          );
        if (spec.value === undefined) {
          set(spec, null);
          continue;
        }
        const value = at + 1 < arg.length ? arg.slice(at + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option '-${arg[at]}' needs a value (${spec.value})`);
        set(spec, value);
        break;
      }
    } else {
      positionals.push(arg);
    }
  }
  return { options, positionals };
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
  const byLong = longNames(specs);
  const byShort = new Map(specs.filter((spec) => spec.short).map((spec) => [spec.short!, spec]));
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      kept.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      const spec = longOption(arg.slice(2, equals < 0 ? undefined : equals), byLong, abbreviations);
      const takesNext = spec?.value !== undefined && equals < 0;
      if (spec !== undefined && dropped.has(spec.name)) {
        if (takesNext) i++;
        continue;
      }
      kept.push(arg);
      if (takesNext && i + 1 < argv.length) kept.push(argv[++i]);
    } else if (arg.startsWith("-") && arg.length > 1) {
      // A group (`-qUo out.txt`) letter by letter, up to one that takes a value: the rest of the
      // group, else the next word.
      let group = "-";
      let next: string | undefined;
      for (let at = 1; at < arg.length; at++) {
        const spec = byShort.get(arg[at]);
        const keep = spec === undefined || !dropped.has(spec.name);
        if (spec?.value === undefined) {
          if (keep) group += arg[at];
          continue;
        }
        const inline = at + 1 < arg.length;
        if (!inline) i++;
        if (keep) {
          group += inline ? arg.slice(at) : arg[at];
          if (!inline) next = argv[i];
        }
        break;
      }
      if (group !== "-") kept.push(group);
      if (next !== undefined) kept.push(next);
    } else {
      kept.push(arg);
    }
  }
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
  const byLong = longNames(specs);
  const takesValue = (arg: string) => {
    if (arg.includes("=")) return false;
    try {
      return longOption(arg.slice(2), byLong, abbreviations)?.value !== undefined;
    } catch {
      return false; // an ambiguous option: parseArgs says so
    }
  };
  const shortWithValue = new Set(specs.filter((spec) => spec.value && spec.short).map((spec) => spec.short));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") return i + 1 < argv.length ? i + 1 : -1;
    if (arg.startsWith("--")) {
      if (takesValue(arg)) i++;
    } else if (arg.startsWith("-") && arg.length > 1) {
      // As parseArgs reads a group: the first short option taking a value takes the rest, else
      // the next word.
      for (let at = 1; at < arg.length; at++) {
        if (!shortWithValue.has(arg[at])) continue;
        if (at + 1 === arg.length) i++;
        break;
      }
    } else {
      return i;
    }
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
