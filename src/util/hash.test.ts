import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkedText, damageChecksum, withDamageChecksum } from "./hash.ts";

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
