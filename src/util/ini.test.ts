import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIni } from "./ini.ts";

describe("INI files as configparser reads them", () => {
  it("reads sections, both separators, lower-cased keys and comments", () => {
    const sections = parseIni(
      "# top\n[global]\nIndex-URL = https://a/simple\ntimeout: 30\n; note\n[install]\nno_deps=yes\n",
    );
    assert.deepEqual(Object.fromEntries(sections.get("global") ?? []), {
      "index-url": "https://a/simple",
      timeout: "30",
    });
    assert.deepEqual(Object.fromEntries(sections.get("install") ?? []), { no_deps: "yes" });
  });

  it("keeps blank lines inside a continued value and drops trailing ones", () => {
    // What Python's configparser gives for the same text: 'one\ntwo\n\nthree', 'x'.
    const sections = parseIni("[a]\nk = one\n  two\n\n  three\n\n\nother = x\n  # a comment\n");
    assert.equal(sections.get("a")?.get("k"), "one\ntwo\n\nthree");
    assert.equal(sections.get("a")?.get("other"), "x");
  });
});
