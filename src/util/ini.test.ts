import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IniSyntaxError, parseIni } from "./ini.ts";

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
    // [DEFAULT] is no section: its values are under every other one, which may override them.
    const defaults = parseIni("[DEFAULT]\nx = 1\ny = 1\n[s]\ny = 2\n");
    assert.deepEqual([...defaults.keys()], ["s"]);
    assert.deepEqual(Object.fromEntries(defaults.get("s") ?? []), { x: "1", y: "2" });
  });

  it("keeps blank lines inside a continued value and drops trailing ones", () => {
    // What Python's configparser gives for the same text: 'one\ntwo\n\nthree', 'x'.
    const sections = parseIni("[a]\nk = one\n  two\n\n  three\n\n\nother = x\n  # a comment\n");
    assert.equal(sections.get("a")?.get("k"), "one\ntwo\n\nthree");
    assert.equal(sections.get("a")?.get("other"), "x");
  });

  it("continues a value only with lines indented further than its key, as configparser", () => {
    const sections = parseIni("[s]\n  x = 1\n  y = 2\n    more\n");
    assert.deepEqual(Object.fromEntries(sections.get("s") ?? []), { x: "1", y: "2\nmore" });
    // Past a line that does not parse, a deeper line still continues the key before it.
    assert.equal(parseIni("[s]\nk = 1\nbogus\n  more\n").get("s")?.get("k"), "1\nmore");
    // A header is read up to its last `]`, whatever follows, and indented or not.
    assert.deepEqual([...parseIni("  [global] # note\nx = 1\n[a]b]\n").keys()], ["global", "a]b"]);
  });

  it("refuses, when strict, what configparser refuses (pip then refuses the file)", () => {
    // Each as Python 3.11's RawConfigParser reads it: the line it names, or no error.
    const cases: Array<[string, number | null]> = [
      ["index-url = x\n[global]\n", 1],
      ["[global]\nindex-url = x\nfoo\n", 3],
      ["[global\nx=1\n", 1],
      ["[]\nx=1\n", 1],
      ["[global]\nx=1\n[global]\ny=2\n", 3],
      ["[global]\nX=1\nx=2\n", 3],
      ["[s]\n= 1\n", 2],
      // Twice without a key: the duplicate stops it at once, before the unparsed line is said.
      ["[s]\n= 1\n= 2\n", 3],
      ["[s]\nindex_url=1\nindex-url=2\n", null],
      ["[S]\nx=1\n[s]\ny=1\n", null],
      ["[s]\na: b = c\n", null],
      ["# comment\n\n[s]\nx = 1\n  ; indented comment\n  more\n", null],
    ];
    for (const [text, line] of cases) {
      let thrown: unknown = null;
      try {
        parseIni(text, true);
      } catch (error) {
        thrown = error;
      }
      if (line === null) assert.equal(thrown, null, text);
      else {
        assert.ok(thrown instanceof IniSyntaxError, text);
        assert.equal(thrown.line, line, text);
      }
      // Not strict (PEP 668's marker), the same text reads without an error.
      parseIni(text);
    }
  });
});
