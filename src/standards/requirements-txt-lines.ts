// A requirements file's bytes to its logical lines, as pip 23.2 reads them: the file's encoding
// (a BOM, a PEP 263 coding line, else UTF-8; a fetched file as requests decodes it), Python's line
// splitting, `\` continuations, comments and `${VAR}` expansion.

import { pySplitLines, pyStrip } from "./python-string.ts";
import { RequirementsFileError } from "./requirements-txt-host.ts";

/** A fetched file's text as requests' detection reads it: a BOM, else UTF-8 when valid, else Latin-1. */
export function decodeFetched(bytes: Uint8Array): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return new TextDecoder("latin1").decode(body);
  }
}

/** pip's `auto_decode`: a BOM, else a PEP 263 coding line in the first two lines, else UTF-8. */
export function decodeRequirementsFile(bytes: Uint8Array, filename = "requirements file"): string {
  const startsWith = (prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);
  const decode = (encoding: string, offset: number): string => {
    try {
      return decodeBytes(bytes.subarray(offset), encoding);
    } catch (error) {
      throw new RequirementsFileError(
        "file",
        "UnicodeDecodeError",
        `${filename}: cannot decode as ${encoding}: ${(error as Error).message}`,
        filename,
      );
    }
  };
  if (startsWith([0xef, 0xbb, 0xbf])) return decode("utf-8", 3);
  if (startsWith([0xff, 0xfe, 0x00, 0x00])) return decode("utf-32le", 4);
  if (startsWith([0x00, 0x00, 0xfe, 0xff])) return decode("utf-32be", 4);
  if (startsWith([0xff, 0xfe])) return decode("utf-16le", 2);
  if (startsWith([0xfe, 0xff])) return decode("utf-16be", 2);
  const firstLines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length && firstLines.length < 2; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      firstLines.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  for (const line of firstLines) {
    if (line[0] !== 0x23) continue;
    const match = /coding[:=]\s*([-\w.]+)/.exec(Buffer.from(line).toString("latin1"));
    if (match) return decode(match[1], 0);
  }
  return decode("utf-8", 0);
}

function decodeBytes(bytes: Uint8Array, encoding: string): string {
  const normalized = encoding.toLowerCase().replaceAll("_", "-");
  if (["latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1"].includes(normalized)) {
    // Python's latin-1 maps every byte to the same code point (TextDecoder's "latin1" is cp1252).
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return text;
  }
  if (normalized === "utf-32le" || normalized === "utf-32be" || normalized === "utf-32") {
    if (bytes.length % 4 !== 0) throw new Error("truncated data");
    const little = normalized !== "utf-32be";
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let text = "";
    for (let i = 0; i < bytes.length; i += 4) text += String.fromCodePoint(view.getUint32(i, little));
    return text;
  }
  return new TextDecoder(normalized === "utf8" ? "utf-8" : normalized, { fatal: true }).decode(bytes);
}

// A comment starts at the line start or after whitespace (Python's `\s`).
const COMMENT =
  /(^|[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)#.*$/;
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

function isCommentLine(line: string): boolean {
  const match = COMMENT.exec(line);
  return match !== null && match.index === 0;
}

/** Line splitting, continuation joining, comment stripping and `${VAR}` expansion, as pip does. */
export function preprocess(
  content: string,
  env: Readonly<Record<string, string | undefined>>,
): Array<[number, string]> {
  const joined: Array<[number, string]> = [];
  let pending: string[] = [];
  let pendingLine = 0;
  pySplitLines(content).forEach((original, index) => {
    let line = original;
    const lineNumber = index + 1;
    if (!line.endsWith("\\") || isCommentLine(line)) {
      if (isCommentLine(line)) line = ` ${line}`;
      if (pending.length > 0) {
        pending.push(line);
        joined.push([pendingLine, pending.join("")]);
        pending = [];
      } else {
        joined.push([lineNumber, line]);
      }
    } else {
      if (pending.length === 0) pendingLine = lineNumber;
      pending.push(line.replace(/^\\+|\\+$/g, ""));
    }
  });
  if (pending.length > 0) joined.push([pendingLine, pending.join("")]);

  const result: Array<[number, string]> = [];
  for (const [lineNumber, raw] of joined) {
    const line = pyStrip(raw.replace(COMMENT, ""));
    if (!line) continue;
    let expanded = line;
    for (const match of line.matchAll(ENV_VAR)) {
      const value = env[match[1]];
      if (value) expanded = expanded.replaceAll(match[0], value);
    }
    result.push([lineNumber, expanded]);
  }
  return result;
}
