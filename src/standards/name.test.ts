import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalizeName, isNormalizedName, isValidName } from "./name.ts";

describe("names", () => {
  it("normalizes per PEP 503 and validates per core metadata", () => {
    assert.equal(canonicalizeName("Oslo.Concurrency__x"), "oslo-concurrency-x");
    assert.equal(isNormalizedName("oslo-concurrency"), true);
    assert.equal(isNormalizedName("Oslo"), false);
    assert.equal(isValidName("_private"), false);
    assert.throws(() => canonicalizeName("-bad", true), { name: "InvalidName" });
  });
});
