import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { BUCKETS } from "../src/cache/store.ts";
import { readManifest } from "../src/install/wheel-cache.ts";
import type { ZipInput } from "../src/util/zip.ts";
import {
  externallyManagedPython,
  LAUNCHER,
  plainPython,
  runOnTerminal,
  runSpice,
  SPICE,
  spiceEnvironment,
  temporaryDirectory,
} from "./helpers.ts";
import { buildWheel, simplePackage } from "./wheel-builder.ts";

const PYENV = join(process.env.PYENV_ROOT || join(homedir(), ".pyenv"), "versions");
const PYTHON = join(PYENV, "3.11.7", "bin", "python3");
/** pip 23.2.1's wheel, the one 3.11.7 bundles for ensurepip: the pip spice is compared against. */
const PIP_WHEEL = join(
  PYENV,
  "3.11.7",
  "lib",
  "python3.11",
  "ensurepip",
  "_bundled",
  "pip-23.2.1-py3-none-any.whl",
);
const work = temporaryDirectory("spice-install-");
after(() => work.remove());
const cacheDir = join(work.path, "cache");
const wheels = join(work.path, "wheels");
mkdirSync(wheels);

function spice(args: string[], cwd = work.path, env: NodeJS.ProcessEnv = {}) {
  return runSpice(args, { cwd, cacheDir, env: { VIRTUAL_ENV: "", CONDA_PREFIX: "", ...env } });
}

function venv(name: string, python = "3.11"): string {
  const path = join(work.path, name);
  const result = spice(["venv", path, "--python", python]);
  assert.equal(result.status, 0, result.stderr);
  return path;
}

/** A venv seeded with pip (23.2.1, from ensurepip), into which pip ran `install --no-compile --no-index ARGS`. */
function pipInstalledVenv(name: string, args: string[]): string {
  const path = join(work.path, name);
  assert.equal(spice(["venv", path, "--python", "3.11", "--seed"]).status, 0);
  const pip = run(join(path, "bin", "pip"), ["install", "--no-compile", "--no-index", ...args]);
  assert.equal(pip.status, 0, pip.stderr);
  return path;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean: NodeJS.ProcessEnv = {
    ...process.env,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    ...env,
  };
  for (const key of Object.keys(clean))
    if (key.startsWith("PIP_") && !["PIP_CONFIG_FILE", "PIP_DISABLE_PIP_VERSION_CHECK"].includes(key))
      delete clean[key];
  return spawnSync(command, args, { encoding: "utf8", env: clean });
}

/** Every file under `root` with its content hash: a byte-for-byte picture of a tree. */
function snapshot(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else
        result[relative(root, path)] = entry.isSymbolicLink()
          ? "link"
          : createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  walk(root);
  return result;
}

const alpha1 = buildWheel(wheels, simplePackage("alpha", "1.0", { requires: ["beta>=1.0"] }));
const beta = buildWheel(wheels, simplePackage("beta", "1.2"));
mkdirSync(join(wheels, "v2"));
const alpha2 = buildWheel(join(wheels, "v2"), {
  ...simplePackage("alpha", "2.0", { requires: ["beta>=1.0"] }),
  files: { "alpha/__init__.py": "VERSION = '2.0'\ndef main():\n    print('alpha 2.0 says hello')\n" },
});

describe("spice venv", () => {
  it("creates environments that behave like python -m venv's for every CPython 3.8-3.13 here", () => {
    for (const version of ["3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"]) {
      if (!existsSync(join(PYENV, version))) continue;
      const path = venv(`venv-${version}`, join(PYENV, version, "bin", "python3"));
      const probe = run(join(path, "bin", "python"), [
        "-c",
        "import sys, site, json; print(json.dumps([sys.prefix, sys.base_prefix, site.ENABLE_USER_SITE, [p for p in sys.path if p.endswith('site-packages')]]))",
      ]);
      assert.equal(probe.status, 0, probe.stderr);
      const [prefix, basePrefix, userSite, sites] = JSON.parse(probe.stdout);
      assert.equal(prefix, path);
      assert.notEqual(basePrefix, prefix);
      assert.equal(userSite, false);
      assert.equal(sites.length, 1);
      assert.ok(sites[0].startsWith(path));
      for (const script of ["activate", "activate.fish", "activate.csh", "Activate.ps1", "activate.nu"])
        assert.ok(existsSync(join(path, "bin", script)));
      assert.equal(readFileSync(join(path, ".gitignore"), "utf8"), "*\n");
      assert.match(
        readFileSync(join(path, "pyvenv.cfg"), "utf8"),
        new RegExp(`version = ${version.replaceAll(".", "\\.")}`),
      );
    }
  });

  it("names a build's own interpreter in bin/ as Python's venv does (python3.13t)", () => {
    // No free-threaded build here: a link of such a name to 3.11 stands in, which is all the name needs.
    const builds = join(work.path, "builds");
    mkdirSync(builds);
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3.11"), join(builds, "python3.11t"));
    const names = (path: string) =>
      readdirSync(join(path, "bin"))
        .filter((name) => name.startsWith("python"))
        .sort();
    const path = venv("venv-own-name", join(builds, "python3.11t"));
    assert.deepEqual(names(path), ["python", "python3", "python3.11", "python3.11t"]);
    const probe = run(join(path, "bin", "python3.11t"), ["-c", "import sys; print(sys.prefix)"]);
    assert.equal(probe.stdout.trim(), path);
    // An ordinary build gets the three names alone.
    assert.deepEqual(names(venv("venv-plain-names", "3.11")), ["python", "python3", "python3.11"]);
  });

  it("supports ensurepip and activation", () => {
    const path = venv("venv-ensurepip", "3.12");
    const ensurepip = run(join(path, "bin", "python"), ["-m", "ensurepip"]);
    assert.equal(ensurepip.status, 0, ensurepip.stderr);
    const activated = spawnSync(
      "bash",
      [
        "-c",
        `source ${path}/bin/activate && echo "$VIRTUAL_ENV" && command -v python && deactivate && echo "\${VIRTUAL_ENV:-none}"`,
      ],
      { encoding: "utf8" },
    );
    assert.deepEqual(activated.stdout.trim().split("\n"), [path, join(path, "bin", "python"), "none"]);
  });

  it("says how to activate it in the user's shell, quoted where the path needs it", () => {
    const project = join(work.path, "shells project");
    mkdirSync(project);
    const noShellVersions = {
      BASH_VERSION: "",
      ZSH_VERSION: "",
      KSH_VERSION: "",
      FISH_VERSION: "",
      NU_VERSION: "",
    };
    const said = (path: string, env: NodeJS.ProcessEnv) => {
      const result = spice(["venv", path, "--python", "3.11", "--clear"], project, {
        ...noShellVersions,
        ...env,
      });
      assert.equal(result.status, 0, result.stderr);
      return /Activate with: (.*)\n/.exec(result.stderr)?.[1];
    };
    assert.equal(said(".venv", { SHELL: "/usr/bin/fish" }), "source .venv/bin/activate.fish");
    assert.equal(said(".venv", { SHELL: "/bin/tcsh" }), "source .venv/bin/activate.csh");
    assert.equal(
      said(".venv", { SHELL: "/bin/bash", NU_VERSION: "0.90.1" }),
      "overlay use .venv/bin/activate.nu",
    );
    assert.equal(said(".venv", { SHELL: "/usr/bin/pwsh" }), ".venv/bin/Activate.ps1");
    assert.equal(said(".venv", { SHELL: "/usr/bin/fish", BASH_VERSION: "5.2" }), "source .venv/bin/activate");
    // A path with a space and a quote: what is printed works when pasted into bash.
    const command = said("it's my env", { SHELL: "/bin/bash" });
    assert.equal(command, "source 'it'\\''s my env/bin/activate'");
    const activated = spawnSync("bash", ["-c", `${command} && echo "$VIRTUAL_ENV"`], {
      cwd: project,
      encoding: "utf8",
    });
    assert.equal(activated.stdout.trim(), join(project, "it's my env"));
  });

  it("shows --prompt in the activated shell, `.` standing for the current directory's name as with python -m venv", () => {
    const project = join(work.path, "prompt project");
    mkdirSync(project);
    for (const [prompt, shown] of [
      ["my env", "my env"],
      [".", "prompt project"],
    ]) {
      const path = join(project, `venv-${shown.replaceAll(" ", "-")}`);
      assert.equal(spice(["venv", path, "--python", "3.11", "--prompt", prompt], project).status, 0);
      const activated = spawnSync(
        "bash",
        ["-c", `PS1='$ '; source '${path}/bin/activate' && echo "$PS1|$VIRTUAL_ENV_PROMPT"`],
        {
          encoding: "utf8",
        },
      );
      assert.equal(activated.stdout, `(${shown}) $ |${shown}\n`, prompt);
      assert.match(readFileSync(join(path, "pyvenv.cfg"), "utf8"), new RegExp(`^prompt = ${shown}$`, "m"));
    }
  });

  it("puts the interpreter's own site-packages on the path with --system-site-packages, as python -m venv does", () => {
    const paths = (flags: string[]) => {
      const path = join(work.path, `venv-system-site${flags.join("")}`);
      assert.equal(spice(["venv", path, "--python", "3.11", ...flags]).status, 0);
      const probe = run(join(path, "bin", "python"), [
        "-c",
        "import sys; print('\\n'.join(p for p in sys.path if p.endswith('site-packages')))",
      ]);
      assert.equal(probe.status, 0, probe.stderr);
      return probe.stdout.trim().split("\n");
    };
    const isolated = paths([]);
    const shared = paths(["--system-site-packages"]);
    assert.equal(isolated.length, 1);
    assert.equal(shared.length, 2);
    assert.equal(shared[1], join(PYENV, "3.11.7", "lib", "python3.11", "site-packages"));
  });

  it("takes python -m venv's options: copies of the interpreter, no .gitignore, --upgrade in place", () => {
    const path = join(work.path, "venv-copies");
    const created = spice([
      "venv",
      path,
      "--python",
      "3.11",
      "--copies",
      "--without-pip",
      "--without-scm-ignore-files",
    ]);
    assert.equal(created.status, 0, created.stderr);
    const executable = realpathSync(join(PYENV, "3.11.7", "bin", "python3"));
    for (const name of ["python", "python3", "python3.11"]) {
      const file = join(path, "bin", name);
      assert.ok(lstatSync(file).isFile(), `${name} is a copy`);
      assert.ok(readFileSync(file).equals(readFileSync(executable)));
    }
    assert.ok(!existsSync(join(path, ".gitignore")));
    const probe = run(join(path, "bin", "python"), [
      "-c",
      "import sys; print(sys.prefix, sys.prefix != sys.base_prefix)",
    ]);
    assert.equal(probe.stdout, `${path} True\n`);
    // --upgrade rewrites it in place, as --allow-existing, keeping what is installed.
    assert.equal(spice(["pip", "install", "--python", path, "--no-deps", alpha1]).status, 0);
    const upgraded = spice(["venv", path, "--python", "3.11", "--upgrade"]);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    // Its copies stay copies, now of the interpreter as it is, as Python's venv copies over them.
    assert.ok(lstatSync(join(path, "bin", "python")).isFile());
    assert.match(spice(["pip", "freeze", "--python", path]).stdout, /^alpha @ file:/);
    for (const [flags, message] of [
      [["--copies", "--symlinks"], /--copies and --symlinks contradict each other/],
      [["--seed", "--without-pip"], /--seed and --without-pip contradict each other/],
      [["--upgrade", "--clear"], /--upgrade and --clear contradict each other/],
      [["--upgrade-deps"], /--upgrade-deps is not supported.*\nhint: .*--upgrade pip/],
    ] as const) {
      const refused = spice(["venv", join(work.path, "venv-refused"), ...flags]);
      assert.equal(refused.status, 2, flags.join(" "));
      assert.match(refused.stderr, message);
    }
    assert.ok(!existsSync(join(work.path, "venv-refused")));
  });

  it("warns when --allow-existing gives an environment another Python version", () => {
    const path = join(work.path, "env-version-change");
    assert.equal(spice(["venv", "-q", path, "--python", "3.12"]).status, 0);
    const same = spice(["venv", path, "--python", "3.12", "--allow-existing"]);
    assert.equal(same.status, 0);
    assert.doesNotMatch(same.stderr, /warning/);
    const changed = spice(["venv", path, "--python", "3.11", "--allow-existing"]);
    assert.equal(changed.status, 0, changed.stderr);
    assert.match(
      changed.stderr,
      /warning: .*env-version-change was a Python 3\.12 environment: the packages installed for it stay in lib\/python3\.12/,
    );
  });

  it("refuses Python 2 and directories that are not environments", () => {
    const py2 = spice(["venv", join(work.path, "py2"), "--python", "2.7"]);
    assert.equal(py2.status, 1);
    assert.match(py2.stderr, /Python 2\.7\.18 cannot create virtual environments/);
    const occupied = join(work.path, "occupied");
    mkdirSync(occupied);
    writeFileSync(join(occupied, "keep.txt"), "mine");
    const refused = spice(["venv", occupied, "--python", "3.11"]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /is not empty, and is not a virtual environment\nhint: Pass --clear/);
    assert.equal(readFileSync(join(occupied, "keep.txt"), "utf8"), "mine");
    // SPICE_VENV_CLEAR replaces environments only; --clear empties the directory, and says so.
    assert.equal(
      spice(["venv", occupied, "--python", "3.11"], work.path, { SPICE_VENV_CLEAR: "1" }).status,
      1,
    );
    assert.equal(readFileSync(join(occupied, "keep.txt"), "utf8"), "mine");
    const cleared = spice(["venv", occupied, "--python", "3.11", "--clear"]);
    assert.equal(cleared.status, 0, cleared.stderr);
    assert.match(
      cleared.stderr,
      /warning: --clear deleted what .*occupied held, which was no virtual environment/,
    );
    assert.equal(existsSync(join(occupied, "keep.txt")), false);
    // `spice venv --clear .` in a project (meant: --clear .venv) never takes the project with it.
    const project = join(work.path, "clear-project");
    mkdirSync(join(project, "src"), { recursive: true });
    writeFileSync(join(project, "pyproject.toml"), "");
    for (const [target, cwd, said] of [
      [".", project, "the current directory"],
      ["..", join(project, "src"), "a directory holding the current one"],
    ]) {
      const refusedHere = spice(["venv", target, "--python", "3.11", "--clear"], cwd);
      assert.equal(refusedHere.status, 1);
      assert.match(refusedHere.stderr, new RegExp(`error: Refusing to clear .*clear-project: it is ${said}`));
      assert.ok(existsSync(join(project, "pyproject.toml")));
    }
    const home = spice(["venv", project, "--python", "3.11", "--clear"], work.path, { HOME: project });
    assert.match(home.stderr, /it is your home directory/);
    assert.ok(existsSync(join(project, "pyproject.toml")));
  });

  it("replaces an existing environment only with --clear, SPICE_VENV_CLEAR or a yes on a terminal", () => {
    const path = venv("venv-existing");
    const site = join(path, "lib", "python3.11", "site-packages");
    const marker = join(site, "installed_before.py");
    writeFileSync(marker, "");
    // A script (no terminal) gets the error, and the environment stays as it was.
    const refused = spice(["venv", path, "--python", "3.11"]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /error: A virtual environment already exists at .*venv-existing\nhint: Pass --clear/,
    );
    assert.ok(existsSync(marker));
    // On a terminal (a real pseudo-terminal): asked, and only a yes replaces it.
    const onTerminal = (answer: string) =>
      runOnTerminal(
        [process.execPath, SPICE, "venv", path, "--python", "3.11"],
        "[y/N]",
        answer,
        spiceEnvironment({ cacheDir, env: { VIRTUAL_ENV: "", CONDA_PREFIX: "" } }),
      );
    const declined = onTerminal("n");
    assert.equal(declined.status, 1, declined.output);
    assert.match(
      declined.output,
      /A virtual environment already exists at .*venv-existing\. Replace it\? \[y\/N\] n/,
    );
    assert.ok(existsSync(marker));
    const accepted = onTerminal("y");
    assert.equal(accepted.status, 0, accepted.output);
    assert.match(accepted.output, /Replaced virtual environment at /);
    assert.ok(!existsSync(marker));
    writeFileSync(marker, "");
    assert.equal(
      spice(["venv", "-q", path, "--python", "3.11"], work.path, { SPICE_VENV_CLEAR: "1" }).status,
      0,
    );
    assert.ok(!existsSync(marker));
    writeFileSync(marker, "");
    assert.equal(spice(["venv", "-q", path, "--python", "3.11", "--allow-existing"]).status, 0);
    assert.ok(existsSync(marker), "--allow-existing keeps what is installed");
    assert.equal(spice(["venv", "-q", path, "--python", "3.11", "--clear"]).status, 0);
    assert.ok(!existsSync(marker));
  });

  it("keeps a link it is given: refused when it leads nowhere, followed when it leads to a directory", () => {
    const link = join(work.path, "venv-link");
    const target = join(work.path, "venv-link-target");
    symlinkSync(target, link);
    const nowhere = spice(["venv", link, "--python", "3.11"]);
    assert.equal(nowhere.status, 1);
    assert.match(nowhere.stderr, /venv-link is a link to .*venv-link-target, which does not exist\n/);
    assert.ok(lstatSync(link).isSymbolicLink(), "the link stays");
    mkdirSync(target);
    for (const args of [[], ["--clear"], ["--allow-existing"]]) {
      assert.equal(spice(["venv", link, "--python", "3.11", ...args]).status, 0);
      assert.ok(lstatSync(link).isSymbolicLink(), "replaced through the link, not in its place");
      assert.ok(existsSync(join(target, "pyvenv.cfg")));
    }
  });

  it("seeds what python -m venv seeds from the bundled wheels: pip, and setuptools below 3.12", () => {
    const path = join(work.path, "seeded");
    const seeded = spice(["venv", path, "--python", "3.11", "--seed"]);
    assert.equal(seeded.status, 0, seeded.stderr);
    assert.match(seeded.stderr, /\n \+ pip==23\.2\.1\n \+ setuptools==65\.5\.0\n/);
    const version = run(join(path, "bin", "pip"), ["--version"]);
    assert.match(version.stdout, /^pip 23\.2\.1 from /);
    const listed = run(join(path, "bin", "pip"), ["list", "--format", "freeze"]);
    assert.equal(listed.stdout, "pip==23.2.1\nsetuptools==65.5.0\n", "pip sees what was seeded");
    const imported = run(join(path, "bin", "python"), [
      "-c",
      "import setuptools; print(setuptools.__version__)",
    ]);
    assert.equal(imported.stdout.trim(), "65.5.0");
    // 3.12's ensurepip bundles pip alone, and seeds nothing else (without a cache, unpacked
    // inside the new environment first, and nothing of that left).
    const newer = join(work.path, "seeded-3.12");
    const seededNewer = spice(["--no-cache", "venv", newer, "--python", "3.12", "--seed"]);
    assert.match(seededNewer.stderr, /\n \+ pip==23\.2\.1\nActivate with/);
    assert.deepEqual(readdirSync(newer).sort(), [".gitignore", "bin", "lib", "lib64", "pyvenv.cfg"]);
    assert.deepEqual(readdirSync(join(newer, "lib", "python3.12")), ["site-packages"]);
    // Launchers named for the environment's Python, as pip names them: that pip wheel was built on
    // 3.11 and lists pip3.11, which python -m venv does not leave in a 3.12 environment.
    const launchers = (venv: string) =>
      readdirSync(join(venv, "bin")).filter((name) => name.startsWith("pip"));
    const reference = join(work.path, "python-m-venv-3.12");
    run(join(PYENV, readdirSync(PYENV).find((name) => name.startsWith("3.12")) ?? "", "bin", "python3"), [
      "-m",
      "venv",
      reference,
    ]);
    assert.deepEqual(launchers(newer).sort(), ["pip", "pip3", "pip3.12"]);
    assert.deepEqual(launchers(newer).sort(), launchers(reference).sort());
    assert.match(run(join(newer, "bin", "pip3.12"), ["--version"]).stdout, /\(python 3\.12\)/);
    const record = readFileSync(
      join(newer, "lib", "python3.12", "site-packages", "pip-23.2.1.dist-info", "RECORD"),
      "utf8",
    );
    assert.match(record, /^\.\.\/\.\.\/\.\.\/bin\/pip3\.12,sha256=/m);
    assert.doesNotMatch(record, /pip3\.11/);
  });

  it("seeds from the system's wheel directory first, as a distribution's ensurepip does", () => {
    // A Python whose build names WHEEL_PKG_DIR (Debian's and Fedora's: /usr/share/python-wheels):
    // pyenv's 3.11 in a prefix of its own, whose sysconfig data says so.
    const prefix = join(work.path, "python-with-wheel-dir");
    const stdlib = join(prefix, "lib", "python3.11");
    const realStdlib = join(PYENV, "3.11.7", "lib", "python3.11");
    const systemWheels = join(work.path, "python-wheels");
    mkdirSync(join(prefix, "bin"), { recursive: true });
    mkdirSync(stdlib, { recursive: true });
    mkdirSync(systemWheels);
    copyFileSync(realpathSync(PYTHON), join(prefix, "bin", "python3.11"));
    for (const entry of readdirSync(realStdlib)) {
      if (entry.startsWith("_sysconfigdata_"))
        writeFileSync(
          join(stdlib, entry),
          `${readFileSync(join(realStdlib, entry), "utf8")}\nbuild_time_vars["WHEEL_PKG_DIR"] = ${JSON.stringify(systemWheels)}\n`,
        );
      else symlinkSync(join(realStdlib, entry), join(stdlib, entry));
    }
    const python = join(prefix, "bin", "python3.11");
    // Other versions than the bundle's (pip 23.2.1, setuptools 65.5.0): 3.9's.
    const older = join(PYENV, "3.9.18", "lib", "python3.9", "ensurepip", "_bundled");
    copyFileSync(
      join(older, "pip-23.0.1-py3-none-any.whl"),
      join(systemWheels, "pip-23.0.1-py3-none-any.whl"),
    );
    const seeded = spice(["venv", join(work.path, "seeded-system-pip"), "--python", python, "--seed"]);
    // Below 3.12 ensurepip takes the directory only with pip and setuptools both there.
    assert.match(seeded.stderr, /\n \+ pip==23\.2\.1\n \+ setuptools==65\.5\.0\n/);
    copyFileSync(
      join(older, "setuptools-58.1.0-py3-none-any.whl"),
      join(systemWheels, "setuptools-58.1.0-py3-none-any.whl"),
    );
    const path = join(work.path, "seeded-system-wheels");
    const both = spice(["venv", path, "--python", python, "--seed"]);
    assert.match(both.stderr, /\n \+ pip==23\.0\.1\n \+ setuptools==58\.1\.0\n/);
    assert.match(run(join(path, "bin", "pip"), ["--version"]).stdout, /^pip 23\.0\.1 from /);
  });

  it("takes a new environment away again when seeding it fails, and leaves one that was there", () => {
    // A cache directory that is a file: unpacking pip fails after the environment was written.
    const blocked = join(work.path, "cache-is-a-file");
    writeFileSync(blocked, "");
    const path = join(work.path, "seed-fails");
    const failed = spice(["--cache-dir", blocked, "venv", path, "--python", "3.11", "--seed"]);
    assert.equal(failed.status, 1);
    assert.match(
      failed.stderr,
      /warning: Removed the new environment at .*seed-fails: pip could not be installed/,
    );
    assert.match(failed.stderr, /error: Could not unpack pip-23\.2\.1-py3-none-any\.whl/);
    assert.equal(existsSync(path), false, "the same command runs again without --clear");
    venv("seed-fails");
    const kept = spice([
      "--cache-dir",
      blocked,
      "venv",
      path,
      "--python",
      "3.11",
      "--seed",
      "--allow-existing",
    ]);
    assert.equal(kept.status, 1);
    assert.doesNotMatch(kept.stderr, /Removed/);
    assert.ok(existsSync(join(path, "pyvenv.cfg")), "an environment that was there stays");
  });
});

describe("spice pip install and uninstall", () => {
  it("installs local wheels with dependencies from --find-links, scripts and a complete RECORD", () => {
    const path = venv("env-install");
    const python = join(path, "bin", "python");
    const result = spice(["pip", "install", "--python", python, "alpha", "--find-links", wheels]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /^Using Python 3\.11\.7 environment at /);
    assert.match(result.stderr, /Installed 2 packages in \d+(ms|\.\d+s)\n \+ alpha==1\.0\n \+ beta==1\.2\n/);
    assert.doesNotMatch(result.stderr, /Uninstalled/, "a fresh install removes nothing");
    const site = join(path, "lib", "python3.11", "site-packages");
    const hello = run(join(path, "bin", "alpha-hello"), []);
    assert.equal(hello.stdout, "alpha 1.0 says hello\n");
    assert.match(readFileSync(join(path, "bin", "alpha-tool"), "utf8"), new RegExp(`^#!${python}\n`));
    assert.equal(statSync(join(path, "bin", "alpha-tool")).mode & 0o111, 0o111);
    const distInfo = join(site, "alpha-1.0.dist-info");
    assert.equal(readFileSync(join(distInfo, "INSTALLER"), "utf8"), "spice\n");
    assert.ok(existsSync(join(distInfo, "REQUESTED")));
    assert.ok(!existsSync(join(site, "beta-1.2.dist-info", "REQUESTED")));
    const record = readFileSync(join(distInfo, "RECORD"), "utf8").trim().split("\r\n");
    for (const row of record) {
      const [file, hash, size] = row.split(",");
      const absolute = join(site, file);
      assert.ok(existsSync(absolute), file);
      if (file.endsWith("RECORD")) continue;
      const content = readFileSync(absolute);
      assert.equal(hash, `sha256=${createHash("sha256").update(content).digest("base64url")}`, file);
      assert.equal(Number(size), content.length, file);
    }
    assert.ok(record.some((row) => row.startsWith("../../../bin/alpha-hello,")));
    // Sorted by path, as pip writes it: scripts and generated files merged among the wheel's own.
    const recordPaths = record.map((row) => row.split(",")[0]);
    assert.deepEqual(recordPaths, [...recordPaths].sort());
  });

  it("installs the same with --no-cache, leaving no cache and no scratch behind", () => {
    const path = venv("env-no-cache");
    const python = join(path, "bin", "python");
    const noCache = join(work.path, "no-cache-dir");
    const result = runSpice(["--no-cache", "pip", "install", "--python", python, alpha1, beta], {
      cwd: work.path,
      cacheDir: noCache,
      env: { VIRTUAL_ENV: "", CONDA_PREFIX: "" },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(run(join(path, "bin", "alpha-hello"), []).stdout, "alpha 1.0 says hello\n");
    assert.match(readFileSync(join(path, "bin", "alpha-tool"), "utf8"), new RegExp(`^#!${python}\n`));
    const site = join(path, "lib", "python3.11", "site-packages");
    assert.equal(readFileSync(join(site, "beta", "data.txt"), "utf8"), "some data\n");
    assert.equal(existsSync(noCache), false);
    assert.deepEqual(
      readdirSync(join(path, "lib", "python3.11")).filter((name) => name !== "site-packages"),
      [],
    );
    // A sync unpacks there too, not into the working directory.
    const here = join(work.path, "no-cache-sync");
    mkdirSync(here);
    writeFileSync(join(work.path, "no-cache-sync.txt"), `${alpha1}\n${beta}\n`);
    const synced = runSpice(
      ["--no-cache", "pip", "sync", "--python", python, "--reinstall", join(work.path, "no-cache-sync.txt")],
      { cwd: here, cacheDir: noCache, env: { VIRTUAL_ENV: "", CONDA_PREFIX: "" } },
    );
    assert.equal(synced.status, 0, synced.stderr);
    assert.match(synced.stderr, / \+ beta==1\.2\n/);
    assert.deepEqual(readdirSync(here), []);
    assert.equal(existsSync(noCache), false);
    assert.deepEqual(readdirSync(join(path, "lib", "python3.11")), ["site-packages"]);
  });

  it("matches pip's list, freeze, show and check output, and pip can manage what spice installed", () => {
    const path = join(work.path, "env-pip");
    const python = join(path, "bin", "python");
    assert.equal(spice(["venv", path, "--python", "3.11", "--seed"]).status, 0);
    assert.equal(spice(["pip", "install", "--python", python, alpha1, beta]).status, 0);
    const pip = join(path, "bin", "pip");
    const compare = (pipArgs: string[], spiceArgs: string[]) => {
      const expected = run(pip, pipArgs);
      const actual = spice(["pip", ...spiceArgs, "--python", python]);
      assert.equal(actual.stdout, expected.stdout, `pip ${pipArgs.join(" ")}`);
    };
    compare(["list"], ["list"]);
    compare(["list", "--format", "json"], ["list", "--format", "json"]);
    compare(["list", "--format", "freeze"], ["list", "--format", "freeze"]);
    compare(["list", "--not-required"], ["list", "--not-required"]);
    compare(["freeze"], ["freeze"]);
    compare(["freeze", "--all"], ["freeze", "--all"]);
    compare(
      ["list", "--exclude", "alpha", "--exclude", "pip"],
      ["list", "--exclude", "alpha", "--exclude", "pip"],
    );
    compare(["freeze", "--all", "--exclude", "beta"], ["freeze", "--all", "--exclude", "beta"]);
    compare(["list", "--format", "json", "--not-required"], ["list", "--format", "json", "--not-required"]);
    // pip's optparse takes unambiguous prefixes of long options; so does spice pip.
    compare(["list", "--form", "freeze", "--not-req"], ["list", "--form", "freeze", "--not-req"]);
    const ambiguous = spice(["pip", "list", "--python", python, "--e"]);
    assert.equal(ambiguous.status, 2);
    assert.match(ambiguous.stderr, /ambiguous option: --e \(--editable, .*--exclude.*\?\)/);
    assert.match(
      spice(["venv", "--prom", "x", join(work.path, "no-prefixes")]).stderr,
      /unexpected option '--prom'/,
    );
    compare(["show", "alpha", "beta"], ["show", "alpha", "beta"]);
    compare(["show", "-f", "alpha"], ["show", "-f", "alpha"]);
    compare(["check"], ["check"]);
    compare(["inspect"], ["inspect"]);
    // direct_url.json byte for byte as pip writes it (json.dumps with sorted keys).
    const pipped = pipInstalledVenv("env-pip-direct", ["--no-deps", beta]);
    const directUrl = (root: string) =>
      readFileSync(
        join(root, "lib", "python3.11", "site-packages", "beta-1.2.dist-info", "direct_url.json"),
        "utf8",
      );
    assert.equal(directUrl(path), directUrl(pipped));
    assert.match(directUrl(path), /^\{"archive_info": \{"hash": "sha256=/);
    // What pip counts as part of Python (argparse, wsgiref) it leaves out of list and freeze, --all too.
    mkdirSync(join(work.path, "stdlib-named"));
    const argparse = buildWheel(join(work.path, "stdlib-named"), simplePackage("argparse", "1.4.0"));
    assert.equal(spice(["pip", "install", "--python", python, argparse]).status, 0);
    compare(["list"], ["list"]);
    compare(["freeze"], ["freeze"]);
    compare(["freeze", "--all"], ["freeze", "--all"]);
    assert.doesNotMatch(run(pip, ["freeze", "--all"]).stdout, /argparse/);
    // freeze -r: the file's order and lines, then the rest; the same warnings (pip's words).
    const listed = join(work.path, "freeze-order.txt");
    writeFileSync(
      listed,
      "# pinned\nbeta\n\n\n-i https://example.invalid/simple\nmissing-one==1\nalpha  # the app\nBeta\n# pinned\n" +
        "-e git+https://example.invalid/x#egg=gone\nhttps://example.invalid/y.tar.gz  # no name\n",
    );
    // pip says which lines it cannot tell the project of on standard output, amid the
    // requirements; spice says the same on standard error.
    const pipFrozen = run(pip, ["freeze", "-r", listed]).stdout.split("\n");
    const skipping = (line: string) => /^(Skipping line| {2}\(add #egg)/.test(line);
    const spiceFrozen = spice(["pip", "freeze", "-r", listed, "--python", python]);
    assert.equal(spiceFrozen.stdout, pipFrozen.filter((line) => !skipping(line)).join("\n"));
    assert.deepEqual(spiceFrozen.stderr.split("\n").filter(skipping), [
      `Skipping line in requirement file [${listed}] because it's not clear what it would install: https://example.invalid/y.tar.gz  # no name`,
      "  (add #egg=PackageName to the URL to avoid this warning)",
    ]);
    assert.deepEqual(spiceFrozen.stderr.split("\n").filter(skipping), pipFrozen.filter(skipping));
    const empty = join(work.path, "freeze-empty.txt");
    writeFileSync(empty, "");
    compare(["freeze", "-r", empty], ["freeze", "-r", empty]);
    const warnings = (stderr: string) =>
      stderr
        .split("\n")
        .filter((line) => /^(WARNING|warning): Requirement/.test(line))
        .map((line) => line.replace(/^WARNING:/, "warning:"))
        .sort();
    const expectedWarnings = warnings(run(pip, ["freeze", "-r", listed]).stderr);
    assert.equal(expectedWarnings.length, 3, "missing-one, gone (named without -e), beta twice");
    assert.deepEqual(
      warnings(spice(["pip", "freeze", "-r", listed, "--python", python]).stderr),
      expectedWarnings,
    );
    // A header folded over several lines: pip 23 re-indents it on Python 3.11+ (importlib.metadata)
    // and shows it as written on older Pythons.
    mkdirSync(join(work.path, "folded"));
    const folded = buildWheel(join(work.path, "folded"), {
      ...simplePackage("gamma", "1.0"),
      summary: "A summary\n        \n        folded over\n    several lines",
      // pip prints through rich, which expands tabs and drops BEL, BS, VT, FF and CR
      // (matplotlib's License holds tabs).
      license: "GPL\tor\n        E-Mail:\tme@example.invalid\u0007\u000c\n        Tab\t\u4e2d\tend",
    });
    assert.equal(spice(["pip", "install", "--python", python, folded]).status, 0);
    compare(["show", "gamma"], ["show", "gamma"]);
    assert.match(
      run(pip, ["show", "gamma"]).stdout,
      /^Summary: {5}A summary\n\n {4}folded over\nseveral lines$/m,
    );
    assert.match(
      run(pip, ["show", "gamma"]).stdout,
      /^License: GPL {4}or\nE-Mail: me@example\.invalid\nTab {5}中 {7}end$/m,
    );
    const older = join(PYENV, "3.10.13", "bin", "python3");
    if (existsSync(older)) {
      const path310 = join(work.path, "env-pip-3.10");
      assert.equal(spice(["venv", path310, "--python", older, "--seed"]).status, 0);
      const python310 = join(path310, "bin", "python");
      assert.equal(spice(["pip", "install", "--python", python310, folded]).status, 0);
      const expected = run(join(path310, "bin", "pip"), ["show", "gamma"]);
      assert.match(expected.stdout, /^Summary: A summary\n {8}\n {8}folded over\n {4}several lines$/m);
      assert.equal(spice(["pip", "show", "gamma", "--python", python310]).stdout, expected.stdout);
    }
    // --path: what one directory holds (here a --target directory), as pip lists it.
    const target = join(work.path, "list-target");
    assert.equal(spice(["pip", "install", "--python", python, "--target", target, beta]).status, 0);
    compare(["list", "--path", target], ["list", "--path", target]);
    compare(["list", "--format", "json", "--path", target], ["list", "--format", "json", "--path", target]);
    compare(["freeze", "--path", target], ["freeze", "--path", target]);
    // Break a dependency: both report it the same way.
    assert.equal(run(pip, ["uninstall", "-y", "beta"]).status, 0);
    compare(["check"], ["check"]);
    // pip installs, spice uninstalls.
    assert.equal(run(pip, ["install", "--no-index", "--no-deps", beta]).status, 0);
    compare(["list"], ["list"]);
    const removed = spice(["pip", "uninstall", "-y", "beta", "--python", python]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stderr, / - beta==1\.2/);
    assert.ok(
      !readdirSync(join(path, "lib", "python3.11", "site-packages")).some((name) => name.startsWith("beta")),
    );
  });

  it("reports an .egg-info's requires.txt in inspect as pip does: its requirements and extras in pip's spelling", () => {
    const path = join(work.path, "egg-info-inspect");
    assert.equal(spice(["venv", path, "--python", "3.11", "--seed"]).status, 0);
    const eggInfo = join(path, "lib", "python3.11", "site-packages", "legacy-2.0-py3.11.egg-info");
    mkdirSync(eggInfo);
    writeFileSync(join(eggInfo, "PKG-INFO"), "Metadata-Version: 1.2\nName: legacy\nVersion: 2.0\n");
    writeFileSync(
      join(eggInfo, "requires.txt"),
      'requests>=2\n\n[Socks_Proxy]\nPySocks!=1.5.7\n\n[:python_version < "3.8"]\nimportlib-metadata\n\n' +
        '[Tests:sys_platform == "win32"]\npywin32\npkg @ https://example.invalid/pkg.whl\n',
    );
    const entry = (stdout: string) =>
      (JSON.parse(stdout) as { installed: Array<{ metadata: Record<string, unknown> }> }).installed.find(
        (dist) => dist.metadata.name === "legacy",
      )?.metadata;
    const python = join(path, "bin", "python");
    const expected = entry(run(python, ["-m", "pip", "inspect"]).stdout);
    assert.deepEqual(entry(spice(["pip", "inspect", "--python", python]).stdout), expected);
    // pip 23.2 keeps the extras as written, and makes them safe (not normalized) in markers.
    assert.deepEqual(expected?.provides_extra, ["Socks_Proxy", "Tests"]);
  });

  it("freezes editable installs as pip does: a git checkout by remote and commit, else its directory", () => {
    const path = join(work.path, "env-editable");
    const python = join(path, "bin", "python");
    assert.equal(spice(["venv", path, "--python", "3.11", "--seed"]).status, 0);
    // An editable install as pip leaves one (PEP 660, PEP 610): no wheel to build here.
    const repository = join(work.path, "editable-repo");
    const project = join(repository, "libs", "edit-me");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "edit-me"\nversion = "0.3"\n');
    const distInfo = join(path, "lib", "python3.11", "site-packages", "edit_me-0.3.dist-info");
    mkdirSync(distInfo);
    writeFileSync(join(distInfo, "METADATA"), "Metadata-Version: 2.1\nName: edit-me\nVersion: 0.3\n");
    writeFileSync(join(distInfo, "INSTALLER"), "pip\n");
    writeFileSync(join(distInfo, "RECORD"), "");
    const pointAt = (location: string) =>
      writeFileSync(
        join(distInfo, "direct_url.json"),
        JSON.stringify({ url: pathToFileURL(location).href, dir_info: { editable: true } }),
      );
    const git = (args: string[], cwd = repository) => {
      const result = spawnSync("git", args, {
        cwd,
        encoding: "utf8",
        env: {
          ...process.env,
          GIT_CONFIG_GLOBAL: "/dev/null",
          GIT_AUTHOR_NAME: "t",
          GIT_AUTHOR_EMAIL: "t@example.invalid",
          GIT_COMMITTER_NAME: "t",
          GIT_COMMITTER_EMAIL: "t@example.invalid",
        },
      });
      assert.equal(result.status, 0, result.stderr);
    };
    const pip = join(path, "bin", "pip");
    const compare = (expectedLine: RegExp) => {
      const frozen = spice(["pip", "freeze", "--python", python]).stdout;
      assert.equal(frozen, run(pip, ["freeze"]).stdout);
      assert.match(frozen, expectedLine);
    };
    pointAt(project);
    compare(/^# Editable install with no version control \(edit-me==0\.3\)\n-e .*edit-me\n$/);
    for (const args of [
      ["list"],
      ["list", "-e"],
      ["list", "--exclude-editable"],
      ["list", "--include-editable", "--format", "json"],
      ["list", "--editable", "--format", "freeze"],
      ["freeze", "--exclude-editable"],
    ])
      assert.equal(spice(["pip", ...args, "--python", python]).stdout, run(pip, args).stdout, args.join(" "));
    git(["init", "-q"]);
    compare(/^# Editable Git install with no remote \(edit-me==0\.3\)\n-e .*edit-me\n$/);
    git(["add", "-A"]);
    git(["commit", "-q", "-m", "one"]);
    git(["remote", "add", "upstream", "https://example.invalid/up.git"]);
    compare(
      /^-e git\+https:\/\/example\.invalid\/up\.git@[0-9a-f]{40}#egg=edit_me&subdirectory=libs\/edit-me\n$/,
    );
    git(["remote", "add", "origin", "git@example.invalid:me/repo.git"]);
    compare(/^-e git\+ssh:\/\/git@example\.invalid\/me\/repo\.git@[0-9a-f]{40}#egg=edit_me&subdirectory=/);
    git(["remote", "set-url", "origin", "not a url"]);
    compare(
      /^# Editable Git install \(edit-me==0\.3\) with either a deleted local remote or invalid URI:\n# 'not'\n/,
    );
    // The project at the repository's root: no subdirectory.
    git(["init", "-q"], project);
    git(["add", "-A"], project);
    git(["commit", "-q", "-m", "two"], project);
    git(["remote", "add", "origin", "git://example.invalid/edit-me"], project);
    compare(/^-e git\+git:\/\/example\.invalid\/edit-me@[0-9a-f]{40}#egg=edit_me\n$/);
    // Without git on PATH: the directory, and pip's warning.
    const noGit = runSpice(["pip", "freeze", "--python", python], {
      cacheDir,
      env: { PATH: "/nonexistent" },
    });
    assert.equal(noGit.stdout, `-e ${project}\n`);
    assert.match(
      noGit.stderr,
      /cannot determine version of editable source in .*\(git command not found in path\)/,
    );
  });

  it("reports pip check's problems in pip's order: as the directory lists them (3.11+) or sorted by path (3.10), each one's sorted", () => {
    const directory = join(work.path, "check-order");
    mkdirSync(directory);
    const wheels = [buildWheel(directory, simplePackage("base-dep", "1.0"))];
    // Versions that the pkg_resources of pip 23.0.1 (pyenv's 3.10 bundles it) would put first;
    // pip 23.2.1's sorts by path, as spice does.
    const versions: Record<string, string> = {
      kiwi: "1.0",
      apple: "2.0b1",
      mango: "10",
      fig: "1.0.post1",
      pear: "0.9",
      lime: "1.0.0",
      quince: "1!0.1",
      banana: "1.0",
    };
    for (const [name, version] of Object.entries(versions))
      wheels.push(
        buildWheel(
          directory,
          simplePackage(name, version, {
            requires: [`zz-${name}-gone`, "aa-gone>=1", "base-dep>=2", "mm-gone; python_version >= '3'"],
          }),
        ),
      );
    // One whose requirements do not all parse is left out, and counts as missing for the others.
    wheels.push(
      buildWheel(directory, simplePackage("broken", "1.0", { requires: ["kiwi", "not valid !!"] })),
    );
    wheels.push(buildWheel(directory, simplePackage("needs-broken", "1.0", { requires: ["broken>=1"] })));
    for (const version of ["3.11", "3.10"]) {
      const path = join(work.path, `env-check-order-${version}`);
      assert.equal(spice(["venv", path, "--python", version, "--seed"]).status, 0);
      const python = join(path, "bin", "python");
      assert.equal(
        spice(["pip", "install", "--no-deps", "--python", python, ...wheels, PIP_WHEEL]).status,
        0,
      );
      assert.match(run(join(path, "bin", "pip"), ["--version"]).stdout, /^pip 23\.2\.1 /);
      // A metadata directory without METADATA: skipped, with pip's warning.
      mkdirSync(join(path, "lib", `python${version}`, "site-packages", "ghost-1.0.dist-info"));
      const expected = run(join(path, "bin", "pip"), ["check"]);
      const actual = spice(["pip", "check", "--python", python]);
      assert.equal(actual.status, 1);
      assert.equal(actual.stdout, expected.stdout, version);
      assert.match(actual.stdout, /^kiwi 1\.0 requires aa-gone, which is not installed\.$/m);
      assert.match(actual.stdout, /^needs-broken 1\.0 requires broken, which is not installed\.$/m);
      assert.doesNotMatch(actual.stdout, /^broken /m);
      assert.match(actual.stderr, /warning: Error parsing requirements for broken: 'not valid !!'/);
      assert.match(
        actual.stderr,
        /warning: Skipping \S+ghost-1\.0\.dist-info due to invalid metadata entry 'name'/,
      );
      // inspect lists them in the same order as pip.
      const names = (stdout: string) =>
        (JSON.parse(stdout) as { installed: Array<{ metadata: { name: string } }> }).installed.map(
          (dist) => dist.metadata.name,
        );
      assert.deepEqual(
        names(spice(["pip", "inspect", "--python", python]).stdout),
        names(run(join(path, "bin", "pip"), ["inspect"]).stdout),
        version,
      );
    }
  });

  it("uninstalls what an argument names as pip reads it: a requirement or a wheel's path", () => {
    const path = venv("env-uninstall-names");
    const python = join(path, "bin", "python");
    for (const argument of [
      beta,
      "beta==1.2",
      "Beta>=1; python_version > '3'",
      `${pathToFileURL(beta)}#sha256=0`,
    ]) {
      assert.equal(spice(["pip", "install", "--python", python, beta]).status, 0);
      const removed = spice(["pip", "uninstall", "--python", python, argument]);
      assert.equal(removed.status, 0, removed.stderr);
      assert.match(removed.stderr, / - beta==1\.2\n$/, argument);
    }
    const invalid = spice(["pip", "uninstall", "--python", python, "not a name!"]);
    assert.equal(invalid.status, 2);
    assert.match(invalid.stderr, /^error: Invalid requirement: 'not a name!'/m);
  });

  it("asks pip's question before an uninstall on a terminal, listing what pip lists, Enter for a yes", () => {
    const directory = join(work.path, "uninstall-asked");
    mkdirSync(directory);
    const kite = buildWheel(directory, {
      name: "kite",
      version: "1.0",
      files: { "kite/__init__.py": "", "kite/core.py": "", "kite_extra.py": "" },
    });
    const path = venv("env-uninstall-asked");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, kite]).status, 0);
    const site = join(path, "lib", "python3.11", "site-packages");
    writeFileSync(join(site, "kite", "notes.txt"), "mine\n");
    const env = spiceEnvironment({ cacheDir, env: { VIRTUAL_ENV: "", CONDA_PREFIX: "" } });
    const onTerminal = (command: string[], answer: string) =>
      runOnTerminal(command, "Proceed (Y/n)?", answer, env);
    const spiceCommand = [process.execPath, SPICE, "pip", "uninstall", "--python", python, "kite"];
    const question = (output: string) => output.slice(output.indexOf("Found existing installation"));
    const declined = onTerminal(spiceCommand, "n");
    assert.equal(declined.status, 0, declined.output);
    assert.ok(existsSync(join(site, "kite_extra.py")));
    const pip = onTerminal([PYTHON, "-m", "pip", "--python", python, "uninstall", "kite"], "n");
    assert.equal(pip.status, 0, pip.output);
    assert.equal(question(declined.output), question(pip.output));
    assert.match(declined.output, /Would remove:\n {4}\S+\/kite-1\.0\.dist-info\/\*\n {4}\S+\/kite\/\*\n/);
    assert.match(
      declined.output,
      /Would not remove \(might be manually added\):\n {4}\S+\/kite\/notes\.txt\n/,
    );
    // Ctrl-C at the question ends spice at once (a yes would follow, if it were left waiting).
    const cancelled = onTerminal(spiceCommand, "\x03");
    assert.notEqual(cancelled.status, 0, cancelled.output);
    assert.match(
      cancelled.output,
      /Proceed \(Y\/n\)\? \^C\nerror: Interrupted by SIGINT \(Ctrl-C\): nothing was changed in the environment at \S+env-uninstall-asked\n/,
    );
    assert.ok(existsSync(join(site, "kite_extra.py")));
    const accepted = onTerminal(spiceCommand, "");
    assert.equal(accepted.status, 0, accepted.output);
    assert.match(accepted.output, /Uninstalled 1 package in .*\n - kite==1\.0\n/);
    assert.ok(!existsSync(join(site, "kite_extra.py")));
    // -y, and anything but a terminal, asks nothing.
    assert.equal(spice(["pip", "install", "--python", python, kite]).status, 0);
    const quiet = onTerminal([...spiceCommand, "-y"], "n");
    assert.doesNotMatch(quiet.output, /Proceed/);
    assert.ok(!existsSync(join(site, "kite_extra.py")));
  });

  it("uninstalls whole directories at once, keeping what it did not install and what others share", () => {
    const directory = join(work.path, "uninstall-wheels");
    mkdirSync(directory);
    const heron = buildWheel(directory, {
      name: "heron",
      version: "1.0",
      files: {
        "heron/__init__.py": "",
        "heron/sub/__init__.py": "",
        "heron/sub/deep/mod.py": "VALUE = 1\n",
        "heron/data/table.txt": "x\n",
        "nest/heron/__init__.py": "",
        // Data files outside site-packages: their emptied directories go too, share/ stays.
        "heron-1.0.data/data/share/heron/templates/a/page.html": "<p>a</p>\n",
        "heron-1.0.data/data/share/heron/templates/b/page.html": "<p>b</p>\n",
        "heron-1.0.data/data/share/common/heron.txt": "heron\n",
      },
    });
    const egret = buildWheel(directory, {
      name: "egret",
      version: "1.0",
      files: { "nest/egret/__init__.py": "", "egret-1.0.data/data/share/common/egret.txt": "egret\n" },
    });
    const path = venv("env-uninstall-whole");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, heron, egret]).status, 0);
    const site = join(path, "lib", "python3.11", "site-packages");
    // Byte-compiled at run time (not in RECORD): removed with its module, as pip does.
    assert.equal(run(python, ["-m", "py_compile", join(site, "heron", "sub", "deep", "mod.py")]).status, 0);
    assert.ok(existsSync(join(site, "heron", "sub", "deep", "__pycache__")));
    writeFileSync(join(site, "heron", "data", "notes.txt"), "mine\n");
    // The removed files are deleted in the background, out of the environment at once.
    const removed = spice(["pip", "uninstall", "-v", "-y", "--python", python, "heron"], work.path, {
      SPICE_SPARE_TREES: "background",
    });
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stderr, /deleting the removed files in the background/);
    assert.deepEqual(Object.keys(snapshot(join(site, "heron"))), ["data/notes.txt"]);
    assert.ok(!existsSync(join(site, "nest", "heron")));
    assert.ok(existsSync(join(site, "nest", "egret", "__init__.py")));
    assert.ok(!existsSync(join(site, "heron-1.0.dist-info")));
    assert.deepEqual(readdirSync(join(path, "share")), ["common"]);
    assert.deepEqual(readdirSync(join(path, "share", "common")), ["egret.txt"]);
    assert.deepEqual(
      readdirSync(site).filter((name) => name.startsWith(".spice")),
      [],
    );
    assert.equal(run(python, ["-c", "import nest.egret"]).status, 0);
    const bucket = join(cacheDir, BUCKETS.wheels);
    const deleted = () =>
      !existsSync(join(cacheDir, ".spare-trees.lock")) &&
      !readdirSync(bucket).some((name) => name.startsWith(".tmp-"));
    const waitUntilDeleted = () => {
      for (const deadline = Date.now() + 30_000; !deleted(); ) {
        assert.ok(Date.now() < deadline, "the background process did not finish within 30 s");
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
    };
    waitUntilDeleted();
    // An upgrade's old files go the same way.
    mkdirSync(join(directory, "v2"));
    const egret2 = buildWheel(join(directory, "v2"), {
      name: "egret",
      version: "2.0",
      files: { "nest/egret/__init__.py": "VERSION = 2\n", "egret_extra/__init__.py": "" },
    });
    const upgraded = spice(["pip", "install", "-v", "--python", python, egret2], work.path, {
      SPICE_SPARE_TREES: "background",
    });
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(upgraded.stderr, /deleting the removed files in the background/);
    assert.ok(!existsSync(join(site, "egret-1.0.dist-info")));
    assert.equal(run(python, ["-c", "import nest.egret; print(nest.egret.VERSION)"]).stdout, "2\n");
    assert.deepEqual(
      readdirSync(site).filter((name) => name.startsWith(".spice")),
      [],
    );
    waitUntilDeleted();
  });

  it("never changes what an environment only sees from outside itself (a .pth directory, global site-packages)", () => {
    const path = venv("env-outside");
    const python = join(path, "bin", "python");
    const site = join(path, "lib", "python3.11", "site-packages");
    const outside = join(work.path, "outside", "site-packages");
    assert.equal(spice(["pip", "install", "--python", python, "--target", outside, beta]).status, 0);
    writeFileSync(join(site, "outside.pth"), `${outside}\n`);
    const before = snapshot(outside);
    assert.match(spice(["pip", "list", "--python", python]).stdout, /^beta +1\.2$/m);
    // pip's --local leaves it out (it is not inside the environment); so does spice.
    for (const options of [["list"], ["list", "--local"], ["freeze", "--local"]]) {
      const pip = run(PYTHON, ["-m", "pip", "--python", python, ...options]);
      assert.equal(spice(["pip", ...options, "--python", python]).stdout, pip.stdout, options.join(" "));
    }
    // --force-reinstall puts a copy inside the environment; the one outside stays as it was.
    const reinstalled = spice(["pip", "install", "--python", python, "--force-reinstall", beta]);
    assert.equal(reinstalled.status, 0, reinstalled.stderr);
    assert.doesNotMatch(reinstalled.stderr, / - beta/);
    assert.ok(existsSync(join(site, "beta-1.2.dist-info")));
    assert.deepEqual(snapshot(outside), before);
    // Uninstalling removes the copy inside, then leaves the one outside, as pip does.
    assert.equal(spice(["pip", "uninstall", "-y", "--python", python, "beta"]).status, 0);
    assert.ok(!existsSync(join(site, "beta-1.2.dist-info")));
    const again = spice(["pip", "uninstall", "-y", "--python", python, "beta"]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /Not uninstalling beta at .*\/outside\/site-packages, outside environment /);
    assert.deepEqual(snapshot(outside), before);
  });

  it("says an environment it cannot lock or write is what it is, and does not wait forever", () => {
    // A directory where the lock file goes made spice wait without end; a site-packages that is
    // a dangling link (its volume gone) was an internal error.
    const blocked = venv("env-lock-directory");
    const site = join(blocked, "lib", "python3.11", "site-packages");
    mkdirSync(join(site, ".spice.lock"));
    const locked = spice(["pip", "install", "--python", blocked, beta]);
    assert.equal(locked.status, 1);
    assert.match(
      locked.stderr,
      /error: The environment at .* could not be locked for a change \(.*\.spice\.lock\)\n {2}caused by: EISDIR/,
    );
    const dangling = venv("env-dangling-site");
    const danglingSite = join(dangling, "lib", "python3.11", "site-packages");
    rmSync(danglingSite, { recursive: true });
    symlinkSync(join(work.path, "gone-volume", "site-packages"), danglingSite);
    const missing = spice(["pip", "install", "--python", dangling, beta]);
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /error: The environment at .* cannot be changed: .*site-packages cannot be made\n {2}caused by: EEXIST/,
    );
    assert.doesNotMatch(locked.stderr + missing.stderr, /internal error/);
  });

  it("finishes a change Ctrl-C comes in the middle of, then says it came after the change", async () => {
    // Byte-compiling 2,000 modules (--compile) happens inside the change: long enough to be hit.
    const directory = join(work.path, "interrupted-compile");
    mkdirSync(directory);
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`slowpack/part${i % 40}/mod${i}.py`] = `VALUE = ${i}\n`;
    const wheel = buildWheel(directory, { name: "slowpack", version: "1.0", files });
    const target = venv("env-interrupted-compile");
    const site = join(target, "lib", "python3.11", "site-packages");
    // In a process group of its own, as a terminal's foreground job: Ctrl-C reaches Python too.
    const child = spawn(process.execPath, [SPICE, "pip", "install", "--compile", "--python", target, wheel], {
      env: spiceEnvironment({ cacheDir }),
      detached: true,
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const ended = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("close", (_status, signal) => resolve(signal)),
    );
    const compiled = join(site, "slowpack", "part0", "__pycache__");
    while (!existsSync(compiled)) await new Promise((resolve) => setTimeout(resolve, 5));
    process.kill(-child.pid!, "SIGINT");
    assert.equal(await ended, "SIGINT", stderr);
    assert.match(
      stderr,
      /Installed 1 package in .*\n \+ slowpack==1\.0\nerror: Interrupted by SIGINT \(Ctrl-C\), after the change to the environment at \S+env-interrupted-compile was made\n$/,
    );
    // The change is whole: every file its RECORD lists that is no .pyc is there.
    const record = readFileSync(join(site, "slowpack-1.0.dist-info", "RECORD"), "utf8");
    const listed = record.split("\n").map((row) => row.split(",")[0]);
    assert.ok(listed.filter((path) => path.endsWith(".py")).every((path) => existsSync(join(site, path))));
    assert.match(spice(["pip", "freeze", "--python", target]).stdout, /^slowpack @ file:/);
  });

  it("ends as Ctrl-C would when the Python it inspects dies of Ctrl-C, not calling it broken", () => {
    // What a terminal's Ctrl-C does to the interpreter spice waits for (it reaches spice too).
    const stopped = join(work.path, "stopped-python");
    mkdirSync(stopped);
    writeFileSync(join(stopped, "python3"), "#!/bin/sh\nkill -INT $$\n", { mode: 0o755 });
    const result = spawnSync(
      process.execPath,
      [SPICE, "pip", "install", "--python", join(stopped, "python3"), beta],
      {
        env: spiceEnvironment({ cacheDir: join(work.path, "cache-stopped-python") }),
        encoding: "utf8",
      },
    );
    assert.equal(result.signal, "SIGINT", result.stderr);
    assert.equal(result.stderr, "error: Interrupted by SIGINT (Ctrl-C)\n");
  });

  it("waits for another spice's lock, saying so, and ends the wait on Ctrl-C, changing nothing", {
    timeout: 60_000,
  }, async () => {
    const waiting = venv("env-lock-wait");
    const site = join(waiting, "lib", "python3.11", "site-packages");
    const lockFile = join(site, ".spice.lock");
    /** An install started while this process (which runs) holds the lock: it waits, up to two minutes. */
    const installWhileLocked = () => {
      writeFileSync(lockFile, `${process.pid}\n`);
      const child = spawn(process.execPath, [SPICE, "pip", "install", "--python", waiting, beta], {
        env: spiceEnvironment({ cacheDir }),
      });
      let stderr = "";
      const waits = new Promise<void>((resolve) =>
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
          if (stderr.includes("Waiting for")) resolve();
        }),
      );
      const ended = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("close", (status, signal) => resolve({ status, signal })),
      );
      return { child, waits, ended, stderr: () => stderr };
    };
    const interrupted = installWhileLocked();
    await interrupted.waits;
    interrupted.child.kill("SIGINT");
    assert.deepEqual(await interrupted.ended, { status: null, signal: "SIGINT" });
    assert.match(
      interrupted.stderr(),
      new RegExp(
        `Waiting for another spice process \\(pid ${process.pid}\\) to finish changing this environment\n` +
          "error: Interrupted by SIGINT \\(Ctrl-C\\): nothing was changed in the environment at ",
      ),
    );
    assert.deepEqual(readdirSync(site), [".spice.lock"]);
    // Once the lock is released, the waiting install goes on.
    const released = installWhileLocked();
    await released.waits;
    rmSync(lockFile);
    assert.equal((await released.ended).status, 0, released.stderr());
    assert.match(released.stderr(), /\+ beta==1\.2/);
    // Started with SIGHUP ignored (`nohup spice ...`), through the launcher, a hang-up is ignored
    // as pip and uv ignore it (Node itself would die of it), and the install goes on.
    assert.equal(spice(["pip", "uninstall", "-y", "--python", waiting, "beta"]).status, 0);
    writeFileSync(lockFile, `${process.pid}\n`);
    const hungUp = spawn(
      "/bin/sh",
      ["-c", 'trap "" HUP; exec "$0" "$@"', LAUNCHER, "pip", "install", "--python", waiting, beta],
      { env: spiceEnvironment({ cacheDir }), stdio: ["ignore", "pipe", "pipe"] },
    );
    let hungUpErr = "";
    await new Promise<void>((resolve) =>
      hungUp.stderr.on("data", (chunk) => {
        hungUpErr += chunk;
        if (hungUpErr.includes("Waiting for")) resolve();
      }),
    );
    const hungUpEnd = new Promise<number | null>((resolve) =>
      hungUp.on("close", (status) => resolve(status)),
    );
    hungUp.kill("SIGHUP");
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(lockFile);
    assert.equal(await hungUpEnd, 0, hungUpErr);
    assert.match(hungUpErr, /\+ beta==1\.2/);
  });

  it("removes nothing outside the environment that a RECORD names", () => {
    const path = venv("env-record-outside");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, beta]).status, 0);
    const victim = join(work.path, "victim.txt");
    writeFileSync(victim, "not beta's\n");
    // site-packages is four levels below the directory holding the environment.
    const record = join(path, "lib", "python3.11", "site-packages", "beta-1.2.dist-info", "RECORD");
    // A row naming a directory (RECORD lists files) removes nothing either, nor one holding a NUL
    // (no system call takes it: it crashed the uninstall; found by fuzzing environments).
    writeFileSync(
      record,
      `${readFileSync(record, "utf8")}../../../../victim.txt,,\r\n../../../bin,,\r\n\0\0,,\r\n`,
    );
    // Nor a console script named "." (the scripts directory itself) in a damaged entry_points.txt.
    const entryPoints = join(dirname(record), "entry_points.txt");
    const declared = existsSync(entryPoints) ? readFileSync(entryPoints, "utf8") : "";
    writeFileSync(entryPoints, `${declared}\n[console_scripts]\n. = beta:main\n`);
    const removed = spice(["pip", "uninstall", "-y", "--python", python, "beta"]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.ok(!existsSync(join(path, "lib", "python3.11", "site-packages", "beta-1.2.dist-info")));
    assert.equal(readFileSync(victim, "utf8"), "not beta's\n");
    assert.ok(existsSync(join(path, "bin", "python")));
  });

  it("upgrades in place, removing files the old version had", () => {
    const path = venv("env-upgrade");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, alpha1, beta]).status, 0);
    const site = join(path, "lib", "python3.11", "site-packages");
    assert.ok(existsSync(join(site, "alpha", "data.txt")));
    const upgraded = spice(["pip", "install", "--python", python, alpha2]);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(
      upgraded.stderr,
      /Uninstalled 1 package in \d+ms\nInstalled 1 package in .*\n - alpha==1\.0\n \+ alpha==2\.0/,
    );
    assert.ok(!existsSync(join(site, "alpha", "data.txt")));
    assert.ok(!existsSync(join(site, "alpha-1.0.dist-info")));
    assert.equal(run(join(path, "bin", "alpha-hello"), []).stdout, "alpha 2.0 says hello\n");
  });

  it("upgrades a package whose subpackage keeps its name but not one of its files", () => {
    // Removing the old files empties sub/; it must not be pruned, as the new files go there.
    const directory = join(work.path, "renamed-modules");
    mkdirSync(join(directory, "v2"), { recursive: true });
    const old = buildWheel(directory, {
      name: "renamer",
      version: "1.0",
      files: { "renamer/__init__.py": "", "renamer/sub/__init__.py": "", "renamer/sub/old.py": "" },
    });
    const renamed = buildWheel(join(directory, "v2"), {
      name: "renamer",
      version: "2.0",
      files: { "renamer/__init__.py": "", "renamer/sub/new.py": "" },
    });
    const path = venv("env-renamed");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, old]).status, 0);
    const upgraded = spice(["pip", "install", "--python", python, renamed]);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    const site = join(path, "lib", "python3.11", "site-packages");
    assert.deepEqual(readdirSync(join(site, "renamer", "sub")), ["new.py"]);
    assert.equal(run(python, ["-c", "import renamer.sub.new"]).status, 0);
  });

  it("lists missing dependencies unless --no-deps", () => {
    const path = venv("env-deps");
    const python = join(path, "bin", "python");
    const missing = spice(["pip", "install", "--python", python, alpha1]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /alpha==1\.0 depends on beta>=1\.0, which has no available versions/);
    assert.equal(readdirSync(join(path, "lib", "python3.11", "site-packages")).length, 0);
    assert.equal(spice(["pip", "install", "--python", python, alpha1, "--no-deps"]).status, 0);
    // Requires-Python holds with --no-deps too, as in pip: from a file and from --find-links.
    const later = join(work.path, "later-python");
    mkdirSync(later);
    const future = buildWheel(later, { ...simplePackage("future", "1.0"), requiresPython: ">=3.99" });
    for (const source of [[future], ["future", "--find-links", later]]) {
      const refused = spice(["pip", "install", "--python", python, "--no-deps", ...source]);
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, /future==1\.0 cannot be used \(it requires Python >=3\.99\)/);
    }
    assert.doesNotMatch(spice(["pip", "freeze", "--python", python]).stdout, /future/);
  });

  it("says that a path which is not a requirement does not exist, and that a requirement does not parse", () => {
    const path = venv("env-paths");
    const python = join(path, "bin", "python");
    const missing = spice(["pip", "install", "--python", python, "./no-such-project"]);
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /error: \.\/no-such-project does not exist\n {2}caused by: looked for \/.*\/no-such-project\n/,
    );
    const broken = spice(["pip", "install", "--python", python, "alpha>=1,<"]);
    assert.equal(broken.status, 2);
    assert.match(
      broken.stderr,
      /error: Invalid requirement: 'alpha>=1,<' \(it is no wheel file either\)\nhint: .*; a requirement reads name, name==1\.0/,
    );
    // pip's hint for a lone =.
    const single = spice(["pip", "install", "--python", python, "alpha=1.0"]);
    assert.equal(single.status, 2);
    assert.match(single.stderr, /\nhint: = is not a valid operator\. Did you mean == \?\n/);
    assert.equal(readdirSync(join(path, "lib", "python3.11", "site-packages")).length, 0);
    // A file whose name pip reads as an invalid requirement (`no==such`), in a requirements file
    // too (that was an internal error).
    writeFileSync(join(work.path, "bad-wheel-name.txt"), "./no-such-1.0-py3-none-any.whl\n");
    for (const args of [["./no-such-1.0-py3-none-any.whl"], ["-r", join(work.path, "bad-wheel-name.txt")]]) {
      const refused = spice(["pip", "install", "--python", python, "--dry-run", ...args]);
      assert.equal(refused.status, 1, args.join(" "));
      assert.match(
        refused.stderr,
        /no-such-1\.0-py3-none-any\.whl does not exist, and its name is no wheel's or sdist's either/,
      );
      assert.doesNotMatch(refused.stderr, /internal error/);
    }
    // One that is there says only what is wrong with its name.
    writeFileSync(join(work.path, "not-a-wheel.whl"), "");
    const named = spice([
      "pip",
      "install",
      "--python",
      python,
      "--dry-run",
      join(work.path, "not-a-wheel.whl"),
    ]);
    assert.equal(named.status, 1);
    assert.match(named.stderr, /not-a-wheel\.whl is not a wheel or sdist file\n/);
    // `file:./x.whl`, a file URL without //, is a path from the working directory, as pip reads it,
    // on the command line and in a requirements file; direct_url.json names the file itself.
    const fromHere = `file:./${basename(beta)}`;
    writeFileSync(join(work.path, "relative-file-url.txt"), `${fromHere}\n`);
    for (const args of [[fromHere], ["-r", join(work.path, "relative-file-url.txt")]]) {
      const installed = spice(["pip", "install", "--python", python, "--reinstall", ...args], dirname(beta));
      assert.equal(installed.status, 0, installed.stderr);
      const directUrl = readFileSync(
        join(path, "lib", "python3.11", "site-packages", "beta-1.2.dist-info", "direct_url.json"),
        "utf8",
      );
      assert.equal(JSON.parse(directUrl).url, pathToFileURL(beta).toString());
    }
  });
});

/** Writes RECORD's digest of `member` in hex (of `content`), as some published wheels (gmsh's) do. */
function hexDigestInRecord(member: string, content: string) {
  const hex = createHash("sha256").update(content).digest("hex");
  return (members: ZipInput[]): ZipInput[] =>
    members.map((item) =>
      item.name.endsWith(".dist-info/RECORD")
        ? {
            ...item,
            data: String(item.data).replace(
              new RegExp(`^${member},sha256=[^,]*`, "m"),
              `${member},sha256=${hex}`,
            ),
          }
        : item,
    );
}

describe("malformed and malicious wheels", () => {
  const cases: Array<[string, Parameters<typeof buildWheel>[1], RegExp]> = [
    [
      "path traversal",
      { name: "evil", version: "1.0", files: { "../../../escape.txt": "x" } },
      /outside the install directory/,
    ],
    [
      "absolute path",
      { name: "evil", version: "1.0", files: { "/tmp/escape.txt": "x" } },
      /outside the install directory/,
    ],
    [
      "backslash",
      { name: "evil", version: "1.0", files: { "evil\\..\\x.py": "x" } },
      /outside the install directory/,
    ],
    [
      "hash mismatch",
      {
        name: "evil",
        version: "1.0",
        files: { "evil/__init__.py": "good" },
        tamper: (m) => m.map((x) => (x.name === "evil/__init__.py" ? { ...x, data: "evil" } : x)),
      },
      /does not match its hash in RECORD/,
    ],
    [
      "a digest in hex that does not match",
      {
        name: "evil",
        version: "1.0",
        files: { "evil/__init__.py": "good" },
        tamper: hexDigestInRecord("evil/__init__.py", "other"),
      },
      /member 'evil\/__init__\.py' does not match its hash in RECORD/,
    ],
    [
      "unlisted file",
      {
        name: "evil",
        version: "1.0",
        files: { "evil/__init__.py": "" },
        tamper: (m) => [...m, { name: "evil/extra.py", data: "x" }],
      },
      /not listed with a hash in RECORD/,
    ],
    [
      "symlink",
      {
        name: "evil",
        version: "1.0",
        tamper: (m) => [...m, { name: "evil/link", data: "/etc/passwd", mode: 0o120777 }],
      },
      /symbolic link/,
    ],
    [
      "wrong dist-info",
      { name: "evil", version: "1.0", distInfoName: "other-1.0.dist-info" },
      /names a different project/,
    ],
    ["future wheel version", { name: "evil", version: "1.0", wheelVersion: "2.0" }, /Wheel-Version 2\.0/],
    [
      "script escape",
      { name: "evil", version: "1.0", consoleScripts: { "../../evil": "os:getcwd" } },
      /outside the scripts directory/,
    ],
    [
      "RECORD escape",
      {
        name: "evil",
        version: "1.0",
        tamper: (m) => m.map((x) => (x.name.endsWith("RECORD") ? { ...x, data: `${x.data}../../x,,\n` } : x)),
      },
      /outside the install directory/,
    ],
    [
      "incompatible tag",
      { name: "evil", version: "1.0", tag: "cp311-cp311-win_amd64" },
      /is not compatible with the target Python and platform/,
    ],
    ["not a zip", { name: "evil", version: "1.0", tamper: () => [] }, /not a valid wheel|not a readable zip/],
    // Found by fuzzing real wheels (RECORD rewritten to match, so that these checks are reached).
    [
      "a member named '.'",
      { name: "evil", version: "1.0", files: { ".": "x" } },
      /names a directory, not a file/,
    ],
    [
      "a name no file system takes",
      { name: "evil", version: "1.0", files: { [`evil/${"a".repeat(256)}.py`]: "x" } },
      /longer than 255 bytes/,
    ],
    [
      "a path longer than the file system takes (refused while installing, then rolled back)",
      { name: "evil", version: "1.0", files: { [`evil/${`${"a".repeat(200)}/`.repeat(21)}x.py`]: "x" } },
      /hint: A file name is longer than this file system allows/,
    ],
    [
      "a file where the environment has a directory",
      { name: "evil", version: "1.0", files: { beta: "x" } },
      /Cannot install evil: it has a file at lib\/python3\.\d+\/site-packages\/beta, which is a directory/,
    ],
  ];

  it("are refused, leaving the environment byte-for-byte unchanged", () => {
    const path = venv("env-evil");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, beta]).status, 0);
    const before = snapshot(path);
    const directory = join(work.path, "evil");
    mkdirSync(directory);
    for (const [label, spec, pattern] of cases) {
      const wheelDirectory = join(directory, label.replaceAll(" ", "-"));
      mkdirSync(wheelDirectory);
      const wheel = buildWheel(wheelDirectory, spec);
      if (label === "not a zip") writeFileSync(wheel, "this is not a zip archive");
      const result = spice(["pip", "install", "--python", python, wheel]);
      assert.equal(result.status, 1, `${label}: ${result.stderr}`);
      assert.match(result.stderr, pattern, label);
      assert.doesNotMatch(result.stderr, /internal error/, label);
      assert.deepEqual(snapshot(path), before, label);
    }
    assert.equal(existsSync(join(work.path, "escape.txt")), false);
  });

  it("for another platform install with --ignore-tags, as the refusal's hint says", () => {
    const directory = join(work.path, "other-platform");
    mkdirSync(directory);
    const wheel = buildWheel(directory, { name: "winonly", version: "1.0", tag: "cp311-cp311-win_amd64" });
    const path = venv("env-ignore-tags");
    const python = join(path, "bin", "python");
    const refused = spice(["pip", "install", "--python", python, wheel]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /--ignore-tags/);
    const installed = spice(["pip", "install", "--python", python, "--ignore-tags", wheel]);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(installed.stderr, / \+ winonly==1\.0/);
  });

  it("of a later minor Wheel-Version install with a warning, from the cache too", () => {
    const directory = join(work.path, "wheel-1.9");
    mkdirSync(directory);
    const wheel = buildWheel(directory, { name: "later", version: "1.0", wheelVersion: "1.9" });
    for (const run of ["unpacked", "from the cache"]) {
      const path = venv(`env-later-${run.replaceAll(" ", "-")}`);
      const result = spice(["pip", "install", "--python", join(path, "bin", "python"), wheel]);
      assert.equal(result.status, 0, `${run}: ${result.stderr}`);
      assert.match(
        result.stderr,
        /warning: later-1\.0-py3-none-any\.whl is Wheel-Version 1\.9, newer than the 1\.0 spice knows/,
        run,
      );
      assert.match(result.stderr, / \+ later==1\.0/, run);
    }
  });

  it("read WHEEL as pip reads it, an email message: the first of a header, and `1` as a version", () => {
    const directory = join(work.path, "wheel-headers");
    mkdirSync(directory);
    // pip 23.2.1 installs this wheel: it reads Wheel-Version 1, not the 2.0 below it.
    const wheel = buildWheel(directory, {
      name: "twice",
      version: "1.0",
      wheelVersion: "1\nWheel-Version: 2.0",
    });
    const path = venv("env-wheel-headers");
    const result = spice(["pip", "install", "--python", join(path, "bin", "python"), wheel]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, / \+ twice==1\.0/);
  });

  it("are refused when several megabytes of wheels are unpacked on two threads", () => {
    // Above 4 MiB of wheels both threads take from one queue: whichever thread meets the bad
    // wheel (the largest, taken first, or the smallest, taken last), the install fails cleanly.
    const directory = join(work.path, "threads");
    mkdirSync(directory);
    const large = (name: string, megabytes: number, bad = false) =>
      buildWheel(directory, {
        name,
        version: "1.0",
        files: {
          [`${name}/__init__.py`]: "",
          // Random base64 compresses to about three quarters: the wheels stay above the 4 MiB
          // below which one thread unpacks everything.
          [`${name}/blob.txt`]: randomBytes(megabytes * 786432).toString("base64"),
        },
        tamper: bad
          ? (members) => members.map((m) => (m.name === `${name}/__init__.py` ? { ...m, data: "evil" } : m))
          : undefined,
      });
    const good = [large("bulk_a", 2.5), large("bulk_b", 2), large("bulk_c", 1.5)];
    for (const bad of [large("bulk_big", 2.5, true), large("bulk_small", 0.5, true)]) {
      const path = venv(`env-threads-${bad.includes("big") ? "big" : "small"}`);
      const python = join(path, "bin", "python");
      const before = snapshot(path);
      const result = spice(["pip", "install", "--python", python, ...good, bad]);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /does not match its hash in RECORD/);
      assert.doesNotMatch(result.stderr, /internal error|worker/);
      assert.deepEqual(snapshot(path), before);
    }
    const path = venv("env-threads-good");
    const python = join(path, "bin", "python");
    const result = spice(["pip", "install", "--python", python, ...good]);
    assert.equal(result.status, 0, result.stderr);
    const check = run(python, ["-c", "import bulk_a, bulk_b, bulk_c"]);
    assert.equal(check.status, 0, check.stderr);
    const site = join(path, "lib", "python3.11", "site-packages");
    assert.equal(statSync(join(site, "bulk_a", "blob.txt")).size, 2.5 * 1024 * 1024);
  });

  it("accept a RECORD digest written in hex when it matches, and record it in the standard form", () => {
    const directory = join(work.path, "hex-record");
    mkdirSync(directory);
    const content = "VALUE = 1\n";
    const wheel = buildWheel(directory, {
      name: "hexed",
      version: "1.0",
      files: { "hexed/__init__.py": content },
      tamper: hexDigestInRecord("hexed/__init__.py", content),
    });
    const path = venv("env-hex-record");
    const python = join(path, "bin", "python");
    const result = spice(["pip", "install", "--python", python, wheel]);
    assert.equal(result.status, 0, result.stderr);
    const record = readFileSync(
      join(path, "lib", "python3.11", "site-packages", "hexed-1.0.dist-info", "RECORD"),
      "utf8",
    );
    const standard = createHash("sha256").update(content).digest("base64url");
    assert.match(record, new RegExp(`^hexed/__init__\\.py,sha256=${standard},${content.length}$`, "m"));
    assert.equal(run(python, ["-c", "import hexed; print(hexed.VALUE)"]).stdout, "1\n");
  });
});

describe("which environment", () => {
  it("refuses to change the global Python through a venv that lost its pyvenv.cfg", () => {
    // A Python of the test's own as the base (no PEP 668 marker), so that nothing else can change.
    const prefix = join(work.path, "no-config-python");
    const base = plainPython(prefix);
    const path = join(work.path, "env-no-config");
    assert.equal(spice(["venv", path, "--python", base]).status, 0);
    rmSync(join(path, "pyvenv.cfg"));
    // Its bin/python now runs as the base Python: an install would land in that one's site-packages.
    const refused = spice(["pip", "install", beta, "--python", join(path, "bin", "python")]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /env-no-config looks like a virtual environment, but has no pyvenv\.cfg\n {2}caused by: without it, .* runs as the Python at .*no-config-python itself/,
    );
    assert.deepEqual(readdirSync(join(prefix, "lib", "python3.11", "site-packages")), []);
    // doctor says why the Python it describes is not the venv's.
    const doctor = spice(["doctor", "--format", "json", "--python", join(path, "bin", "python")]);
    const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ code: string }> }).findings;
    assert.ok(
      findings.some((finding) => finding.code === "venv-without-config"),
      doctor.stdout,
    );
    assert.equal(doctor.status, 1);
  });

  it("refuses to guess, and finds .venv in a parent directory or VIRTUAL_ENV", () => {
    const empty = join(work.path, "no-env");
    mkdirSync(empty);
    const none = spice(["pip", "list"], empty);
    assert.equal(none.status, 1);
    assert.match(
      none.stderr,
      /No virtual environment found in .*\n {2}caused by: .*\nhint: Create one with `spice venv`, or pass --system/,
    );
    // A venv here under another name is not taken, but named in the hint.
    const named = join(work.path, "named-venv-here");
    mkdirSync(named);
    assert.equal(spice(["venv", "my env", "--python", "3.11"], named).status, 0);
    const hinted = spice(["pip", "list"], named);
    assert.equal(hinted.status, 1);
    assert.match(
      hinted.stderr,
      /\nhint: my env is a virtual environment here: pass --python 'my env' \(or activate it\)/,
    );
    // Several are listed as a sentence lists them, the first named in the command.
    for (const other of ["env-b", "env-c"]) {
      mkdirSync(join(named, other));
      writeFileSync(join(named, other, "pyvenv.cfg"), "home = /usr/bin\n");
    }
    assert.match(
      spice(["pip", "list"], named).stderr,
      /\nhint: env-b, env-c and my env are virtual environments here: pass --python env-b /,
    );
    for (const other of ["env-d", "env-e", "env-f"]) {
      mkdirSync(join(named, other));
      writeFileSync(join(named, other, "pyvenv.cfg"), "home = /usr/bin\n");
    }
    assert.match(
      spice(["pip", "list"], named).stderr,
      /\nhint: env-b, env-c, env-d, env-e and 2 more are virtual environments here: /,
    );
    const project = join(work.path, "project");
    mkdirSync(join(project, "src", "deep"), { recursive: true });
    assert.equal(spice(["venv", join(project, ".venv"), "--python", "3.11"]).status, 0);
    // A venv whose bin is first on PATH without VIRTUAL_ENV (a container's ENV PATH=...) is named, not taken.
    const onPath = spice(["pip", "list"], empty, {
      PATH: `${join(project, ".venv", "bin")}:${process.env.PATH}`,
    });
    assert.equal(onPath.status, 1);
    assert.match(
      onPath.stderr,
      /\nhint: python3 on PATH runs in the virtual environment \S*project\/\.venv \(.*\): pass --python \S*project\/\.venv, or set VIRTUAL_ENV=/,
    );
    const found = spice(["pip", "install", beta], join(project, "src", "deep"));
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stderr, /environment at .*project\/\.venv/);
    const viaEnv = spice(["pip", "freeze"], empty, { VIRTUAL_ENV: join(project, ".venv") });
    // Installed from a file: freeze names the file, as pip does (PEP 610 direct_url.json).
    assert.match(viaEnv.stdout, /^beta @ file:\/\/\/.*beta-1\.2-py3-none-any\.whl#sha256=[0-9a-f]{64}\n$/);
    // An activated environment that is gone is said; the project's .venv is not taken instead.
    const gone = spice(["pip", "uninstall", "-y", "beta"], join(project, "src"), {
      VIRTUAL_ENV: join(work.path, "deleted-venv"),
    });
    assert.equal(gone.status, 1);
    assert.match(gone.stderr, /VIRTUAL_ENV is .*deleted-venv, which is not a virtual environment/);
    assert.match(spice(["pip", "freeze"], join(project, "src")).stdout, /^beta @ /);
    // uv's UV_PYTHON, as SPICE_PYTHON: the environment (or interpreter) when --python is not given.
    const viaVariable = spice(["pip", "freeze"], empty, { SPICE_PYTHON: join(project, ".venv") });
    assert.match(viaVariable.stdout, /^beta @ /);
    const optionFirst = spice(["pip", "freeze", "--python", join(project, ".venv")], empty, {
      SPICE_PYTHON: join(work.path, "nowhere"),
    });
    assert.equal(optionFirst.status, 0, optionFirst.stderr);
    // pip's PIP_PYTHON for `spice pip`, after SPICE_PYTHON, also with --isolated (as pip: its
    // options before the command ignore --isolated), and pip.conf's [global] `python` after it.
    const pipVariable = spice(["pip", "freeze"], empty, {
      PIP_PYTHON: join(project, ".venv", "bin", "python"),
    });
    assert.match(pipVariable.stdout, /^beta @ /);
    const spiceVariableFirst = spice(["pip", "freeze"], empty, {
      PIP_PYTHON: join(work.path, "nowhere"),
      SPICE_PYTHON: join(project, ".venv"),
    });
    assert.match(spiceVariableFirst.stdout, /^beta @ /);
    const isolated = spice(["pip", "freeze", "--isolated", "-v"], empty, {
      PIP_PYTHON: join(project, ".venv"),
    });
    assert.match(isolated.stdout, /^beta @ /);
    assert.match(isolated.stderr, /chosen by PIP_PYTHON=.*\.venv\)/);
    const pipConf = join(empty, "pip.conf");
    writeFileSync(pipConf, `[global]\npython = ${join(project, ".venv")}\n[freeze]\npython = nowhere\n`);
    const configured = spice(["pip", "freeze", "-v"], empty, { PIP_CONFIG_FILE: pipConf });
    assert.match(configured.stdout, /^beta @ /);
    assert.match(configured.stderr, /chosen by python = .*\.venv in .*pip\.conf \[global\]\)/);
    const variableFirst = spice(["pip", "freeze"], empty, {
      PIP_CONFIG_FILE: pipConf,
      PIP_PYTHON: join(work.path, "nowhere"),
    });
    assert.equal(variableFirst.status, 1);
    assert.match(variableFirst.stderr, /nowhere/);
    rmSync(pipConf);
    const made = spice(["venv", join(empty, "made")], empty, { SPICE_PYTHON: "3.12" });
    assert.equal(made.status, 0, made.stderr);
    assert.match(readFileSync(join(empty, "made", "pyvenv.cfg"), "utf8"), /^version = 3\.12\./m);
  });

  it("acts on the venv a command runs in, and warns when the active one wins over the one here", () => {
    // uv's rule: from the working directory up, a `.venv` or a directory that is itself a venv.
    const named = join(work.path, "named-env");
    assert.equal(spice(["venv", named, "--python", "3.11"]).status, 0);
    const inside = spice(["pip", "install", beta], join(named, "lib"));
    assert.equal(inside.status, 0, inside.stderr);
    assert.match(inside.stderr, /environment at \S*named-env\n/);
    assert.match(
      spice(["pip", "freeze", "-v"], join(named, "lib")).stderr,
      /the virtual environment the working directory is in/,
    );
    // An activated environment still wins, but not silently: pip freeze > requirements.txt in a
    // project would otherwise freeze another environment without a word.
    const project = join(work.path, "project-passed-over");
    mkdirSync(join(project, "src"), { recursive: true });
    const made = spice(["venv", "--python", "3.11"], project, { VIRTUAL_ENV: named });
    assert.equal(made.status, 0, made.stderr);
    assert.match(
      made.stderr,
      /\nwarning: VIRTUAL_ENV is \S*named-env: `spice pip` commands run here act on it, not on \.venv, until you run `deactivate`\n/,
    );
    const frozen = spice(["pip", "freeze"], join(project, "src"), { VIRTUAL_ENV: named });
    assert.match(frozen.stdout, /^beta @ /);
    assert.match(
      frozen.stderr,
      /^warning: acting on \S*named-env, the active VIRTUAL_ENV, not on \S*project-passed-over\/\.venv here; run `deactivate` or pass --python \S+ to act on that one\n$/,
    );
    // Activating the one here, or naming one, says nothing more.
    for (const [env, args] of [
      [{ VIRTUAL_ENV: join(project, ".venv") }, []],
      [{ VIRTUAL_ENV: named }, ["--python", named]],
    ] as const) {
      const quiet = spice(["pip", "freeze", ...args], join(project, "src"), env);
      assert.equal(quiet.status, 0, quiet.stderr);
      assert.equal(quiet.stderr, "");
    }
  });

  it("takes an activated conda environment as a venv, but conda's base environment only when named", () => {
    // A conda installation: an interpreter of its own prefix, without a PEP 668 marker.
    const conda = join(work.path, "miniconda");
    plainPython(conda);
    symlinkSync("python3", join(conda, "bin", "python"));
    const condaSite = join(conda, "lib", "python3.11", "site-packages");
    const project = join(work.path, "conda-project");
    mkdirSync(project);
    const noConda = { CONDA_DEFAULT_ENV: "", CONDA_EXE: "", MAMBA_ROOT_PREFIX: "" };
    // conda's base, active in every shell of a machine with conda (auto_activate_base), said by
    // its name, by being where conda itself is, or by being micromamba's root.
    const bases = [
      { ...noConda, CONDA_PREFIX: conda, CONDA_DEFAULT_ENV: "base" },
      { ...noConda, CONDA_PREFIX: conda, CONDA_EXE: join(conda, "bin", "conda") },
      { ...noConda, CONDA_PREFIX: `${conda}/`, MAMBA_ROOT_PREFIX: conda },
    ];
    for (const base of bases) {
      const refused = spice(["pip", "install", beta], project, base);
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /\nhint: The active CONDA_PREFIX \S*miniconda\/? is conda's base environment, .*: pass --python \S*miniconda\/? to use it/,
      );
    }
    assert.deepEqual(readdirSync(condaSite), []);
    // With a .venv here, that is where a command acts (a shell's base no longer wins over it).
    const made = spice(["venv", "--python", "3.11"], project, bases[0]);
    assert.equal(made.status, 0, made.stderr);
    assert.doesNotMatch(made.stderr, /warning/);
    const installed = spice(["pip", "install", "-v", beta], project, bases[0]);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(
      installed.stderr,
      /\(the nearest \.venv; the active CONDA_PREFIX \S*miniconda is conda's base/,
    );
    assert.match(installed.stderr, /environment at \.venv\n/);
    assert.deepEqual(readdirSync(condaSite), []);
    // Named, base is used as any Python is.
    const named = spice(["pip", "install", beta, "--python", conda], project, bases[0]);
    assert.equal(named.status, 0, named.stderr);
    assert.ok(readdirSync(condaSite).includes("beta-1.2.dist-info"));
    // Another conda environment, once activated, wins over the .venv, with a warning.
    const child = { ...noConda, CONDA_PREFIX: conda, CONDA_DEFAULT_ENV: "work" };
    const listed = spice(["pip", "uninstall", "-y", "beta"], project, child);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(
      listed.stderr,
      /acting on \S*miniconda, the active CONDA_PREFIX, not on \.venv here; run `conda deactivate`/,
    );
    assert.deepEqual(readdirSync(condaSite), []);
    const other = join(work.path, "conda-project-2");
    mkdirSync(other);
    assert.match(
      spice(["venv", "--python", "3.11"], other, child).stderr,
      /\nwarning: CONDA_PREFIX is \S*miniconda: `spice pip` commands run here act on it, not on \.venv, until you run `conda deactivate`\n/,
    );
  });

  it("honours PEP 668 for --system unless --break-system-packages, showing the marker's message", () => {
    const prefix = join(work.path, "managed-python");
    const python = externallyManagedPython(prefix, "Use your distribution's packages.\n\nOr a venv.");
    const site = join(prefix, "lib", "python3.11", "site-packages");
    const PATH = `${join(prefix, "bin")}:/usr/bin:/bin`;
    for (const args of [["--system"], ["--python", python], ["--system", "--user"]]) {
      const refused = spice(["pip", "install", beta, ...args], work.path, { PATH });
      assert.equal(refused.status, 1, args.join(" "));
      assert.match(
        refused.stderr,
        /managed by your system \(PEP 668\)\n {2}caused by: Use your distribution's packages\.\n\n {13}Or a venv\.\n/,
      );
    }
    assert.deepEqual(readdirSync(site), [], "nothing installed");
    const dryRun = spice(["pip", "install", beta, "--system", "--dry-run"], work.path, { PATH });
    assert.equal(dryRun.status, 0, dryRun.stderr);
    // uv's UV_SYSTEM_PYTHON, as SPICE_SYSTEM_PYTHON, is --system, PEP 668 and all.
    const byVariable = { PATH, SPICE_SYSTEM_PYTHON: "true" };
    const variableDryRun = spice(["pip", "install", beta, "--dry-run"], work.path, byVariable);
    assert.equal(variableDryRun.status, 0, variableDryRun.stderr);
    assert.match(variableDryRun.stderr, /system environment at .*managed-python/);
    const variableRefused = spice(["pip", "install", beta], work.path, byVariable);
    assert.equal(variableRefused.status, 1);
    assert.match(variableRefused.stderr, /managed by your system \(PEP 668\)/);
    const allowed = spice(["pip", "install", beta, "--system", "--break-system-packages"], work.path, {
      PATH,
    });
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stderr, /Using Python 3\.11\.\d+ system environment at .*managed-python/);
    assert.ok(existsSync(join(site, "beta", "__init__.py")));
  });

  it("changes a system Python's install directory and user site, never what its path holds after them", () => {
    const prefix = join(work.path, "layered-python");
    const python = externallyManagedPython(prefix, "Use apt.");
    const site = join(prefix, "lib", "python3.11", "site-packages");
    const userBase = join(work.path, "layered-user");
    const pip = (...args: string[]) =>
      spice(["pip", ...args, "--python", python, "--break-system-packages"], work.path, {
        PYTHONUSERBASE: userBase,
      });
    // The system's own packages, on the path after site-packages (as Debian's dist-packages).
    const vendor = join(work.path, "vendor-packages");
    // pip's -t, as Lambda layers are made.
    assert.equal(spice(["pip", "install", "-t", vendor, "--no-deps", alpha1]).status, 0);
    writeFileSync(join(site, "vendor.pth"), `${vendor}\n`);
    const kept = pip("uninstall", "alpha");
    assert.equal(kept.status, 0, kept.stderr);
    assert.match(kept.stderr, /Not uninstalling alpha at .*vendor-packages, outside environment/);
    assert.equal(pip("install", "--reinstall", "--no-deps", alpha1).status, 0);
    assert.ok(existsSync(join(vendor, "alpha", "__init__.py")), "the system's copy stays");
    assert.ok(existsSync(join(site, "alpha", "__init__.py")));
    // A user-site copy would shadow a new system one: it goes, as pip removes it.
    mkdirSync(join(wheels, "layered"));
    const beta13 = buildWheel(join(wheels, "layered"), simplePackage("beta", "1.3"));
    assert.equal(pip("install", "--user", beta).status, 0);
    const upgraded = pip("--cache-dir", join(work.path, "cache-layered"), "install", beta13);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(upgraded.stderr, / - beta==1\.2\n \+ beta==1\.3\n$/);
    assert.equal(existsSync(join(userBase, "lib", "python3.11", "site-packages", "beta")), false);
  });

  it("changes only virtual environments (and --target) when pip's require-virtualenv is set", () => {
    const python = externallyManagedPython(join(work.path, "require-venv-python"), "Use apt.");
    const env = { PIP_REQUIRE_VIRTUALENV: "true", PYTHONUSERBASE: join(work.path, "require-venv-user") };
    for (const args of [[], ["--user"]]) {
      const refused = spice(
        ["pip", "install", "--python", python, "--break-system-packages", ...args, beta],
        work.path,
        env,
      );
      assert.equal(refused.status, 1, args.join(" "));
      assert.match(refused.stderr, /require-virtualenv is set, and it is no virtual environment\nhint: /);
    }
    const path = venv("env-require-venv");
    assert.equal(
      spice(["pip", "install", "--python", join(path, "bin", "python"), beta], work.path, env).status,
      0,
    );
    const target = join(work.path, "require-venv-target");
    assert.equal(
      spice(["pip", "install", "--python", python, "--target", target, beta], work.path, env).status,
      0,
    );
    // Reading a Python is no change.
    assert.equal(spice(["pip", "list", "--python", python], work.path, env).status, 0);
    assert.equal(spice(["pip", "install", "--python", python, "--dry-run", beta], work.path, env).status, 0);
  });

  it("lists, freezes and inspects only the user site with --user, as pip does", () => {
    const python = externallyManagedPython(join(work.path, "user-python"), "Use apt.");
    const env = { PYTHONUSERBASE: join(work.path, "user-base") };
    const installed = (args: string[]) =>
      spice(
        ["pip", "install", "--python", python, "--break-system-packages", "--no-deps", ...args],
        work.path,
        env,
      );
    assert.equal(installed(["--user", beta]).status, 0);
    assert.equal(installed([alpha1]).status, 0);
    assert.ok(existsSync(join(work.path, "user-base", "lib", "python3.11", "site-packages", "beta")));
    const listed = (args: string[]) => spice(["pip", ...args, "--python", python], work.path, env).stdout;
    const pip = (args: string[]) => run(PYTHON, ["-m", "pip", "--python", python, ...args], env).stdout;
    for (const args of [
      ["list", "--format", "freeze"],
      ["list", "--user", "--format", "freeze"],
      ["freeze", "--user"],
      ["list", "--user"],
    ])
      assert.equal(listed(args), pip(args), args.join(" "));
    assert.match(
      listed(["freeze", "--user"]),
      /^beta @ file:\/\/.*beta-1\.2-py3-none-any\.whl#sha256=\w+\n$/,
    );
    const inspected = JSON.parse(listed(["inspect", "--user"])) as { installed: unknown[] };
    assert.equal(inspected.installed.length, 1);
    const both = spice(["pip", "list", "--user", "--path", work.path, "--python", python], work.path, env);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /Cannot combine '--path' with '--user' or '--local'/);
  });

  it("with --user counts the system's packages as installed and changes only the user site, as pip", () => {
    const prefix = join(work.path, "user-layered-python");
    const python = externallyManagedPython(prefix, "Use apt.");
    const site = join(prefix, "lib", "python3.11", "site-packages");
    const userSite = join(work.path, "user-layered-base", "lib", "python3.11", "site-packages");
    const env = { PYTHONUSERBASE: join(work.path, "user-layered-base") };
    const cache = join(work.path, "cache-user-layered"); // the cache test counts the shared one's entries
    const install = (...args: string[]) =>
      spice(
        ["pip", "install", "--python", python, "--break-system-packages", "--cache-dir", cache, ...args],
        work.path,
        env,
      );
    assert.equal(install(beta).status, 0);
    // A name is satisfied by the system's copy: nothing goes into the user site (a second copy on
    // the path); a wheel file named itself is installed there, shadowing it, as pip does.
    const satisfied = install("--user", "beta==1.2", "--no-index", "-f", wheels);
    assert.equal(satisfied.status, 0, satisfied.stderr);
    assert.doesNotMatch(satisfied.stderr, /\+ beta/);
    assert.equal(existsSync(join(userSite, "beta")), false);
    // A new version goes into the user site, which comes first on the path; the system's stays.
    mkdirSync(join(wheels, "user-layered"));
    const beta13 = buildWheel(join(wheels, "user-layered"), simplePackage("beta", "1.3"));
    const upgraded = install("--user", beta13);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(upgraded.stderr, / \+ beta==1\.3\n/);
    // The user site's bin/ is not on this test's PATH, as pip would say.
    assert.match(
      upgraded.stderr,
      /^warning: The script beta-hello is installed in '.*' which is not on PATH\.$/m,
    );
    assert.ok(existsSync(join(userSite, "beta-1.3.dist-info", "RECORD")));
    assert.ok(existsSync(join(site, "beta-1.2.dist-info", "RECORD")), "the system's copy stays");
    const pipList = (args: string[]) =>
      run(PYTHON, ["-m", "pip", "--python", python, "list", "--format", "freeze", ...args], env).stdout;
    assert.equal(pipList(["--user"]), "beta==1.3\n");
    assert.match(pipList([]), /^beta==1\.3\n/m);
    // --prefix gets every package, one the interpreter has too (pip would skip it there): a prefix
    // is made to be copied elsewhere whole, as from a container's build stage.
    const prefixDirectory = join(work.path, "user-layered-prefix");
    assert.equal(install("--prefix", prefixDirectory, beta).status, 0);
    assert.ok(existsSync(join(prefixDirectory, "lib", "python3.11", "site-packages", "beta", "__init__.py")));
  });

  it("lays out --root installs as pip does: the environment's layout under a staging directory", () => {
    const path = venv("env-rooted");
    const python = join(path, "bin", "python");
    const listing = (root: string) =>
      (readdirSync(root, { recursive: true }) as string[])
        .filter((entry) => !entry.includes("__pycache__"))
        .sort();
    const staged = join(work.path, "staged-spice");
    const result = spice(["pip", "install", "--python", python, "--root", staged, beta]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      readdirSync(join(path, "lib", "python3.11", "site-packages")).length,
      0,
      "the venv is untouched",
    );
    const pipStaged = join(work.path, "staged-pip");
    const pip = run(PYTHON, [
      "-m",
      "pip",
      "--python",
      python,
      "install",
      "--no-compile",
      "--root",
      pipStaged,
      beta,
    ]);
    assert.equal(pip.status, 0, pip.stderr);
    assert.deepEqual(listing(staged), listing(pipStaged));
    // Scripts run the environment's own interpreter, once the tree is copied to /.
    const script = join(staged, path, "bin", "beta-hello");
    assert.equal(readFileSync(script, "utf8").split("\n")[0], `#!${python}`);
    // A staging directory is no installed Python: PEP 668 does not apply there, as with pip.
    const managed = externallyManagedPython(join(work.path, "rooted-managed-python"), "Use apt.");
    const packaged = spice([
      "pip",
      "install",
      "--python",
      managed,
      "--root",
      join(work.path, "pkgdir"),
      beta,
    ]);
    assert.equal(packaged.status, 0, packaged.stderr);
    const both = spice(["pip", "install", "--python", python, "--root", staged, "--target", staged, beta]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--root and --target cannot be combined/);
  });

  it("warns as pip does of console scripts installed where PATH does not reach, but for --target and --prefix", () => {
    const path = venv("env-script-location");
    const python = join(path, "bin", "python");
    const PATH = "/usr/bin:/bin";
    const warning = (stderr: string) =>
      stderr
        .split("\n")
        .map((line) => line.trim().replace(/^(WARNING|warning): /, ""))
        .filter((line) => /not on PATH|^Consider adding/.test(line));
    const staged = (name: string) => join(work.path, `script-location-${name}`);
    const rooted = spice(["pip", "install", "--python", python, "--root", staged("spice"), beta], work.path, {
      PATH,
    });
    const pip = run(
      PYTHON,
      ["-m", "pip", "--python", python, "install", "--no-compile", "--root", staged("pip"), beta],
      { PATH },
    );
    assert.equal(pip.status, 0, pip.stderr);
    assert.deepEqual(
      warning(rooted.stderr),
      warning(pip.stderr).map((line) => line.replace(staged("pip"), staged("spice"))),
    );
    assert.match(
      rooted.stderr,
      /^warning: The script beta-hello is installed in '.*' which is not on PATH\.$/m,
    );
    const quiet: Array<[string, string[], NodeJS.ProcessEnv]> = [
      ["flag", ["--no-warn-script-location"], { PATH }],
      // pip reads the setting backwards: 0 silences it (and 1 does not).
      ["pip-variable", [], { PATH, PIP_NO_WARN_SCRIPT_LOCATION: "0" }],
      ["spice-variable", [], { PATH, SPICE_NO_WARN_SCRIPT_LOCATION: "1" }],
      ["on-path", [], { PATH: `${join(staged("on-path"), path, "bin")}/:${PATH}` }],
    ];
    for (const [name, options, env] of quiet) {
      const result = spice(
        ["pip", "install", "--python", python, "--root", staged(name), ...options, beta],
        work.path,
        env,
      );
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(warning(result.stderr), [], name);
    }
    const loud = spice(["pip", "install", "--python", python, "--root", staged("loud"), beta], work.path, {
      PATH,
      PIP_NO_WARN_SCRIPT_LOCATION: "1",
    });
    assert.equal(warning(loud.stderr).length, 2, loud.stderr);
    const prefixed = spice(
      ["pip", "install", "--python", python, "--prefix", staged("prefix"), beta],
      work.path,
      {
        PATH,
      },
    );
    assert.equal(prefixed.status, 0, prefixed.stderr);
    assert.deepEqual(warning(prefixed.stderr), []);
    // A venv's bin/ is where its python is: no warning even when it is not on PATH, as with pip
    // (last: pip --root would find beta installed in the venv, and install nothing).
    const plain = spice(["pip", "install", "--python", python, beta], work.path, { PATH });
    assert.equal(plain.status, 0, plain.stderr);
    assert.deepEqual(warning(plain.stderr), []);
  });

  it("installs into --target and --prefix directories", () => {
    const target = join(work.path, "target-dir");
    const result = spice(["pip", "install", beta, "--target", target, "--python", PYTHON]);
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.ok(existsSync(join(target, "beta", "__init__.py")));
    assert.ok(existsSync(join(target, "bin", "beta-hello")));
    // A header where pip's --target puts it: its home scheme's include/site/pythonX.Y/NAME.
    const withHeader = buildWheel(wheels, {
      name: "gamma",
      version: "1.0",
      files: { "gamma/__init__.py": "", "gamma-1.0.data/headers/gamma.h": "int gamma;\n" },
    });
    const headerTarget = join(work.path, "target-dir-headers");
    assert.equal(
      spice(["pip", "install", withHeader, "--target", headerTarget, "--python", PYTHON]).status,
      0,
    );
    assert.equal(
      readFileSync(join(headerTarget, "include", "site", "python3.11", "gamma", "gamma.h"), "utf8"),
      "int gamma;\n",
    );
    const prefix = join(work.path, "prefix-dir");
    assert.equal(spice(["pip", "install", beta, "--prefix", prefix, "--python", PYTHON]).status, 0);
    assert.ok(existsSync(join(prefix, "lib", "python3.11", "site-packages", "beta", "__init__.py")));
    // uv's --target and --prefix for what reads or removes such an install: that directory alone.
    for (const [option, directory] of [
      ["--target", target],
      ["--prefix", prefix],
    ]) {
      const where = [option, directory, "--python", PYTHON];
      assert.match(
        spice(["pip", "freeze", ...where]).stdout,
        /^beta @ file:\/\/\/.*beta-1\.2-py3-none-any\.whl#sha256=[0-9a-f]{64}\n$/,
        option,
      );
      assert.match(spice(["pip", "list", ...where]).stdout, /^beta +1\.2$/m, option);
      assert.match(spice(["pip", "show", "beta", ...where]).stdout, /^Name: beta\nVersion: 1\.2\n/, option);
      assert.equal(spice(["pip", "check", ...where]).status, 0, option);
      const removed = spice(["pip", "uninstall", "beta", ...where]);
      assert.equal(removed.status, 0, removed.stderr);
      assert.match(removed.stderr, / - beta==1\.2/);
      assert.equal(spice(["pip", "freeze", ...where]).stdout, "", option);
    }
    assert.ok(!existsSync(join(target, "beta")) && !existsSync(join(target, "bin", "beta-hello")));
  });
});

describe("more of spice pip", () => {
  it("shows the wheel tags it installs as pip debug does, for the environment and for another system", () => {
    const path = venv("env-pip-debug");
    const python = join(path, "bin", "python");
    const tagsOf = (output: string) => output.slice(output.indexOf("Compatible tags:"));
    for (const target of [[], ["--platform", "manylinux2014_x86_64", "--python-version", "3.9"]]) {
      const ours = spice(["pip", "debug", "-v", "--python", python, ...target]);
      assert.equal(ours.status, 0, ours.stderr);
      const pips = run(PYTHON, ["-m", "pip", "--python", python, "debug", "-v", ...target]);
      assert.equal(pips.status, 0, pips.stderr);
      assert.equal(tagsOf(ours.stdout), tagsOf(pips.stdout));
      assert.match(ours.stderr, /^warning: This command is only meant for debugging/m);
    }
    const short = spice(["pip", "debug", "--python", python]).stdout;
    assert.match(short, /^sys\.executable: .*env-pip-debug\/bin\/python$/m);
    assert.match(short, /\n {2}\.\.\.\n {2}\[First 10 tags shown\. Pass --verbose to show all\.\]\n$/);
  });

  it("checks the requirements that apply on another Python or platform, with uv's --python-version and --python-platform", () => {
    const path = venv("env-check-elsewhere");
    const python = join(path, "bin", "python");
    const gamma = buildWheel(
      wheels,
      simplePackage("gamma", "1.0", {
        requires: ["oldhelper; python_version < '3.9'", "winhelper; sys_platform == 'win32'"],
      }),
    );
    assert.equal(spice(["pip", "install", "--python", python, "--no-deps", gamma]).status, 0);
    const here = spice(["pip", "check", "--python", python]);
    assert.equal(here.status, 0, here.stdout);
    const older = spice(["pip", "check", "--python", python, "--python-version", "3.8"]);
    assert.equal(older.status, 1);
    assert.equal(older.stdout, "gamma 1.0 requires oldhelper, which is not installed.\n");
    const windows = spice(["pip", "check", "--python", python, "--python-platform", "windows"]);
    assert.equal(windows.status, 1);
    assert.equal(windows.stdout, "gamma 1.0 requires winhelper, which is not installed.\n");
    // uv's --strict on show and tree too: what pip check finds, as warnings after the output.
    assert.equal(spice(["pip", "install", "--python", python, "--no-deps", alpha1]).status, 0);
    for (const command of [["show", "gamma"], ["tree"]]) {
      const strict = spice(["pip", ...command, "--python", python, "--strict"]);
      assert.equal(strict.status, 0, strict.stderr);
      assert.match(
        strict.stderr,
        /^warning: alpha 1\.0 requires beta, which is not installed\.$/m,
        command[0],
      );
    }
  });

  it("takes uv's names: --reinstall-package, --compile-bytecode, --no-build, --no-progress, --no-sources", () => {
    const path = venv("env-uv-names");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, alpha1, beta]).status, 0);
    const again = spice([
      "pip",
      "install",
      "--python",
      python,
      alpha1,
      beta,
      "--reinstall-package",
      "Beta",
      "--compile-bytecode",
      "--no-build",
      "--no-progress",
    ]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stderr,
      /\nUninstalled 1 package in \d+ms\nInstalled 1 package in .*\n - beta==1\.2\n \+ beta==1\.2\n$/,
    );
    const site = join(path, "lib", "python3.11", "site-packages");
    assert.ok(existsSync(join(site, "beta", "__pycache__", "__init__.cpython-311.pyc")));
    assert.ok(!existsSync(join(site, "alpha", "__pycache__")), "alpha was not reinstalled");
    // uv's UV_COMPILE_BYTECODE, as SPICE_COMPILE_BYTECODE; --no-sources changes nothing here.
    const byVariable = spice(
      ["pip", "install", "--python", python, alpha1, "--reinstall-package", "alpha", "--no-sources"],
      work.path,
      { SPICE_COMPILE_BYTECODE: "1" },
    );
    assert.equal(byVariable.status, 0, byVariable.stderr);
    assert.ok(existsSync(join(site, "alpha", "__pycache__", "__init__.cpython-311.pyc")));
  });

  it("removes what byte-compiling made beside each module, dotted names too, and not its neighbours'", () => {
    const directory = join(work.path, "shared-modules");
    mkdirSync(directory);
    const dotty = buildWheel(directory, {
      name: "dotty",
      version: "1.0",
      files: { "shared/a.py": "x = 1\n", "shared/a.b.py": "y = 2\n" },
    });
    const other = buildWheel(directory, {
      name: "other",
      version: "1.0",
      files: { "shared/ab.py": "z = 3\n", "shared/a_b.py": "w = 4\n" },
    });
    const path = venv("env-shared-modules");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, "--compile", dotty, other]).status, 0);
    const cache = join(path, "lib", "python3.11", "site-packages", "shared", "__pycache__");
    assert.equal(readdirSync(cache).length, 4);
    assert.equal(spice(["pip", "uninstall", "--python", python, "-y", "dotty"]).status, 0);
    assert.deepEqual(readdirSync(cache).sort(), ["a_b.cpython-311.pyc", "ab.cpython-311.pyc"]);
  });

  it("byte-compiles with --compile and records the compiled files", () => {
    const path = venv("env-compile");
    const python = join(path, "bin", "python");
    // Run where a py_compile.py of the user's sits: the interpreter's own compiles.
    const project = join(work.path, "project-with-py-compile");
    mkdirSync(project);
    writeFileSync(
      join(project, "py_compile.py"),
      "open('ran', 'w').close()\ndef compile(*args, **kwargs): pass\n",
    );
    assert.equal(spice(["pip", "install", "--python", python, beta, "--compile"], project).status, 0);
    assert.equal(existsSync(join(project, "ran")), false, "the current directory's py_compile ran");
    const site = join(path, "lib", "python3.11", "site-packages");
    assert.ok(existsSync(join(site, "beta", "__pycache__", "__init__.cpython-311.pyc")));
    assert.match(
      readFileSync(join(site, "beta-1.2.dist-info", "RECORD"), "utf8"),
      /beta\/__pycache__\/__init__\.cpython-311\.pyc,sha256=/,
    );
    assert.equal(spice(["pip", "uninstall", "--python", python, "beta"]).status, 0);
    assert.equal(existsSync(join(site, "beta")), false);
  });

  it("shows the dependency tree both ways", () => {
    const path = venv("env-tree");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, alpha1, beta]).status, 0);
    assert.equal(
      spice(["pip", "tree", "--python", python]).stdout,
      "alpha v1.0\n└── beta v1.2 [required: >=1.0]\n",
    );
    assert.equal(
      spice(["pip", "tree", "--reverse", "--python", python, "beta"]).stdout,
      "beta v1.2\n└── alpha v1.0\n",
    );
    // A requirement is no name: refused, its password hidden (it had been printed as a root).
    const url = spice([
      "pip",
      "tree",
      "--python",
      python,
      "foo @ git+https://user:secret@example.invalid/foo.git",
    ]);
    assert.equal(url.status, 2);
    assert.equal(url.stdout, "");
    assert.match(url.stderr, /^error: Invalid package name: 'foo @ git\+https:\/\/user:\*\*\*\*@example/m);
    assert.doesNotMatch(url.stderr, /secret/);
  });

  it("shows a repeated subtree once, as uv, and takes uv's --package, --prune, --invert and --no-dedupe", () => {
    const path = venv("env-tree-options");
    const python = join(path, "bin", "python");
    const directory = join(wheels, "tree-options");
    mkdirSync(directory);
    const top = buildWheel(directory, simplePackage("top", "1.0", { requires: ["left", "right"] }));
    const left = buildWheel(directory, simplePackage("left", "1.0", { requires: ["shared"] }));
    const right = buildWheel(directory, simplePackage("right", "1.0", { requires: ["shared"] }));
    const shared = buildWheel(directory, simplePackage("shared", "1.0", { requires: ["leaf"] }));
    const leaf = buildWheel(directory, simplePackage("leaf", "1.0"));
    assert.equal(spice(["pip", "install", "--python", python, top, left, right, shared, leaf]).status, 0);
    const tree = (...args: string[]) => spice(["pip", "tree", "--python", python, ...args]).stdout;
    assert.equal(
      tree(),
      [
        "top v1.0",
        "├── left v1.0 [required: *]",
        "│   └── shared v1.0 [required: *]",
        "│       └── leaf v1.0 [required: *]",
        "└── right v1.0 [required: *]",
        "    └── shared v1.0 [required: *] (*)",
        "",
      ].join("\n"),
    );
    assert.match(
      tree("--no-dedupe"),
      /└── right v1\.0 \[required: \*\]\n {4}└── shared v1\.0 \[required: \*\]\n {8}└── leaf/,
    );
    assert.equal(
      tree("--package", "right", "--prune", "leaf"),
      "right v1.0\n└── shared v1.0 [required: *]\n",
    );
    assert.equal(tree("--invert", "leaf", "--depth", "1"), "leaf v1.0\n└── shared v1.0\n");
    assert.equal(spice(["pip", "tree", "--python", python, "--depth", "x"]).status, 2);
  });

  it("refuses to remove or replace a distribution without RECORD, and takes it over on reinstall", () => {
    const path = venv("env-norecord");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, beta]).status, 0);
    const site = join(path, "lib", "python3.11", "site-packages");
    rmSync(join(site, "beta-1.2.dist-info", "RECORD"));
    const before = snapshot(path);
    const result = spice(["pip", "uninstall", "--python", python, "beta"]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /Cannot uninstall beta 1\.2: it has no RECORD file\n {2}caused by: .*\nhint: .*spice pip install --reinstall --no-deps beta==1\.2\n/,
    );
    // Another version beside it would leave two beta on one path: refused, nothing changed.
    mkdirSync(join(wheels, "norecord"));
    const beta13 = buildWheel(join(wheels, "norecord"), simplePackage("beta", "1.3"));
    // Its own cache: the cache test counts beta's entries in the shared one.
    const upgrade = spice([
      "--cache-dir",
      join(work.path, "cache-norecord"),
      "pip",
      "install",
      "--python",
      python,
      beta13,
    ]);
    assert.equal(upgrade.status, 1);
    assert.match(upgrade.stderr, /Cannot uninstall beta 1\.2: it has no RECORD file/);
    assert.deepEqual(snapshot(path), before);
    // The hint's way out: the same version again writes a RECORD, and then it can go.
    const reinstall = spice(["pip", "install", "--python", python, "--reinstall", "--no-deps", beta]);
    assert.equal(reinstall.status, 0, reinstall.stderr);
    assert.equal(spice(["pip", "uninstall", "--python", python, "beta"]).status, 0);
    assert.deepEqual(
      readdirSync(site).filter((name) => name.startsWith("beta")),
      [],
    );
  });

  it("leaves one copy of a name that an earlier install left twice, on install, uninstall and sync", () => {
    const path = venv("env-twice");
    const python = join(path, "bin", "python");
    const site = join(path, "lib", "python3.11", "site-packages");
    const copies = () => readdirSync(site).filter((name) => /^beta-.*\.dist-info$/.test(name));
    // A second .dist-info beside beta 1.2's (what a tool that removed nothing leaves).
    const twice = () => {
      assert.equal(spice(["pip", "install", "--python", python, beta]).status, 0);
      cpSync(join(site, "beta-1.2.dist-info"), join(site, "beta-1.1.dist-info"), { recursive: true });
      const metadata = join(site, "beta-1.1.dist-info", "METADATA");
      writeFileSync(metadata, readFileSync(metadata, "utf8").replace("Version: 1.2", "Version: 1.1"));
      const record = join(site, "beta-1.1.dist-info", "RECORD");
      writeFileSync(
        record,
        readFileSync(record, "utf8").replaceAll("beta-1.2.dist-info/", "beta-1.1.dist-info/"),
      );
      assert.deepEqual(copies(), ["beta-1.1.dist-info", "beta-1.2.dist-info"]);
    };
    twice();
    // Python sees 1.1 (listed first); 1.2 is wanted, so the install is no "already satisfied".
    const installed = spice(["pip", "install", "--python", python, beta]);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(
      installed.stderr,
      /warning: beta is installed more than once in .*: every copy is replaced\n/,
    );
    assert.match(installed.stderr, / - beta==1\.1\n - beta==1\.2\n \+ beta==1\.2\n$/);
    assert.deepEqual(copies(), ["beta-1.2.dist-info"]);
    twice();
    const removed = spice(["pip", "uninstall", "--python", python, "beta"]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.deepEqual(copies(), []);
    assert.equal(existsSync(join(site, "beta")), false);
    twice();
    const requirements = join(work.path, "twice-requirements.txt");
    writeFileSync(requirements, "");
    // Emptying an environment by a sync is asked for, as in uv; unasked, nothing changes.
    const unasked = spice(["pip", "sync", "--python", python, "--no-index", requirements]);
    assert.equal(unasked.status, 1);
    assert.match(
      unasked.stderr,
      /names no package: a sync to it would uninstall everything\nhint: Pass --allow-empty-requirements/,
    );
    assert.equal(copies().length, 2);
    const sync = [
      "pip",
      "sync",
      "--python",
      python,
      "--no-index",
      requirements,
      "--allow-empty-requirements",
    ];
    assert.equal(spice(sync).status, 0);
    assert.deepEqual(copies(), []);
  });

  it("syncs as pip-sync is called: --ask on a terminal, -n, --python-executable, --pip-args", () => {
    const path = venv("env-sync-habits");
    const python = join(path, "bin", "python");
    const requirements = join(work.path, "habits-requirements.txt");
    writeFileSync(requirements, "beta==1.2\n");
    const env = spiceEnvironment({ cacheDir, env: { VIRTUAL_ENV: "", CONDA_PREFIX: "" } });
    const sync = [process.execPath, SPICE, "pip", "sync", "--python-executable", python, "-f", wheels];
    const question = "Would you like to proceed with these changes? [y/N]: ";
    const declined = runOnTerminal([...sync, requirements, "--ask"], question, "", env);
    assert.equal(declined.status, 0, declined.output);
    assert.match(declined.output, /Would install 1 package\n \+ beta==1\.2\n/);
    assert.match(declined.output, /Nothing changed\n$/);
    assert.equal(spice(["pip", "freeze", "--python", python]).stdout, "");
    const accepted = runOnTerminal([...sync, requirements, "-a"], question, "y", env);
    assert.equal(accepted.status, 0, accepted.output);
    assert.match(accepted.output, /Installed 1 package in .*\n \+ beta==1\.2\n/);
    // Not on a terminal: nothing to ask on, so nothing is done.
    writeFileSync(requirements, "alpha==1.0\nbeta==1.2\n");
    const piped = spice(["pip", "sync", "--python", python, "-f", wheels, requirements, "--ask"]);
    assert.equal(piped.status, 2);
    assert.match(piped.stderr, /--ask needs a terminal/);
    const dryRun = spice(["pip", "sync", "--python", python, "-f", wheels, requirements, "-n"]);
    assert.equal(dryRun.status, 0, dryRun.stderr);
    assert.match(dryRun.stderr, /Would install 1 package\n \+ alpha==1\.0\n/);
    // --pip-args: pip-tools' extra options for pip, read as spice's own (here a global one too).
    const withPipArgs = (text: string) =>
      spice(["pip", "sync", "--python", python, requirements, "--pip-args", text]);
    const passed = withPipArgs(`--find-links '${wheels}' -q`);
    assert.equal(passed.status, 0, passed.stderr);
    assert.equal(passed.stderr, "");
    assert.match(spice(["pip", "freeze", "--python", python]).stdout, /^alpha==1\.0\nbeta==1\.2\n$/);
    const stray = withPipArgs("--no-index other.txt");
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /--pip-args takes options only, not 'other\.txt'/);
  });

  it("reads pip's output settings from PIP_QUIET, PIP_VERBOSE, PIP_LOG and PIP_NO_COLOR, the command line winning", () => {
    const path = venv("env-pip-output-variables");
    const python = join(path, "bin", "python");
    const dryRun = ["pip", "install", "--python", python, "--dry-run", beta];
    assert.equal(spice(dryRun, work.path, { PIP_QUIET: "1" }).stderr, "");
    assert.match(spice([...dryRun, "-v"], work.path, { PIP_QUIET: "yes" }).stderr, /^environment: /m);
    assert.match(spice(dryRun, work.path, { PIP_VERBOSE: "2" }).stderr, /^environment: /m);
    assert.doesNotMatch(spice(dryRun, work.path, { PIP_VERBOSE: "0" }).stderr, /^environment: /m);
    const log = join(work.path, "pip-variables.log");
    assert.equal(spice([...dryRun, "-q"], work.path, { PIP_LOG: log }).stderr, "");
    assert.match(readFileSync(log, "utf8"), /environment: .*\n.*Would install 1 package/s);
    // pip's levels: a warning shows with -q, not with -qq (-q -q, PIP_QUIET=2), errors always;
    // the log keeps it.
    const missing = ["pip", "uninstall", "-y", "--python", python, "not-installed"];
    const warned = /^warning: Skipping not-installed as it is not installed\.$/m;
    assert.match(spice([...missing, "-q"]).stderr, warned);
    for (const [args, env] of [
      [["-qq"], {}],
      [["-q", "--quiet"], {}],
      [[], { PIP_QUIET: "2", PIP_LOG: log }],
    ] as const) {
      const quieter = spice([...missing, ...args], work.path, env);
      assert.equal(quieter.status, 0);
      assert.equal(quieter.stderr, "", args.join(" ") || "PIP_QUIET=2");
    }
    assert.match(readFileSync(log, "utf8"), /warning: Skipping not-installed as it is not installed\.\n$/);
    assert.match(
      spice(["pip", "install", "-qq", "--python", python, "nope==1", "--no-index"]).stderr,
      /^error: /m,
    );
    const painted = spice(
      ["pip", "install", "--python", python, "--dry-run", "nope==1", "--no-index"],
      work.path,
      {
        PIP_NO_COLOR: "1",
        NO_COLOR: "",
      },
    );
    assert.doesNotMatch(painted.stderr, /\x1b\[/);
    const asked = spice(
      ["pip", "install", "--color", "always", "--python", python, "--dry-run", "nope==1", "--no-index"],
      work.path,
      {
        PIP_NO_COLOR: "1",
      },
    );
    assert.match(asked.stderr, /\x1b\[/);
    // --isolated ignores them, as pip does; a value pip would refuse is refused.
    assert.notEqual(spice([...dryRun, "--isolated"], work.path, { PIP_QUIET: "1" }).stderr, "");
    const wrong = spice(dryRun, work.path, { PIP_QUIET: "loud" });
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /PIP_QUIET takes a count or a yes or no value, not 'loud'/);
    // pip.conf sets them too: [global], then the command's own section, then the variables.
    const config = join(work.path, "pip-output.conf");
    writeFileSync(config, "[global]\nquiet = 1\nno-color = yes\n[list]\nquiet = 0\nverbose = 1\n");
    const fromFile = { PIP_CONFIG_FILE: config, NO_COLOR: "" };
    assert.equal(spice(dryRun, work.path, fromFile).stderr, "");
    assert.equal(spice(dryRun, work.path, { ...fromFile, PIP_QUIET: "0" }).stderr.length > 0, true);
    assert.match(spice(["pip", "list", "--python", python], work.path, fromFile).stderr, /^environment: /m);
    const failing = ["pip", "install", "--python", python, "--dry-run", "nope==1", "--no-index", "-v"];
    assert.doesNotMatch(spice(failing, work.path, fromFile).stderr, /\x1b\[/);
    assert.match(spice([...failing, "--color", "always"], work.path, fromFile).stderr, /\x1b\[/);
    writeFileSync(config, "[install]\nverbose = loud\n");
    const badFile = spice(dryRun, work.path, { PIP_CONFIG_FILE: config });
    assert.equal(badFile.status, 2);
    assert.match(
      badFile.stderr,
      /verbose \(in .*pip-output\.conf \[install\]\) takes a count or a yes or no value, not 'loud'/,
    );
  });

  it("reads direct_url.json as pip does: a valid one frozen and inspected as pip's, an invalid one warned of and frozen by version", () => {
    const path = pipInstalledVenv("env-direct-url-forms", ["--no-deps", beta]);
    const python = join(path, "bin", "python");
    const file = join(path, "lib", "python3.11", "site-packages", "beta-1.2.dist-info", "direct_url.json");
    const warnings = (stderr: string) => [
      ...new Set(
        stderr
          .split("\n")
          .flatMap((line) => /^(?:WARNING|warning): (Error parsing .*)$/.exec(line)?.[1] ?? []),
      ),
    ];
    const forms = [
      {
        url: "https://example.com/beta.git",
        vcs_info: { vcs: "git", commit_id: "abc", requested_revision: "v1" },
      },
      {
        url: "https://example.com/beta-1.2.tar.gz",
        archive_info: { hash: "sha256=ab" },
        subdirectory: "sub",
      },
      { vcs_info: { vcs: "git" } },
      { url: "https://example.com/beta-1.2.tar.gz", archive_info: { hash: "ab" } },
      { url: "file:///beta", dir_info: {}, archive_info: {} },
      { url: "file:///beta", dir_info: { editable: "yes" } },
      { url: 5, dir_info: {} },
      [1],
    ];
    for (const form of forms) {
      writeFileSync(file, JSON.stringify(form));
      const pip = run(join(path, "bin", "pip"), ["freeze"]);
      const ours = spice(["pip", "freeze", "--python", python]);
      assert.equal(ours.stdout, pip.stdout, JSON.stringify(form));
      assert.deepEqual(warnings(ours.stderr), warnings(pip.stderr), JSON.stringify(form));
      if (!Array.isArray(form) && form.url !== undefined && warnings(pip.stderr).length === 0) {
        const report = (stdout: string) =>
          (JSON.parse(stdout) as { installed: Array<{ direct_url?: unknown }> }).installed.map(
            (entry) => entry.direct_url,
          );
        assert.deepEqual(
          report(spice(["pip", "inspect", "--python", python]).stdout).filter(Boolean),
          report(run(join(path, "bin", "pip"), ["inspect"]).stdout).filter(Boolean),
        );
      }
    }
    // The last form is invalid: show warns of what it shows, as pip; check reads no direct_url.json.
    const shown = spice(["pip", "show", "--python", python, "beta"]);
    assert.deepEqual(
      warnings(shown.stderr),
      warnings(run(join(path, "bin", "pip"), ["show", "beta"]).stderr),
    );
    assert.equal(warnings(shown.stderr).length, 1);
    assert.deepEqual(warnings(spice(["pip", "check", "--python", python]).stderr), []);
  });

  it("expands ~ where pip does: --log, --cert, list's --path (which needs no environment), a --find-links directory that exists", () => {
    const path = venv("env-tilde-paths");
    const python = join(path, "bin", "python");
    const dryRun = ["pip", "install", "--python", python, "--dry-run", beta];
    // A path starting with ~ is the home directory's, as pip expands it, from the
    // command line (where `--log=~/...` reaches no shell's expansion), pip.conf or a variable.
    const home = join(work.path, "tilde-home");
    mkdirSync(home);
    const atHome = { HOME: home, PIP_LOG: "~/from-variable.log" };
    assert.equal(spice(dryRun, work.path, atHome).status, 0);
    assert.equal(spice([...dryRun, "--log=~/from-option.log"], work.path, atHome).status, 0);
    assert.deepEqual(readdirSync(home).sort(), ["from-option.log", "from-variable.log"]);
    const cert = spice(
      [
        "pip",
        "install",
        "--python",
        python,
        "--dry-run",
        "beta",
        "--cert=~/no-such-ca.pem",
        "-i",
        "https://127.0.0.1:9/simple/",
      ],
      work.path,
      {
        HOME: home,
      },
    );
    assert.match(
      cert.stderr,
      new RegExp(`Could not read the CA bundle ${join(home, "no-such-ca.pem")} \\(from --cert\\)`),
    );
    mkdirSync(join(home, "wheels"));
    cpSync(beta, join(home, "wheels", basename(beta)));
    const found = spice(
      ["pip", "install", "--python", python, "--dry-run", "--no-index", "-f", "~/wheels", "beta"],
      work.path,
      { HOME: home },
    );
    assert.equal(found.status, 0, found.stderr);
    assert.match(found.stderr, / \+ beta==1\.2\n/);
    assert.equal(spice(["pip", "install", "--python", python, beta]).status, 0);
    assert.match(spice(["pip", "freeze", "--python", python]).stdout, /^beta @ /);
    cpSync(join(path, "lib", "python3.11", "site-packages"), join(home, "site"), { recursive: true });
    assert.equal(
      spice(["pip", "freeze", "--python", python, "--path", "~/site"], work.path, { HOME: home }).stdout,
      spice(["pip", "freeze", "--python", python]).stdout,
    );
    // Without an environment here, --path still reads the directory, as pip's does.
    const anywhere = spice(["pip", "freeze", "--path", "~/site"], home, { HOME: home });
    assert.equal(anywhere.stdout, spice(["pip", "freeze", "--python", python]).stdout, anywhere.stderr);
  });

  it("refuses to install through a link that leads out of site-packages, changing nothing", () => {
    const path = venv("env-linked-out");
    const python = join(path, "bin", "python");
    const checkout = join(work.path, "beta-checkout");
    mkdirSync(checkout);
    writeFileSync(join(checkout, "__init__.py"), "MINE = True\n");
    symlinkSync(checkout, join(path, "lib", "python3.11", "site-packages", "beta"));
    const before = snapshot(path);
    const result = spice(["pip", "install", "--python", python, alpha1, beta]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /error: Cannot install beta: lib\/python3\.11\/site-packages\/beta is a link to .*beta-checkout, outside the environment\n/,
    );
    assert.deepEqual(snapshot(path), before);
    assert.equal(readFileSync(join(checkout, "__init__.py"), "utf8"), "MINE = True\n");
  });

  it("warns, as pip, when an upgrade breaks a requirement of a package it left alone", () => {
    const path = venv("env-conflict");
    const python = join(path, "bin", "python");
    const directory = join(wheels, "conflict");
    mkdirSync(directory);
    const pinned = buildWheel(directory, simplePackage("pinned", "1.0", { requires: ["beta<1.3"] }));
    const beta13 = buildWheel(directory, simplePackage("beta", "1.3"));
    // Its own cache: the cache test counts beta's entries in the shared one.
    const install = (...args: string[]) =>
      spice([
        "--cache-dir",
        join(work.path, "cache-conflict"),
        "pip",
        "install",
        "--python",
        python,
        ...args,
      ]);
    assert.equal(install(pinned, beta).status, 0);
    const upgraded = install(beta13);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(
      upgraded.stderr,
      / \+ beta==1\.3\nwarning: pinned 1\.0 requires beta<1\.3, but you have beta 1\.3 which is incompatible\.\n$/,
    );
    assert.equal(install(beta).status, 0);
    assert.doesNotMatch(install(beta13, "--no-warn-conflicts").stderr, /warning/);
  });

  it("falls back from an asked-for link mode the file systems refuse, with a warning, as uv", (t) => {
    // A cache on another file system than the environment: /dev/shm is a tmpfs on Linux.
    const shm = "/dev/shm";
    if (!existsSync(shm) || statSync(shm).dev === statSync(work.path).dev) {
      t.skip("needs /dev/shm on a file system apart from the temporary directory");
      return;
    }
    const cache = mkdtempSync(join(shm, "spice-test-cache-"));
    try {
      const path = venv("env-cross-device");
      const python = join(path, "bin", "python");
      const result = spice([
        "--cache-dir",
        cache,
        "pip",
        "install",
        "--python",
        python,
        "--link-mode",
        "hardlink",
        beta,
      ]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(
        result.stderr,
        /warning: link mode hardlink is not available here \(EXDEV\); using copy\n/,
      );
      assert.equal(run(python, ["-c", "import beta; print(beta.__name__)"]).stdout, "beta\n");
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("warns of every unmet requirement with --strict, as uv: after install, sync, list and freeze", () => {
    const path = venv("env-strict");
    const python = join(path, "bin", "python");
    const lone = spice(["pip", "install", "--python", python, "--no-deps", alpha1, "--strict"]);
    assert.equal(lone.status, 0, lone.stderr);
    assert.match(
      lone.stderr,
      / \+ alpha==1\.0\nwarning: alpha 1\.0 requires beta, which is not installed\.\n$/,
    );
    assert.doesNotMatch(spice(["pip", "install", "--python", python, "--no-deps", alpha1]).stderr, /warning/);
    for (const command of ["list", "freeze"]) {
      const listed = spice(["pip", command, "--python", python, "--strict"]);
      assert.match(listed.stdout, /alpha/);
      assert.equal(listed.stderr, "warning: alpha 1.0 requires beta, which is not installed.\n", command);
    }
    const requirements = join(work.path, "strict-requirements.txt");
    writeFileSync(requirements, "alpha==1.0\nbeta==1.2\n");
    const synced = spice([
      "pip",
      "sync",
      "--python",
      python,
      "--find-links",
      wheels,
      requirements,
      "--strict",
    ]);
    assert.equal(synced.status, 0, synced.stderr);
    assert.doesNotMatch(synced.stderr, /warning/);
  });

  it("checks the hashes given unless --no-verify-hashes, and says what uninstall --dry-run would take", () => {
    const path = venv("env-verify-hashes");
    const python = join(path, "bin", "python");
    const requirements = join(work.path, "wrong-hash.txt");
    writeFileSync(requirements, `beta @ ${pathToFileURL(beta).href} --hash=sha256:${"0".repeat(64)}\n`);
    const install = (...args: string[]) =>
      spice(["pip", "install", "--python", python, "-r", requirements, ...args]);
    const checked = install();
    assert.equal(checked.status, 1);
    assert.match(checked.stderr, /is not one the requirements allow/);
    assert.equal(install("--no-verify-hashes", "--require-hashes").status, 2);
    const unchecked = install("--no-verify-hashes");
    assert.equal(unchecked.status, 0, unchecked.stderr);
    const before = snapshot(path);
    const dryRun = spice(["pip", "uninstall", "--python", python, "--dry-run", "beta"]);
    assert.equal(dryRun.status, 0, dryRun.stderr);
    assert.match(dryRun.stderr, /Would uninstall 1 package\n - beta==1\.2\n$/);
    assert.deepEqual(snapshot(path), before);
  });

  it("removes what the requirements do not name with --exact, as uv", () => {
    const path = venv("env-exact");
    const python = join(path, "bin", "python");
    assert.equal(spice(["pip", "install", "--python", python, alpha1, beta]).status, 0);
    const before = snapshot(path);
    const dryRun = spice(["pip", "install", "--python", python, "--exact", "--dry-run", beta]);
    assert.match(dryRun.stderr, /Would uninstall 1 package\n - alpha==1\.0\n$/);
    assert.deepEqual(snapshot(path), before);
    const exact = spice(["pip", "install", "--python", python, "--exact", beta]);
    assert.equal(exact.status, 0, exact.stderr);
    assert.match(exact.stderr, /Uninstalled 1 package in .*\n - alpha==1\.0\n$/);
    assert.match(spice(["pip", "freeze", "--python", python]).stdout, /^beta @ file:[^\n]*\n$/);
  });

  it("names the constraint that left a requirement no version, in the failure's explanation", () => {
    const path = venv("env-constrained");
    const constraints = join(work.path, "beta-constraints.txt");
    // Spelled otherwise than the name: the hint still finds the constraint.
    writeFileSync(constraints, "BETA<1\n");
    const result = spice([
      "pip",
      "install",
      "--dry-run",
      "--python",
      join(path, "bin", "python"),
      "--find-links",
      wheels,
      "-c",
      constraints,
      alpha1,
    ]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /alpha==1\.0 depends on beta>=1\.0 \(with the constraint BETA<1\), which no version of beta satisfies/,
    );
    assert.match(result.stderr, /hint: beta has 1 usable version, before the constraints: 1\.2\n/);
  });

  it("refuses a script that would replace the environment's interpreter or activation script", () => {
    const path = venv("env-own-scripts");
    const python = join(path, "bin", "python");
    mkdirSync(join(wheels, "own-scripts"));
    const before = snapshot(path);
    for (const script of ["python3", "activate"]) {
      const wheel = buildWheel(join(wheels, "own-scripts"), {
        name: `takes${script}`,
        version: "1.0",
        files: { "takes.py": "def main():\n    pass\n" },
        consoleScripts: { [script]: "takes:main" },
      });
      const result = spice(["pip", "install", "--python", python, wheel]);
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        new RegExp(
          `error: Cannot install takes${script}: its script bin/${script} would replace the environment's (interpreter|activation script)\n`,
        ),
      );
      assert.deepEqual(snapshot(path), before);
    }
    assert.equal(run(python, ["-c", "print('runs')"]).stdout, "runs\n");
  });

  it("counts a legacy `setup.py develop` checkout as installed, as pip does", () => {
    const path = venv("env-develop");
    const python = join(path, "bin", "python");
    const checkout = join(work.path, "develop-checkout");
    mkdirSync(join(checkout, "beta"), { recursive: true });
    mkdirSync(join(checkout, "beta.egg-info"));
    writeFileSync(join(checkout, "beta", "__init__.py"), "DEVELOP = True\n");
    writeFileSync(
      join(checkout, "beta.egg-info", "PKG-INFO"),
      "Metadata-Version: 2.1\nName: beta\nVersion: 1.0\n",
    );
    const site = join(path, "lib", "python3.11", "site-packages");
    writeFileSync(join(site, "easy-install.pth"), `${checkout}\n`);
    writeFileSync(join(site, "beta.egg-link"), `${checkout}\n.`);
    const result = spice(["pip", "install", "--python", python, "--find-links", wheels, alpha1]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /Installed 1 package in .*\n \+ alpha==1\.0\n$/);
    assert.equal(
      existsSync(join(site, "beta")),
      false,
      "the checkout is not shadowed by a copy from the index",
    );
  });

  it("removes a setuptools .egg-info as pip does, and refuses distutils' lone .egg-info file", () => {
    const path = venv("env-egg-info");
    const python = join(path, "bin", "python");
    const site = join(path, "lib", "python3.11", "site-packages");
    const eggInfo = join(site, "beta-0.9-py3.11.egg-info");
    const legacyBeta = (listing: "installed-files.txt" | "top_level.txt") => {
      mkdirSync(join(site, "beta", "sub"), { recursive: true });
      writeFileSync(join(site, "beta", "__init__.py"), "OLD = True\n");
      writeFileSync(join(site, "beta", "sub", "m.py"), "");
      writeFileSync(join(site, "beta_notes.py"), ""); // not beta's: stays
      writeFileSync(join(path, "bin", "beta-legacy"), "#!/bin/sh\n");
      mkdirSync(eggInfo);
      writeFileSync(join(eggInfo, "PKG-INFO"), "Metadata-Version: 1.1\nName: beta\nVersion: 0.9\n");
      writeFileSync(join(eggInfo, "top_level.txt"), "beta\n");
      if (listing === "installed-files.txt")
        writeFileSync(
          join(eggInfo, "installed-files.txt"),
          "../beta/__init__.py\n../beta/sub/m.py\nPKG-INFO\ntop_level.txt\n../../../../bin/beta-legacy\n",
        );
    };
    legacyBeta("installed-files.txt");
    // Its requirements are in requires.txt, not PKG-INFO: pip check reads them there.
    writeFileSync(join(eggInfo, "requires.txt"), "gamma>=1\n\n[fast]\nzeta\n");
    assert.equal(
      spice(["pip", "check", "--python", python]).stdout,
      "beta 0.9 requires gamma, which is not installed.\n",
    );
    const removed = spice(["pip", "uninstall", "--python", python, "beta"]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stderr, / - beta==0\.9\n$/);
    assert.deepEqual(
      readdirSync(site).filter((name) => name.startsWith("beta")),
      ["beta_notes.py"],
    );
    assert.equal(existsSync(join(path, "bin", "beta-legacy")), false);
    // Without installed-files.txt, top_level.txt names what goes; an upgrade replaces it whole.
    legacyBeta("top_level.txt");
    const upgraded = spice(["pip", "install", "--python", python, beta]);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(upgraded.stderr, / - beta==0\.9\n \+ beta==1\.2\n$/);
    assert.equal(existsSync(eggInfo), false);
    assert.equal(existsSync(join(site, "beta", "sub")), false);
    assert.doesNotMatch(readFileSync(join(site, "beta", "__init__.py"), "utf8"), /OLD/);
    // distutils wrote one PKG-INFO file and nothing about its modules: refused, nothing changed.
    assert.equal(spice(["pip", "uninstall", "--python", python, "beta"]).status, 0);
    writeFileSync(
      join(site, "beta-0.8-py3.11.egg-info"),
      "Metadata-Version: 1.0\nName: beta\nVersion: 0.8\n",
    );
    const before = snapshot(path);
    const refused = spice(["pip", "install", "--python", python, beta]);
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /error: Cannot uninstall beta 0\.8: it was installed by distutils, which records no list of its files\n/,
    );
    assert.deepEqual(snapshot(path), before);
  });

  it("installs into the user site with --user, and refuses --user inside a venv", () => {
    const userBase = join(work.path, "userbase");
    const result = spice(
      ["pip", "install", beta, "--user", "--python", PYTHON, "--break-system-packages"],
      work.path,
      { PYTHONUSERBASE: userBase },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(join(userBase, "bin", "beta-hello")));
    // The version the interpreter's own site-packages has: a name is satisfied by it, a wheel
    // file is installed into the user site, where it shadows that copy, as pip does.
    const system = join(work.path, "user-site-python");
    const systemPython = plainPython(system);
    assert.equal(spice(["pip", "install", beta, "--python", systemPython]).status, 0);
    const shadowBase = join(work.path, "userbase-shadowing");
    const byName = spice(
      ["pip", "install", "beta", "--user", "--no-index", "-f", wheels, "--python", systemPython],
      work.path,
      { PYTHONUSERBASE: shadowBase },
    );
    assert.equal(byName.status, 0, byName.stderr);
    assert.ok(!existsSync(shadowBase), byName.stderr);
    const byFile = spice(["pip", "install", beta, "--user", "--python", systemPython], work.path, {
      PYTHONUSERBASE: shadowBase,
    });
    assert.equal(byFile.status, 0, byFile.stderr);
    assert.ok(
      existsSync(join(shadowBase, "lib", "python3.11", "site-packages", "beta-1.2.dist-info", "RECORD")),
    );
    assert.ok(existsSync(join(system, "lib", "python3.11", "site-packages", "beta-1.2.dist-info", "RECORD")));
    const path = venv("env-user");
    const refused = spice(["pip", "install", beta, "--user", "--python", join(path, "bin", "python")]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /Cannot install with --user into a virtual environment/);
  });

  it("writes relocatable scripts in a --relocatable venv, which keep working after a move", () => {
    const path = join(work.path, "reloc");
    assert.equal(spice(["venv", path, "--python", "3.11", "--relocatable"]).status, 0);
    assert.equal(spice(["pip", "install", "--python", join(path, "bin", "python"), beta]).status, 0);
    const moved = join(work.path, "reloc-moved");
    renameSync(path, moved);
    assert.equal(run(join(moved, "bin", "beta-hello"), []).stdout, "beta 1.2 says hello\n");
  });
});

describe("spare trees", () => {
  it("install two wheels that hold one file as pip does: the first by name keeps its copy, with a warning", () => {
    const directory = join(work.path, "shared-wheels");
    mkdirSync(directory);
    // Over a hundred new directories: spare trees are used, except where two wheels meet.
    const parts = Object.fromEntries(Array.from({ length: 110 }, (_, i) => [`cv/part${i}/__init__.py`, ""]));
    const wheelOf = (name: string) =>
      buildWheel(directory, {
        name,
        version: "1.0",
        files: {
          ...parts,
          "cv/__init__.py": `KIND = '${name}'\n`,
          [`${name}/__init__.py`]: "def main(): pass\n",
        },
        // A console script of the same name: generated, not linked, and the same rule holds.
        consoleScripts: { "cv-tool": `${name}:main` },
      });
    const headless = wheelOf("cv_headless");
    const full = wheelOf("cv_full");
    // Twice: the second install finds the spare trees the first one left.
    for (const label of ["first", "again"]) {
      const path = venv(`env-shared-${label}`);
      const python = join(path, "bin", "python");
      const result = spice(["pip", "install", "--python", python, headless, full]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(
        result.stderr,
        /warning: cv_headless and cv_full both install \S+ and 111 more files: cv_full's copy is the one installed, and uninstalling either one removes it\n/,
      );
      assert.equal(run(python, ["-c", "import cv, cv_headless; print(cv.KIND)"]).stdout, "cv_full\n");
      assert.match(readFileSync(join(path, "bin", "cv-tool"), "utf8"), /from cv_full import main/);
      // Each RECORD lists the script with the hash of the one its wheel made.
      const site = join(path, "lib", "python3.11", "site-packages");
      const scriptHash = (distInfo: string) =>
        /^\.\.\/\.\.\/\.\.\/bin\/cv-tool,(sha256=\S+),/m.exec(
          readFileSync(join(site, distInfo, "RECORD"), "utf8"),
        )?.[1];
      assert.equal(
        scriptHash("cv_full-1.0.dist-info"),
        `sha256=${createHash("sha256")
          .update(readFileSync(join(path, "bin", "cv-tool")))
          .digest("base64url")}`,
      );
      assert.notEqual(scriptHash("cv_headless-1.0.dist-info"), scriptHash("cv_full-1.0.dist-info"));
    }
    // pip keeps the same copy.
    const pipped = pipInstalledVenv("env-shared-pip", ["--no-deps", headless, full]);
    assert.equal(run(join(pipped, "bin", "python"), ["-c", "import cv; print(cv.KIND)"]).stdout, "cv_full\n");
    assert.match(readFileSync(join(pipped, "bin", "cv-tool"), "utf8"), /from cv_full import main/);
  });

  it("keep the copy pip installs last of a file two wheels hold: what depends on the other, by pip's order", () => {
    const directory = join(work.path, "shared-ordered-wheels");
    mkdirSync(directory);
    // pip installs what depends on nothing first: aaa, then zzz, whose copy stays (not the first
    // by name's, as among wheels that need nothing else).
    const holding = (name: string, requires: string[]) =>
      buildWheel(directory, {
        name,
        version: "1.0",
        requires,
        files: { "cv/__init__.py": `KIND = '${name}'\n`, [`${name}/__init__.py`]: "" },
      });
    holding("aaa", []);
    holding("zzz", ["aaa"]);
    const kind = (path: string) =>
      run(join(path, "bin", "python"), ["-c", "import cv; print(cv.KIND)"]).stdout;
    const path = venv("env-shared-ordered");
    const installed = spice([
      "pip",
      "install",
      "--python",
      join(path, "bin", "python"),
      "--no-index",
      "--find-links",
      directory,
      "zzz",
    ]);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(installed.stderr, /warning: aaa and zzz both install \S+: zzz's copy is the one installed/);
    assert.equal(kind(path), "zzz\n");
    assert.equal(kind(pipInstalledVenv("env-shared-ordered-pip", ["-f", directory, "zzz"])), "zzz\n");
  });

  it("move whole directories into place, leaving exactly what linking file by file leaves", () => {
    const directory = join(work.path, "spare-wheels");
    mkdirSync(directory);
    const distInfo = "sparrow-1.0.dist-info";
    const sparrow = buildWheel(directory, {
      name: "sparrow",
      version: "1.0",
      files: {
        "sparrow/__init__.py": "from .deep.er import VALUE\n",
        "sparrow/deep/__init__.py": "",
        "sparrow/deep/er.py": "VALUE = 'deep'\n",
        // Installs with fewer new directories than this link file by file (installer.ts).
        ...Object.fromEntries(Array.from({ length: 110 }, (_, i) => [`sparrow/part${i}/__init__.py`, ""])),
        "sparrow.py.typed": "",
        // Two wheels share this namespace package: each moves only its own subdirectory.
        "nest/sparrow/__init__.py": "OWNER = 'sparrow'\n",
        // The installer writes its own INSTALLER: the wheel's copy must never be linked.
        [`${distInfo}/INSTALLER`]: "not spice\n",
      },
      consoleScripts: { sparrow: "sparrow:main" },
    });
    const finch = buildWheel(directory, {
      name: "finch",
      version: "2.0",
      files: {
        "nest/finch/__init__.py": "OWNER = 'finch'\n",
        "finch/__init__.py": "",
        // A .data file in finch/ keeps finch/ from moving whole.
        "finch-2.0.data/purelib/finch/extra.py": "EXTRA = 1\n",
      },
    });
    const install = (name: string, env: NodeJS.ProcessEnv) => {
      const root = venv(name);
      const result = spice(
        ["pip", "install", "-v", "--python", join(root, "bin", "python"), sparrow, finch],
        work.path,
        env,
      );
      assert.equal(result.status, 0, result.stderr);
      return { root, stderr: result.stderr, site: join(root, "lib", "python3.11", "site-packages") };
    };
    const byFile = install("spare-off", { SPICE_SPARE_TREES: "off" });
    assert.doesNotMatch(byFile.stderr, /spare tree/);
    const entries = readdirSync(join(cacheDir, BUCKETS.wheels))
      .filter((shard) => !shard.startsWith("."))
      .flatMap((shard) =>
        readdirSync(join(cacheDir, BUCKETS.wheels, shard)).map((key) =>
          join(cacheDir, BUCKETS.wheels, shard, key),
        ),
      )
      .filter((entry) => /"name":"(sparrow|finch)"/.test(readFileSync(join(entry, "manifest.json"), "utf8")));
    assert.equal(entries.length, 2);
    assert.ok(entries.every((entry) => !existsSync(join(entry, "spare"))));
    // The first install with spare trees on finds none and leaves one in each entry.
    install("spare-first", {});
    assert.ok(entries.every((entry) => existsSync(join(entry, "spare"))));
    const moved = install("spare-moved", {});
    assert.match(moved.stderr, /moved in the spare trees of 2 wheels/);
    assert.ok(
      entries.every((entry) => existsSync(join(entry, "spare"))),
      "made again for the next install",
    );
    assert.deepEqual(
      readdirSync(join(moved.root, "lib", "python3.11")),
      ["site-packages"],
      "no claimed tree left behind",
    );
    assert.deepEqual(
      readdirSync(moved.site).filter((name) => name.startsWith(".spice")),
      [],
      "no claimed tree left behind",
    );
    // A tree claimed by a spice that was killed (its pid no longer runs) is removed by the next run.
    const stale = join(moved.site, ".spice-unpack-999999999-x");
    mkdirSync(join(stale, "0", "sparrow"), { recursive: true });
    assert.equal(spice(["pip", "list", "--python", join(moved.root, "bin", "python")]).status, 0);
    assert.equal(existsSync(stale), false);
    // Same paths, contents, modes and link counts: both are hard links to the cache's files.
    const picture = (site: string) => {
      const rows: string[] = [];
      const walk = (path: string) => {
        for (const entry of readdirSync(path, { withFileTypes: true })) {
          const child = join(path, entry.name);
          const stat = statSync(child);
          rows.push(
            `${relative(site, child)} ${entry.isDirectory() ? "dir" : "file"} ${stat.mode.toString(8)}`,
          );
          if (entry.isDirectory()) walk(child);
        }
      };
      walk(site);
      return rows.sort();
    };
    assert.deepEqual(picture(moved.site), picture(byFile.site));
    // Byte for byte, but for the script's hash in RECORD (its shebang names the environment).
    const content = (site: string) => {
      const files = snapshot(site);
      for (const name of Object.keys(files).filter((name) => name.endsWith("/RECORD")))
        files[name] = readFileSync(join(site, name), "utf8").replace(/^\.\.\/\.\.\/\.\.\/bin\/.*$/gm, "");
      return files;
    };
    assert.deepEqual(content(moved.site), content(byFile.site));
    const inode = (site: string, path: string) => statSync(join(site, path)).ino;
    assert.equal(inode(moved.site, "sparrow/deep/er.py"), inode(byFile.site, "sparrow/deep/er.py"));
    assert.equal(readFileSync(join(moved.site, distInfo, "INSTALLER"), "utf8"), "spice\n");
    // A spare tree brings INSTALLER along, a file of its own: never a link another environment shares.
    assert.equal(statSync(join(moved.site, distInfo, "INSTALLER")).nlink, 1);
    assert.deepEqual(entries.map((entry) => existsSync(join(entry, "spare", distInfo, "INSTALLER"))).sort(), [
      false,
      true,
    ]);
    // An entry keeps its files flat, named by their index in its manifest.
    const cachedInstaller = entries
      .map((entry) => {
        const manifest = readManifest(entry)!;
        const index = manifest.files.findIndex((file) => file.path === `${distInfo}/INSTALLER`);
        return index < 0 ? "" : join(entry, "files", String(index));
      })
      .find(existsSync);
    assert.equal(readFileSync(cachedInstaller!, "utf8"), "not spice\n");
    const imported = run(join(moved.root, "bin", "python"), [
      "-c",
      "import sparrow, nest.sparrow, nest.finch, finch.extra; print(sparrow.VALUE, nest.finch.OWNER)",
    ]);
    assert.equal(imported.stdout.trim(), "deep finch", imported.stderr);
    // pip removes what it finds through RECORD, and the cache keeps its files.
    const pipUninstall = run(PYTHON, [
      "-m",
      "pip",
      "--python",
      join(moved.root, "bin", "python"),
      "uninstall",
      "-y",
      "sparrow",
      "finch",
    ]);
    assert.equal(pipUninstall.status, 0, pipUninstall.stderr);
    assert.deepEqual(
      // (pip leaves the emptied namespace directory nest/ behind, as it does after any install.)
      Object.keys(snapshot(moved.site)).filter((name) => /sparrow|finch|nest/.test(name)),
      [],
    );
    assert.ok(existsSync(join(entries[0], "spare")));
    const again = install("spare-again", {});
    assert.match(again.stderr, /moved in the spare trees of 2 wheels/);
    assert.deepEqual(content(again.site), content(byFile.site));
    // A tree that lost a file (a cache removed halfway) is not moved in, which would install
    // without it: it is discarded, and the entry's own files are linked.
    const sparrowEntry = entries.find((entry) => existsSync(join(entry, "spare", "sparrow")))!;
    rmSync(join(sparrowEntry, "spare", "sparrow", "deep", "er.py"));
    const damaged = install("spare-damaged", {});
    assert.match(damaged.stderr, /moved in the spare trees of 1 wheel\n/);
    assert.deepEqual(content(damaged.site), content(byFile.site));
    assert.ok(existsSync(join(sparrowEntry, "spare", "sparrow", "deep", "er.py")), "made again, whole");
    // An entry that lost a file of its own: its tree still holds it, and is what is installed; the
    // entry is unpacked again once an install finds it without a tree.
    rmSync(join(sparrowEntry, "files", "0"));
    const fromTree = install("spare-from-tree", {});
    assert.deepEqual(content(fromTree.site), content(byFile.site));
    assert.equal(existsSync(join(sparrowEntry, "spare")), false, "none made from a damaged entry");
    const rebuilt = install("spare-rebuilt", {});
    assert.deepEqual(content(rebuilt.site), content(byFile.site));
    assert.ok(existsSync(join(sparrowEntry, "files", "0")));
    assert.ok(existsSync(join(sparrowEntry, "spare")));
    // The entry's own copy of a file replaced while its tree holds the file unpacked: what is
    // checked (the tree) is what is taken, also for files that do not move in with the tree
    // (sparrow.py.typed goes into site-packages itself) and for entry_points.txt.
    const sparrowManifest = readManifest(sparrowEntry)!;
    for (const path of ["sparrow.py.typed", `${distInfo}/entry_points.txt`]) {
      const stored = join(
        sparrowEntry,
        "files",
        String(sparrowManifest.files.findIndex((f) => f.path === path)),
      );
      writeFileSync(`${stored}.new`, "[console_scripts]\nsparrow = not:the_wheel\n");
      renameSync(`${stored}.new`, stored);
    }
    // Linking file by file (spare trees off, as for an install too small to claim them), from the
    // tree all the same.
    const alone = install("spare-alone", { SPICE_SPARE_TREES: "off" });
    assert.doesNotMatch(alone.stderr, /spare tree/);
    assert.deepEqual(content(alone.site), content(byFile.site));
    const replaced = install("spare-replaced", {});
    assert.match(replaced.stderr, /moved in the spare trees of 2 wheels/);
    assert.deepEqual(content(replaced.site), content(byFile.site));
    // Spare trees are hard links: another link mode never uses them.
    const copyRoot = venv("spare-copy");
    const copied = spice([
      "pip",
      "install",
      "-v",
      "--link-mode",
      "copy",
      "--python",
      join(copyRoot, "bin", "python"),
      sparrow,
      finch,
    ]);
    assert.equal(copied.status, 0, copied.stderr);
    assert.doesNotMatch(copied.stderr, /moved in the spare trees/);
    const copySite = join(copyRoot, "lib", "python3.11", "site-packages");
    assert.notEqual(inode(copySite, "sparrow/deep/er.py"), inode(byFile.site, "sparrow/deep/er.py"));
    assert.deepEqual(content(copySite), content(byFile.site));
    // By default the used trees are made again in the background, which also deletes what the
    // claimed trees left over (moved out of site-packages into the cache first).
    const background = install("spare-background", { SPICE_SPARE_TREES: undefined });
    assert.match(background.stderr, /moved in the spare trees of 2 wheels/);
    assert.match(background.stderr, /making 2 spare trees in the background/);
    assert.deepEqual(
      readdirSync(background.site).filter((name) => name.startsWith(".spice")),
      [],
    );
    const bucket = join(cacheDir, BUCKETS.wheels);
    const settled = () =>
      entries.every((entry) => existsSync(join(entry, "spare"))) &&
      !existsSync(join(cacheDir, ".spare-trees.lock")) &&
      !readdirSync(bucket).some((name) => name.startsWith(".tmp-"));
    for (const deadline = Date.now() + 30_000; !settled(); ) {
      assert.ok(Date.now() < deadline, "the background process did not finish within 30 s");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
    assert.deepEqual(content(background.site), content(byFile.site));
    // A small install (under 100 new directories) links file by file and starts nothing.
    const small = venv("spare-small");
    const smallInstall = spice(
      ["pip", "install", "-v", "--python", join(small, "bin", "python"), beta],
      work.path,
      {
        SPICE_SPARE_TREES: undefined,
      },
    );
    assert.equal(smallInstall.status, 0, smallInstall.stderr);
    assert.doesNotMatch(smallInstall.stderr, /spare tree/);
    const unknown = spice(
      ["pip", "install", "--python", join(venv("spare-unknown"), "bin", "python"), beta],
      work.path,
      { SPICE_SPARE_TREES: "sometimes" },
    );
    assert.equal(unknown.status, 0, unknown.stderr);
    assert.match(
      unknown.stderr,
      /SPICE_SPARE_TREES=sometimes is not background, inline or off; using background/,
    );
    // Hard links are counted once in the cache's size: a tree adds only its INSTALLER.
    const wheelsRow = new RegExp(`^${BUCKETS.wheels} +([\\d.]+ \\w+) +(\\d+) files?$`, "m");
    const withTrees = wheelsRow.exec(spice(["cache", "info"]).stdout);
    rmSync(join(entries[0], "spare"), { recursive: true });
    rmSync(join(entries[1], "spare"), { recursive: true });
    const withoutTrees = wheelsRow.exec(spice(["cache", "info"]).stdout);
    assert.ok(withTrees && withoutTrees);
    assert.equal(Number(withTrees[2]), Number(withoutTrees[2]) + 2);
  });
});

describe("spice cache", () => {
  it("answers pip's cache command on its own cache: dir, info, list, remove and purge", () => {
    const directory = join(work.path, "pip-cache-wheels");
    mkdirSync(directory);
    const files = ["owl", "owlet", "lark"].map((name) =>
      buildWheel(directory, { name, version: "1.0", files: { [`${name}.py`]: "VALUE = 1\n" } }),
    );
    const ownCache = join(work.path, "pip-cache-cache");
    const pipCache = (...args: string[]) =>
      runSpice(["pip", "cache", ...args], { cwd: work.path, cacheDir: ownCache });
    const path = venv("env-pip-cache");
    const install = runSpice(["pip", "install", "--python", join(path, "bin", "python"), ...files], {
      cwd: work.path,
      cacheDir: ownCache,
    });
    assert.equal(install.status, 0, install.stderr);
    assert.equal(pipCache("dir").stdout.trim(), ownCache);
    assert.match(pipCache("info").stdout, /^Package index page cache location: .*\nNumber of wheels: 3$/ms);
    // pip's listing, each wheel with its file's size (these are small: pip's "N bytes").
    const sizes = new Map(files.map((file) => [basename(file), statSync(file).size]));
    assert.ok([...sizes.values()].every((size) => size <= 1000));
    assert.equal(
      pipCache("list").stdout,
      `Cache contents:\n\n${[...sizes]
        .sort()
        .map(([file, size]) => ` - ${file} (${size} bytes)`)
        .join("\n")}\n`,
    );
    // pip's pattern: a name stands for NAME-*.whl, so `owl` is not `owlet`.
    assert.match(
      pipCache("list", "owl").stdout,
      /^Cache contents:\n\n - owl-1\.0-py3-none-any\.whl \(\d+ bytes\)\n$/,
    );
    const paths = pipCache("list", "owl*", "--format", "abspath").stdout.trim().split("\n");
    assert.equal(paths.length, 2);
    for (const entry of paths) assert.ok(entry.startsWith(join(ownCache, BUCKETS.wheels)), entry);
    const none = pipCache("remove", "heron");
    assert.equal(none.status, 0);
    assert.match(none.stderr, /warning: No matching packages for pattern "heron"\nFiles removed: 0\n/);
    const removed = pipCache("remove", "owl");
    assert.match(removed.stderr, /^Files removed: [1-9]\d*$/m);
    assert.doesNotMatch(pipCache("list").stdout, / - owl-1\.0/);
    assert.match(pipCache("list").stdout, / - owlet-1\.0/);
    assert.equal(pipCache("remove").status, 2);
    const purged = pipCache("purge");
    assert.equal(purged.status, 0, purged.stderr);
    assert.match(purged.stderr, /^Files removed: [1-9]\d*$/m);
    assert.equal(existsSync(ownCache), false);
    assert.match(pipCache("list").stderr, /^No wheels cached\.$/m);
  });

  it("reports, cleans by package, prunes and clears", () => {
    const dir = spice(["cache", "dir"]);
    assert.equal(dir.stdout.trim(), cacheDir);
    assert.match(spice(["cache", "info"]).stdout, new RegExp(`^${BUCKETS.wheels} +\\d`, "m"));
    // The same figures for scripts, in bytes, with the total.
    const info = JSON.parse(spice(["cache", "info", "--format", "json"]).stdout);
    assert.equal(info.directory, cacheDir);
    const text = spice(["cache", "info"]).stdout;
    const row = new RegExp(`^${BUCKETS.wheels} +[\\d.]+ \\w+ +(\\d+) files?$`, "m").exec(text);
    assert.equal(info.buckets[BUCKETS.wheels].files, Number(row?.[1]));
    assert.match(text, new RegExp(`^wheels: ${info.unpacked_wheels} unpacked$`, "m"));
    assert.equal(
      info.bytes,
      Object.values(info.buckets as Record<string, { bytes: number }>).reduce(
        (sum, { bytes }) => sum + bytes,
        0,
      ),
    );
    assert.equal(spice(["cache", "info", "--format", "yaml"]).status, 2);
    const clean = spice(["cache", "clean", "beta"]);
    assert.match(clean.stderr, /Removed 1 cache entry for beta/);
    // A bucket of an older layout goes with prune; the current ones stay.
    mkdirSync(join(cacheDir, "wheels-v1", "ab"), { recursive: true });
    assert.match(
      spice(["cache", "info"]).stdout,
      /^wheels-v1: .* left by an earlier spice \(spice cache prune removes it\)$/m,
    );
    assert.deepEqual(
      Object.keys(JSON.parse(spice(["cache", "info", "--format", "json"]).stdout).stale_buckets),
      ["wheels-v1"],
    );
    const prune = spice(["cache", "prune"]);
    assert.equal(prune.status, 0, prune.stderr);
    assert.equal(existsSync(join(cacheDir, "wheels-v1")), false);
    assert.equal(existsSync(join(cacheDir, BUCKETS.wheels)), true);
    assert.equal(spice(["cache", "clean"]).status, 0);
    assert.equal(existsSync(cacheDir), false);
  });
});
