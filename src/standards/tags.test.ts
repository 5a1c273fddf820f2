import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSdistFilename, parseWheelFilename } from "./filename.ts";
import { bestRank, compatibleTags, cpythonTags, manylinuxPlatforms, parseTag, tagRanks } from "./tags.ts";

describe("tags and file names", () => {
  it("expands compressed tag sets and checks their order on request", () => {
    assert.deepEqual([...parseTag("py2.py3-none-any")].sort(), ["py2-none-any", "py3-none-any"]);
    assert.throws(() => parseTag("py3.py2-none-any", true), { name: "UnsortedTagsError" });
  });

  it("parses wheel and sdist names", () => {
    const wheel = parseWheelFilename(
      "Foo.Bar-1.0-1abc-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    );
    assert.equal(wheel.name, "foo-bar");
    assert.deepEqual(wheel.build, [1, "abc"]);
    assert.equal(wheel.tags.size, 2);
    assert.throws(() => parseWheelFilename("foo__bar-1.0-py3-none-any.whl"), {
      name: "InvalidWheelFilename",
    });
    assert.throws(() => parseWheelFilename("foo-1.0-x-py3-none-any.whl"), { name: "InvalidWheelFilename" });
    assert.equal(parseSdistFilename("my-pkg-2.0.tar.gz").version.toString(), "2.0");
  });

  it("generates supported tags in priority order and ranks wheels", () => {
    const platforms = manylinuxPlatforms([2, 17], ["x86_64"]).concat("linux_x86_64");
    assert.equal(platforms[0], "manylinux_2_17_x86_64");
    assert.equal(platforms[1], "manylinux2014_x86_64");
    const supported = [
      ...cpythonTags([3, 11], ["cp311"], platforms),
      ...compatibleTags([3, 11], "cp311", platforms),
    ];
    assert.equal(supported[0], "cp311-cp311-manylinux_2_17_x86_64");
    const ranks = tagRanks(supported);
    const native = bestRank(parseWheelFilename("x-1-cp311-cp311-manylinux2014_x86_64.whl").tags, ranks);
    const pure = bestRank(parseWheelFilename("x-1-py3-none-any.whl").tags, ranks);
    assert.ok(native >= 0 && pure > native);
    assert.equal(bestRank(parseWheelFilename("x-1-cp311-cp311-win_amd64.whl").tags, ranks), -1);
  });
});
