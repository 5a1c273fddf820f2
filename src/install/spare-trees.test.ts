import assert from "node:assert/strict";
import { linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { claimSpareTrees, type PlannedWheel } from "./spare-trees.ts";
import { spareTreeOf, type WheelManifest } from "./wheel-cache.ts";

const work = mkdtempSync(join(tmpdir(), "spice-spare-trees-"));
after(() => rmSync(work, { recursive: true, force: true }));

it("claims only a spare tree the cache check went through", () => {
  const entry = join(work, "entry");
  mkdirSync(join(entry, "files"), { recursive: true });
  writeFileSync(join(entry, "files", "0"), "VALUE = 1\n");
  mkdirSync(join(spareTreeOf(entry), "demo"), { recursive: true });
  linkSync(join(entry, "files", "0"), join(spareTreeOf(entry), "demo", "__init__.py"));
  const site = join(work, "site-packages");
  mkdirSync(site);
  const manifest = {
    filename: "demo-1.0-py3-none-any.whl",
    files: [{ path: "demo/__init__.py", hash: "sha256=x", size: 10, executable: false, mtimeMs: 0 }],
    libDirectories: [["demo", [0]]],
  } as unknown as WheelManifest;
  const plan = (checkedTree: string | undefined): PlannedWheel => ({
    cacheEntry: entry,
    libDirectory: site,
    filesRoot: join(entry, "files"),
    manifest,
    checkedTree,
    libDirectories: [{ path: join(site, "demo"), indices: [0] }],
    files: [],
  });
  const claim = (planned: PlannedWheel) =>
    claimSpareTrees([planned], new Set([join(site, "demo")]), () => true, site);
  // Checked by its own files (the tree failed the check and stayed, or was made since): left alone.
  assert.equal(claim(plan(undefined)), null);
  const claimed = claim(plan(spareTreeOf(entry)));
  assert.equal(claimed?.trees.size, 1);
  assert.deepEqual(
    claimed?.moves.map(([, to]) => to),
    [join(site, "demo")],
  );
});
