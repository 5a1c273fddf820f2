import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { recordHash } from "./hash.ts";
import { sha256 } from "./sha256.ts";

const expected = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");
const actual = (data: Uint8Array) => Buffer.from(sha256(data)).toString("hex");

describe("sha256", () => {
  it("matches FIPS 180-4's examples", () => {
    assert.equal(
      actual(Buffer.from("abc")),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    assert.equal(actual(Buffer.from("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("matches node:crypto at every length around the block and padding boundaries, and beyond", () => {
    for (let length = 0; length <= 300; length++) {
      const data = randomBytes(length);
      assert.equal(actual(data), expected(data), `length ${length}`);
    }
    for (const length of [1000, 4095, 4096, 65_536, 1_000_003]) {
      const data = randomBytes(length);
      assert.equal(actual(data), expected(data), `length ${length}`);
    }
    // A view into a larger buffer hashes only its own bytes.
    const backing = randomBytes(200);
    const view = backing.subarray(13, 150);
    assert.equal(actual(view), expected(view));
  });

  it("gives RECORD's form on both sides of the size where node:crypto takes over", () => {
    for (const length of [0, 6, 16 * 1024, 16 * 1024 + 1, 100_000]) {
      const data = randomBytes(length);
      assert.equal(recordHash(data), `sha256=${createHash("sha256").update(data).digest("base64url")}`);
    }
    assert.equal(recordHash("spice\n"), recordHash(Buffer.from("spice\n")));
  });
});
