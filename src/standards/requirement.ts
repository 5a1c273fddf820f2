// PEP 508 dependency specifiers, parsed as packaging 26 parses them (its tokenizer's quirks
// included), printed back canonically.

import { type Marker, Marker as MarkerClass, normalizeExtraValues, parseMarkerExpression } from "./marker.ts";
import { canonicalizeName } from "./name.ts";
import { compareCodePoints } from "./python-string.ts";
import { type Operator, parseSpecifierSet, Specifier, SpecifierSet } from "./specifier.ts";
import { ParserSyntaxError, Tokenizer } from "./tokenizer.ts";

export class InvalidRequirement extends Error {
  override name = "InvalidRequirement";
}

export class Requirement {
  constructor(
    /** As written. */
    readonly name: string,
    /** As written, unique, in input order. */
    readonly extras: readonly string[],
    readonly specifier: SpecifierSet,
    readonly url: string | null,
    readonly marker: Marker | null,
  ) {}

  get canonicalName(): string {
    return canonicalizeName(this.name);
  }

  /** Whether one of its specifiers pins a version: `==` (a wildcard too) or `===`. */
  get pinsVersion(): boolean {
    return this.specifier.specs.some((spec) => spec.operator === "==" || spec.operator === "===");
  }

  /** packaging's `str(Requirement)`. */
  toString(): string {
    let text = this.name;
    if (this.extras.length > 0) text += `[${[...this.extras].sort(compareCodePoints).join(",")}]`;
    const specifier = this.specifier.toString();
    if (specifier) text += specifier;
    if (this.url) {
      text += ` @ ${this.url}`;
      if (this.marker) text += " ";
    }
    if (this.marker) text += `; ${this.marker}`;
    return text;
  }
}

// Markers and specifier sets already parsed, by their text. Metadata repeats them across
// distributions (`extra == "test"`, `python_version < "3.11"`, `>=1.0`), both are immutable, and
// a resolution parses hundreds of Requires-Dist entries; shared Marker objects also share the
// resolver's memoized evaluations.
const parsedMarkers = new Map<string, { marker: Marker; length: number }>();
const parsedSpecifierSets = new Map<string, SpecifierSet>();

// The shape nearly every Requires-Dist has: `name[extras]specifiers` and maybe `; marker`, with
// plain ASCII names, simple versions and no URL. Such text is read with one native match (about
// a fifth of the tokenizer's time in a short-lived process); its marker still goes through the
// tokenizer, from its memo. Anything else, invalid text included, takes the full parser, so
// errors and packaging's quirks stay exactly as they are. A test holds the two paths equal.
const NAME = "[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?";
const SIMPLE_VERSION = "[0-9]+(?:\\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\\.post[0-9]+)?(?:\\.dev[0-9]+)?";
const SIMPLE_CLAUSE =
  `(?:(?:==|!=)(?:[0-9]+(?:\\.[0-9]+)*\\.\\*|${SIMPLE_VERSION})|~=[0-9]+(?:\\.[0-9]+)+(?:(?:a|b|rc)[0-9]+)?(?:\\.post[0-9]+)?(?:\\.dev[0-9]+)?` +
  `|(?:<=|>=|<|>)${SIMPLE_VERSION})`;
const SIMPLE_REQUIREMENT = new RegExp(
  `^(${NAME})(?:\\[(${NAME}(?:, ?${NAME})*)\\])? ?(${SIMPLE_CLAUSE}(?:, ?${SIMPLE_CLAUSE})*)? ?(?:;|$)`,
);

/** parseRequirement for the common shape, or null to take the full parser. */
function parseSimpleRequirement(text: string): Requirement | null {
  const match = SIMPLE_REQUIREMENT.exec(text);
  if (match === null) return null;
  let marker: Marker | null = null;
  if (match[0].endsWith(";")) {
    const tokenizer = new Tokenizer(text);
    tokenizer.position = match[0].length;
    try {
      marker = parseMarkerRest(tokenizer);
      tokenizer.expect("END", "end of dependency specifier");
    } catch (error) {
      if (error instanceof ParserSyntaxError) return null; // the full parser words the error
      throw error;
    }
  }
  // The match has validated every clause: split them without the specifier grammar's regex.
  const specifier = specifierSetOf(
    match[3] ?? "",
    (text) => new SpecifierSet(text === "" ? [] : text.split(",").map(simpleSpecifier)),
  );
  const extras = match[2] === undefined ? [] : match[2].split(",").map((extra) => extra.trim());
  return new Requirement(match[1], [...new Set(extras)], specifier, null, marker);
}

/** The specifier set written `text`, made by `make` the first time that text is seen. */
function specifierSetOf(text: string, make: (text: string) => SpecifierSet): SpecifierSet {
  let specifier = parsedSpecifierSets.get(text);
  if (specifier === undefined) {
    specifier = make(text);
    parsedSpecifierSets.set(text, specifier);
  }
  return specifier;
}

/** One clause of SIMPLE_CLAUSE (maybe with the blank after its comma) as a Specifier. */
function simpleSpecifier(clause: string): Specifier {
  const text = clause.trim();
  const second = text.charCodeAt(1);
  const length = second === 0x3d /* = */ ? 2 : 1;
  return new Specifier(text.slice(0, length) as Operator, text.slice(length));
}

export function parseRequirement(text: string): Requirement {
  const simple = parseSimpleRequirement(text);
  if (simple !== null) return simple;
  return parseRequirementFully(text);
}

/** The full PEP 508 parser (exported for the test that holds the fast path to it). */
export function parseRequirementFully(text: string): Requirement {
  let parsed: { name: string; url: string; extras: string[]; specifier: string; marker: Marker | null };
  try {
    parsed = parseRequirementTokens(new Tokenizer(text));
  } catch (error) {
    if (error instanceof ParserSyntaxError) throw new InvalidRequirement(error.describe());
    throw error;
  }
  const specifier = specifierSetOf(parsed.specifier, (text) => {
    try {
      return parseSpecifierSet(text);
    } catch (error) {
      throw new InvalidRequirement((error as Error).message);
    }
  });
  return new Requirement(
    parsed.name,
    [...new Set(parsed.extras)],
    specifier,
    parsed.url || null,
    parsed.marker,
  );
}

function parseRequirementTokens(tokenizer: Tokenizer) {
  tokenizer.consume("WS");
  const name = tokenizer.expect("IDENTIFIER", "package name at the start of dependency specifier").text;
  tokenizer.consume("WS");
  const extras = parseExtras(tokenizer);
  tokenizer.consume("WS");
  const { url, specifier, marker } = parseRequirementDetails(tokenizer);
  tokenizer.expect("END", "end of dependency specifier");
  return { name, url, extras, specifier, marker };
}

function parseRequirementDetails(tokenizer: Tokenizer): {
  url: string;
  specifier: string;
  marker: Marker | null;
} {
  let specifier = "";
  let url = "";
  let marker: Marker | null = null;
  if (tokenizer.check("AT")) {
    tokenizer.read();
    tokenizer.consume("WS");
    const urlStart = tokenizer.position;
    url = tokenizer.expect("URL", "URL after @").text;
    if (tokenizer.check("END", true)) return { url, specifier, marker };
    tokenizer.expect("WS", "whitespace after URL");
    if (tokenizer.check("END", true)) return { url, specifier, marker };
    marker = parseRequirementMarker(tokenizer, urlStart, "semicolon (after URL and whitespace)");
  } else {
    const specifierStart = tokenizer.position;
    specifier = parseSpecifierTokens(tokenizer);
    tokenizer.consume("WS");
    if (tokenizer.check("END", true)) return { url, specifier, marker };
    marker = parseRequirementMarker(
      tokenizer,
      specifierStart,
      specifier
        ? "comma (within version specifier), semicolon (after version specifier)"
        : "semicolon (after name with no version specifier)",
    );
  }
  return { url, specifier, marker };
}

function parseRequirementMarker(tokenizer: Tokenizer, spanStart: number, expected: string): Marker {
  if (!tokenizer.check("SEMICOLON")) tokenizer.raiseSyntaxError(`Expected ${expected} or end`, spanStart);
  tokenizer.read();
  return parseMarkerRest(tokenizer);
}

/** The marker after a requirement's semicolon, from the memo when this text was seen before. */
function parseMarkerRest(tokenizer: Tokenizer): Marker {
  // The marker runs to the end of the text, so the rest of the text is its key.
  const start = tokenizer.position;
  const rest = tokenizer.source.slice(start);
  const known = parsedMarkers.get(rest);
  if (known !== undefined) {
    tokenizer.position = start + known.length;
    return known.marker;
  }
  const marker = new MarkerClass(normalizeExtraValues(parseMarkerExpression(tokenizer)));
  tokenizer.consume("WS");
  parsedMarkers.set(rest, { marker, length: tokenizer.position - start });
  return marker;
}

function parseExtras(tokenizer: Tokenizer): string[] {
  if (!tokenizer.check("LEFT_BRACKET", true)) return [];
  return tokenizer.enclosing("LEFT_BRACKET", "RIGHT_BRACKET", "extras", () => {
    tokenizer.consume("WS");
    const extras = parseExtrasList(tokenizer);
    tokenizer.consume("WS");
    return extras;
  });
}

function parseExtrasList(tokenizer: Tokenizer): string[] {
  const extras: string[] = [];
  if (!tokenizer.check("IDENTIFIER")) return extras;
  extras.push(tokenizer.read().text);
  for (;;) {
    tokenizer.consume("WS");
    if (tokenizer.check("IDENTIFIER", true)) tokenizer.raiseSyntaxError("Expected comma between extra names");
    else if (!tokenizer.check("COMMA")) break;
    tokenizer.read();
    tokenizer.consume("WS");
    extras.push(tokenizer.expect("IDENTIFIER", "extra name after comma").text);
  }
  return extras;
}

function parseSpecifierTokens(tokenizer: Tokenizer): string {
  return tokenizer.enclosing("LEFT_PARENTHESIS", "RIGHT_PARENTHESIS", "version specifier", () => {
    tokenizer.consume("WS");
    const specifiers = parseVersionMany(tokenizer);
    tokenizer.consume("WS");
    return specifiers;
  });
}

function parseVersionMany(tokenizer: Tokenizer): string {
  let specifiers = "";
  while (tokenizer.check("SPECIFIER")) {
    const spanStart = tokenizer.position;
    specifiers += tokenizer.read().text;
    if (tokenizer.check("VERSION_PREFIX_TRAIL", true)) {
      tokenizer.raiseSyntaxError(
        ".* suffix can only be used with `==` or `!=` operators",
        spanStart,
        tokenizer.position + 1,
      );
    }
    if (tokenizer.check("VERSION_LOCAL_LABEL_TRAIL", true)) {
      tokenizer.raiseSyntaxError(
        "Local version label can only be used with `==` or `!=` operators",
        spanStart,
        tokenizer.position,
      );
    }
    tokenizer.consume("WS");
    if (!tokenizer.check("COMMA")) break;
    specifiers += tokenizer.read().text;
    tokenizer.consume("WS");
  }
  return specifiers;
}
