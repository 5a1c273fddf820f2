import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRecord } from "./record.ts";
import { isSafeRelativePath } from "./wheel-file.ts";

describe("isSafeRelativePath", () => {
  it("accepts relative forward-slash paths that stay inside their root", () => {
    for (const path of ["ok.py", "pkg/mod.py", "a/./b", "a//b", "a/b/", "a/.../b", "a/..b/c", "..a", "1:x"])
      assert.equal(isSafeRelativePath(path), true, path);
  });

  it("refuses empty, absolute, drive, backslash, NUL and parent paths", () => {
    for (const path of [
      "",
      "/a",
      "C:x",
      "c:/x",
      "a\\b",
      "a\0b",
      "..",
      "../a",
      "a/..",
      "a/../b",
      "a/b/../../..",
    ])
      assert.equal(isSafeRelativePath(path), false, JSON.stringify(path));
  });
});

describe("parseRecord", () => {
  it("reads rows as Python's csv reader does, which pip reads RECORD with", () => {
    // Each line's fields as csv.reader gives them (Python 3.11).
    const cases: Array<[string, [string, string, string]]> = [
      ["a/b.py,sha256=x,12", ["a/b.py", "sha256=x", "12"]],
      ['"a,b.py",sha256=x,12', ["a,b.py", "sha256=x", "12"]],
      ['"say ""hi"".txt",,', ['say "hi".txt', "", ""]],
      ['a"b.py,sha256=x,1', ['a"b.py', "sha256=x", "1"]],
      ['"a"b.py,x', ["ab.py", "x", ""]],
      ['x,"",', ["x", "", ""]],
      ["a/RECORD,,", ["a/RECORD", "", ""]],
    ];
    for (const [line, row] of cases) assert.deepEqual(parseRecord(line), [row], line);
    assert.deepEqual(parseRecord("a,b,c\r\n\n  \nd,e,f\n").length, 2);
  });
});
