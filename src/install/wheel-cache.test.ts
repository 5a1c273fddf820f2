import assert from "node:assert/strict";
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type CachedFile,
  checkedEntry,
  manifestFileText,
  readManifest,
  spareTreeOf,
  type WheelManifest,
  withLibFile,
} from "./wheel-cache.ts";

const entry = mkdtempSync(join(tmpdir(), "spice-manifest-"));
after(() => rmSync(entry, { recursive: true, force: true }));

/** demo 1.0's manifest, of these files grouped as `libDirectories` says. */
function demoManifest(files: CachedFile[], libDirectories: Array<[string, number[]]>): WheelManifest {
  return {
    format: 4,
    filename: "demo-1.0-py3-none-any.whl",
    sha256: "0".repeat(64),
    distInfo: "demo-1.0.dist-info",
    rootIsPurelib: true,
    name: "demo",
    version: "1.0",
    tags: ["py3-none-any"],
    files,
    libDirectories,
  };
}

/** readManifest of a manifest whose files have these paths, grouped as `libDirectories` says. */
function read(paths: string[], libDirectories: Array<[string, number[]]>): WheelManifest | null {
  const files = paths.map((path) => ({ path, hash: "sha256=x", size: 0, executable: false, mtimeMs: 0 }));
  writeFileSync(join(entry, "manifest.json"), manifestFileText(demoManifest(files, libDirectories)));
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

describe("checkedEntry and withLibFile", () => {
  /** An entry of two lib files and a script (not a lib file), with a spare tree of hard links. */
  function entryWithTree(): { directory: string; manifest: WheelManifest } {
    const directory = mkdtempSync(join(entry, "entry-"));
    const contents = ["VALUE = 1\n", "Name: demo\n", "#!python\n"];
    const paths = ["demo.py", "demo-1.0.dist-info/METADATA", "demo-1.0.data/scripts/demo"];
    mkdirSync(join(directory, "files"));
    const files = contents.map((content, index) => {
      const stored = join(directory, "files", String(index));
      writeFileSync(stored, content);
      const { size, mtimeMs } = lstatSync(stored);
      return { path: paths[index], hash: "sha256=x", size, executable: false, mtimeMs };
    });
    const manifest = demoManifest(files, [
      ["", [0]],
      ["demo-1.0.dist-info", [1]],
    ]);
    const tree = spareTreeOf(directory);
    mkdirSync(join(tree, "demo-1.0.dist-info"), { recursive: true });
    linkSync(join(directory, "files", "0"), join(tree, "demo.py"));
    linkSync(join(directory, "files", "1"), join(tree, "demo-1.0.dist-info", "METADATA"));
    writeFileSync(join(tree, "demo-1.0.dist-info", "INSTALLER"), "spice\n");
    return { directory, manifest };
  }
  const read = (manifest: WheelManifest, directory: string, tree: string | undefined, index: number) =>
    withLibFile(manifest, join(directory, "files"), tree, index, (path) => readFileSync(path, "utf8"));

  it("checks an entry's lib files through its spare tree, and takes them from there", () => {
    const { directory, manifest } = entryWithTree();
    assert.equal(checkedEntry(directory, manifest), "spare tree");
    // The entry's own copy replaced by another file: what was checked is what is taken.
    writeFileSync(join(directory, "files", "0.new"), "VALUE = 'not the wheel'\n");
    renameSync(join(directory, "files", "0.new"), join(directory, "files", "0"));
    assert.equal(checkedEntry(directory, manifest), "spare tree");
    assert.equal(read(manifest, directory, spareTreeOf(directory), 0), "VALUE = 1\n");
    // Gone from under the install (another claimed the tree): the entry's copy is checked first.
    renameSync(spareTreeOf(directory), join(directory, "claimed"));
    assert.throws(() => read(manifest, directory, spareTreeOf(directory), 0), /changed while in use/);
    assert.equal(read(manifest, directory, spareTreeOf(directory), 1), "Name: demo\n");
    assert.equal(checkedEntry(directory, manifest), null, "unpacked again");
  });

  it("discards a spare tree that lost a file or holds another, and checks the entry's own files", () => {
    for (const damage of [
      "delete",
      "replace",
      "file for directory",
      "INSTALLER",
      "INSTALLER of spice's size",
    ]) {
      const { directory, manifest } = entryWithTree();
      const tree = spareTreeOf(directory);
      if (damage === "delete") rmSync(join(tree, "demo.py"));
      if (damage === "replace") {
        writeFileSync(join(tree, "demo.py.new"), "VALUE = 2\n");
        renameSync(join(tree, "demo.py.new"), join(tree, "demo.py"));
      }
      if (damage === "file for directory") {
        rmSync(join(tree, "demo-1.0.dist-info"), { recursive: true });
        writeFileSync(join(tree, "demo-1.0.dist-info"), "");
      }
      if (damage === "INSTALLER") writeFileSync(join(tree, "demo-1.0.dist-info", "INSTALLER"), "pip\n");
      if (damage === "INSTALLER of spice's size")
        writeFileSync(join(tree, "demo-1.0.dist-info", "INSTALLER"), "spicf\n");
      assert.equal(checkedEntry(directory, manifest), "files", damage);
      assert.equal(existsSync(tree), false, damage);
      assert.equal(read(manifest, directory, undefined, 0), "VALUE = 1\n");
    }
  });

  it("finds an entry that lost a file not in its tree changed, whatever the tree holds", () => {
    const { directory, manifest } = entryWithTree();
    rmSync(join(directory, "files", "2"));
    assert.equal(checkedEntry(directory, manifest), null);
  });
});
