import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { manifestFileText, readManifest, type WheelManifest } from "./wheel-cache.ts";

const entry = mkdtempSync(join(tmpdir(), "spice-manifest-"));
after(() => rmSync(entry, { recursive: true, force: true }));

/** readManifest of a manifest whose files have these paths, grouped as `libDirectories` says. */
function read(paths: string[], libDirectories: Array<[string, number[]]>): WheelManifest | null {
  const manifest: WheelManifest = {
    format: 4,
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
  writeFileSync(join(entry, "manifest.json"), manifestFileText(manifest));
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

  it("refuses one whose bytes are not as written (found by fuzzing spice's cache)", () => {
    assert.ok(read(["demo.py"], [["", [0]]]));
    const path = join(entry, "manifest.json");
    const text = readFileSync(path, "utf8");
    // Still valid JSON, and a plain name: only the checksum tells that the file would be misnamed.
    writeFileSync(path, text.replace('"demo.py"', '"demn.py"'));
    assert.equal(readManifest(entry), null);
    writeFileSync(path, text.slice(text.indexOf("\n") + 1));
    assert.equal(readManifest(entry), null, "a manifest without its checksum");
  });
});
