import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pyenvVersions, resolvePyenvShim, whichOnPath } from "./discovery.ts";
import { parsePythonRequest } from "./request.ts";

const work = mkdtempSync(join(tmpdir(), "spice-discovery-"));
after(() => rmSync(work, { recursive: true, force: true }));

function executable(path: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, 0o755);
}

describe("pyenv shims", () => {
  // A fake pyenv root: shims resolve by PYENV_VERSION, .python-version, then the global file.
  const root = join(work, "pyenv");
  executable(join(root, "versions", "3.12.1", "bin", "python3"));
  executable(join(root, "versions", "3.10.2", "bin", "python3"));
  executable(join(root, "shims", "python3"));
  executable(join(work, "usr", "bin", "python3"));
  writeFileSync(join(root, "version"), "3.12.1\n");
  const project = join(work, "project", "sub");
  mkdirSync(project, { recursive: true });
  writeFileSync(join(work, "project", ".python-version"), "3.10.2\n");
  const env = {
    PYENV_ROOT: root,
    PATH: `${join(root, "shims")}:${join(work, "usr", "bin")}`,
    HOME: homedir(),
  };

  it("follow pyenv's order of version sources", () => {
    assert.deepEqual(pyenvVersions({ env, cwd: work }), ["3.12.1"]);
    assert.deepEqual(pyenvVersions({ env, cwd: project }), ["3.10.2"]);
    assert.deepEqual(pyenvVersions({ env: { ...env, PYENV_VERSION: "3.10.2:3.12.1" }, cwd: work }), [
      "3.10.2",
      "3.12.1",
    ]);
  });

  it("resolve to the selected version, or past the shims for `system`", () => {
    assert.equal(
      whichOnPath("python3", { env, cwd: work }),
      join(root, "versions", "3.12.1", "bin", "python3"),
    );
    assert.equal(
      resolvePyenvShim("python3", { env: { ...env, PYENV_VERSION: "system" }, cwd: work }),
      join(work, "usr", "bin", "python3"),
    );
    assert.equal(resolvePyenvShim("python3", { env: { ...env, PYENV_VERSION: "3.99" }, cwd: work }), null);
  });

  it("leave plain PATH entries alone", () => {
    const link = join(work, "bin2", "python3");
    mkdirSync(join(work, "bin2"));
    symlinkSync(join(work, "usr", "bin", "python3"), link);
    assert.equal(whichOnPath("python3", { env: { PATH: join(work, "bin2") }, cwd: work }), link);
  });
});

describe("python requests", () => {
  it("parse versions, specifiers, implementations and paths", () => {
    assert.deepEqual(parsePythonRequest("3.12"), { kind: "version", implementation: null, parts: [3, 12] });
    assert.deepEqual(parsePythonRequest("cpython@3.11.7"), {
      kind: "version",
      implementation: "cpython",
      parts: [3, 11, 7],
    });
    assert.deepEqual(parsePythonRequest("cp312"), {
      kind: "version",
      implementation: "cpython",
      parts: [3, 12],
    });
    assert.equal(parsePythonRequest(">=3.10,<3.13").kind, "specifier");
    assert.equal(parsePythonRequest("pypy").kind, "specifier");
    assert.deepEqual(parsePythonRequest("./venv/bin/python"), {
      kind: "path",
      path: join(process.cwd(), "venv/bin/python"),
    });
    assert.throws(() => parsePythonRequest("snake@3"), { code: "E_INVALID_PYTHON_REQUEST" });
  });

  it("take a bare name that is no version but an existing directory as a path, as pip does", () => {
    const cwd = process.cwd();
    process.chdir(work);
    try {
      mkdirSync("venv");
      assert.deepEqual(parsePythonRequest("venv"), { kind: "path", path: join(realpathSync(work), "venv") });
      assert.throws(() => parsePythonRequest("env"), { code: "E_INVALID_PYTHON_REQUEST" });
      mkdirSync("3.12");
      assert.equal(parsePythonRequest("3.12").kind, "version");
    } finally {
      process.chdir(cwd);
    }
  });
});
