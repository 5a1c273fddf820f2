// Unpacking into the cache on a worker thread from the moment a wheel is offered (an install
// offers each wheel the resolver downloads whole): the worker runs the built bundle, as it does
// for the CLI.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { BUCKETS, Cache } from "../src/cache/store.ts";
import { WheelUnpacker } from "../src/install/parallel-unpack.ts";
import { cachedWheel } from "../src/install/wheel-cache.ts";
import { SPICE, temporaryDirectory } from "./helpers.ts";
import { buildWheel, simplePackage } from "./wheel-builder.ts";

const work = temporaryDirectory("spice-unpack-");
after(() => work.remove());

const WORKER = pathToFileURL(SPICE);
/** Offered as this size, each wheel starts the worker (it waits for a megabyte of wheels). */
const MEGABYTE = 1024 * 1024;

function wheels(directory: string, names: string[]): string[] {
  mkdirSync(join(work.path, directory));
  return names.map((name) => buildWheel(join(work.path, directory), simplePackage(name, "1.0")));
}

/** Resolves once `ready()` holds, polling without blocking the worker's messages. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("unpacking wheels on a worker thread as they are offered", () => {
  it("unpacks offered wheels before the install asks for them, and only once", async () => {
    const [early, unneeded, late] = wheels("early", ["early", "unneeded", "late"]);
    const cache = new Cache(join(work.path, "cache-early"));
    const unpacker = new WheelUnpacker(cache, WORKER);
    unpacker.offer(early, MEGABYTE);
    unpacker.offer(unneeded, MEGABYTE);
    // This thread only waits: the entries can only come from the worker.
    await until(
      () => cachedWheel(early, cache) !== null && cachedWheel(unneeded, cache) !== null,
      "the worker",
    );
    const unpacked = await unpacker.unpack([early, late]);
    assert.deepEqual([...unpacked.keys()].sort(), [early, late].sort());
    for (const [path, wheel] of unpacked) {
      assert.equal(wheel.source, path);
      assert.ok(wheel.manifest.files.some((file) => file.path.endsWith("/__init__.py")));
      assert.deepEqual(cachedWheel(path, cache)?.manifest, wheel.manifest);
    }
    // Offered after the unpack: nothing more is taken.
    const [after] = wheels("after", ["after"]);
    unpacker.offer(after, MEGABYTE);
    assert.equal(cachedWheel(after, cache), null);
  });

  it("reports a bad wheel the worker met as the install's own error", async () => {
    mkdirSync(join(work.path, "bad"));
    const bad = buildWheel(join(work.path, "bad"), {
      ...simplePackage("tampered", "1.0"),
      tamper: (members) =>
        members.map((member) =>
          member.name === "tampered/__init__.py" ? { ...member, data: "evil" } : member,
        ),
    });
    const [good] = wheels("good", ["good"]);
    const cache = new Cache(join(work.path, "cache-bad"));
    const unpacker = new WheelUnpacker(cache, WORKER);
    unpacker.offer(bad, MEGABYTE);
    unpacker.offer(good, MEGABYTE);
    await until(() => cachedWheel(good, cache) !== null, "the worker");
    await assert.rejects(unpacker.unpack([good, bad]), (error: Error & { details?: { cause?: string } }) => {
      assert.match(error.message, /tampered-1\.0-py3-none-any\.whl is not a valid wheel/);
      assert.match(String(error.details?.cause), /does not match its hash in RECORD/);
      return true;
    });
    assert.equal(cachedWheel(bad, cache), null);
  });

  it("stops a worker busy with a wheel no one needs at once, and leaves nothing staged", async () => {
    mkdirSync(join(work.path, "busy"));
    // Thousands of files: unpacking takes the worker long enough to be stopped half-way.
    const files: Record<string, string> = {};
    for (let index = 0; index < 6000; index++) files[`many/m${index}.py`] = `value = ${index}\n`;
    const large = buildWheel(join(work.path, "busy"), simplePackage("many", "1.0", { files }));
    const cache = new Cache(join(work.path, "cache-busy"));
    const bucket = cache.bucket(BUCKETS.wheels);
    const unpacker = new WheelUnpacker(cache, WORKER);
    unpacker.offer(large, MEGABYTE);
    const staged = () => existsSync(bucket) && readdirSync(bucket).some((name) => name.startsWith(".tmp-"));
    await until(staged, "the worker to start unpacking");
    await unpacker.stop();
    assert.equal(staged(), false);
    assert.equal(cachedWheel(large, cache), null);
  });

  it("starts the worker once a megabyte of wheels waits", async () => {
    const [first, second] = wheels("threshold", ["first", "second"]);
    const cache = new Cache(join(work.path, "cache-threshold"));
    const unpacker = new WheelUnpacker(cache, WORKER);
    unpacker.offer(first, MEGABYTE / 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(cachedWheel(first, cache), null, "a worker started for half a megabyte");
    unpacker.offer(second, MEGABYTE / 2);
    await until(
      () => cachedWheel(first, cache) !== null && cachedWheel(second, cache) !== null,
      "the worker",
    );
    await unpacker.stop();
  });

  it("leaves a large wheel to a worker, so this thread keeps running its events (Ctrl-C among them)", async () => {
    // Offered as large (the size an install reports): only the claim depends on it.
    const [large] = wheels("large", ["large"]);
    const cache = new Cache(join(work.path, "cache-large"));
    const unpacker = new WheelUnpacker(cache, WORKER);
    unpacker.offer(large, 64 * MEGABYTE);
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    try {
      const unpacked = await unpacker.unpack([large]);
      assert.equal(unpacked.get(large)?.source, large);
    } finally {
      clearInterval(timer);
    }
    // Unpacked here, it would have left no turn to the timer; the worker's start alone takes
    // tens of milliseconds.
    assert.ok(turns >= 3, `${turns} turns of the event loop while the worker unpacked`);
  });

  it("shares several large wheels between the worker and a helper thread", async () => {
    const paths = wheels("several-large", ["first", "second", "third", "small"]);
    const cache = new Cache(join(work.path, "cache-several-large"));
    const unpacker = new WheelUnpacker(cache, WORKER);
    for (const path of paths.slice(0, 3)) unpacker.offer(path, 64 * MEGABYTE);
    const unpacked = await unpacker.unpack(paths);
    assert.deepEqual([...unpacked.keys()].sort(), [...paths].sort());
    for (const path of paths)
      assert.deepEqual(cachedWheel(path, cache)?.manifest, unpacked.get(path)?.manifest);
  });

  it("without a worker, unpacks on this thread", async () => {
    const [one, two] = wheels("inline", ["one", "two"]);
    const cache = new Cache(join(work.path, "cache-inline"));
    const unpacker = new WheelUnpacker(cache, null);
    unpacker.offer(one, MEGABYTE);
    assert.equal(cachedWheel(one, cache), null);
    const unpacked = await unpacker.unpack([one, two]);
    assert.equal(unpacked.size, 2);
    assert.notEqual(cachedWheel(two, cache), null);
  });
});
