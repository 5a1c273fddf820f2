import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plural, someOf } from "./plural.ts";

describe("words for counts and lists", () => {
  it("counts in the singular only for one", () => {
    assert.equal(plural(1, "file"), "1 file");
    assert.equal(plural(0, "file"), "0 files");
    assert.equal(plural(3, "file"), "3 files");
  });

  it("lists a few items in prose and says how many more past the limit", () => {
    assert.equal(someOf([], 3), "");
    assert.equal(someOf(["a"], 3), "a");
    assert.equal(someOf(["a", "b"], 3), "a and b");
    assert.equal(someOf(["a", "b", "c"], 3), "a, b and c");
    // Past the limit, the last place says how many more: never "and 1 more".
    assert.equal(someOf(["a", "b", "c", "d"], 3), "a, b and 2 more");
    assert.equal(someOf(["a", "b", "c", "d", "e", "f"], 5), "a, b, c, d and 2 more");
  });
});
