import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scriptsOffPathWarning } from "./changes.ts";

describe("scriptsOffPathWarning", () => {
  it("names the scripts of each directory PATH does not reach, in pip's words", () => {
    const warning = scriptsOffPathWarning(
      ["/home/u/.local/bin/b", "/home/u/.local/bin/a", "/home/u/.local/bin/c", "/opt/x/bin/x", "/usr/bin/y"],
      "/usr/bin/:~/bin",
      "/usr/bin",
    );
    assert.equal(
      warning,
      [
        "The scripts a, b and c are installed in '/home/u/.local/bin' which is not on PATH.",
        "The script x is installed in '/opt/x/bin' which is not on PATH.",
        "Consider adding these directories to PATH or, if you prefer to suppress this warning, use --no-warn-script-location.",
        "NOTE: The current PATH contains path(s) starting with `~`, which may not be expanded by all applications.",
      ].join("\n"),
    );
  });

  it("says nothing for directories on PATH, written any way, or beside the interpreter", () => {
    assert.equal(scriptsOffPathWarning(["/a/bin/s", "/b/bin/t"], "/a//bin/", "/b/bin"), null);
    assert.equal(scriptsOffPathWarning([], "", "/usr/bin"), null);
  });
});
