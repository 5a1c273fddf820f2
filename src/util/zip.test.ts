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

  it("refuse a central directory entry whose name, extra field or comment runs past it (found by fuzzing)", () => {
    const zip = createZip([{ name: "pkg/__init__.py", data: Buffer.from("x = 1\n") }]);
    const central = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    for (const [field, value] of [
      [28, 0xfff0], // name length
      [30, 0x7000], // extra field length
      [32, 0x7000], // comment length
    ] as const) {
      const damaged = Buffer.from(zip);
      damaged.writeUInt16LE(value, central + field);
      assert.throws(() => new ZipArchive(damaged), ZipError, `field at ${field}`);
    }
    // An extra field whose own length runs past the entry's extra field.
    const extra = Buffer.from(zip);
    const nameLength = extra.readUInt16LE(central + 28);
    const withExtra = Buffer.concat([
      extra.subarray(0, central + 46 + nameLength),
      Buffer.from([0x01, 0x00, 0x40, 0x00]), // zip64 extra, said to be 64 bytes, given 0
      extra.subarray(central + 46 + nameLength),
    ]);
    withExtra.writeUInt16LE(4, central + 30);
    // The end record's directory size grows by the 4 bytes added.
    const end = withExtra.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    withExtra.writeUInt32LE(withExtra.readUInt32LE(end + 12) + 4, end + 12);
    assert.throws(() => new ZipArchive(withExtra), ZipError);
  });
});
