import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { createZip, ZipArchive, ZipError } from "./zip.ts";

describe("zip members", () => {
  it("inflate at every size, across zlib's output chunks", () => {
    const contents = [0, 1, 63, 64, 65, 16_383, 16_384, 16_385, 200_000].map((size) =>
      // half random (incompressible), half repeated (compressible)
      Buffer.concat([randomBytes(size >> 1), Buffer.alloc(size - (size >> 1), 7)]),
    );
    const archive = new ZipArchive(createZip(contents.map((data, index) => ({ name: `m${index}`, data }))));
    for (const [index, data] of contents.entries()) {
      assert.deepEqual(archive.read(archive.get(`m${index}`)!), data, `member of ${data.length} bytes`);
    }
  });

  it("refuse a member that inflates to another size than the directory says", () => {
    const data = Buffer.alloc(100_000, 1);
    for (const stated of [99_999, 100_001, 10]) {
      const archive = new ZipArchive(createZip([{ name: "m", data }]));
      const entry = { ...archive.get("m")!, size: stated };
      assert.throws(() => archive.read(entry), ZipError, `stated ${stated}`);
    }
  });
});
