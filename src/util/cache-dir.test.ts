import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cacheRoot } from "./cache-dir.ts";

describe("cacheRoot", () => {
  it("takes --cache-dir, SPICE_CACHE_DIR, an absolute XDG_CACHE_HOME, else ~/.cache, in that order", () => {
    const env = { SPICE_CACHE_DIR: "/own", XDG_CACHE_HOME: "/xdg" };
    assert.equal(cacheRoot("/given", env), "/given");
    assert.equal(cacheRoot(undefined, env), "/own");
    assert.equal(cacheRoot(undefined, { XDG_CACHE_HOME: "/xdg" }), "/xdg/spice");
    // The XDG Base Directory specification: a relative path is invalid, and ignored.
    assert.equal(cacheRoot(undefined, { XDG_CACHE_HOME: "relative" }), join(homedir(), ".cache", "spice"));
    assert.equal(cacheRoot(undefined, {}), join(homedir(), ".cache", "spice"));
  });
});
