import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { temporaryDirectory } from "../../test/helpers.ts";
import { codeCacheChecksum, readCodeCache, readLatin1, writeCodeCache } from "./code-cache.ts";

const work = temporaryDirectory();
after(() => work.remove());

/** The rule the WebAssembly module's comment states, written out in JavaScript. */
function referenceChecksum(data: Uint8Array): bigint {
  const padded = new Uint8Array((data.length + 15) & ~15);
  padded.set(data);
  const words = new DataView(padded.buffer);
  const lanes = [0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35].map((constant) => constant ^ data.length);
  for (let at = 0; at < padded.length; at += 16) {
    for (let lane = 0; lane < 4; lane++) {
      const mixed = Math.imul(lanes[lane] ^ words.getInt32(at + lane * 4, true), 0x01000193);
      lanes[lane] = mixed ^ (mixed >>> 15);
    }
  }
  const pair = (low: number, high: number) => (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  return BigInt.asIntN(64, pair(lanes[0], lanes[1]) ^ pair(lanes[2], lanes[3]));
}

describe("code cache checksums", () => {
  it("compute what the module's text says, at every length", () => {
    for (let length = 0; length <= 70; length++) {
      const data = randomBytes(length);
      assert.equal(codeCacheChecksum(data), referenceChecksum(data), `length ${length}`);
    }
    const large = randomBytes(300_001);
    assert.equal(codeCacheChecksum(large), referenceChecksum(large));
    // After a large input, a small one is not mixed with what the memory still holds.
    const small = randomBytes(20);
    assert.equal(codeCacheChecksum(small), referenceChecksum(small));
  });

  it("change with any one flipped bit, and with the length", () => {
    // What the module guarantees: any change within one word changes the sum. Two different
    // damages may share a sum (a flip of bit 31 in lanes 1 and 3 of one block did, in 3% of
    // random inputs; this test once asked all 320 variants to differ, and so failed that often).
    const data = randomBytes(40);
    const original = codeCacheChecksum(data);
    for (let bit = 0; bit < data.length * 8; bit++) {
      const flipped = Buffer.from(data);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      assert.notEqual(codeCacheChecksum(flipped), original, `bit ${bit}`);
    }
    // Two flips of the same bit in two words of one lane: a multiplication alone cancels them.
    const twice = Buffer.from(data);
    twice[3] ^= 0x80;
    twice[19] ^= 0x80;
    assert.notEqual(codeCacheChecksum(twice), codeCacheChecksum(data));
    assert.notEqual(codeCacheChecksum(new Uint8Array(16)), codeCacheChecksum(new Uint8Array(15)));
  });
});

describe("code cache files", () => {
  it("read a bundle's source as readFileSync reads Latin-1, which a code cache read after leaves alone", () => {
    const source = join(work.path, "bundle.cjs");
    const bytes = Buffer.concat([
      Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)),
      randomBytes(200_000),
    ]);
    writeFileSync(source, bytes);
    const text = readLatin1(source);
    assert.equal(text, readFileSync(source, "latin1"));
    const cache = join(work.path, "code-v2", "latin1", "after.bin");
    assert.ok(writeCodeCache(cache, randomBytes(300_000), 1));
    assert.ok(readCodeCache(cache) !== undefined);
    assert.equal(text, bytes.toString("latin1"));
    const empty = join(work.path, "empty.cjs");
    writeFileSync(empty, "");
    assert.equal(readLatin1(empty), "");
    assert.throws(() => readLatin1(join(work.path, "missing.cjs")), { code: "ENOENT" });
  });

  it("read back what was written, and refuse (and remove) anything else", () => {
    const file = join(work.path, "code", "bundle-1", "help.bin");
    const data = randomBytes(100_000);
    writeCodeCache(file, data, 0x8001_0004);
    const read = readCodeCache(file);
    assert.deepEqual(Buffer.from(read?.data ?? []), data);
    assert.equal(read?.runKinds, 0x8001_0004, "the kinds of run it holds come back");
    const written = readFileSync(file);
    const damages: Array<[string, Buffer]> = [
      ["a flipped bit", Buffer.from(written).fill(written[777] ^ 4, 777, 778)],
      ["another kind of run", Buffer.from(written).fill(written[100_000] ^ 1, 100_000, 100_001)],
      ["cut short", written.subarray(0, written.length - 1)],
      ["only its checksum", written.subarray(-8)],
      ["empty", Buffer.alloc(0)],
    ];
    for (const [what, damaged] of damages) {
      writeFileSync(file, damaged);
      assert.equal(readCodeCache(file), undefined, what);
      assert.equal(existsSync(file), false, `${what}: removed`);
    }
    assert.equal(readCodeCache(join(work.path, "missing.bin")), undefined);
  });

  it("keep only the newest bundle's directory, and no temporary file a killed run left", () => {
    const older = join(work.path, "bucket", "bundle-1", "help.bin");
    const newer = join(work.path, "bucket", "bundle-2", "help.bin");
    writeCodeCache(older, randomBytes(64), 1);
    const abandoned = join(work.path, "bucket", ".tmp-help.bin-999999");
    const beingWritten = join(work.path, "bucket", ".tmp-list.bin-999998");
    writeFileSync(abandoned, "half");
    writeFileSync(beingWritten, "half");
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(abandoned, hourAgo, hourAgo);
    writeCodeCache(newer, randomBytes(64), 1);
    assert.equal(existsSync(older), false);
    assert.ok(readCodeCache(newer) !== undefined);
    assert.equal(existsSync(abandoned), false);
    assert.equal(existsSync(beingWritten), true);
  });
});
