import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crc32 as crc32Native } from "node:zlib";
import { checkedText, crc32, damageChecksum, withDamageChecksum } from "./hash.ts";

describe("damageChecksum", () => {
  it("is CRC-32 (IEEE), as zip and gzip write it, over text as UTF-8", () => {
    assert.equal(damageChecksum(""), "00000000");
    assert.equal(damageChecksum("123456789"), "cbf43926"); // the standard check value
    assert.equal(damageChecksum("é"), damageChecksum(Buffer.from("é")));
    // Bytes at any offset of a pooled buffer.
    const pool = Buffer.from("xx123456789");
    assert.equal(damageChecksum(pool.subarray(2)), "cbf43926");
  });
});

describe("crc32", () => {
  it("is zlib's CRC-32 at every length, on both sides of the size where damageChecksum switches to zlib", () => {
    let seed = 11;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const lengths = [
      ...Array.from({ length: 300 }, (_, index) => index),
      16 * 1024 - 1,
      16 * 1024,
      16 * 1024 + 1,
      40_000,
    ];
    for (const length of lengths) {
      const bytes = Buffer.alloc(length);
      for (let index = 0; index < length; index++) bytes[index] = random() & 0xff;
      assert.equal(crc32(bytes), crc32Native(bytes), `${length} bytes`);
      assert.equal(
        damageChecksum(bytes),
        crc32Native(bytes).toString(16).padStart(8, "0"),
        `${length} bytes`,
      );
      const text = `${bytes.toString("latin1").replace(/[^\x20-\x7e]/g, "é")}€😀`;
      assert.equal(
        damageChecksum(text),
        crc32Native(text).toString(16).padStart(8, "0"),
        `${length} characters`,
      );
    }
  });
});

describe("checkedText", () => {
  it("returns what withDamageChecksum stored, and null for any single damaged byte", () => {
    const text = '{"files":[{"path":"démo/__init__.py","size":12}]}';
    const stored = Buffer.from(withDamageChecksum(text));
    assert.equal(checkedText(stored), text);
    for (let index = 0; index < stored.length; index++) {
      const damaged = Buffer.from(stored);
      damaged[index] ^= 0x10;
      assert.equal(checkedText(damaged), null, `byte ${index}`);
    }
    assert.equal(checkedText(stored.subarray(0, stored.length - 1)), null);
    assert.equal(checkedText(Buffer.from("short")), null);
  });
});
