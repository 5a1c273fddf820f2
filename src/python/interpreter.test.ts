import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, machine, tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SpiceError } from "../util/error.ts";
import { withDamageChecksum } from "../util/hash.ts";
import { INSPECT_SCRIPT } from "./inspect-script.ts";
import { inspectInterpreter, isVirtualEnvironment, supportedTags } from "./interpreter.ts";

const PYENV = join(process.env.PYENV_ROOT || join(homedir(), ".pyenv"), "versions");
const work = mkdtempSync(join(tmpdir(), "spice-interp-"));
after(() => rmSync(work, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const python311 = join(PYENV, "3.11.7", "bin", "python3");

/**
 * A Python installation of the test's own: pyenv's 3.11 binary in a new prefix whose stdlib
 * entries link to the real ones, with `files` in its site-packages.
 */
function ownPython(name: string, files: Record<string, string>) {
  const prefix = join(work, name);
  const stdlib = join(prefix, "lib", "python3.11");
  const realStdlib = join(PYENV, "3.11.7", "lib", "python3.11");
  mkdirSync(join(prefix, "bin"), { recursive: true });
  mkdirSync(join(stdlib, "site-packages"), { recursive: true });
  copyFileSync(realpathSync(python311), join(prefix, "bin", "python3.11"));
  for (const entry of readdirSync(realStdlib)) {
    if (entry !== "site-packages") symlinkSync(join(realStdlib, entry), join(stdlib, entry));
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(join(stdlib, "site-packages", file), text);
  return { prefix, python: join(prefix, "bin", "python3.11"), site: join(stdlib, "site-packages") };
}

describe("interpreter inspection", () => {
  it("reports version, prefixes and scheme paths of a real interpreter, and caches them", {
    skip: !existsSync(python311) && "CPython 3.11.7 is not under pyenv here",
  }, () => {
    const cacheDir = join(work, "cache-real");
    const first = inspectInterpreter(python311, { cacheDir });
    assert.equal(first.facts.python_full_version, "3.11.7");
    assert.equal(first.facts.implementation_name, "cpython");
    assert.equal(isVirtualEnvironment(first), false);
    assert.match(first.facts.paths.purelib, /site-packages$/);
    const files = readdirSync(join(cacheDir, "interpreters-v4"));
    assert.equal(files.length, 1);
    // The second inspection comes from the cache: poison the entry's facts (with a sound
    // checksum) and see them returned.
    const entryPath = join(cacheDir, "interpreters-v4", files[0]);
    const stored = readFileSync(entryPath, "utf8");
    const entry = JSON.parse(stored.slice(stored.indexOf("\n") + 1));
    entry.facts.python_full_version = "9.9.9-from-cache";
    const poisoned = JSON.stringify(entry);
    writeFileSync(entryPath, withDamageChecksum(poisoned));
    assert.equal(inspectInterpreter(python311, { cacheDir }).facts.python_full_version, "9.9.9-from-cache");
    // A damaged entry (found by fuzzing spice's cache: a flipped byte in a scheme path would have
    // sent installs elsewhere) is inspected again.
    writeFileSync(entryPath, withDamageChecksum(poisoned.replace("site-packages", "site-packagds")));
    assert.match(inspectInterpreter(python311, { cacheDir }).facts.paths.purelib, /site-packages$/);
    // --no-cache bypasses it.
    assert.equal(inspectInterpreter(python311, { cacheDir: null }).facts.python_full_version, "3.11.7");
  });

  it("inspects Python 2.7 too", {
    skip: !existsSync(join(PYENV, "2.7.18", "bin", "python")) && "no Python 2.7 here",
  }, () => {
    const python27 = inspectInterpreter(join(PYENV, "2.7.18", "bin", "python"), { cacheDir: null });
    assert.equal(python27.facts.python_full_version, "2.7.18");
    // pyenv's 2.7 has no os.confstr("CS_GNU_LIBC_VERSION"): glibc says its version itself, and
    // manylinux wheels are taken, as pip 20.3 takes them there.
    assert.ok(python27.facts.glibc_version, "no glibc version");
    assert.ok(supportedTags(python27).includes("cp27-cp27mu-manylinux1_x86_64"));
  });

  it("takes the manylinux tags a PEP 600 _manylinux module allows, as pip 23.2.1 does", {
    skip: !existsSync(python311) && "CPython 3.11.7 is not under pyenv here",
  }, () => {
    // A distribution's way to keep its Python off some manylinux wheels.
    const own = ownPython("own-prefix-manylinux", {
      "_manylinux.py":
        "def manylinux_compatible(major, minor, arch):\n    return False if minor > 17 or minor == 12 else None\n",
    });
    const tags = supportedTags(inspectInterpreter(own.python, { cacheDir: null }));
    const manylinux = tags.filter((tag) => tag.startsWith("cp311-cp311-") && tag.includes("manylinux"));
    assert.equal(manylinux[0], `cp311-cp311-manylinux_2_17_${machine()}`);
    assert.ok(!manylinux.some((tag) => tag.includes("manylinux2010") || tag.includes("manylinux_2_12")));
    // pip itself, run by that Python, lists the same tags in the same order.
    const bundled = join(PYENV, "3.11.7", "lib", "python3.11", "ensurepip", "_bundled");
    const pipWheel = join(bundled, readdirSync(bundled).find((name) => name.startsWith("pip-")) ?? "");
    const debug = execFileSync(own.python, ["-m", "pip", "debug", "--verbose"], {
      env: { ...process.env, PYTHONPATH: pipWheel, PIP_CONFIG_FILE: "/dev/null" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const listed = debug.slice(debug.indexOf("Compatible tags:")).split("\n").slice(1);
    assert.deepEqual(
      tags,
      listed.map((line) => line.trim()).filter((line) => line !== ""),
    );
  });

  it("inspects a base interpreter without running its .pth files, but with its sitecustomize, and a venv's own as a venv", {
    skip: !existsSync(python311) && "CPython 3.11.7 is not under pyenv here",
  }, () => {
    // A .pth file that leaves a mark.
    const marked = ownPython("own-prefix", {
      "mark.pth": `import sys; open(sys.prefix + "/pth-ran", "w").close()\n`,
    });
    const mark = join(marked.prefix, "pth-ran");
    const facts = inspectInterpreter(marked.python, { cacheDir: null }).facts;
    assert.equal(facts.prefix, marked.prefix);
    assert.ok(facts.sys_path.includes(marked.site), facts.sys_path.join(" "));
    assert.equal(existsSync(mark), false, "inspecting ran the .pth file");
    // The .pth file does run when that Python starts as programs start it.
    execFileSync(marked.python, ["-c", "0"]);
    assert.equal(existsSync(mark), true);

    // A sitecustomize may change what programs see (Homebrew's moved sys.executable): it runs.
    const customized = ownPython("own-prefix-customized", {
      "sitecustomize.py": `import sys; sys.path.append("/added-by-sitecustomize")\n`,
    });
    const customizedFacts = inspectInterpreter(customized.python, { cacheDir: null }).facts;
    assert.ok(
      customizedFacts.sys_path.includes("/added-by-sitecustomize"),
      customizedFacts.sys_path.join(" "),
    );

    // A venv's interpreter asked directly knows it is one (site.main() sets its prefix). Its name
    // holds what the script's own JSON writer must escape.
    const venv = join(work, 'own venv ü "q\\x" \u{1F600}');
    execFileSync(python311, ["-m", "venv", "--without-pip", venv]);
    const venvFacts = inspectInterpreter(join(venv, "bin", "python"), { cacheDir: null }).facts;
    assert.equal(venvFacts.prefix, venv);
    assert.equal(venvFacts.paths.purelib, join(venv, "lib", "python3.11", "site-packages"));
    assert.equal(venvFacts.sys_path[0], "");
    assert.ok(venvFacts.sys_path.includes(venvFacts.paths.purelib));
  });

  it("computes the same tags as packaging's sys_tags for every interpreter here", () => {
    const vectors = fileURLToPath(new URL("../../../shared/conformance/tags.json", import.meta.url));
    assert.ok(existsSync(vectors), `the conformance vectors are expected at ${vectors}`);
    const cases = (
      JSON.parse(readFileSync(vectors, "utf8")) as Array<{ kind: string; input: any; expected: any }>
    ).filter((c) => c.kind === "sys_tags" && !c.input.interpreter.emulated);
    let compared = 0;
    for (const c of cases) {
      const executable = c.input.interpreter.executable.replace(/^~/, homedir());
      if (!existsSync(executable)) continue;
      const tags = supportedTags(inspectInterpreter(executable, { cacheDir: null }));
      assert.deepEqual(tags, c.expected.tags, executable);
      compared++;
    }
    assert.ok(
      compared > 0 || cases.length === 0,
      "no sys_tags interpreter of the vectors exists on this machine",
    );
  });

  it("reports the kernel release as platform_release on macOS too, beside the macOS version", {
    skip: !existsSync(python311) && "CPython 3.11.7 is not under pyenv here",
  }, () => {
    // The script's macOS branch runs here with sys.platform made "darwin", once sysconfig has
    // read this Linux build's variables (platform.mac_ver() answers nothing on Linux, so
    // mac_version stays null); the branch once overwrote the release with a list.
    const output = execFileSync(
      python311,
      [
        "-E",
        "-S",
        "-c",
        `import sys, sysconfig; sysconfig.get_config_vars(); sys.platform = "darwin"\n${INSPECT_SCRIPT}`,
      ],
      {
        encoding: "utf8",
      },
    );
    const facts = JSON.parse(output.slice(output.indexOf(":") + 1));
    const release = execFileSync("uname", ["-r"], { encoding: "utf8" }).trim();
    assert.equal(facts.markers.platform_release, release);
    assert.equal(facts.mac_version, null);
  });

  it("fails clearly, and caches nothing, for things that are not working Pythons", () => {
    const cacheDir = join(work, "cache-bad");
    const cases: Array<[string, RegExp]> = [
      [join(work, "missing-python"), /No Python interpreter at/],
      [script("garbage", "echo hello"), /not spice's inspection output/],
      [script("failing", "echo boom >&2; exit 3"), /exited with status 3: boom/],
      [script("hanging", "sleep 30"), /did not answer within 1 seconds/],
    ];
    const data = join(work, "not-executable");
    writeFileSync(data, "data");
    cases.push([data, /not executable/]);
    for (const [path, pattern] of cases) {
      assert.throws(
        () => inspectInterpreter(path, { cacheDir, timeoutMs: 1000 }),
        (error: unknown) => {
          assert.ok(error instanceof SpiceError);
          assert.match(`${error.message} ${error.details.cause ?? ""}`, pattern);
          assert.ok(error.details.hint);
          return true;
        },
        path,
      );
    }
    assert.equal(existsSync(join(cacheDir, "interpreters-v4")), false);
  });
});
