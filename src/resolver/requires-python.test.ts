import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpecifierSet } from "../standards/specifier.ts";
import { admitsPython, lowerBounds, textAdmitsPython } from "./requires-python.ts";

describe("Requires-Python, read by its lower bound", () => {
  it("keeps lower bounds and drops upper bounds and exclusions", () => {
    const cases: Array<[string, string]> = [
      [">=3.8,<4", ">=3.8"],
      ["<=3.8", ""],
      ["==3.8.*", ">=3.8"],
      ["~=3.8", ">=3.8"],
      ["==3.8", ">=3.8"],
      [">=3.8,!=3.9.*", ">=3.8"],
      [">3.8", ">3.8"],
    ];
    for (const [written, read] of cases)
      assert.equal(lowerBounds(parseSpecifierSet(written)).toString(), read, written);
  });

  it("admits every Python at or above the lower bound, and none below", () => {
    const admits = (specifiers: string, python: string) =>
      admitsPython(parseSpecifierSet(specifiers), python);
    assert.equal(admits("<=3.8", "3.9.1"), true);
    assert.equal(admits(">=3.6,<3.9", "3.11.7"), true);
    assert.equal(admits(">=3.8,!=3.9.*", "3.9.1"), true);
    assert.equal(admits("==3.10.*", "3.11.7"), true);
    assert.equal(admits("==3.10.*", "3.9.18"), false);
    assert.equal(admits(">=3.9.4", "3.9.0"), false);
    assert.equal(admits(">=3.30", "3.13.0"), false);
    assert.equal(admits(">3.8", "3.8.0"), false);
  });

  it("admits every Python when an index's text does not parse, as pip ignores it", () => {
    assert.equal(textAdmitsPython(">=3.8,<4", "3.11.7"), true);
    assert.equal(textAdmitsPython(">=3.12", "3.11.7"), false);
    assert.equal(textAdmitsPython("not a specifier", "3.11.7"), true);
  });
});
