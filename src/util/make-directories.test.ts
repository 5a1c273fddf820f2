import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { makeDirectories } from "./make-directories.ts";

const work = mkdtempSync(join(tmpdir(), "spice-mkdir-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("makeDirectories", () => {
  it("makes missing parents, says whether it made the directory, and refuses a file in the way", () => {
    const deep = join(work, "a", "b", "c");
    assert.equal(makeDirectories(deep), true);
    assert.ok(existsSync(deep));
    assert.equal(makeDirectories(deep), false);
    writeFileSync(join(work, "file"), "");
    assert.throws(() => makeDirectories(join(work, "file", "x")), { code: "ENOTDIR" });
    assert.throws(() => makeDirectories(join(work, "file")), { code: "EEXIST" });
  });

  it("fails where a parent exists but takes no directories (Node's own loops for ever there)", {
    skip: !existsSync("/proc/self") && "no /proc here",
  }, () => {
    // In a child with a time limit: the loop cannot be interrupted from inside.
    const module = fileURLToPath(new URL("./make-directories.ts", import.meta.url));
    const script = `import { makeDirectories } from ${JSON.stringify(module)};
      try { makeDirectories("/proc/spice-test/x"); console.log("made"); } catch (error) { console.log(error.code); }`;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(result.signal, null, "it returned");
    assert.equal(result.stdout.trim(), "ENOENT");
  });
});
