import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpecifierSet } from "./specifier.ts";

const contains = (spec: string, version: string, prereleases: boolean | null = null) =>
  parseSpecifierSet(spec).contains(version, prereleases);

describe("specifiers", () => {
  it("applies each operator", () => {
    assert.equal(contains("~=2.2", "2.9"), true);
    assert.equal(contains("~=2.2", "3.0"), false);
    assert.equal(contains("==1.2.*", "1.2.7"), true);
    assert.equal(contains("!=1.2.*", "1.2.7"), false);
    assert.equal(contains("==1.0", "1.0+local"), true);
    assert.equal(contains("==1.0+local", "1.0"), false);
    assert.equal(contains(">1.0", "1.0.post1"), false);
    assert.equal(contains(">1.0.post1", "1.0.post2"), true);
    assert.equal(contains("<2.0", "2.0rc1", true), false);
    assert.equal(contains("===foobar", "FooBar"), true);
  });

  it("accepts a pre-release only when it is the only candidate or asked for", () => {
    assert.equal(contains(">=1.0", "2.0a1"), true);
    assert.equal(contains(">=1.0", "2.0a1", false), false);
    assert.deepEqual(parseSpecifierSet(">=1.0").filter(["1.5", "2.0a1"]), ["1.5"]);
    assert.deepEqual(parseSpecifierSet(">=1.0").filter(["2.0a1", "2.0b1"]), ["2.0a1", "2.0b1"]);
    assert.deepEqual(parseSpecifierSet(">=1.0a1").filter(["1.5", "2.0a1"]), ["1.5", "2.0a1"]);
  });

  it("prints sorted and de-duplicated, versions as written", () => {
    assert.equal(parseSpecifierSet(">=1.0, <2,>=1.0").toString(), "<2,>=1.0");
    assert.equal(parseSpecifierSet("==1.0,==1.0.0").toString(), "==1.0");
  });

  it("compares sets as packaging does: each specifier by its canonical form, in any order", () => {
    const equal = (a: string, b: string) => parseSpecifierSet(a).equals(parseSpecifierSet(b));
    assert.ok(equal("==1.0", "==1.0.0"));
    assert.ok(equal(">=1,<2", "<2.0,>=1.0"));
    assert.ok(equal("==1.*", "==1.*"));
    assert.ok(!equal("~=1.0", "~=1.0.0"), "~= keeps its trailing zero");
    assert.ok(!equal("==1.*", "==1.0.*"));
    assert.ok(!equal("===1.0", "===1.0.0"), "=== compares the text");
    assert.ok(!equal(">=1", ">=1,<2"));
  });

  it("detects unsatisfiable sets", () => {
    assert.equal(parseSpecifierSet(">=2,<1").isUnsatisfiable(), true);
    assert.equal(parseSpecifierSet("==1.0,!=1.0").isUnsatisfiable(), true);
    assert.equal(parseSpecifierSet("<1.0,>=1.0").isUnsatisfiable(), true);
    // packaging's ranges leave room between >1.0 and <=1.0.post0 (its boundaries are approximate).
    assert.equal(parseSpecifierSet(">1.0,<=1.0.post0").isUnsatisfiable(), false);
    assert.equal(parseSpecifierSet(">=1.0,<1.0.1").isUnsatisfiable(), false);
    assert.equal(parseSpecifierSet("===abc,===ABC").isUnsatisfiable(), false);
  });

  it("rejects malformed specifiers", () => {
    for (const text of ["=>1.0", "~=1", "==1.0.*.1", "<1.0+local", "1.0"]) {
      assert.throws(() => parseSpecifierSet(text), { name: "InvalidSpecifier" }, text);
    }
  });
});
