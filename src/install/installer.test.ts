import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PYTHON, temporaryDirectory } from "../../test/helpers.ts";
import { buildWheel, simplePackage } from "../../test/wheel-builder.ts";
import { Cache } from "../cache/store.ts";
import { openVirtualEnvironment } from "../python/environment.ts";
import type { SpiceError } from "../util/error.ts";
import { installWheels } from "./installer.ts";
import { unpackedWheel } from "./wheel-cache.ts";

const work = temporaryDirectory("spice-installer-");
after(() => work.remove());

describe("installWheels", () => {
  it("says a cache entry emptied under it (another process's `spice cache clean`) is that, changing nothing", async () => {
    const wheels = join(work.path, "wheels");
    mkdirSync(wheels);
    const wheel = buildWheel(wheels, simplePackage("vanishing", "1.0"));
    const venv = join(work.path, "venv");
    assert.equal(spawnSync(PYTHON, ["-m", "venv", "--without-pip", venv]).status, 0);
    const environment = openVirtualEnvironment(venv, { cacheDir: join(work.path, "cache") });
    const unpacked = unpackedWheel(wheel, new Cache(join(work.path, "cache")), "");
    assert.ok(unpacked.cacheEntry !== undefined);
    // Between finding the entry and reading it, the files go (what a racing clean does).
    rmSync(join(unpacked.cacheEntry, "files"), { recursive: true });
    await assert.rejects(
      installWheels([{ wheel: unpacked, requested: true }], { environment, linkMode: null, compile: false }),
      (error: SpiceError) => {
        assert.equal(error.message, `Could not install into ${venv} (nothing was changed)`);
        assert.match(
          error.details.cause ?? "",
          /ENOENT.*: spice's cache lost a file while this command used it$/,
        );
        assert.match(error.details.hint ?? "", /spice cache clean/);
        return true;
      },
    );
    assert.deepEqual(readdirSync(environment.scheme.purelib), []);
  });
});
