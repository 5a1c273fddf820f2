import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { BUCKETS, Cache } from "./store.ts";

const work = mkdtempSync(join(tmpdir(), "spice-store-"));
after(() => rmSync(work, { recursive: true, force: true }));

it("builds an entry where a file stands in place of its bucket or shard directory (found by fuzzing)", () => {
  const key = "ab".padEnd(64, "0");
  const build = (directory: string) => writeFileSync(join(directory, "data"), "built\n");
  for (const damaged of ["bucket", "shard"]) {
    const root = join(work, damaged);
    const cache = new Cache(root);
    mkdirSync(root);
    const bucket = cache.bucket(BUCKETS.wheels);
    if (damaged === "shard") mkdirSync(bucket);
    writeFileSync(damaged === "bucket" ? bucket : join(bucket, "ab"), "not a directory");
    const entry = cache.entry(BUCKETS.wheels, key, build);
    assert.equal(readFileSync(join(entry, "data"), "utf8"), "built\n", damaged);
  }
});
