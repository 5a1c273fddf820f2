import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { temporaryDirectory } from "../../test/helpers.ts";
import { buildSdist } from "../../test/wheel-builder.ts";
import { staticSdistMetadata } from "./file-fetcher.ts";

const work = temporaryDirectory("spice-sdist-");
after(() => work.remove());

describe("static metadata of source distributions", () => {
  const sdist = readFileSync(buildSdist(work.path, "demo", "1.0", ["six>=1.0"]));

  it("reads PKG-INFO of Metadata 2.2 and later", () => {
    assert.match(staticSdistMetadata("demo-1.0.tar.gz", sdist), /^Requires-Dist: six>=1\.0$/m);
  });

  it("says a build is needed when PKG-INFO cannot be trusted, and refuses what is no archive", () => {
    const needsBuild = { name: "SpiceError", code: "E_NEEDS_BUILD" };
    assert.throws(() => staticSdistMetadata("demo-1.0.zip", sdist), needsBuild);
    assert.throws(() => staticSdistMetadata("demo-1.0.tar.gz", gzipSync(Buffer.alloc(1024))), needsBuild);
    // Found by fuzzing: a damaged gzip stream was a crash.
    const damaged = Buffer.from(sdist);
    damaged.fill(0xff, 20, 60);
    assert.throws(() => staticSdistMetadata("demo-1.0.tar.gz", damaged), {
      name: "SpiceError",
      code: "E_INVALID_SDIST",
      message: "demo-1.0.tar.gz is not a readable source distribution",
    });
  });
});
