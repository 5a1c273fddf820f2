import assert from "node:assert/strict";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { temporaryDirectory } from "../../test/helpers.ts";
import { buildSdist, buildWheel } from "../../test/wheel-builder.ts";
import { BUCKETS, Cache } from "../cache/store.ts";
import { coreHeadersOf } from "../standards/core-metadata.ts";
import { sha256Hex, withDamageChecksum } from "../util/hash.ts";
import { FileFetcher, staticSdistMetadata } from "./file-fetcher.ts";
import { HttpClient } from "./http.ts";
import { PackageSource } from "./package-source.ts";
import { bareIndexFile } from "./simple-api.ts";

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

describe("the resolver's core headers in the cache", () => {
  const description = "A long description. ".repeat(500);
  const wheel = buildWheel(work.path, {
    name: "demo",
    version: "2.0",
    requires: ["six>=1.0", 'tomli; python_version < "3.11"'],
    extras: { fast: ["ujson"] },
    requiresPython: ">=3.8",
    description,
  });
  const digest = sha256Hex(readFileSync(wheel));
  const file = bareIndexFile("demo-2.0-py3-none-any.whl", pathToFileURL(wheel).href, { sha256: digest });
  const cache = new Cache(join(work.path, "cache"));
  const http = new HttpClient({ cacheDirectory: null });
  const fetcher = new FileFetcher(
    http,
    new PackageSource(http, { indexes: [], findLinks: [], strategy: "first-index" }),
    cache,
    "",
  );
  const entry = cache.entryPath(BUCKETS.metadata, digest);
  after(() => http.close());

  it("keeps the headers the resolver reads apart from the document, and reads them from there", async () => {
    const text = await fetcher.metadata(file);
    assert.ok(text.includes(description));
    const expected = coreHeadersOf(text);
    assert.deepEqual(await fetcher.coreHeaders(file), expected);
    const stored = readFileSync(`${entry}.core`, "utf8");
    assert.ok(!stored.includes("long description") && stored.length < text.length / 10);
    // The wheel is gone: the headers come from the cache alone.
    renameSync(wheel, `${wheel}.moved`);
    try {
      assert.deepEqual(await fetcher.coreHeaders(file), expected);
      assert.deepEqual(expected.requires_dist, [
        "six>=1.0",
        'tomli; python_version < "3.11"',
        'ujson; extra == "fast"',
      ]);
      assert.equal(expected.requires_python, ">=3.8");
    } finally {
      renameSync(`${wheel}.moved`, wheel);
    }
  });

  it("reads the document again when the stored headers are damaged or not headers", async () => {
    const expected = coreHeadersOf(await fetcher.metadata(file));
    const good = readFileSync(`${entry}.core`);
    const damaged = Buffer.from(good);
    damaged[damaged.length - 3] ^= 0x20;
    for (const stored of [damaged, withDamageChecksum("[1, 2]"), withDamageChecksum('{"name": 3}')]) {
      writeFileSync(`${entry}.core`, stored);
      assert.deepEqual(await fetcher.coreHeaders(file), expected);
      assert.deepEqual(readFileSync(`${entry}.core`), good);
    }
  });
});
