import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { commandOnPath, pyenvSelection, resolvePyenvShim, whichOnPath } from "./discovery.ts";
import { type Interpreter, inspectInterpreter } from "./interpreter.ts";
import { matchesRequest, parsePythonRequest } from "./request.ts";

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
    assert.deepEqual(pyenvSelection({ env, cwd: work }), {
      versions: ["3.12.1"],
      source: join(root, "version"),
    });
    assert.deepEqual(pyenvSelection({ env, cwd: project }), {
      versions: ["3.10.2"],
      source: join(work, "project", ".python-version"),
    });
    assert.deepEqual(pyenvSelection({ env: { ...env, PYENV_VERSION: "3.10.2:3.12.1" }, cwd: work }), {
      versions: ["3.10.2", "3.12.1"],
      source: "PYENV_VERSION",
    });
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
    // What the shell then runs is the shim, which fails: a dead shim, first on PATH.
    assert.deepEqual(commandOnPath("python3", { env: { ...env, PYENV_VERSION: "3.99" }, cwd: work }), {
      found: join(root, "shims", "python3"),
      runs: null,
    });
    assert.deepEqual(commandOnPath("python3", { env, cwd: work }), {
      found: join(root, "shims", "python3"),
      runs: join(root, "versions", "3.12.1", "bin", "python3"),
    });
  });

  it("resolve a version prefix to the newest final release pyenv has, as pyenv 2.3 does", () => {
    for (const version of ["3.12.10", "3.12.9", "3.12.11rc1", "3.12-dev", "3.12.11t", "3.13.0t", "3.1.5"])
      executable(join(root, "versions", version, "bin", "python3"));
    const shim = (PYENV_VERSION: string) =>
      resolvePyenvShim("python3", { env: { ...env, PYENV_VERSION }, cwd: work });
    assert.equal(shim("3.12"), join(root, "versions", "3.12.10", "bin", "python3"));
    assert.equal(shim("python-3.12"), join(root, "versions", "3.12.10", "bin", "python3"));
    assert.equal(shim("3.13t"), join(root, "versions", "3.13.0t", "bin", "python3"));
    assert.equal(shim("3.1"), join(root, "versions", "3.1.5", "bin", "python3"), "3.1 is no prefix of 3.12");
    assert.equal(shim("3.13"), null, "only a free-threaded 3.13 is there");
    assert.equal(shim("3.12.1"), join(root, "versions", "3.12.1", "bin", "python3"), "a name is itself");
  });

  it("leave plain PATH entries alone", () => {
    const link = join(work, "bin2", "python3");
    mkdirSync(join(work, "bin2"));
    symlinkSync(join(work, "usr", "bin", "python3"), link);
    assert.equal(whichOnPath("python3", { env: { PATH: join(work, "bin2") }, cwd: work }), link);
  });
});

const PYENV = join(process.env.PYENV_ROOT || join(homedir(), ".pyenv"), "versions");

describe("python requests", () => {
  it("parse versions, specifiers, implementations and paths", () => {
    assert.deepEqual(parsePythonRequest("3.12"), {
      kind: "version",
      implementation: null,
      parts: [3, 12],
      variant: "default",
    });
    assert.deepEqual(parsePythonRequest("cpython@3.11.7"), {
      kind: "version",
      implementation: "cpython",
      parts: [3, 11, 7],
      variant: "default",
    });
    assert.deepEqual(parsePythonRequest("cp312"), {
      kind: "version",
      implementation: "cpython",
      parts: [3, 12],
      variant: "default",
    });
    assert.equal(parsePythonRequest(">=3.10,<3.13").kind, "specifier");
    assert.equal(parsePythonRequest("pypy").kind, "specifier");
    assert.deepEqual(parsePythonRequest("./venv/bin/python"), {
      kind: "path",
      path: join(process.cwd(), "venv/bin/python"),
    });
    assert.throws(() => parsePythonRequest("snake@3"), { code: "E_INVALID_PYTHON_REQUEST" });
  });

  it("parse build variants in uv's spelling, after the version", () => {
    const variant = (text: string) => {
      const request = parsePythonRequest(text);
      assert.ok(request.kind === "version", text);
      return [request.implementation, request.parts.join("."), request.variant];
    };
    assert.deepEqual(variant("3.13t"), [null, "3.13", "freethreaded"]);
    assert.deepEqual(variant("3.13.1t"), [null, "3.13.1", "freethreaded"]);
    assert.deepEqual(variant("cp313t"), ["cpython", "3.13", "freethreaded"]);
    assert.deepEqual(variant("python3.13t"), [null, "3.13", "freethreaded"]);
    assert.deepEqual(variant("cpython@3.13+freethreaded"), ["cpython", "3.13", "freethreaded"]);
    assert.deepEqual(variant("3.14+GIL"), [null, "3.14", "gil"]);
    assert.deepEqual(variant("3.12d"), [null, "3.12", "debug"]);
    assert.deepEqual(variant("3.12+debug"), [null, "3.12", "debug"]);
    assert.deepEqual(variant("3.13td"), [null, "3.13", "freethreaded+debug"]);
    assert.deepEqual(variant("3.13+freethreaded+debug"), [null, "3.13", "freethreaded+debug"]);
    // A variant alone, or after an implementation, asks for any version of that build.
    const anyFreeThreaded = parsePythonRequest("cpython+freethreaded");
    assert.ok(anyFreeThreaded.kind === "specifier" && anyFreeThreaded.variant === "freethreaded");
    for (const bad of ["3.13+nogil", "3.13x", ">=3.13t", "3.13tt", "t", "pypy+"])
      assert.throws(() => parsePythonRequest(bad), { code: "E_INVALID_PYTHON_REQUEST" }, bad);
  });

  it("take a free-threaded build only when asked, or from 3.14 on, as uv does", () => {
    // A real interpreter's facts, and the same as a free-threaded build and as 3.14 would have them
    // (no such interpreter is on this machine).
    const real = inspectInterpreter(join(PYENV, "3.13.0", "bin", "python3"), { cacheDir: null });
    const build = (version: [number, number], gilDisabled: boolean, debug = false): Interpreter => ({
      ...real,
      facts: {
        ...real.facts,
        version_info: [version[0], version[1], 0, "final", 0],
        python_full_version: `${version.join(".")}.0`,
        config_vars: {
          ...real.facts.config_vars,
          Py_GIL_DISABLED: gilDisabled ? 1 : 0,
          Py_DEBUG: debug ? 1 : 0,
        },
      },
    });
    const takes = (interpreter: Interpreter, request: string) =>
      matchesRequest(interpreter, parsePythonRequest(request));
    const gil313 = build([3, 13], false);
    const free313 = build([3, 13], true);
    const free314 = build([3, 14], true);
    assert.ok(takes(real, "3.13") && takes(gil313, "3.13") && takes(gil313, "3.13+gil"));
    assert.ok(!takes(gil313, "3.13t") && !takes(gil313, "3.13d"));
    assert.ok(!takes(free313, "3.13") && !takes(free313, ">=3.12") && !takes(free313, "3.13+gil"));
    assert.ok(takes(free313, "3.13t") && takes(free313, "cpython@3.13+freethreaded"));
    assert.ok(takes(free314, "3.14") && takes(free314, ">=3.12") && takes(free314, "3.14t"));
    assert.ok(!takes(free314, "3.14+gil"));
    assert.ok(takes(build([3, 12], false, true), "3.12d") && takes(build([3, 12], false, true), "3.12"));
    assert.ok(takes(build([3, 13], true, true), "3.13td") && !takes(build([3, 13], true, true), "3.13d"));
    // Whatever a path or no request names is taken as it is.
    assert.ok(takes(free313, "any") && matchesRequest(free313, { kind: "path", path: real.path }));
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
