// PEP 508 dependency specifiers, parsed as packaging 26 parses them (its tokenizer's quirks
// included), printed back canonically.

import { type Marker, Marker as MarkerClass, normalizeExtraValues, parseMarkerExpression } from "./marker.ts";
import { canonicalizeName } from "./name.ts";
import { compareCodePoints } from "./python-string.ts";
import { parseSpecifierSet, type SpecifierSet } from "./specifier.ts";
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

export function parseRequirement(text: string): Requirement {
  let parsed: { name: string; url: string; extras: string[]; specifier: string; marker: Marker | null };
  try {
    parsed = parseRequirementTokens(new Tokenizer(text));
  } catch (error) {
    if (error instanceof ParserSyntaxError) throw new InvalidRequirement(error.describe());
    throw error;
  }
  let specifier = parsedSpecifierSets.get(parsed.specifier);
  if (specifier === undefined) {
    try {
      specifier = parseSpecifierSet(parsed.specifier);
    } catch (error) {
      throw new InvalidRequirement((error as Error).message);
    }
    parsedSpecifierSets.set(parsed.specifier, specifier);
  }
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
