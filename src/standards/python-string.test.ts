import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pyRepr } from "./python-string.ts";

describe("pyRepr", () => {
  it("quotes as Python 3.11's repr() does", () => {
    // Each expected value printed by Python's repr() of the input.
    const cases: Array<[string, string]> = [
      ["plain", "'plain'"],
      ["it's", `"it's"`],
      ['a"b', `'a"b'`],
      [`both ' and "`, `'both \\' and "'`],
      ["back\\slash", "'back\\\\slash'"],
      ["new\nline\ttab", "'new\\nline\\ttab'"],
    ];
    for (const [input, expected] of cases) assert.equal(pyRepr(input), expected, input);
  });
});
