import { closeSync, openSync, readSync } from "node:fs";
import { nodeCrypto } from "./lazy-builtins.ts";
import { sha256 } from "./sha256.ts";

export function sha256Hex(data: Uint8Array | string): string {
  return nodeCrypto().createHash("sha256").update(data).digest("hex");
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
