import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readRequirementsFile } from "../standards/requirements-txt.ts";
import { localFileHost } from "./file-host.ts";

describe("localFileHost", () => {
  it("opens paths as the system would, without folding `..` first", () => {
    // A requirements file that includes itself by a growing relative path: the path outgrows the
    // system's limit before Python's recursion limit, and the open fails, as in pip.
    const root = mkdtempSync(join(tmpdir(), "spice-file-host-"));
    try {
      mkdirSync(join(root, "sub"));
      writeFileSync(join(root, "r.txt"), "-r sub/../r.txt\n");
      const growing = readRequirementsFile("r.txt", localFileHost(root, {}));
      assert.deepEqual([growing.error?.stage, growing.error?.type], ["file", "InstallationError"]);
      assert.match(growing.error?.message ?? "", /File name too long/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
