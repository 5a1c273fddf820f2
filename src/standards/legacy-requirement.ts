// The requirement grammar of packaging 21.3, which pip 23.2 vendors and applies to every line of a
// requirements file. It differs from packaging 26 (requirement.ts) in ways users meet: names must
// end in a letter or digit, `extra` values are not normalized, quoted strings keep backslashes
// (only \t \n \f \r are converted), and versions that are not PEP 440 are accepted through
// "legacy" specifiers (`pkg<=1.0+local`). spice reads requirements files as pip does, so this
// parser exists beside the modern one.

import { pyExpandTabs, pyStrip } from "./python-string.ts";
import { pyUrlparse, pyUrlunparse } from "./python-url.ts";
import { PY_WS_CLASS } from "./specifier.ts";

export class LegacyInvalidRequirement extends Error {
  override name = "InvalidRequirement";
}
export class LegacyInvalidMarker extends Error {
  override name = "InvalidMarker";
}
/** A specifier the grammar matched but SpecifierSet refuses (`===1.0,x`): packaging 21.3 lets it through. */
export class LegacyInvalidSpecifier extends Error {
  override name = "InvalidSpecifier";
}

export interface LegacyRequirement {
  name: string;
  extras: string[];
  /** `str(SpecifierSet)` of packaging 21.3: unique specifiers, sorted. */
  specifier: string;
  url: string | null;
  /** `str(Marker)` or null. */
  marker: string | null;
}

const WS = `[${PY_WS_CLASS}]`;
const PRE = "(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?";
const POST = "(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?";
const DEV = "(?:[-_.]?dev[-_.]?[0-9]*)?";
const LOCAL = "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";
const RELEASE = "v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*";
// packaging 21.3's Specifier grammar, one alternative per operator (its look-behinds unrolled).
const SPECIFIER_21 =
  `(?:(===)(${WS}*[^${PY_WS_CLASS}]*)` +
  `|(==|!=)(${WS}*${RELEASE}${PRE}${POST}(?:${DEV}${LOCAL}|\\.\\*)?)` +
  `|(~=)(${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${PRE}${POST}${DEV})` +
  `|(<=|>=|<|>)(${WS}*${RELEASE}${PRE}${POST}${DEV}))`;
const LEGACY_SPECIFIER = `(==|!=|<=|>=|<|>)${WS}*([^,;${PY_WS_CLASS})]*)`;

const SPECIFIER_21_FULL = new RegExp(`^${WS}*${SPECIFIER_21}${WS}*$`, "i");
const LEGACY_FULL = new RegExp(`^${WS}*${LEGACY_SPECIFIER}${WS}*$`, "i");
const SPECIFIER_21_TOKEN = new RegExp(SPECIFIER_21, "iy");
const LEGACY_TOKEN = new RegExp(LEGACY_SPECIFIER, "iy");

/** packaging 21.3's `SpecifierSet(text)` printed back, or null when invalid. */
export function legacySpecifierSetString(text: string): string | null {
  const specs = new Set<string>();
  for (const piece of text.split(",")) {
    const stripped = pyStrip(piece);
    if (!stripped) continue;
    let match = SPECIFIER_21_FULL.exec(stripped);
    if (match !== null) {
      const groups = match.slice(1).filter((group) => group !== undefined);
      specs.add(`${pyStrip(groups[0])}${pyStrip(groups[1])}`);
      continue;
    }
    match = LEGACY_FULL.exec(stripped);
    if (match === null) return null;
    specs.add(`${pyStrip(match[1])}${pyStrip(match[2])}`);
  }
  return [...specs].sort().join(",");
}

// pyparsing skips these before each token.
function skipSpace(text: string, pos: number): number {
  while (pos < text.length && " \t\n\r".includes(text[pos])) pos++;
  return pos;
}

function matchSticky(regex: RegExp, text: string, pos: number): string | null {
  regex.lastIndex = pos;
  const match = regex.exec(text);
  return match === null ? null : match[0];
}

// The grammar's `[-_.]*` between letter runs, written `[-_.]+` so that a regex engine cannot split
// one run of letters in exponentially many ways when the match fails (the language is the same).
const IDENTIFIER = /[A-Za-z0-9]+(?:[-_.]+[A-Za-z0-9]+)*/y;

class Failure extends Error {}

/**
 * The usual lines of requirements files: `name`, `name==1.2.3`, `name>=1.2` (one clause, a plain
 * release with at most a canonical pre, post or dev part). The full grammar's regexes are
 * compiled again in every process (V8's code cache keeps no regexes): about 4 ms of a warm install
 * from a lock file, for the answer this gives directly. A test holds the two equal.
 */
const PLAIN_VERSION = "(?:(?:a|b|rc)[0-9]+)?(?:\\.post[0-9]+)?(?:\\.dev[0-9]+)?";
const PLAIN = new RegExp(
  "^([A-Za-z0-9]+(?:[-_.]+[A-Za-z0-9]+)*)" +
    `(?:(==|!=|<=|>=|<|>)([0-9]+(?:\\.[0-9]+)*${PLAIN_VERSION})|~=([0-9]+(?:\\.[0-9]+)+${PLAIN_VERSION}))?$`,
);

/** Parses a requirement with packaging 21.3's grammar and its URL checks, or throws. */
export function parseLegacyRequirement(text: string): LegacyRequirement {
  const plain = PLAIN.exec(text);
  if (plain !== null) {
    const [, name, operator, version, compatible] = plain;
    const specifier =
      operator !== undefined ? `${operator}${version}` : compatible !== undefined ? `~=${compatible}` : "";
    return { name, extras: [], specifier, url: null, marker: null };
  }
  try {
    // pyparsing expands tabs before it parses (columns of 8): a tab in a quoted marker value
    // becomes spaces.
    return parseLegacy(pyExpandTabs(text));
  } catch (error) {
    if (error instanceof Failure || error instanceof LegacyInvalidMarker) {
      throw new LegacyInvalidRequirement(`Parse error in requirement: '${text}'`);
    }
    throw error;
  }
}

function parseLegacy(text: string): LegacyRequirement {
  let pos = skipSpace(text, 0);
  const name = matchSticky(IDENTIFIER, text, pos);
  if (name === null) throw new Failure();
  pos += name.length;

  // Optional extras: "[" [extra ("," extra)*] "]"
  let extras: string[] = [];
  const afterName = skipSpace(text, pos);
  if (text[afterName] === "[") {
    const parsed = parseExtras(text, afterName + 1);
    if (parsed !== null) {
      extras = parsed.extras;
      pos = parsed.end;
    }
  }

  let url: string | null = null;
  let specifier = "";
  let marker: string | null = null;
  const detailStart = skipSpace(text, pos);
  if (text[detailStart] === "@") {
    const uriStart = skipSpace(text, detailStart + 1);
    const uri = matchSticky(/[^ ]+/y, text, uriStart);
    if (uri === null) throw new Failure();
    url = uri;
    pos = uriStart + uri.length;
  } else {
    const spec = parseVersionSpec(text, pos);
    specifier = spec.specifier;
    pos = spec.end;
  }
  const markerStart = skipSpace(text, pos);
  if (text[markerStart] === ";") {
    const parsed = parseMarkerExpression(text, markerStart + 1);
    if (parsed !== null) {
      marker = formatLegacyMarker(parseLegacyMarkerList(text.slice(parsed.start, parsed.end)));
      pos = parsed.end;
    }
  }
  if (skipSpace(text, pos) !== text.length) throw new Failure();

  if (url !== null) checkUrl(url);
  // The grammar's `===` takes any text without spaces, commas too; SpecifierSet splits it again.
  const specifierString = legacySpecifierSetString(specifier);
  if (specifierString === null) throw new LegacyInvalidSpecifier(`Invalid specifier: '${specifier}'`);
  return { name, extras: [...new Set(extras)], specifier: specifierString, url, marker };
}

function parseExtras(text: string, pos: number): { extras: string[]; end: number } | null {
  const extras: string[] = [];
  pos = skipSpace(text, pos);
  const first = matchSticky(IDENTIFIER, text, pos);
  if (first !== null) {
    extras.push(first);
    pos += first.length;
    for (;;) {
      const comma = skipSpace(text, pos);
      if (text[comma] !== ",") break;
      const start = skipSpace(text, comma + 1);
      const extra = matchSticky(IDENTIFIER, text, start);
      if (extra === null) break;
      extras.push(extra);
      pos = start + extra.length;
    }
  }
  pos = skipSpace(text, pos);
  if (text[pos] !== "]") return null;
  return { extras, end: pos + 1 };
}

/** VERSION_ONE: the longer of the PEP 440 and the legacy specifier token. */
function versionOne(text: string, pos: number): string | null {
  const start = skipSpace(text, pos);
  const modern = matchSticky(SPECIFIER_21_TOKEN, text, start);
  const legacy = matchSticky(LEGACY_TOKEN, text, start);
  if (modern === null && legacy === null) return null;
  if (legacy === null || (modern !== null && modern.length >= legacy.length)) return modern;
  return legacy;
}

function versionMany(text: string, pos: number): { parts: string[]; end: number } | null {
  const first = versionOne(text, pos);
  if (first === null) return null;
  const parts = [first];
  let end = skipSpace(text, pos) + first.length;
  for (;;) {
    const comma = skipSpace(text, end);
    if (text[comma] !== ",") break;
    const next = versionOne(text, comma + 1);
    if (next === null) break;
    parts.push(next);
    end = skipSpace(text, comma + 1) + next.length;
  }
  return { parts, end };
}

function parseVersionSpec(text: string, pos: number): { specifier: string; end: number } {
  const open = skipSpace(text, pos);
  if (text[open] === "(") {
    const inner = versionMany(text, open + 1);
    if (inner !== null) {
      const close = skipSpace(text, inner.end);
      if (text[close] === ")") return { specifier: inner.parts.join(","), end: close + 1 };
    }
  }
  const plain = versionMany(text, pos);
  if (plain !== null) return { specifier: plain.parts.join(","), end: plain.end };
  return { specifier: "", end: pos };
}

/** packaging 21.3's URL check (a PyValueError from Python's parser passes through, as in pip). */
function checkUrl(url: string): void {
  const parsed = pyUrlparse(url);
  if (parsed.scheme === "file") {
    // urlunparse(urlparse(url)) must give the URL back.
    if (pyUrlunparse(parsed) !== url) throw new LegacyInvalidRequirement("Invalid URL given");
    return;
  }
  if (!parsed.scheme || !parsed.netloc) throw new LegacyInvalidRequirement(`Invalid URL: ${url}`);
}

// --- markers (packaging 21.3) -------------------------------------------------------------------

const LEGACY_VARIABLES = [
  "implementation_version",
  "platform_python_implementation",
  "implementation_name",
  "python_full_version",
  "platform_release",
  "platform_version",
  "platform_machine",
  "platform_system",
  "python_version",
  "sys_platform",
  "os_name",
  "os.name",
  "sys.platform",
  "platform.version",
  "platform.machine",
  "platform.python_implementation",
  "python_implementation",
  "extra",
];
const ALIASES: Record<string, string> = {
  "os.name": "os_name",
  "sys.platform": "sys_platform",
  "platform.version": "platform_version",
  "platform.machine": "platform_machine",
  "platform.python_implementation": "platform_python_implementation",
  python_implementation: "platform_python_implementation",
};
const LEGACY_OPS = ["===", "==", ">=", "<=", "!=", "~=", ">", "<", "not in", "in"];

type LegacyOperand = { variable: string } | { value: string };
type LegacyItem = { lhs: LegacyOperand; op: string; rhs: LegacyOperand };
type LegacyMarkerList = Array<LegacyMarkerList | LegacyItem | "and" | "or">;

function parseOperand(text: string, pos: number): { operand: LegacyOperand; end: number } | null {
  const start = skipSpace(text, pos);
  for (const variable of LEGACY_VARIABLES) {
    if (text.startsWith(variable, start)) {
      return { operand: { variable: ALIASES[variable] ?? variable }, end: start + variable.length };
    }
  }
  const quote = text[start];
  if (quote === "'" || quote === '"') {
    let end = start + 1;
    while (end < text.length && text[end] !== quote && text[end] !== "\n" && text[end] !== "\r") end++;
    if (text[end] !== quote) return null;
    let value = text.slice(start + 1, end);
    if (value.includes("\\")) {
      value = value
        .replaceAll("\\t", "\t")
        .replaceAll("\\n", "\n")
        .replaceAll("\\f", "\f")
        .replaceAll("\\r", "\r");
    }
    return { operand: { value }, end: end + 1 };
  }
  return null;
}

function parseItem(text: string, pos: number): { item: LegacyItem; end: number } | null {
  const lhs = parseOperand(text, pos);
  if (lhs === null) return null;
  const opStart = skipSpace(text, lhs.end);
  const op = LEGACY_OPS.find((candidate) => text.startsWith(candidate, opStart));
  if (op === undefined) return null;
  const rhs = parseOperand(text, opStart + op.length);
  if (rhs === null) return null;
  return { item: { lhs: lhs.operand, op, rhs: rhs.operand }, end: rhs.end };
}

function parseAtom(text: string, pos: number): { atom: LegacyItem | LegacyMarkerList; end: number } | null {
  const item = parseItem(text, pos);
  if (item !== null) return { atom: item.item, end: item.end };
  const open = skipSpace(text, pos);
  if (text[open] !== "(") return null;
  const inner = parseExpressionList(text, open + 1);
  if (inner === null) return null;
  const close = skipSpace(text, inner.end);
  if (text[close] !== ")") return null;
  return { atom: inner.list, end: close + 1 };
}

/** MARKER_EXPR << MARKER_ATOM (BOOLOP MARKER_EXPR)* — flattened into one list. */
function parseExpressionList(text: string, pos: number): { list: LegacyMarkerList; end: number } | null {
  const first = parseAtom(text, pos);
  if (first === null) return null;
  const list: LegacyMarkerList = [first.atom];
  let end = first.end;
  for (;;) {
    const opStart = skipSpace(text, end);
    const op = text.startsWith("and", opStart) ? "and" : text.startsWith("or", opStart) ? "or" : null;
    if (op === null) break;
    const rest = parseExpressionList(text, opStart + op.length);
    if (rest === null) break;
    list.push(op, ...rest.list);
    end = rest.end;
  }
  return { list, end };
}

function parseMarkerExpression(text: string, pos: number): { start: number; end: number } | null {
  const start = skipSpace(text, pos);
  const parsed = parseExpressionList(text, start);
  return parsed === null ? null : { start, end: parsed.end };
}

function parseLegacyMarkerList(original: string): LegacyMarkerList {
  const text = pyExpandTabs(original); // as pyparsing does, see parseLegacyRequirement
  const parsed = parseExpressionList(text, 0);
  if (parsed === null || skipSpace(text, parsed.end) !== text.length) {
    throw new LegacyInvalidMarker(`Invalid marker: '${original}'`);
  }
  return parsed.list;
}

function formatOperand(operand: LegacyOperand): string {
  return "variable" in operand ? operand.variable : `"${operand.value}"`;
}

function formatLegacyMarker(marker: LegacyMarkerList | LegacyItem | string, first = true): string {
  if (typeof marker === "string") return marker;
  if (!Array.isArray(marker)) return `${formatOperand(marker.lhs)} ${marker.op} ${formatOperand(marker.rhs)}`;
  if (marker.length === 1 && typeof marker[0] !== "string") return formatLegacyMarker(marker[0]);
  const inner = marker.map((entry) => formatLegacyMarker(entry, false)).join(" ");
  return first ? inner : `(${inner})`;
}

/** packaging 21.3's `str(Marker(text))`, or throws LegacyInvalidMarker. */
export function legacyMarkerString(text: string): string {
  return formatLegacyMarker(parseLegacyMarkerList(text));
}
