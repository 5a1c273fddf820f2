import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalizeVersion, compareVersions, parseVersion, tryParseVersion } from "./version.ts";

describe("PEP 440 versions", () => {
  it("normalizes every spelling the spec allows", () => {
    const cases: Array<[string, string]> = [
      ["1.0", "1.0"],
      ["v1.0", "1.0"],
      ["1.0-alpha1", "1.0a1"],
      ["1.0.ALPHA.1", "1.0a1"],
      ["1.0c1", "1.0rc1"],
      ["1.0-preview-2", "1.0rc2"],
      ["1.0-1", "1.0.post1"],
      ["1.0.rev", "1.0.post0"],
      ["1.0-r-3", "1.0.post3"],
      ["1.0dev", "1.0.dev0"],
      ["1!2.0+Ubuntu-1", "1!2.0+ubuntu.1"],
      ["1.0+local.007", "1.0+local.7"],
      [" \x1c1.0\x85 ", "1.0"],
    ];
    for (const [input, normalized] of cases) assert.equal(parseVersion(input).toString(), normalized, input);
  });

  it("rejects what the grammar does not allow", () => {
    for (const input of ["", "1.", ".1", "1..0", "1.0+", "1.0+a..b", "1.0-", "\ufeff1.0", "1.0alp", "a1"]) {
      assert.equal(tryParseVersion(input), null, JSON.stringify(input));
    }
  });

  it("orders dev < pre < final < post and compares locals", () => {
    const ordered = [
      "1.0.dev0",
      "1.0a1.dev1",
      "1.0a1",
      "1.0b1",
      "1.0rc1",
      "1.0",
      "1.0+abc",
      "1.0+1",
      "1.0.post1.dev0",
      "1.0.post1",
      "1.1",
    ];
    for (let i = 0; i + 1 < ordered.length; i++) {
      assert.equal(
        compareVersions(parseVersion(ordered[i]), parseVersion(ordered[i + 1])),
        -1,
        `${ordered[i]} < ${ordered[i + 1]}`,
      );
    }
    assert.equal(compareVersions(parseVersion("1.0"), parseVersion("1.0.0")), 0);
    assert.equal(compareVersions(parseVersion("1.0+ABC"), parseVersion("1.0+abc")), 0);
  });

  it("keeps numbers beyond 2^53 exact", () => {
    const big = parseVersion("1.9007199254740993");
    assert.equal(big.release[1], 9007199254740993n);
    assert.equal(compareVersions(big, parseVersion("1.9007199254740992")), 1);
  });

  it("exposes the parts and canonical forms", () => {
    const version = parseVersion("2!1.2.0rc3.post4.dev5+x.1");
    assert.deepEqual(
      [version.epoch, version.release, version.pre, version.post, version.dev],
      [2, [1, 2, 0], ["rc", 3], 4, 5],
    );
    assert.equal(version.public, "2!1.2.0rc3.post4.dev5");
    assert.equal(version.baseVersion, "2!1.2.0");
    assert.equal(version.isPrerelease, true);
    assert.equal(canonicalizeVersion("1.0.0"), "1");
    assert.equal(canonicalizeVersion("not a version"), "not a version");
  });

  it("interns parses by string", () => {
    assert.equal(parseVersion("3.14.1"), parseVersion("3.14.1"));
  });
});
