import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
