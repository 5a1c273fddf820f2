import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pipConfigFiles, pipSettings } from "./pip-config.ts";

describe("pip's configuration files", () => {
  it("load as pip 23.2 loads them", () => {
    const home = mkdtempSync(join(tmpdir(), "spice-pip-config-"));
    try {
      const own = join(home, "own.conf");
      writeFileSync(own, "[global]\nindex-url = https://own.example/simple\n");
      const env = { HOME: home, XDG_CONFIG_DIRS: "/nonexistent/xdg" };
      const globals = ["/nonexistent/xdg/pip/pip.conf", "/etc/pip.conf"];
      const user = [join(home, ".pip", "pip.conf"), join(home, ".config", "pip", "pip.conf")];
      assert.deepEqual(pipConfigFiles(env, null), [...globals, ...user]);
      // The environment acted on adds its own, before PIP_CONFIG_FILE.
      assert.deepEqual(pipConfigFiles(env, "/venv"), [...globals, ...user, "/venv/pip.conf"]);
      // A file of one's own replaces the user's files, not the global ones, and wins over them.
      assert.deepEqual(pipConfigFiles({ ...env, PIP_CONFIG_FILE: own }, null), [...globals, own]);
      // --isolated leaves out the user's files and PIP_ variables, but pip still reads PIP_CONFIG_FILE.
      assert.deepEqual(pipConfigFiles({ ...env, PIP_CONFIG_FILE: own }, null, true), [...globals, own]);
      const isolated = pipSettings(
        { ...env, PIP_CONFIG_FILE: own, PIP_INDEX_URL: "https://var.example" },
        null,
        "install",
        true,
      );
      assert.equal(isolated.get("index-url")?.value, "https://own.example/simple");
      // /dev/null turns every file off, as pip's os.devnull check does.
      assert.deepEqual(pipConfigFiles({ ...env, PIP_CONFIG_FILE: "/dev/null" }, "/venv"), []);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
