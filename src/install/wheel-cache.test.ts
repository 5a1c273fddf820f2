import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { readManifest, type WheelManifest } from "./wheel-cache.ts";

const entry = mkdtempSync(join(tmpdir(), "spice-manifest-"));
after(() => rmSync(entry, { recursive: true, force: true }));

/** readManifest of a manifest whose files have these paths, grouped as `libDirectories` says. */
function read(paths: string[], libDirectories: Array<[string, number[]]>): WheelManifest | null {
  const manifest = {
    format: 3,
    filename: "demo-1.0-py3-none-any.whl",
    sha256: "0".repeat(64),
    distInfo: "demo-1.0.dist-info",
    rootIsPurelib: true,
    name: "demo",
    version: "1.0",
    tags: ["py3-none-any"],
    files: paths.map((path) => ({ path, hash: "sha256=x", size: 0, executable: false, mtimeMs: 0 })),
    libDirectories,
  };
  writeFileSync(join(entry, "manifest.json"), JSON.stringify(manifest));
  return readManifest(entry);
}

describe("readManifest", () => {
  it("reads a manifest whose lib files sit directly in their directories", () => {
    const paths = ["demo.py", "demo/__init__.py", "demo/sub/x.py", "demo-1.0.dist-info/METADATA"];
    const manifest = read(paths, [
      ["", [0]],
      ["demo", [1]],
      ["demo-1.0.dist-info", [3]],
      ["demo/sub", [2]],
    ]);
    assert.equal(manifest?.files.length, 4);
  });

  it("refuses one whose lib files would lead outside their directory (the entry is rebuilt)", () => {
    const cases: Array<[string[], Array<[string, number[]]>]> = [
      [["demo/../../x.py"], [["demo", [0]]]],
      [["demo/sub/x.py"], [["demo", [0]]]],
      [["other/x.py"], [["demo", [0]]]],
      [["demox.py"], [["demo", [0]]]],
      [["demo/.."], [["demo", [0]]]],
      [[".."], [["", [0]]]],
      [["."], [["", [0]]]],
      [["/etc/x"], [["", [0]]]],
      [["../x/y.py"], [["../x", [0]]]],
      [["demo/x.py"], [["demo", [1]]]],
      [["demo/"], [["demo", [0]]]],
    ];
    for (const [paths, libDirectories] of cases)
      assert.equal(read(paths, libDirectories), null, JSON.stringify([paths, libDirectories]));
  });
});
