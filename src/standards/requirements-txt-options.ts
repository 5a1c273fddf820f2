// The options of a requirements-file line, as pip 23.2 parses them: the words after the
// requirement split by shlex, then read by optparse (long-option abbreviations included), and the
// file-wide ones applied to what pip's finder holds.

import { canonicalizeName } from "./name.ts";
import { absolutePath, dirname, joinPath } from "./posix-path.ts";
import { pyShlexSplit } from "./python-string.ts";
import { buildNetloc, PyValueError, pyNetlocHostPort } from "./python-url.ts";
import type { RequirementsFileHost } from "./requirements-txt-host.ts";

/** What pip's finder and options end up holding. */
export interface FinderOptions {
  /** pip's `index_urls`: a file's --index-url first when it gave one, then its extra indexes. */
  indexUrls: string[];
  /** Whether a file gave --index-url: it then replaced the indexes the files were read with. */
  indexUrlGiven: boolean;
  noIndex: boolean;
  findLinks: string[];
  pre: boolean;
  preferBinary: boolean;
  noBinary: Set<string>;
  onlyBinary: Set<string>;
  requireHashes: boolean;
  featuresEnabled: string[];
  trustedHosts: string[];
}

export function emptyFinderOptions(): FinderOptions {
  return {
    indexUrls: [],
    indexUrlGiven: false,
    noIndex: false,
    findLinks: [],
    pre: false,
    preferBinary: false,
    noBinary: new Set(),
    onlyBinary: new Set(),
    requireHashes: false,
    featuresEnabled: [],
    trustedHosts: [],
  };
}

/** Arguments run until the first space-separated token that starts with `-`. */
export function breakArgsOptions(line: string): { args: string; optionText: string } {
  const tokens = line.split(" ");
  const index = tokens.findIndex((token) => token.startsWith("-"));
  if (index < 0) return { args: tokens.join(" "), optionText: "" };
  return { args: tokens.slice(0, index).join(" "), optionText: tokens.slice(index).join(" ") };
}

/** optparse's error, which pip reports as RequirementsFileParseError. */
export class OptionError extends Error {}
/** pip's CommandError: raised by an option's own check, it escapes the file parser's wrapping. */
export class CommandError extends Error {}

// --- optparse ------------------------------------------------------------------------------------

export interface LineOptions {
  index_url: string | null;
  extra_index_urls: string[];
  no_index: boolean;
  constraints: string[];
  requirements: string[];
  editables: string[];
  find_links: string[];
  prefer_binary: boolean;
  require_hashes: boolean;
  pre: boolean;
  trusted_hosts: string[];
  features_enabled: string[];
  global_options: string[];
  hashes: Record<string, string[]> | null;
  config_settings: Record<string, string | string[]> | null;
}

type OptionSpec = {
  names: string[];
  takesValue: boolean;
  apply: (opts: LineOptions, value: string, name: string, finder: FinderOptions) => void;
};

const STRONG_HASHES = ["sha256", "sha384", "sha512"];
const FEATURES = ["fast-deps", "truststore", "no-binary-enable-wheel-cache"];

function handleBinary(value: string, target: Set<string>, other: Set<string>): void {
  if (value.startsWith("-"))
    throw new CommandError("--no-binary / --only-binary option requires 1 argument.");
  let names = value.split(",");
  while (names.includes(":all:")) {
    other.clear();
    target.clear();
    target.add(":all:");
    names = names.slice(names.indexOf(":all:") + 1);
    if (!names.includes(":none:")) return;
  }
  for (const name of names) {
    if (name === ":none:") {
      target.clear();
      continue;
    }
    const canonical = canonicalizeName(name);
    other.delete(canonical);
    target.add(canonical);
  }
}

const OPTIONS: OptionSpec[] = [
  { names: ["-i", "--index-url", "--pypi-url"], takesValue: true, apply: (o, v) => void (o.index_url = v) },
  { names: ["--extra-index-url"], takesValue: true, apply: (o, v) => void o.extra_index_urls.push(v) },
  { names: ["--no-index"], takesValue: false, apply: (o) => void (o.no_index = true) },
  { names: ["-c", "--constraint"], takesValue: true, apply: (o, v) => void o.constraints.push(v) },
  { names: ["-r", "--requirement"], takesValue: true, apply: (o, v) => void o.requirements.push(v) },
  { names: ["-e", "--editable"], takesValue: true, apply: (o, v) => void o.editables.push(v) },
  { names: ["-f", "--find-links"], takesValue: true, apply: (o, v) => void o.find_links.push(v) },
  {
    names: ["--no-binary"],
    takesValue: true,
    apply: (_o, v, _n, f) => handleBinary(v, f.noBinary, f.onlyBinary),
  },
  {
    names: ["--only-binary"],
    takesValue: true,
    apply: (_o, v, _n, f) => handleBinary(v, f.onlyBinary, f.noBinary),
  },
  { names: ["--prefer-binary"], takesValue: false, apply: (o) => void (o.prefer_binary = true) },
  { names: ["--require-hashes"], takesValue: false, apply: (o) => void (o.require_hashes = true) },
  { names: ["--pre"], takesValue: false, apply: (o) => void (o.pre = true) },
  { names: ["--trusted-host"], takesValue: true, apply: (o, v) => void o.trusted_hosts.push(v) },
  {
    names: ["--use-feature"],
    takesValue: true,
    apply: (o, v, name) => {
      if (!FEATURES.includes(v)) {
        throw new OptionError(
          `option ${name}: invalid choice: '${v}' (choose from ${FEATURES.map((f) => `'${f}'`).join(", ")})`,
        );
      }
      o.features_enabled.push(v);
    },
  },
  { names: ["--global-option"], takesValue: true, apply: (o, v) => void o.global_options.push(v) },
  {
    names: ["--hash"],
    takesValue: true,
    apply: (o, v, name) => {
      const colon = v.indexOf(":");
      if (colon < 0) {
        throw new OptionError(
          `Arguments to ${name} must be a hash name followed by a value, like --hash=sha256:abcde...`,
        );
      }
      const algorithm = v.slice(0, colon);
      if (!STRONG_HASHES.includes(algorithm)) {
        throw new OptionError(`Allowed hash algorithms for ${name} are ${STRONG_HASHES.join(", ")}.`);
      }
      o.hashes ??= {};
      (o.hashes[algorithm] ??= []).push(v.slice(colon + 1));
    },
  },
  {
    names: ["-C", "--config-settings"],
    takesValue: true,
    apply: (o, v, name) => {
      const equals = v.indexOf("=");
      if (equals < 0) throw new OptionError(`Arguments to ${name} must be of the form KEY=VAL`);
      const key = v.slice(0, equals);
      const value = v.slice(equals + 1);
      o.config_settings ??= {};
      const existing = o.config_settings[key];
      if (existing === undefined) o.config_settings[key] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else o.config_settings[key] = [existing, value];
    },
  },
];

const LONG_OPTIONS = new Map<string, OptionSpec>();
const SHORT_OPTIONS = new Map<string, OptionSpec>();
for (const option of OPTIONS) {
  for (const name of option.names) (name.startsWith("--") ? LONG_OPTIONS : SHORT_OPTIONS).set(name, option);
}

function matchLongOption(text: string): string {
  if (LONG_OPTIONS.has(text)) return text;
  const candidates = [...LONG_OPTIONS.keys()].filter((name) => name.startsWith(text));
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) throw new OptionError(`no such option: ${text}`);
  throw new OptionError(`ambiguous option: ${text} (${candidates.sort().join(", ")}?)`);
}

/**
 * optparse's processing of one line's options, split as shlex splits them. Positional words are
 * ignored, as pip does.
 */
export function parseLineOptions(optionText: string, finder: FinderOptions): LineOptions {
  const words = pyShlexSplit(optionText);
  if (words === null) throw new OptionError(`Could not split options: ${optionText}`);
  const opts: LineOptions = {
    index_url: null,
    extra_index_urls: [],
    no_index: false,
    constraints: [],
    requirements: [],
    editables: [],
    find_links: [],
    prefer_binary: false,
    require_hashes: false,
    pre: false,
    trusted_hosts: [],
    features_enabled: [],
    global_options: [],
    hashes: null,
    config_settings: null,
  };
  const rest = [...words];
  while (rest.length > 0) {
    const word = rest[0];
    if (word === "--") break;
    if (word.startsWith("--")) {
      rest.shift();
      const equals = word.indexOf("=");
      let explicit: string | null = null;
      let name = word;
      if (equals >= 0) {
        name = word.slice(0, equals);
        explicit = word.slice(equals + 1);
      }
      name = matchLongOption(name);
      const option = LONG_OPTIONS.get(name)!;
      if (option.takesValue) {
        const value = explicit ?? rest.shift();
        if (value === undefined) throw new OptionError(`${name} option requires 1 argument`);
        option.apply(opts, value, name, finder);
      } else {
        if (explicit !== null) throw new OptionError(`${name} option does not take a value`);
        option.apply(opts, "", name, finder);
      }
    } else if (word.startsWith("-") && word.length > 1) {
      rest.shift();
      for (let i = 1; i < word.length; i++) {
        const name = `-${word[i]}`;
        const option = SHORT_OPTIONS.get(name);
        if (option === undefined) throw new OptionError(`no such option: ${name}`);
        if (option.takesValue) {
          const value = i + 1 < word.length ? word.slice(i + 1) : rest.shift();
          if (value === undefined) throw new OptionError(`${name} option requires 1 argument`);
          option.apply(opts, value, name, finder);
          break;
        }
        option.apply(opts, "", name, finder);
      }
    } else {
      rest.shift();
    }
  }
  return opts;
}

export function applyOptionLine(
  opts: LineOptions,
  filename: string,
  host: RequirementsFileHost,
  finder: FinderOptions,
): void {
  if (opts.require_hashes) finder.requireHashes = true;
  for (const feature of opts.features_enabled)
    if (!finder.featuresEnabled.includes(feature)) finder.featuresEnabled.push(feature);
  if (opts.no_index) {
    finder.noIndex = true;
    finder.indexUrls = [];
  }
  if (opts.index_url && !finder.noIndex) {
    finder.indexUrls = [opts.index_url];
    finder.indexUrlGiven = true;
  }
  if (opts.extra_index_urls.length > 0 && !finder.noIndex) finder.indexUrls.push(...opts.extra_index_urls);
  if (opts.find_links.length > 0) {
    let value = opts.find_links[0];
    const relative = joinPath(dirname(absolutePath(filename, host.cwd)), value);
    if (host.exists(relative)) value = relative;
    finder.findLinks.push(value);
  }
  if (opts.pre) finder.pre = true;
  if (opts.prefer_binary) finder.preferBinary = true;
  // pip keeps each trusted host as the (host, port) pair Python's URL parser reads from it.
  for (const trusted of opts.trusted_hosts) {
    const { hostname, port } = pyNetlocHostPort(trusted);
    if (hostname === null) throw new PyValueError(`Trusted host URL must include a host part: '${trusted}'`);
    const netloc = buildNetloc(hostname, port);
    if (!finder.trustedHosts.includes(netloc)) finder.trustedHosts.push(netloc);
  }
}
