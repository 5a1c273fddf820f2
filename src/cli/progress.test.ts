import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { indexFile } from "../index/test-fixtures.ts";
import { bar, progressLines } from "./progress.ts";

function file(filename: string, size: number | null) {
  return indexFile(filename, { size });
}

describe("download progress", () => {
  it("draws bars for the whole download and for each file in flight", () => {
    assert.equal(bar(0.5), "[##########..........]");
    assert.equal(bar(2), "[####################]");
    assert.equal(bar(null), "[                    ]");
    const received = new Map([
      [file("a-1.0-py3-none-any.whl", 1000), 250],
      [file("b-2.0.tar.gz", null), 3 * 1048576],
    ]);
    const lines = progressLines(
      { finished: 1, started: 3, bytes: 2 * 1048576, expected: 8 * 1048576, received },
      200,
    );
    assert.deepEqual(lines, [
      "Downloading 1/3 files [#####...............] 2.0 MiB of 8.0 MiB",
      "  [#####...............]  25% a-1.0-py3-none-any.whl",
      "  [                    ] 3.0 MiB b-2.0.tar.gz",
    ]);
  });

  it("counts files past the fourth and fits the terminal's width", () => {
    const received = new Map(
      Array.from({ length: 6 }, (_, index) => [file(`f${index}.whl`, 10), 5] as const),
    );
    const lines = progressLines({ finished: 0, started: 6, bytes: 30, expected: 60, received }, 30);
    assert.equal(lines.length, 6);
    assert.equal(lines[5], "  and 2 more");
    for (const line of lines) assert.ok(line.length <= 29, line);
  });
});
