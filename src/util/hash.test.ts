import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { damageChecksum } from "./hash.ts";

/** The checksum as first written: over a copy aligned for an Int32Array (little-endian here). */
function reference(data: Uint8Array | string): string {
  let bytes = typeof data === "string" ? Buffer.from(data) : data;
  if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let first = 0x811c9dc5 ^ bytes.length;
  let second = 0x01000193;
  for (const word of words) {
    first = Math.imul(first ^ word, 0x01000193);
    second = Math.imul(second + word, 0x5bd1e995) ^ (second >>> 15);
  }
  for (let index = words.length << 2; index < bytes.length; index++)
    first = Math.imul(first ^ bytes[index], 0x01000193);
  return (first >>> 0).toString(16).padStart(8, "0") + (second >>> 0).toString(16).padStart(8, "0");
}

describe("damageChecksum", () => {
  it("gives what caches already hold, for text and bytes at any alignment", () => {
    // Pinned: entries written by earlier versions must still check.
    assert.equal(damageChecksum(""), "811c9dc501000193");
    assert.equal(damageChecksum("spice"), reference("spice"));
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const pool = Buffer.alloc(4096);
    for (let round = 0; round < 400; round++) {
      const length = random() % 300;
      const offset = random() % 4;
      const bytes = pool.subarray(offset, offset + length);
      for (let index = 0; index < length; index++) bytes[index] = random() & 0xff;
      assert.equal(damageChecksum(bytes), reference(bytes), `${length} bytes at ${offset}`);
      const ascii = bytes.toString("latin1").replace(/[^\x20-\x7e]/g, "x");
      assert.equal(damageChecksum(ascii), reference(ascii));
      const text = `${ascii.slice(0, length >> 1)}é€😀${ascii.slice(length >> 1)}`;
      assert.equal(damageChecksum(text), reference(text));
    }
  });
});
