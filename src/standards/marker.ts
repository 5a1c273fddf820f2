// PEP 508 environment markers with packaging 26's rules: parsing to an AST that prints back
// canonically, evaluation in the `metadata` / `lock_file` / `requirement` contexts, and the
// operations a resolver needs (and/or, simplification); marker-space.ts reads markers as sets.

import { canonicalizeName } from "./name.ts";
import { InvalidSpecifier, parseSpecifier } from "./specifier.ts";
import { ParserSyntaxError, Tokenizer } from "./tokenizer.ts";

export class InvalidMarker extends Error {
  override name = "InvalidMarker";
}
export class UndefinedComparison extends Error {
  override name = "UndefinedComparison";
}
export class UndefinedEnvironmentName extends Error {
  override name = "UndefinedEnvironmentName";
}

export type MarkerVariableName =
  | "implementation_name"
  | "implementation_version"
  | "os_name"
  | "platform_machine"
  | "platform_release"
  | "platform_system"
  | "platform_version"
  | "python_full_version"
  | "platform_python_implementation"
  | "python_version"
  | "sys_platform"
  | "extra"
  | "extras"
  | "dependency_groups";

export type MarkerOperand =
  | { readonly kind: "variable"; readonly name: string }
  | { readonly kind: "value"; readonly value: string };

export interface MarkerItem {
  readonly kind: "item";
  readonly lhs: MarkerOperand;
  readonly op: string;
  readonly rhs: MarkerOperand;
}

/** packaging's marker list: items and nested lists joined by "and"/"or" words, in source order. */
export type MarkerList = ReadonlyArray<MarkerList | MarkerItem | "and" | "or">;

export type MarkerEnvironment = Record<string, string | ReadonlySet<string> | readonly string[]>;
export type MarkerContext = "metadata" | "lock_file" | "requirement";

const VERSION_VARIABLES = new Set([
  "implementation_version",
  "platform_release",
  "python_full_version",
  "python_version",
]);
const SET_VARIABLES = new Set(["extras", "dependency_groups"]);

export class Marker {
  constructor(readonly markers: MarkerList) {}

  toString(): string {
    return formatMarker(this.markers, true);
  }

  evaluate(environment: MarkerEnvironment, context: MarkerContext = "metadata"): boolean {
    return evaluateMarker(this, environment, context);
  }

  and(other: Marker): Marker {
    return new Marker([this.markers, "and", other.markers]);
  }

  or(other: Marker): Marker {
    return new Marker([this.markers, "or", other.markers]);
  }
}

export function parseMarker(text: string): Marker {
  try {
    const tokenizer = new Tokenizer(text);
    const markers = parseMarkerExpression(tokenizer);
    tokenizer.expect("END", "end of marker expression");
    return new Marker(normalizeExtraValues(markers));
  } catch (error) {
    if (error instanceof ParserSyntaxError) throw new InvalidMarker(error.describe());
    throw error;
  }
}

// --- parsing (shared with requirement.ts) ---------------------------------------------------------

/** marker = marker_atom (BOOLOP marker_atom)* */
export function parseMarkerExpression(tokenizer: Tokenizer): MarkerList {
  const expression: Array<MarkerList | MarkerItem | "and" | "or"> = [parseMarkerAtom(tokenizer)];
  while (tokenizer.check("BOOLOP")) {
    const token = tokenizer.read();
    const right = parseMarkerAtom(tokenizer);
    expression.push(token.text as "and" | "or", right);
  }
  return expression;
}

function parseMarkerAtom(tokenizer: Tokenizer): MarkerList | MarkerItem {
  tokenizer.consume("WS");
  let marker: MarkerList | MarkerItem;
  if (tokenizer.check("LEFT_PARENTHESIS", true)) {
    marker = tokenizer.enclosing("LEFT_PARENTHESIS", "RIGHT_PARENTHESIS", "marker expression", () => {
      tokenizer.consume("WS");
      const inner = parseMarkerExpression(tokenizer);
      tokenizer.consume("WS");
      return inner;
    });
  } else {
    marker = parseMarkerItem(tokenizer);
  }
  tokenizer.consume("WS");
  return marker;
}

function parseMarkerItem(tokenizer: Tokenizer): MarkerItem {
  tokenizer.consume("WS");
  const lhs = parseMarkerOperand(tokenizer);
  tokenizer.consume("WS");
  const op = parseMarkerOp(tokenizer);
  tokenizer.consume("WS");
  const rhs = parseMarkerOperand(tokenizer);
  tokenizer.consume("WS");
  return { kind: "item", lhs, op, rhs };
}

function parseMarkerOperand(tokenizer: Tokenizer): MarkerOperand {
  if (tokenizer.check("VARIABLE")) {
    let name = tokenizer.read().text.replaceAll(".", "_");
    if (name === "python_implementation") name = "platform_python_implementation";
    return { kind: "variable", name };
  }
  if (tokenizer.check("QUOTED_STRING")) {
    const token = tokenizer.read();
    const value = evaluateStringLiteral(token.text);
    if (value === null)
      tokenizer.raiseSyntaxError("Invalid string literal", token.position, tokenizer.position);
    return { kind: "value", value };
  }
  return tokenizer.raiseSyntaxError("Expected a marker variable or quoted string");
}

function parseMarkerOp(tokenizer: Tokenizer): string {
  if (tokenizer.check("IN")) {
    tokenizer.read();
    return "in";
  }
  if (tokenizer.check("NOT")) {
    tokenizer.read();
    tokenizer.expect("WS", "whitespace after 'not'");
    tokenizer.expect("IN", "'in' after 'not'");
    return "not in";
  }
  if (tokenizer.check("OP")) return tokenizer.read().text;
  return tokenizer.raiseSyntaxError(
    "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in",
  );
}

/** PEP 685: `extra` values compared by normalized name. packaging does this for top-level items only. */
export function normalizeExtraValues(markers: MarkerList): MarkerList {
  return markers.map((entry) => {
    if (typeof entry === "string" || Array.isArray(entry)) return entry;
    const item = entry as MarkerItem;
    // As packaging does, the other side becomes a value even when it was a variable.
    if (item.lhs.kind === "variable" && item.lhs.name === "extra") {
      return { ...item, rhs: { kind: "value", value: canonicalizeName(operandText(item.rhs)) } };
    }
    if (item.rhs.kind === "variable" && item.rhs.name === "extra") {
      return { ...item, lhs: { kind: "value", value: canonicalizeName(operandText(item.lhs)) } };
    }
    return item;
  });
}

function operandText(operand: MarkerOperand): string {
  return operand.kind === "variable" ? operand.name : operand.value;
}

const STRING_LITERAL_SPECIALS = /[\\\n\r\0]/;

/**
 * Evaluates a quoted Python string literal as `ast.literal_eval` does (backslash escapes), or
 * returns null where Python raises a SyntaxError.
 */
export function evaluateStringLiteral(quoted: string): string | null {
  const body = quoted.slice(1, -1);
  // Nearly every literal has no escape and no line break: it is its own value.
  if (!STRING_LITERAL_SPECIALS.test(body)) return body;
  let result = "";
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === "\n" || char === "\r" || char === "\0") return null;
    if (char !== "\\") {
      result += char;
      continue;
    }
    i++;
    if (i >= body.length) return null; // the backslash escapes the closing quote
    const next = body[i];
    switch (next) {
      case "\n":
        break;
      case "\r":
        if (body[i + 1] === "\n") i++;
        break;
      case "\\":
      case "'":
      case '"':
        result += next;
        break;
      case "a":
        result += "\x07";
        break;
      case "b":
        result += "\b";
        break;
      case "f":
        result += "\f";
        break;
      case "n":
        result += "\n";
        break;
      case "r":
        result += "\r";
        break;
      case "t":
        result += "\t";
        break;
      case "v":
        result += "\v";
        break;
      case "x":
      case "u":
      case "U": {
        const width = next === "x" ? 2 : next === "u" ? 4 : 8;
        const hex = body.slice(i + 1, i + 1 + width);
        if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return null;
        const code = Number.parseInt(hex, 16);
        if (code > 0x10ffff) return null;
        result += String.fromCodePoint(code);
        i += width;
        break;
      }
      case "N":
        return null; // named escapes need the Unicode name table; treated as unreadable
      default:
        if (next >= "0" && next <= "7") {
          let digits = next;
          while (digits.length < 3 && body[i + 1] >= "0" && body[i + 1] <= "7") digits += body[++i];
          result += String.fromCodePoint(Number.parseInt(digits, 8));
        } else {
          result += `\\${next}`; // unknown escapes stay as written
        }
    }
  }
  return result;
}

// --- printing ----------------------------------------------------------------------------------

function formatOperand(operand: MarkerOperand): string {
  return operand.kind === "variable" ? operand.name : `"${operand.value}"`;
}

function formatItem(item: MarkerItem): string {
  return `${formatOperand(item.lhs)} ${item.op} ${formatOperand(item.rhs)}`;
}

function formatMarker(marker: MarkerList | MarkerItem | string, first: boolean): string {
  if (typeof marker === "string") return marker;
  if (!Array.isArray(marker)) return formatItem(marker as MarkerItem);
  const list = marker as MarkerList;
  if (list.length === 1 && typeof list[0] !== "string") return formatMarker(list[0], true);
  const inner = list.map((entry) => formatMarker(entry, false)).join(" ");
  return first ? inner : `(${inner})`;
}

// --- evaluation ----------------------------------------------------------------------------------

function evaluateMarker(marker: Marker, environment: MarkerEnvironment, context: MarkerContext): boolean {
  const env: Record<string, string | ReadonlySet<string>> = {};
  if (context === "lock_file") {
    env.extras = new Set();
    env.dependency_groups = new Set();
  } else if (context === "metadata") {
    env.extra = "";
  }
  for (const [key, value] of Object.entries(environment)) {
    env[key] = typeof value === "string" ? value : new Set(value);
  }
  if ("extra" in env) {
    const extra = env.extra as string | null;
    env.extra = extra ? canonicalizeName(extra) : "";
  }
  const fullVersion = env.python_full_version;
  if (typeof fullVersion === "string" && fullVersion.endsWith("+"))
    env.python_full_version = `${fullVersion}local`;
  return evaluateList(marker.markers, env);
}

function lookup(
  env: Record<string, string | ReadonlySet<string>>,
  key: string,
): string | ReadonlySet<string> {
  const value = env[key];
  if (value === undefined)
    throw new UndefinedEnvironmentName(`'${key}' does not exist in evaluation environment.`);
  return value;
}

/**
 * "and" binds tighter than "or": the result is whether any and-group is all true. Every item is
 * evaluated, as packaging does, so an undefined comparison fails even after a true group.
 */
function foldMarker(markers: MarkerList, leaf: (item: MarkerItem) => boolean): boolean {
  let group = true;
  let anyGroup = false;
  for (const entry of markers) {
    if (entry === "or") {
      anyGroup ||= group;
      group = true;
    } else if (entry !== "and") {
      const value = Array.isArray(entry) ? foldMarker(entry as MarkerList, leaf) : leaf(entry as MarkerItem);
      group &&= value;
    }
  }
  return anyGroup || group;
}

function evaluateList(markers: MarkerList, env: Record<string, string | ReadonlySet<string>>): boolean {
  return foldMarker(markers, (item) => evaluateItem(item, env));
}

function evaluateItem(item: MarkerItem, env: Record<string, string | ReadonlySet<string>>): boolean {
  let key: string;
  let lhs: string | ReadonlySet<string>;
  let rhs: string | ReadonlySet<string>;
  if (item.lhs.kind === "variable") {
    key = item.lhs.name;
    lhs = lookup(env, key);
    rhs = item.rhs.kind === "value" ? item.rhs.value : item.rhs.name;
  } else {
    lhs = item.lhs.value;
    key = item.rhs.kind === "variable" ? item.rhs.name : item.rhs.value;
    rhs = lookup(env, key);
  }
  if (typeof lhs !== "string") throw new UndefinedComparison(`Cannot compare the set '${key}' on the left`);
  if (SET_VARIABLES.has(key)) {
    lhs = canonicalizeName(lhs);
    rhs =
      typeof rhs === "string"
        ? canonicalizeName(rhs)
        : new Set([...rhs].map((value) => canonicalizeName(value)));
  }
  return evaluateOp(lhs, item.op, rhs, key);
}

function evaluateOp(lhs: string, op: string, rhs: string | ReadonlySet<string>, key: string): boolean {
  if (VERSION_VARIABLES.has(key) && typeof rhs === "string") {
    let spec = null;
    try {
      spec = parseSpecifier(`${op}${rhs}`);
    } catch (error) {
      if (!(error instanceof InvalidSpecifier)) throw error;
    }
    if (spec !== null) return spec.contains(lhs, true);
  }
  switch (op) {
    case "in":
      return typeof rhs === "string" ? rhs.includes(lhs) : rhs.has(lhs);
    case "not in":
      return typeof rhs === "string" ? !rhs.includes(lhs) : !rhs.has(lhs);
    case "<":
    case ">":
      return false;
    case "<=":
    case "==":
    case ">=":
      return lhs === rhs;
    case "!=":
      return lhs !== rhs;
    default:
      throw new UndefinedComparison(
        `Undefined ${op} on '${lhs}' and '${typeof rhs === "string" ? rhs : [...rhs].join(",")}'.`,
      );
  }
}

// --- resolver operations -----------------------------------------------------------------------

/** Joins markers with "and", dropping absent ones. */
export function markerAnd(...markers: Array<Marker | null | undefined>): Marker | null {
  const present = markers.filter((marker): marker is Marker => marker != null);
  if (present.length === 0) return null;
  return simplifyMarker(present.reduce((left, right) => left.and(right)));
}

/** Joins markers with "or"; an absent marker (always true) makes the result absent. */
export function markerOr(...markers: Array<Marker | null | undefined>): Marker | null {
  if (markers.some((marker) => marker == null)) return null;
  return simplifyMarker((markers as Marker[]).reduce((left, right) => left.or(right)));
}

/**
 * Flattens nested lists under the same operator and removes repeated terms. The meaning never
 * changes; the printed form may (it is a new marker).
 */
export function simplifyMarker(marker: Marker): Marker {
  return new Marker(simplifyList(marker.markers));
}

function simplifyList(list: MarkerList): MarkerList {
  // Split into or-groups of and-terms, simplifying each term.
  const groups: Array<Array<MarkerList | MarkerItem>> = [[]];
  for (const entry of list) {
    if (entry === "or") groups.push([]);
    else if (entry === "and") continue;
    else if (Array.isArray(entry)) {
      const inner = simplifyList(entry as MarkerList);
      const innerIsAndOnly = !inner.includes("or");
      if (innerIsAndOnly)
        for (const term of inner)
          if (term !== "and") groups[groups.length - 1].push(term as MarkerItem);
          else groups[groups.length - 1].push(inner);
    } else groups[groups.length - 1].push(entry as MarkerItem);
  }
  const seenGroups = new Set<string>();
  const result: Array<MarkerList | MarkerItem | "and" | "or"> = [];
  for (const group of groups) {
    const seenTerms = new Set<string>();
    const terms: Array<MarkerList | MarkerItem> = [];
    for (const term of group) {
      const text = formatMarker(term, false);
      if (!seenTerms.has(text)) {
        seenTerms.add(text);
        terms.push(term);
      }
    }
    const key = terms.map((term) => formatMarker(term, false)).join(" and ");
    if (seenGroups.has(key)) continue;
    seenGroups.add(key);
    if (result.length > 0) result.push("or");
    // A multi-term group inside an "or" keeps its own parentheses only when needed.
    if (groups.length > 1 && terms.length > 1) {
      const grouped: Array<MarkerList | MarkerItem | "and"> = [];
      terms.forEach((term, index) => {
        if (index > 0) grouped.push("and");
        grouped.push(term);
      });
      result.push(grouped);
    } else {
      terms.forEach((term, index) => {
        if (index > 0) result.push("and");
        result.push(term);
      });
    }
  }
  return result;
}
