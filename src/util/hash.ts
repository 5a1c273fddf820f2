import { closeSync, openSync, readSync } from "node:fs";
import { nodeCrypto, nodeZlib } from "./lazy-builtins.ts";
import { sha256 } from "./sha256.ts";

export function sha256Hex(data: Uint8Array | string): string {
  return nodeCrypto().createHash("sha256").update(data).digest("hex");
}

/**
 * A CRC-32 (8 hex digits) that spice stores beside what it writes into its cache, to detect
 * damage on disk, as zip and gzip do: it is no defence against someone who may write the cache.
 * It runs on every warm install and compile, over about 20 KB of manifest per wheel, in a process
 * whose JavaScript V8 has not optimized yet: a hand-written 64-bit checksum took 8 ms over trio's
 * 33 manifests (650 KB) in a fresh process, interpreted until V8 optimized it mid-way; zlib's
 * native CRC-32 takes 0.5 ms after the 1.5 ms node:zlib costs to load. Small inputs (an
 * interpreter's inspection, read by nearly every command) are checked here in JavaScript, which
 * costs less than loading zlib; the result is the same CRC-32 either way.
 */
export function damageChecksum(data: Uint8Array | string): string {
  const size = typeof data === "string" ? data.length * 3 : data.length;
  return size <= SMALL_CHECKSUM_INPUT ? crc32Hex(data) : hex8(nodeZlib().crc32(data));
}

/**
 * The same CRC-32 in JavaScript whatever the size, for a key worked out once in a command that
 * may need nothing of node:zlib: a resolution's tag list (about 37 KB) took 1.2 ms here, where
 * loading zlib (and the streams it loads) took 5 ms of a warm resolve.
 */
export function crc32Hex(data: Uint8Array | string): string {
  return hex8(crc32(typeof data === "string" ? Buffer.from(data) : data));
}

function hex8(crc: number): string {
  return crc.toString(16).padStart(8, "0");
}

/** Up to this many bytes, CRC-32 in JavaScript beats loading node:zlib. */
const SMALL_CHECKSUM_INPUT = 16 * 1024;

let crcTable: Int32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected, as zlib computes it), one byte at a time through a table. */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Int32Array(256);
    for (let byte = 0; byte < 256; byte++) {
      let value = byte;
      for (let bit = 0; bit < 8; bit++) value = value & 1 ? (value >>> 1) ^ 0xedb88320 : value >>> 1;
      crcTable[byte] = value;
    }
  }
  const table = crcTable;
  let crc = -1;
  for (let index = 0; index < bytes.length; index++) crc = table[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** `text` as spice keeps it in its cache: its damageChecksum, a newline, then the text. */
export function withDamageChecksum(text: string): string {
  return `${damageChecksum(text)}\n${text}`;
}

/** The text withDamageChecksum stored in `data`, or null when the bytes are not as written. */
export function checkedText(data: Buffer): string | null {
  if (data[8] !== 10 || data.toString("latin1", 0, 8) !== damageChecksum(data.subarray(9))) return null;
  return data.toString("utf8", 9);
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
