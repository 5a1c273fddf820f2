// The email-header format of core metadata (METADATA, PKG-INFO), read exactly as Python's email
// parser (compat32) reads it: header lines, folded continuations, where the body starts, and the
// few shortcuts an installer takes when it needs only some headers (metadata.ts sorts them into
// fields).

// A header line as Python's feedparser recognizes one: "From ", a name then ":", or a continuation.
const HEADER_LINE = /^(?:From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

function stripLineEnd(text: string): string {
  return text.replace(/[\r\n]+$/, "");
}

/**
 * Walks the header block the way `email.parser.Parser(policy=compat32)` does, handing each
 * complete header (name as written, value) to `visit`; `visit` returning true stops the walk.
 * Returns where the body starts and any line the parser pushes back into it, or null when stopped.
 */
export function scanEmailHeaders(
  text: string,
  visit: (name: string, value: string) => boolean,
): { bodyStart: number; pushedBack: string } | null {
  let start = 0;
  let lineNumber = 0;
  // The header being read: its first line's name and value, then continuation lines verbatim.
  let currentName: string | null = null;
  let currentValue = "";
  // An envelope ("From ") line after the first is dropped unless it turns out to be the last
  // header line, which the parser pushes back as the body's first line.
  let pendingFrom = "";
  const complete = (): boolean => {
    if (currentName === null) return false;
    const name = currentName;
    currentName = null;
    return visit(name, stripLineEnd(currentValue));
  };
  // Most metadata ends lines with \n alone, which indexOf finds natively.
  const newlinesOnly = !text.includes("\r");
  while (start < text.length) {
    const newline = newlinesOnly ? text.indexOf("\n", start) : -2;
    const end = newline === -2 ? lineEndAfter(text, start) : newline < 0 ? text.length : newline + 1;
    const line = text.slice(start, end);
    const first = text.charCodeAt(start);
    const isContinuation = first === 0x20 || first === 0x09;
    if (!isContinuation && !HEADER_LINE.test(line)) {
      if (complete()) return null;
      // The blank separator line is dropped; any other line starts the body.
      const blank = first === 0x0d || first === 0x0a;
      return { bodyStart: blank ? end : start, pushedBack: pendingFrom };
    }
    pendingFrom = "";
    if (isContinuation) {
      // A continuation before any header (or after a skipped line) is dropped.
      if (currentName !== null) currentValue += line;
    } else {
      if (complete()) return null;
      if (line.startsWith("From ")) {
        if (lineNumber !== 0) pendingFrom = line;
      } else {
        const colon = line.indexOf(":");
        // A header without a name is dropped.
        if (colon > 0) {
          currentName = line.slice(0, colon);
          currentValue = line.slice(colon + 1).replace(/^[ \t]+/, "");
        }
      }
    }
    start = end;
    lineNumber++;
  }
  if (complete()) return null;
  return { bodyStart: start, pushedBack: pendingFrom };
}

/** Adds one header's value under its lower-case name, keeping the order values came in. */
export function addHeader(byName: Map<string, string[]>, lower: string, value: string): void {
  const values = byName.get(lower);
  if (values) values.push(value);
  else byName.set(lower, [value]);
}

/** The index just past the line starting at `start`, its `\r\n`, `\r` or `\n` included. */
function lineEndAfter(text: string, start: number): number {
  for (let index = start; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0x0a) return index + 1;
    if (code === 0x0d) return text.charCodeAt(index + 1) === 0x0a ? index + 2 : index + 1;
  }
  return text.length;
}

/**
 * A header value as importlib.metadata's message adapter gives it back (Python 3.11+, what pip 23
 * reads there): one folded over several lines is dedented, its first line counted as indented by
 * eight spaces.
 */
export function importlibHeaderValue(value: string): string {
  return value.includes("\n") ? pyDedent(`        ${value}`) : value;
}

/** Python's `textwrap.dedent`: the margin common to every line that is not blank is removed. */
function pyDedent(text: string): string {
  // Lines are cut at \n alone, as Python's multi-line `^` and `$` see them.
  const lines = text.split("\n").map((line) => (/^[ \t]+$/.test(line) ? "" : line));
  let margin: string | null = null;
  for (const line of lines) {
    const indent = /^([ \t]*)[^ \t]/.exec(line)?.[1];
    if (indent === undefined) continue;
    if (margin === null || margin.startsWith(indent)) margin = indent;
    else if (!indent.startsWith(margin)) {
      let common = 0;
      while (common < margin.length && margin[common] === indent[common]) common++;
      margin = margin.slice(0, common);
    }
  }
  if (!margin) return lines.join("\n");
  const cut = margin;
  return lines.map((line) => (line.startsWith(cut) ? line.slice(cut.length) : line)).join("\n");
}

/** Headers (name as written, value) and the body, as `email.parser.Parser(policy=compat32)` reads them. */
export function parseEmailHeaders(text: string): { headers: Array<[string, string]>; body: string } {
  const headers: Array<[string, string]> = [];
  const { bodyStart, pushedBack } = scanEmailHeaders(text, (name, value) => {
    headers.push([name, value]);
    return false;
  }) as { bodyStart: number; pushedBack: string };
  return { headers, body: pushedBack + text.slice(bodyStart) };
}

/**
 * The first value of one header, as Python's `message[name]` returns it, reading no further than
 * that header: listing an environment needs only Name and Version, which come first.
 */
export function firstEmailHeader(text: string, name: string): string | null {
  const wanted = name.toLowerCase();
  let found: string | null = null;
  scanEmailHeaders(text, (headerName, value) => {
    if (headerName.length !== wanted.length || headerName.toLowerCase() !== wanted) return false;
    found = value;
    return true;
  });
  return found;
}

// The usual METADATA: `Name: value` lines and indented continuations, no \r, then a blank line.
// Checked in one native match, so that the few headers an installer reads can be picked out by
// a regex instead of walking every Classifier line in JavaScript.
const SIMPLE_HEADER_BLOCK = /^(?:[\x21-\x39\x3b-\x7e]+:[^\n]*\n|[ \t][^\n]*\n)*\n/;
const selectedHeaderPatterns = new WeakMap<ReadonlySet<string>, RegExp>();

/**
 * The values of the headers named in `only` (lower case), by name in order of appearance, as the
 * full email walk would find them; null when the document is not of the usual shape.
 */
export function selectedSimpleHeaders(text: string, only: ReadonlySet<string>): Map<string, string[]> | null {
  if (text.includes("\r")) return null;
  const block = SIMPLE_HEADER_BLOCK.exec(text);
  // A JavaScript `^` also starts a line after U+2028 and U+2029, which Python's parser does not.
  if (block === null || /[\u2028\u2029]/.test(block[0])) return null;
  let pattern = selectedHeaderPatterns.get(only);
  if (pattern === undefined) {
    const names = [...only].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
    // A value runs on over continuation lines; leading blanks after the colon are not part of it.
    pattern = new RegExp(`^(${names}):[ \\t]*([^\\n]*(?:\\n[ \\t][^\\n]*)*)`, "gim");
    selectedHeaderPatterns.set(only, pattern);
  }
  const headers = block[0];
  const found = new Map<string, string[]>();
  pattern.lastIndex = 0;
  for (let match = pattern.exec(headers); match !== null; match = pattern.exec(headers))
    addHeader(found, match[1].toLowerCase(), match[2]);
  return found;
}
