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
    const unsized = file("b-2.0.tar.gz", null);
    const received = new Map([
      [file("a-1.0-py3-none-any.whl", 1000), 250],
      [unsized, 3 * 1048576],
    ]);
    const lines = progressLines(
      { finished: 1, started: 3, bytes: 2 * 1048576, expected: 8 * 1048576, received },
      200,
    );
    assert.deepEqual(lines, [
      "Downloading 1/3 files [#######.............] 2.0 MiB",
      "  [#####...............]  25% a-1.0-py3-none-any.whl",
      "  [                    ] 3.0 MiB b-2.0.tar.gz",
    ]);
    // Once every file in flight has a size, the overall bar counts bytes.
    received.delete(unsized);
    const sized = progressLines(
      { finished: 1, started: 3, bytes: 2 * 1048576, expected: 8 * 1048576, received },
      200,
    );
    assert.equal(sized[0], "Downloading 1/3 files [#####...............] 2.0 MiB of 8.0 MiB");
  });

  it("fills a file's bar from the size its response gave, when the index gave none", () => {
    const unsized = file("c-3.0-py3-none-any.whl", null);
    const lines = progressLines(
      {
        finished: 0,
        started: 1,
        bytes: 1024,
        expected: 4096,
        received: new Map([[unsized, 1024]]),
        sizes: new Map([[unsized, 4096]]),
      },
      200,
    );
    assert.deepEqual(lines, [
      "Downloading 0/1 files [#####...............] 0.0 MiB of 0.0 MiB",
      "  [#####...............]  25% c-3.0-py3-none-any.whl",
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
