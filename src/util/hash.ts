import { closeSync, openSync, readSync } from "node:fs";
import { nodeCrypto } from "./lazy-builtins.ts";
import { sha256 } from "./sha256.ts";

export function sha256Hex(data: Uint8Array | string): string {
  return nodeCrypto().createHash("sha256").update(data).digest("hex");
}

/**
 * A 64-bit checksum (16 hex digits) that spice stores beside what it writes into its cache, to
 * detect damage on disk: it is no defence against someone who may write the cache. Written by
 * hand because it runs on every warm install and compile: about 1 ms a megabyte, where sha256
 * would first load node:crypto (3-5 ms), or take 60 ms a megabyte in JavaScript (sha256.ts).
 */
export function damageChecksum(data: Uint8Array | string): string {
  let bytes = typeof data === "string" ? Buffer.from(data) : data;
  // Read as 32-bit words, which must be aligned (a small Buffer may sit anywhere in its pool).
  if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  // Two lanes of FNV-style multiply-and-mix, seeded with the length.
  let first = 0x811c9dc5 ^ bytes.length;
  let second = 0x01000193;
  for (let index = 0; index < words.length; index++) {
    const word = words[index];
    first = Math.imul(first ^ word, 0x01000193);
    second = Math.imul(second + word, 0x5bd1e995) ^ (second >>> 15);
  }
  for (let index = words.length << 2; index < bytes.length; index++)
    first = Math.imul(first ^ bytes[index], 0x01000193);
  return (first >>> 0).toString(16).padStart(8, "0") + (second >>> 0).toString(16).padStart(8, "0");
}

/** `text` as spice keeps it in its cache: its damageChecksum, a newline, then the text. */
export function withDamageChecksum(text: string): string {
  return `${damageChecksum(text)}\n${text}`;
}

/** The text withDamageChecksum stored in `data`, or null when the bytes are not as written. */
export function checkedText(data: Buffer): string | null {
  if (data[16] !== 10 || data.toString("latin1", 0, 16) !== damageChecksum(data.subarray(17))) return null;
  return data.toString("utf8", 17);
}

/** Below this size, hashing in JavaScript beats loading node:crypto (sha256.ts). */
const SMALL_INPUT = 16 * 1024;

/** RECORD's hash form (PEP 376/627): `sha256=` and the urlsafe base64 digest without padding. */
export function recordHash(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  if (bytes.length <= SMALL_INPUT) return `sha256=${Buffer.from(sha256(bytes).buffer).toString("base64url")}`;
  return `sha256=${nodeCrypto().createHash("sha256").update(bytes).digest("base64url")}`;
}

/** Parses `algorithm=urlsafe-b64` from RECORD into [algorithm, hex]. */
export function parseRecordHash(text: string): [string, string] | null {
  const equals = text.indexOf("=");
  if (equals <= 0) return null;
  const algorithm = text.slice(0, equals);
  const digest = Buffer.from(text.slice(equals + 1), "base64url");
  return [algorithm, digest.toString("hex")];
}

export function digestHex(algorithm: string, data: Uint8Array): string | null {
  try {
    return nodeCrypto().createHash(algorithm).update(data).digest("hex");
  } catch {
    return null;
  }
}

/** A file's digest in hex, read 1 MiB at a time (a wheel can be larger than memory allows twice). */
export function fileDigestHex(algorithm: string, path: string): string {
  const hash = nodeCrypto().createHash(algorithm);
  const descriptor = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let read = readSync(descriptor, buffer); read > 0; read = readSync(descriptor, buffer))
      hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(descriptor);
  }
  return hash.digest("hex");
}
