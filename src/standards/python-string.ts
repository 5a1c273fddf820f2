// Python's notion of whitespace, word characters and line breaks, and its repr() of a string.
// The packaging reference implementation is Python, and its `\s`, `\w`, `str.strip()` and
// `str.splitlines()` differ from JavaScript's: `\x1c`-`\x1f` and `\x85` are whitespace in
// Python, `\ufeff` is not.

const PY_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isPyWhitespace(code: number): boolean {
  return code === 0x20 || (code < 0x85 ? code >= 0x09 && PY_WHITESPACE.has(code) : PY_WHITESPACE.has(code));
}

export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPyWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPyWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

export function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && isPyWhitespace(text.charCodeAt(end - 1))) end--;
  return end === text.length ? text : text.slice(0, end);
}

export function pyLstrip(text: string): string {
  let start = 0;
  while (start < text.length && isPyWhitespace(text.charCodeAt(start))) start++;
  return start === 0 ? text : text.slice(start);
}

/** Python's `str.split()` with no argument: runs of whitespace separate, no empty items. */
export function pySplitWhitespace(text: string): string[] {
  const parts: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const isSpace = i === text.length || isPyWhitespace(text.charCodeAt(i));
    if (isSpace) {
      if (start >= 0) parts.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  return parts;
}

// Made on first use, as the other Unicode property patterns (filename.ts, metadata.ts): creating
// one costs about 0.4 ms in a fresh process (V8 builds its character classes from ICU's tables),
// even from a code cache.
let wordChar: RegExp | undefined;

/** Python's `\w` for str patterns (Unicode letters, digits, numerics and underscore). */
export function isWordChar(char: string | undefined): boolean {
  if (char === undefined || char === "") return false;
  const code = char.charCodeAt(0);
  return code < 0x80 ? isAsciiWordCode(code) : (wordChar ??= /[\p{L}\p{Nd}\p{Nl}\p{No}_]/u).test(char);
}

/** The code point (as a string) ending at index `end` (exclusive), surrogate-aware. */
export function charBefore(text: string, end: number): string | undefined {
  if (end <= 0) return undefined;
  const low = text.charCodeAt(end - 1);
  if (low >= 0xdc00 && low <= 0xdfff && end >= 2) {
    const high = text.charCodeAt(end - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(end - 2, end);
  }
  return text[end - 1];
}

/** The code point (as a string) starting at index `start`, surrogate-aware. */
export function charAt(text: string, start: number): string | undefined {
  if (start >= text.length) return undefined;
  const cp = text.codePointAt(start)!;
  return String.fromCodePoint(cp);
}

function isAsciiWordCode(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f
  );
}

/** A `\b` word boundary at `index`, with Python's Unicode `\w`. */
export function isWordBoundary(text: string, index: number): boolean {
  // ASCII by char code: the tokenizer asks this at almost every position of every requirement.
  const before = index > 0 ? text.charCodeAt(index - 1) : -1;
  const after = index < text.length ? text.charCodeAt(index) : -1;
  const wordBefore =
    before < 0 ? false : before < 0x80 ? isAsciiWordCode(before) : isWordChar(charBefore(text, index));
  const wordAfter =
    after < 0 ? false : after < 0x80 ? isAsciiWordCode(after) : isWordChar(charAt(text, index));
  return wordBefore !== wordAfter;
}

const LINE_BREAKS = new Set([0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029]);

/** Python's `str.splitlines()` (without keepends). */
export function pySplitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (LINE_BREAKS.has(code)) {
      lines.push(text.slice(start, i));
      i += code === 0x0d && text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      start = i;
    } else i++;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Python's `str.isdigit()` restricted to what our parsers meet (ASCII and Unicode decimal digits). */
export function isPyDigits(text: string): boolean {
  return text.length > 0 && /^\p{Nd}+$/u.test(text);
}

/** Python's `str` ordering: by code point (JS `<` compares UTF-16 units, which differs for astral characters). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** Python's `str.expandtabs()` (tab size 8; the column restarts after `\n` and `\r`, counts code points). */
export function pyExpandTabs(text: string): string {
  if (!text.includes("\t")) return text;
  let result = "";
  let column = 0;
  for (const char of text) {
    if (char === "\t") {
      const width = 8 - (column % 8);
      result += " ".repeat(width);
      column += width;
    } else {
      result += char;
      column = char === "\n" || char === "\r" ? 0 : column + 1;
    }
  }
  return result;
}

/** Python's `shlex.quote`: a word as a POSIX shell reads it back, quoted only when it must be. */
export function pyShlexQuote(word: string): string {
  if (word === "") return "''";
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** Python's `shlex.split` (POSIX mode, no comments); null where Python raises ValueError. */
export function pyShlexSplit(text: string): string[] | null {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote !== null) {
      if (char === quote) quote = null;
      else if (char === "\\" && quote === '"') {
        i++;
        if (i >= text.length) return null;
        const next = text[i];
        word += next === '"' || next === "\\" ? next : `\\${next}`;
      } else word += char;
      continue;
    }
    if (" \t\r\n".includes(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (char === "\\") {
      i++;
      if (i >= text.length) return null;
      word += text[i];
      inWord = true;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== null) return null;
  if (inWord) words.push(word);
  return words;
}

/** A string as Python's json.dumps writes it (ASCII only, \uXXXX escapes). */
export function pythonJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * JSON as Python's `json.dumps(value, sort_keys=True)` writes it: `, ` and `: ` between items,
 * keys in code point order, ASCII only. For strings, booleans, null, integers, lists and objects.
 */
export function pythonJsonDumps(value: unknown): string {
  if (typeof value === "string") return pythonJsonString(value);
  if (value === null || typeof value === "boolean" || typeof value === "number") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object)
    .filter((key) => object[key] !== undefined)
    .sort(compareCodePoints);
  return `{${keys.map((key) => `${pythonJsonString(key)}: ${pythonJsonDumps(object[key])}`).join(", ")}}`;
}

/** Python's repr() of a string: single quotes, unless the text holds one and no double quote. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/[\\\n\r\t]/g, (char) =>
    char === "\\" ? "\\\\" : char === "\n" ? "\\n" : char === "\r" ? "\\r" : "\\t",
  );
  return `${quote}${quote === "'" ? escaped.replaceAll("'", "\\'") : escaped}${quote}`;
}
