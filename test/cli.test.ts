import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { LAUNCHER, runSpice, SPICE, temporaryDirectory } from "./helpers.ts";

const work = temporaryDirectory();
after(() => work.remove());
const cacheDir = join(work.path, "cache");
const PYENV = join(process.env.PYENV_ROOT || join(homedir(), ".pyenv"), "versions");

describe("spice CLI basics", () => {
  it("prints its version and help", () => {
    const version = runSpice(["--version"]);
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^spice \d+\.\d+\.\d+/);
    const help = runSpice(["help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /python\s+Find and list the Python interpreters/);
    const commandHelp = runSpice(["python", "--help"]);
    assert.equal(commandHelp.status, 0);
    assert.match(commandHelp.stdout, /Usage: spice python list/);
  });

  it("starts through the launcher however it is reached", () => {
    // As npm installs it (a symlink to bin/spice), through a symlinked directory, by a relative
    // path, and with CDPATH set (which must not move the launcher's own `cd`).
    const linked = join(work.path, "launcher");
    mkdirSync(linked);
    symlinkSync(LAUNCHER, join(linked, "spice"));
    symlinkSync(dirname(LAUNCHER), join(linked, "bin"));
    const expected = runSpice(["--version"]).stdout;
    for (const [command, cwd] of [
      [join(linked, "spice"), work.path],
      [join(linked, "bin", "spice"), work.path],
      ["bin/spice", linked],
      ["./spice", dirname(LAUNCHER)],
    ]) {
      const result = spawnSync(command, ["--version"], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, CDPATH: "/" },
      });
      assert.equal(result.status, 0, `${command}: ${result.stderr}`);
      assert.equal(result.stdout, expected, command);
    }
  });

  it("exits 2 with an error and a hint on usage errors, without a stack trace", () => {
    const unknown = runSpice(["frobnicate"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^error: unknown command 'frobnicate'\nhint: Run `spice help`/);
    assert.doesNotMatch(unknown.stderr, /at .*\.m?[jt]s:\d+/);
    const badOption = runSpice(["python", "list", "--nope"]);
    assert.equal(badOption.status, 2);
    assert.match(badOption.stderr, /unexpected option '--nope'/);
  });

  it("shows the stack of a user error only when asked", () => {
    const plain = runSpice(["python", "find", "9.99"], { cacheDir });
    assert.equal(plain.status, 1);
    assert.doesNotMatch(plain.stderr, /SpiceError/);
    const debug = runSpice(["python", "find", "9.99"], { cacheDir, env: { SPICE_DEBUG: "1" } });
    assert.match(debug.stderr, /SpiceError/);
  });
});

describe("output", () => {
  it("stops quietly at a closed pipe and names a failed write", () => {
    const file = join(work.path, "many-requirements.txt");
    writeFileSync(
      file,
      Array.from({ length: 4000 }, (_, index) => `package-${index}>=1.${index}\n`).join(""),
    );
    const closedEarly = spawnSync(
      "bash",
      ["-o", "pipefail", "-c", `"${process.execPath}" "${SPICE}" debug requirements "${file}" | head -n 1`],
      { encoding: "utf8" },
    );
    assert.equal(closedEarly.status, 0, closedEarly.stderr);
    assert.equal(closedEarly.stderr, "");
    assert.match(closedEarly.stdout, /^\S+many-requirements\.txt:1 +package-0 >=1\.0\n$/);
    if (existsSync("/dev/full")) {
      const full = spawnSync(
        "bash",
        ["-c", `"${process.execPath}" "${SPICE}" debug requirements "${file}" > /dev/full`],
        {
          encoding: "utf8",
        },
      );
      assert.equal(full.status, 1);
      assert.match(full.stderr, /^error: Could not write to standard output\n {2}caused by: ENOSPC/);
      // --version is answered by the entry itself, and writes the same way.
      const version = spawnSync("bash", ["-c", `"${process.execPath}" "${SPICE}" --version > /dev/full`], {
        encoding: "utf8",
      });
      assert.equal(version.status, 1);
      assert.match(version.stderr, /^error: Could not write to standard output\n {2}caused by: ENOSPC/);
    }
  });
});

describe("the code cache", () => {
  it("keeps one per command, and runs the same without it, with a corrupt one, or with --no-cache", () => {
    const cache = join(work.path, "code-cache");
    const first = runSpice(["help"], { cacheDir: cache });
    assert.equal(first.status, 0);
    const [bundle] = readdirSync(join(cache, "code-v1"));
    const cacheFile = join(cache, "code-v1", bundle, "help.bin");
    assert.ok(statSync(cacheFile).size > 10_000, "the compiled functions are saved");
    const cached = runSpice(["help"], { cacheDir: cache });
    assert.deepEqual(cached, first);
    writeFileSync(cacheFile, "not a code cache");
    assert.deepEqual(runSpice(["help"], { cacheDir: cache }), first);
    assert.notEqual(
      readFileSync(cacheFile, "utf8").slice(0, 16),
      "not a code cache",
      "a rejected cache is rewritten",
    );
    // V8 does not check a cache's bytes: a damaged one aborts the process while it is read (found
    // by fuzzing spice's cache). Such a crash leaves the read's mark (the cache's mtime) behind,
    // and the next run then drops the cache instead of crashing again. (Crashing Node here would
    // print its fatal error; the test sets up the state a crash leaves.)
    const good = readFileSync(cacheFile);
    const damaged = Buffer.from(good);
    for (let index = 100; index < damaged.length; index += 997) damaged[index] ^= 0xff;
    writeFileSync(cacheFile, damaged);
    utimesSync(cacheFile, new Date(), new Date(1000));
    assert.deepEqual(runSpice(["help"], { cacheDir: cache }), first);
    assert.notDeepEqual(readFileSync(cacheFile), damaged, "the damaged cache is replaced");
    assert.notEqual(statSync(cacheFile).mtimeMs, 1000, "a read that finished leaves no mark");
    assert.deepEqual(runSpice(["help"], { cacheDir: cache }), first);
    const off = join(work.path, "no-code-cache");
    assert.deepEqual(runSpice(["--no-cache", "help"], { cacheDir: off }), first);
    assert.equal(existsSync(off), false);
  });
});

describe("spice python", () => {
  it("lists every pyenv interpreter with its version, as text and as JSON", () => {
    const listed = runSpice(["python", "list", "--format", "json"], { cacheDir });
    assert.equal(listed.status, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Array<{
      version: string;
      path: string;
      implementation: string;
      default_python3: boolean;
    }>;
    const versions = new Set(rows.map((row) => row.version));
    for (const expected of [
      "2.7.18",
      "3.6.15",
      "3.7.16",
      "3.8.18",
      "3.9.18",
      "3.10.13",
      "3.11.7",
      "3.12.1",
      "3.13.0",
    ]) {
      if (existsSync(join(PYENV, expected)))
        assert.ok(versions.has(expected), `${expected} missing from ${[...versions]}`);
    }
    assert.ok(rows.every((row) => row.implementation === "cpython"));
    assert.equal(rows.filter((row) => row.default_python3).length, 1);
    const text = runSpice(["python", "list"], { cacheDir });
    assert.match(text.stdout, /cpython-3\.12\.1-linux-x86_64 +\S+python3/);
    assert.match(text.stdout, /\(python3 on PATH/);
  });

  it("finds interpreters by version, specifier, implementation and path", () => {
    const byVersion = runSpice(["python", "find", "3.12"], { cacheDir });
    assert.equal(byVersion.status, 0, byVersion.stderr);
    assert.equal(byVersion.stdout.trim(), join(PYENV, "3.12.1", "bin", "python3"));
    const bySpecifier = runSpice(["python", "find", ">=3.9,<3.11"], { cacheDir });
    assert.match(bySpecifier.stdout, /3\.(9|10)\.\d+\/bin\/python/);
    assert.equal(
      runSpice(["python", "find", "cpython@3.8"], { cacheDir }).stdout.trim(),
      join(PYENV, "3.8.18", "bin", "python3"),
    );
    const byPath = runSpice(["python", "find", join(PYENV, "3.10.13")], { cacheDir });
    assert.equal(byPath.stdout.trim(), join(PYENV, "3.10.13", "bin", "python3"));
  });

  it("says what it found when nothing matches", () => {
    const missing = runSpice(["python", "find", "3.99"], { cacheDir });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error: No interpreter found for Python 3\.99/);
    assert.match(missing.stderr, /caused by: spice found:\n {4}cpython-3\.\d+\.\d+ at /);
    const notPython = runSpice(["python", "find", "/etc/hostname"], { cacheDir });
    assert.equal(notPython.status, 1);
    assert.match(notPython.stderr, /Could not inspect the Python interpreter at \/etc\/hostname/);
  });
});

describe("spice debug", () => {
  it("shows how a requirements file reads", () => {
    const file = join(work.path, "requirements.txt");
    writeFileSync(
      file,
      "--index-url https://example.invalid/simple\nrequests[socks]>=2 ; python_version >= '3.8'\n",
    );
    const text = runSpice(["debug", "requirements", file]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /requirements\.txt:2 +requests\[socks\] >=2 ; python_version >= "3\.8"/);
    const json = JSON.parse(runSpice(["debug", "requirements", file, "--format", "json"]).stdout);
    assert.deepEqual(json.options.indexUrls, ["https://example.invalid/simple"]);
    // A file named by a URL reads as pip reads it.
    const byUrl = runSpice(["debug", "requirements", pathToFileURL(file).href]);
    assert.equal(byUrl.status, 0, byUrl.stderr);
    assert.match(byUrl.stdout, /^file:\/\/\S+requirements\.txt:2 +requests/m);
    writeFileSync(file, "--bogus-option\n");
    const bad = runSpice(["debug", "requirements", file]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /error: Invalid requirement: --bogus-option/);
  });

  it("orders versions and applies specifiers", () => {
    const result = runSpice(["debug", "versions", "1.0", "1.0rc1", "1.0.post1", "0.9", "--spec", ">=1.0"]);
    assert.equal(result.status, 0);
    assert.deepEqual(
      result.stdout
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/)[0]),
      ["0.9", "1.0rc1", "1.0", "1.0.post1"],
    );
    assert.match(result.stdout, /1\.0\.post1 +✓ matches/);
  });
});
