import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { parseArgs } from "../src/cli/args.ts";
import { PIP_SUBCOMMAND_OPTIONS } from "../src/cli/commands/pip-options.ts";
import { GLOBAL_OPTIONS } from "../src/cli/global-options.ts";
import { PIP_TOOLS_OPTIONS } from "../src/cli/pip-tools-config.ts";
import { LAUNCHER, PYTHON, runSpice, runSpiceAsync, SPICE, temporaryDirectory } from "./helpers.ts";
import { buildWheel, simplePackage } from "./wheel-builder.ts";

const work = temporaryDirectory();
after(() => work.remove());
const cacheDir = join(work.path, "cache");
const PYENV = join(process.env.PYENV_ROOT || join(homedir(), ".pyenv"), "versions");

describe("spice CLI basics", () => {
  it("prints its version and help", () => {
    const version = runSpice(["--version"]);
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^spice \d+\.\d+\.\d+/);
    // After a command too, as pip answers `pip --version` and `pip install --version`.
    for (const args of [
      ["pip", "--version"],
      ["pip", "install", "-V"],
      ["venv", "--version"],
    ]) {
      const again = runSpice(args);
      assert.equal(again.status, 0, args.join(" "));
      assert.equal(again.stdout, version.stdout);
    }
    const help = runSpice(["help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /python\s+Find and list the Python interpreters/);
    const commandHelp = runSpice(["python", "--help"]);
    assert.equal(commandHelp.status, 0);
    assert.match(commandHelp.stdout, /Usage: spice python list/);
    // doctor changes nothing: it offers no PEP 668 override.
    const doctorHelp = runSpice(["doctor", "--help"]);
    assert.match(doctorHelp.stdout, /--system /);
    assert.doesNotMatch(doctorHelp.stdout, /--break-system-packages/);
  });

  it("wraps help to COLUMNS and shows a pip subcommand's own usage", () => {
    const help = runSpice(["pip", "install", "--help"], { env: { COLUMNS: "80" } });
    assert.equal(help.status, 0, help.stderr);
    const lines = help.stdout.trimEnd().split("\n");
    assert.deepEqual(
      lines.filter((line) => line.startsWith("Usage:") || line.startsWith("       spice")),
      ["Usage: spice pip install [REQUIREMENT|FILE...] [-r FILE] [-c FILE] [-i URL] [--dry-run] [options]"],
    );
    const wide = lines.filter((line) => line.length > 80 && !line.startsWith("Usage:"));
    assert.deepEqual(wide, []);
    // A long option name stands on its line; its help follows below, whole once rejoined.
    const strategy = lines.findIndex((line) => line.trim().startsWith("--index-strategy <"));
    assert.match(lines[strategy], /unsafe-best-match>$/);
    const text = lines
      .slice(strategy + 1, strategy + 6)
      .map((line) => line.trim())
      .join(" ");
    assert.match(text, /^first-index \(default\): a name comes only from the first index that has it, /);
    // `spice help pip install` is the same page, and so is pip's `pip help install`; a wider
    // COLUMNS gives fewer lines.
    assert.equal(runSpice(["help", "pip", "install"], { env: { COLUMNS: "80" } }).stdout, help.stdout);
    assert.equal(runSpice(["pip", "help", "install"], { env: { COLUMNS: "80" } }).stdout, help.stdout);
    assert.equal(runSpice(["pip", "help", "instal"]).status, 2);
    const wider = runSpice(["pip", "install", "--help"], { env: { COLUMNS: "120" } }).stdout;
    assert.ok(wider.split("\n").length < lines.length);
    // Prose after the options is reflowed as paragraphs: no ragged short lines where the source broke.
    const python = runSpice(["python", "--help"], { env: { COLUMNS: "80" } })
      .stdout.trimEnd()
      .split("\n");
    const prose = python.slice(python.lastIndexOf("") + 1);
    assert.ok(prose.length > 2 && prose.every((line) => line.length <= 80), prose.join("\n"));
    assert.deepEqual(
      prose.slice(0, -1).filter((line) => line.length < 60),
      [],
      "only a paragraph's last line is short",
    );
    // A subcommand without options of its own (found by fuzzing: an internal error) shows the global ones.
    const bare = runSpice(["cache", "dir", "--help"]);
    assert.equal(bare.status, 0, bare.stderr);
    assert.match(bare.stdout, /\n\nGlobal options:\n {2}-q, --quiet/);
    assert.doesNotMatch(bare.stdout, /^Options/m);
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
    // A typo gets the word it most likely meant, as pip and uv suggest one.
    const typos: [string[], string][] = [
      [["pip", "instal", "x"], "spice pip install"],
      [["pythn", "list"], "spice python"],
      [["pip", "cache", "prge"], "spice pip cache purge"],
      [["cache", "prnue"], "spice cache prune"],
      [["python", "lsit"], "spice python list"],
      [["pip", "freeze", "--exlude", "x"], "--exclude"],
    ];
    for (const [args, suggestion] of typos) {
      const typo = runSpice(args);
      assert.equal(typo.status, 2, args.join(" "));
      assert.match(typo.stderr, new RegExp(`\nhint: Did you mean '${suggestion}'\\? `), args.join(" "));
    }
    assert.doesNotMatch(runSpice(["pip", "frobnicate"]).stderr, /Did you mean/);
    // pip's commands spice has elsewhere, or that PyPI no longer answers, say where to go.
    const search = runSpice(["pip", "search", "x"]);
    assert.equal(search.status, 2);
    assert.match(
      search.stderr,
      /\nhint: PyPI turned off the API `pip search` used .*spice pip index versions NAME/,
    );
    assert.match(runSpice(["pip", "completion"]).stderr, /\nhint: .*spice completion bash\|zsh\|fish\n/);
    assert.match(
      runSpice(["pip", "lock", "x"]).stderr,
      /\nhint: .*spice pip compile REQUIREMENTS -o pylock\.toml/,
    );
    // And a mistyped value of an option that takes one of a few.
    const value = runSpice(["python", "list", "--format", "jsn"]);
    assert.equal(value.status, 2);
    assert.equal(
      value.stderr,
      "error: --format takes text or json, not 'jsn'\nhint: Did you mean '--format json'?\n",
    );
  });

  it("says so when the working directory was deleted under the shell, instead of crashing", () => {
    const gone = join(work.path, "gone");
    // Node cannot start in a directory that is gone; a shell that was already in it can start it.
    const inGone = (...args: string[]) => {
      mkdirSync(gone, { recursive: true });
      return spawnSync(
        "sh",
        ["-c", `cd "$1" && rmdir "$1" && shift && exec "$0" "$@"`, process.execPath, gone, SPICE, ...args],
        {
          encoding: "utf8",
          env: { ...process.env, NO_COLOR: "1" },
        },
      );
    };
    const result = inGone("pip", "list", "--python", "/nonexistent");
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: The current directory no longer exists\n.*\nhint: cd to a directory that exists/m,
    );
    assert.doesNotMatch(result.stderr, /internal error/);
    // Commands that need no directory still answer there.
    const help = inGone("help", "venv");
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: spice venv/m);
    assert.equal(inGone("cache", "dir").status, 0);
  });

  it("paints messages only when asked or on a terminal: --color always wins over NO_COLOR, never and NO_COLOR win otherwise", () => {
    // The helper's environment sets NO_COLOR; output here is a pipe, not a terminal.
    const painted = runSpice(["--color", "always", "frobnicate"]);
    assert.match(painted.stderr, /^\x1b\[1;31merror\x1b\[0m: unknown command/);
    for (const args of [["frobnicate"], ["--color", "never", "frobnicate"], ["--no-color", "frobnicate"]])
      assert.match(runSpice(args).stderr, /^error: unknown command/, args.join(" "));
    assert.match(runSpice(["--color", "auto", "frobnicate"], { env: { NO_COLOR: "" } }).stderr, /^error: /);
  });

  it("finds a subcommand after options that take values, as pip does", () => {
    // `spice pip --python DIR uninstall -y NAME`: DIR is --python's value, not the subcommand,
    // so uninstall's own -y is known.
    const venv = join(work.path, "options-first");
    assert.equal(runSpice(["venv", "-q", venv], { cacheDir }).status, 0);
    for (const args of [
      ["pip", "--python", venv, "uninstall", "-y", "absent"],
      ["pip", `-p${venv}`, "uninstall", "-y", "absent"],
      ["pip", "-qp", venv, "uninstall", "-y", "absent"],
    ]) {
      const result = runSpice(args, { cacheDir });
      assert.equal(result.status, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /Skipping absent as it is not installed/);
    }
  });

  it("takes pip's and pip-tools' options, their old spellings too, and reads none as a prefix of another", () => {
    // Those spice does not take: pip's hidden --no-user, and what needs a build (editable wheels,
    // pip-compile's build dependencies).
    const NOT_TAKEN = new Set([
      "no-user",
      "wheel --editable",
      "compile --build-deps-for",
      "compile --all-build-deps",
      "compile --only-build-deps",
    ]);
    // `spice pip` takes unambiguous prefixes as pip's optparse does; an option spice lacks must
    // then be refused or accepted by its own name, never read as a longer option of spice's
    // (pip-sync's --force was --force-reinstall; pip wheel's --no-verify, --no-verify-hashes).
    // pip's long options by command, and its short ones with the long option each stands for.
    const script = [
      "import json",
      "from pip._internal.commands import create_command",
      "names = 'install uninstall list freeze show check download wheel hash index cache config debug inspect'.split()",
      "options = {name: create_command(name).parser._get_all_options() for name in names}",
      "longs = {name: [o[2:] for x in options[name] for o in x._long_opts] for name in names}",
      "shorts = {name: {s[1:]: x._long_opts[0][2:] for x in options[name] for s in x._short_opts} for name in names}",
      "print(json.dumps([longs, shorts]))",
    ].join("\n");
    const listed = spawnSync(PYTHON, ["-c", script], {
      encoding: "utf8",
      env: { ...process.env, PIP_CONFIG_FILE: "/dev/null" },
    });
    assert.equal(listed.status, 0, listed.stderr);
    const [theirs, shorts]: [Record<string, string[]>, Record<string, Record<string, string>>] = JSON.parse(
      listed.stdout,
    );
    theirs.compile = [...PIP_TOOLS_OPTIONS.compile];
    theirs.sync = [...PIP_TOOLS_OPTIONS.sync];
    const misread: string[] = [];
    for (const [command, names] of Object.entries(theirs)) {
      const specs = [...GLOBAL_OPTIONS, ...(PIP_SUBCOMMAND_OPTIONS[command] ?? [])];
      const own = new Set(specs.flatMap((spec) => [spec.name, ...(spec.aliases ?? [])]));
      for (const name of names.filter((name) => !own.has(name))) {
        let read: string[];
        try {
          read = [...parseArgs([`--${name}`, "value"], specs, { abbreviations: true }).options.keys()];
        } catch {
          // Refused, or ambiguous (said so): only these, each for a reason.
          if (!NOT_TAKEN.has(name) && !NOT_TAKEN.has(`${command} --${name}`))
            misread.push(`${command} --${name} refused`);
          continue;
        }
        misread.push(`${command} --${name} as --${read.join(", --")}`);
      }
      // A short option pip has is the same option here, or none.
      for (const [short, long] of Object.entries(shorts[command] ?? {})) {
        const spec = specs.find((candidate) => candidate.short === short);
        if (spec !== undefined && spec.name !== long && !spec.aliases?.includes(long))
          misread.push(`${command} -${short} as --${spec.name}, not --${long}`);
      }
    }
    // And no command names two options alike (a second spec would never be reached).
    for (const [command, own] of Object.entries(PIP_SUBCOMMAND_OPTIONS)) {
      const seen = new Map<string, unknown>();
      for (const spec of [...GLOBAL_OPTIONS, ...own])
        for (const word of [spec.name, ...(spec.aliases ?? []), ...(spec.short ? [`-${spec.short}`] : [])]) {
          if (seen.has(word) && seen.get(word) !== spec)
            misread.push(`${command}: two options named ${word}`);
          seen.set(word, spec);
        }
    }
    assert.deepEqual(misread, []);
  });

  it("works without a cache, saying so, where its default cache directory cannot be made (a container's user without a home)", () => {
    const venv = join(work.path, "homeless-env");
    assert.equal(runSpice(["venv", "-q", venv], { cacheDir }).status, 0);
    mkdirSync(join(work.path, "homeless-wheels"));
    const wheel = buildWheel(join(work.path, "homeless-wheels"), simplePackage("homeless", "1.0"));
    // HOME is a file: ~/.cache/spice cannot be made, as when HOME=/nonexistent for `USER nobody`.
    const home = join(work.path, "home-is-a-file");
    writeFileSync(home, "");
    const env = { HOME: home, SPICE_CACHE_DIR: undefined, XDG_CACHE_HOME: undefined };
    const install = runSpice(["pip", "install", "--python", venv, wheel], { env });
    assert.equal(install.status, 0, install.stderr);
    assert.match(
      install.stderr,
      /^warning: spice's cache directory \S*home-is-a-file\/\.cache\/spice cannot be used \(ENOTDIR[^)]*\): working without a cache; set SPICE_CACHE_DIR/m,
    );
    assert.match(install.stderr, /\+ homeless==1\.0/);
    // A directory named for the cache is the user's choice: an error where it cannot be used.
    const named = runSpice(["pip", "install", "--python", venv, "--reinstall", wheel], {
      env: { ...env, SPICE_CACHE_DIR: join(home, "cache") },
    });
    assert.equal(named.status, 1);
    assert.match(named.stderr, /^error: spice's cache directory \S*home-is-a-file\/cache cannot be used$/m);
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
  /** A copy of the bundles of its own, whose code caches no other test touches. */
  function ownBundles(name: string): { script: string; caches: string } {
    const directory = join(work.path, name);
    mkdirSync(directory);
    for (const file of readdirSync(dirname(SPICE)))
      if (file.endsWith(".cjs")) copyFileSync(join(dirname(SPICE), file), join(directory, file));
    return { script: join(directory, "spice.cjs"), caches: join(directory, "code-cache") };
  }
  /** The one bundle identity's code cache file for `key` under `bucket`. */
  function cacheFileIn(bucket: string, key: string): string {
    const [identity] = readdirSync(bucket);
    return join(bucket, identity, `${key}.bin`);
  }

  it("keeps one per command beside the bundles, and runs the same without it, with a damaged one, or with --no-cache", () => {
    const { script, caches } = ownBundles("bundles-help");
    const cache = join(work.path, "code-cache");
    const first = runSpice(["help"], { cacheDir: cache, script });
    assert.equal(first.status, 0);
    const cacheFile = cacheFileIn(caches, "help");
    assert.ok(statSync(cacheFile).size > 10_000, "the compiled functions are saved");
    assert.equal(existsSync(join(cache, "code-v2")), false, "not in the package cache as well");
    const cached = runSpice(["help"], { cacheDir: cache, script });
    assert.deepEqual(cached, first);
    writeFileSync(cacheFile, "not a code cache");
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script }), first);
    assert.notEqual(
      readFileSync(cacheFile, "utf8").slice(0, 16),
      "not a code cache",
      "a rejected cache is rewritten",
    );
    // V8 does not check a cache's bytes: damaged ones aborted Node or ran damaged code on every
    // run (found by fuzzing spice's cache). spice checks them first, and writes them again.
    const good = readFileSync(cacheFile);
    for (const damage of [
      (bytes: Buffer) => (bytes[5_000] ^= 0x01),
      (bytes: Buffer) => bytes.fill(0, 100, 200),
    ]) {
      const damaged = Buffer.from(good);
      damage(damaged);
      writeFileSync(cacheFile, damaged);
      assert.deepEqual(runSpice(["help"], { cacheDir: cache, script }), first);
      assert.notDeepEqual(readFileSync(cacheFile), damaged, "the damaged cache is replaced");
    }
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script }), first);
    const off = join(work.path, "no-code-cache");
    const untouched = ownBundles("bundles-no-cache");
    assert.deepEqual(runSpice(["--no-cache", "help"], { cacheDir: off, script: untouched.script }), first);
    assert.equal(existsSync(off), false);
    assert.equal(existsSync(untouched.caches), false);
  });

  it("keeps one per set of Node options, which V8 checks a cache against", () => {
    const { script, caches } = ownBundles("bundles-node-options");
    const cache = join(work.path, "code-cache-node-options");
    const plain = runSpice(["help"], { cacheDir: cache, script });
    const budget = ["--interrupt-budget=270336"];
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script, nodeOptions: budget }), plain);
    const identity = join(caches, readdirSync(caches)[0]);
    assert.deepEqual(readdirSync(identity).sort(), ["help.bin", "help.interrupt-budget=270336.bin"]);
    // Neither run rewrites the other's: each finds its own, which V8 accepts.
    const written = readdirSync(identity).map((file) => statSync(join(identity, file)).mtimeMs);
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script }), plain);
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script, nodeOptions: budget }), plain);
    assert.deepEqual(
      readdirSync(identity).map((file) => statSync(join(identity, file)).mtimeMs),
      written,
    );
  });

  it("saves none after a usage error, so that mistyped commands leave no files", () => {
    const { script, caches } = ownBundles("bundles-usage-error");
    const cache = join(work.path, "code-cache-usage-error");
    assert.equal(runSpice(["frobnicate"], { cacheDir: cache, script }).status, 2);
    assert.equal(runSpice(["pip", "instal", "six"], { cacheDir: cache, script }).status, 2);
    assert.equal(existsSync(caches), false);
    assert.equal(existsSync(join(cache, "code-v2")), false);
  });

  it("saves it again after a run of a kind it has not seen, and only then", () => {
    const { script, caches } = ownBundles("bundles-run-kinds");
    const cache = join(work.path, "code-cache-run-kinds");
    const venv = join(work.path, "run-kinds-env");
    assert.equal(runSpice(["venv", "-q", venv], { cacheDir: cache }).status, 0);
    const wheels = join(work.path, "run-kinds-wheels");
    mkdirSync(wheels);
    buildWheel(wheels, simplePackage("kinds", "1.0"));
    assert.equal(
      runSpice(["pip", "install", "-q", "--python", venv, "--no-index", "--find-links", wheels, "kinds"], {
        cacheDir: cache,
      }).status,
      0,
    );
    const install = ["pip", "install", "--dry-run", "--python", venv];
    // Already installed, from local wheels: no network. No index answers on port 9: the run uses
    // the network, and fails (exit 1, not a usage error).
    const local = [...install, "--no-index", "--find-links", wheels, "kinds"];
    const remote = [...install, "--index-url", "http://127.0.0.1:9/simple/", "--retries", "0", "absent"];
    const run = (args: string[]) => runSpice(args, { cacheDir: cache, script, cwd: work.path }).status;
    const file = () => readFileSync(cacheFileIn(caches, "pip-install"));
    /** The kinds of run the file says it holds: one bit each (the trailer's first word). */
    const kinds = (bytes: Buffer) =>
      bytes
        .readUInt32LE(bytes.length - 16)
        .toString(2)
        .replace(/0/g, "").length;
    assert.equal(run(local), 0);
    assert.equal(run(local), 0); // the first run may have inspected Python, a kind of its own
    const offline = file();
    assert.equal(run(local), 0);
    assert.deepEqual(file(), offline, "a run of a kind the cache holds leaves it as it is");
    assert.equal(run(remote), 1);
    const both = file();
    assert.equal(kinds(both), kinds(offline) + 1, "a run that used the network added its kind");
    assert.ok(both.length > offline.length, "and the functions it compiled, beside those the cache had");
    assert.equal(run(remote), 1);
    assert.equal(run(local), 0);
    assert.deepEqual(file(), both);
  });

  it("runs pip's inspection commands from a bundle of their own, and the whole CLI where it must", () => {
    const { script, caches } = ownBundles("bundles-inspection");
    const cache = join(work.path, "code-cache-inspection");
    const venv = join(work.path, "myenv");
    assert.equal(runSpice(["venv", "-q", venv], { cacheDir: cache }).status, 0);
    const wheel = buildWheel(work.path, simplePackage("inspected", "1.0"));
    assert.equal(runSpice(["pip", "install", "-q", "--python", venv, wheel], { cacheDir: cache }).status, 0);
    const run = (args: string[]) => runSpice(args, { cacheDir: cache, script, cwd: work.path });
    const caught = () => readdirSync(join(caches, readdirSync(caches)[0])).sort();
    const listed = run(["pip", "list", "--python", venv]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^inspected +1\.0$/m);
    assert.ok(
      run(["pip", "freeze", "--python", venv]).stdout.startsWith(`inspected @ ${pathToFileURL(wheel).href}#`),
    );
    // Global flags that take no value leave no doubt.
    assert.equal(run(["-q", "--no-progress", "pip", "list", "--python", venv]).stdout, listed.stdout);
    assert.deepEqual(caught(), ["pip-freeze.bin", "pip-list.bin"]);
    // An option before the subcommand may take it as its value: the whole CLI runs, the same.
    assert.deepEqual(run(["pip", "--python", venv, "list"]), listed);
    assert.deepEqual(caught(), ["pip-freeze.bin", "pip-list-cli.bin", "pip-list.bin"]);
    // --outdated, as optparse takes it (abbreviated, or in a group of short options), needs the
    // index client, which the inspection bundle leaves out. No index answers on port 9.
    const index = ["-i", "http://127.0.0.1:9/simple/", "--retries", "0"];
    for (const outdated of [["--outdated"], ["--outd"], ["-lo"], ["-u"], ["--upt"]]) {
      const result = run(["pip", "list", "--python", venv, ...outdated, ...index]);
      assert.equal(result.status, 1, `${outdated}: ${result.stderr}`);
      assert.match(result.stderr, /127\.0\.0\.1:9/, `${outdated}: the index was asked`);
    }
    const tree = run(["pip", "tree", "--python", venv, "--outdated", ...index]);
    assert.match(tree.stderr, /127\.0\.0\.1:9/);
    assert.deepEqual(caught(), [
      "pip-freeze.bin",
      "pip-list-cli.bin",
      "pip-list.bin",
      "pip-tree-cli.bin",
      "undici.cjs.bin",
    ]);
  });

  it("keeps it in spice's cache when the bundles' directory cannot hold it", () => {
    const { script, caches } = ownBundles("bundles-unwritable");
    writeFileSync(caches, "a file where the directory would go");
    const cache = join(work.path, "code-cache-fallback");
    const first = runSpice(["help"], { cacheDir: cache, script });
    assert.equal(first.status, 0);
    const cacheFile = cacheFileIn(join(cache, "code-v2"), "help");
    const written = statSync(cacheFile);
    assert.ok(written.size > 10_000, "the compiled functions are saved");
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script }), first);
    assert.equal(statSync(cacheFile).mtimeMs, written.mtimeMs, "the cache found there is used");
  });

  it("refuses a cache V8 would accept whose bytes are not what spice wrote", () => {
    const { script, caches } = ownBundles("bundles-substituted");
    const cache = join(work.path, "substituted-code-cache");
    const first = runSpice(["help"], { cacheDir: cache, script });
    const cacheFile = cacheFileIn(caches, "help");
    const trailer = readFileSync(cacheFile).subarray(-8);
    // V8 checks a cache against its source's length, not its text: a cache of another script of
    // the same length is accepted and runs that script, as damaged bytes V8 accepts would.
    const made = spawnSync(
      process.execPath,
      ["-e", CACHE_OF_SAME_LENGTH, join(dirname(script), "cli.cjs"), cacheFile],
      {
        encoding: "utf8",
      },
    );
    assert.equal(made.stdout, "V8 accepts it\n", made.stderr);
    const substituted = Buffer.concat([readFileSync(cacheFile), trailer]);
    writeFileSync(cacheFile, substituted);
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script }), first);
    assert.notDeepEqual(readFileSync(cacheFile), substituted, "the cache is written again");
    assert.deepEqual(runSpice(["help"], { cacheDir: cache, script }), first);
  });

  it("keeps one for undici, loaded by the first request of any command, and checks it as well", async () => {
    const server = createServer((_request, response) => response.end("flask==1.0\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/requirements.txt`;
      const { script, caches } = ownBundles("bundles-undici");
      const options = { cacheDir: join(work.path, "undici-code-cache"), script };
      const first = await runSpiceAsync(["debug", "requirements", url], options);
      assert.match(first.stdout, /flask ==1\.0/, first.stderr);
      const cacheFile = cacheFileIn(caches, "undici.cjs");
      assert.ok(statSync(cacheFile).size > 10_000, "undici's compiled functions are saved");
      const written = readFileSync(cacheFile);
      assert.deepEqual(await runSpiceAsync(["debug", "requirements", url], options), first);
      assert.deepEqual(readFileSync(cacheFile), written, "an accepted cache is not written again");
      const damaged = Buffer.from(written);
      damaged[5_000] ^= 0x01;
      writeFileSync(cacheFile, damaged);
      assert.deepEqual(await runSpiceAsync(["debug", "requirements", url], options), first);
      assert.notDeepEqual(readFileSync(cacheFile), damaged, "the damaged cache is replaced");
    } finally {
      server.close();
    }
  });
});

/**
 * Writes to argv[2] the V8 cache of a script that throws, as long as argv[1]'s source wrapped as
 * src/cli/entry.ts wraps it, and says whether V8 accepts it for that source.
 */
const CACHE_OF_SAME_LENGTH = `
const fs = require("node:fs");
const vm = require("node:vm");
const [bundle, cacheFile] = process.argv.slice(1);
const wrapped = fs.readFileSync(bundle, "latin1");
const code = '(function () { throw new Error("substituted code ran"); })';
const padded = code + "/*" + "x".repeat(wrapped.length - code.length - 4) + "*/";
const cachedData = new vm.Script(padded, { filename: bundle }).createCachedData();
fs.writeFileSync(cacheFile, cachedData);
if (!new vm.Script(wrapped, { filename: bundle, cachedData }).cachedDataRejected) console.log("V8 accepts it");
`;

describe("spice pip config", () => {
  it("lists, gets, sets and unsets pip's settings in pip's files, as pip 23.2.1 does", () => {
    // Two homes: pip writes in one, spice in the other; then each reads both ways.
    const homes = ["pip-home", "spice-home"].map((name) => join(work.path, name));
    for (const home of homes) mkdirSync(home);
    const env = (home: string, extra: NodeJS.ProcessEnv = {}) => ({
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: "",
      PIP_CONFIG_FILE: "",
      VIRTUAL_ENV: "",
      NO_COLOR: "1",
      ...Object.fromEntries(
        Object.keys(process.env)
          .filter((key) => key.startsWith("PIP_"))
          .map((key) => [key, ""]),
      ),
      PIP_DISABLE_PIP_VERSION_CHECK: "",
      ...extra,
    });
    const clean = (values: NodeJS.ProcessEnv) =>
      Object.fromEntries(Object.entries(values).filter(([, value]) => value !== "")) as NodeJS.ProcessEnv;
    const pip = (home: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
      spawnSync(join(PYENV, "3.11.7", "bin", "python3"), ["-m", "pip", "config", ...args], {
        env: clean(env(home, extra)),
        encoding: "utf8",
      });
    const spice = (home: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [SPICE, "pip", "config", ...args], {
        env: clean(env(home, extra)),
        encoding: "utf8",
      });
    const [pipHome, spiceHome] = homes;
    for (const [key, value] of [
      ["global.index-url", "http://127.0.0.1:9/simple it's"],
      ["install.no-deps", "yes"],
      ["global.timeout", "30"],
    ]) {
      assert.equal(pip(pipHome, ["set", key, value]).status, 0);
      const set = spice(spiceHome, ["set", key, value]);
      assert.equal(set.status, 0, set.stderr);
      assert.equal(set.stderr, `Writing to ${join(spiceHome, ".config", "pip", "pip.conf")}\n`);
    }
    assert.equal(pip(pipHome, ["unset", "global.timeout"]).status, 0);
    assert.equal(spice(spiceHome, ["unset", "global.timeout"]).status, 0);
    const written = (home: string) => readFileSync(join(home, ".config", "pip", "pip.conf"), "utf8");
    assert.equal(written(spiceHome), written(pipHome));
    // What each lists and gets, PIP_ variables too, is what pip shows.
    const extra = { PIP_RETRIES: "7" };
    const listed = spice(spiceHome, ["list"], extra);
    assert.equal(listed.stdout, pip(spiceHome, ["list"], extra).stdout);
    assert.match(listed.stdout, /^:env:\.retries='7'$/m);
    assert.match(listed.stdout, /^global\.index-url="http:\/\/127\.0\.0\.1:9\/simple it's"$/m);
    assert.equal(spice(spiceHome, ["get", "install.no-deps"]).stdout, "yes\n");
    const missing = spice(spiceHome, ["unset", "global.timeout"]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error: No such key - global\.timeout$/m);
    assert.equal(spice(spiceHome, ["get", "index-url"]).status, 2);
    // debug names each file, whether it exists, and what it holds.
    const debug = spice(spiceHome, ["debug"]);
    assert.match(
      debug.stdout,
      new RegExp(
        `^  ${join(spiceHome, ".config", "pip", "pip.conf")}, exists: True\n    global\\.index-url: `,
        "m",
      ),
    );
    assert.equal(spice(spiceHome, ["set", "--site", "global.x", "1"]).status, 1);
    // One kind of file (and the variables), as pip lists it.
    assert.equal(
      spice(spiceHome, ["list", "--user"], extra).stdout,
      pip(spiceHome, ["list", "--user"], extra).stdout,
    );
    // edit opens that file in the editor, through the shell as pip runs it; none is an error.
    const editor = join(work.path, "append-timeout.sh");
    // (A section of its own: a second [global] in one file is one pip refuses, and so does spice.)
    writeFileSync(editor, '#!/bin/sh\nprintf "[download]\\ntimeout = 60\\n" >> "$2"\n', { mode: 0o755 });
    const edited = spice(spiceHome, ["edit", "--user"], { EDITOR: `${editor} --wait` });
    assert.equal(edited.status, 0, edited.stderr);
    assert.equal(spice(spiceHome, ["get", "download.timeout"]).stdout, "60\n");
    // A file pip refuses (a section twice) spice refuses too, naming its line.
    const twice = join(work.path, "twice.conf");
    writeFileSync(twice, "[global]\ntimeout = 1\n[global]\nretries = 2\n");
    assert.notEqual(pip(spiceHome, ["list"], { PIP_CONFIG_FILE: twice }).status, 0);
    const refused = spice(spiceHome, ["list"], { PIP_CONFIG_FILE: twice });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /caused by: line 3: section 'global' already exists/);
    const noEditor = spice(spiceHome, ["edit"], { EDITOR: "", VISUAL: "" });
    assert.equal(noEditor.status, 1);
    assert.match(noEditor.stderr, /Could not determine editor to use/);
    const failing = spice(spiceHome, ["edit", "--editor", "false"]);
    assert.equal(failing.status, 1);
    assert.match(failing.stderr, /Editor Subprocess exited with exit code 1/);
    // A file that cannot be written is said so, not as a bug.
    const blocked = join(work.path, "not-a-home");
    writeFileSync(blocked, "");
    const unwritable = spice(blocked, ["set", "global.timeout", "5"]);
    assert.equal(unwritable.status, 1);
    assert.match(
      unwritable.stderr,
      /^error: Could not write .*not-a-home\/\.config\/pip\/pip\.conf\n {2}caused by: ENOTDIR/m,
    );
  });
});

describe("spice completion", () => {
  // The launcher's directory first on PATH, as when spice is installed: the scripts call `spice`.
  const env = {
    ...process.env,
    PATH: `${dirname(LAUNCHER)}:${process.env.PATH}`,
    SPICE_CACHE_DIR: cacheDir,
    PIP_CONFIG_FILE: "/dev/null",
  };
  const shell = (program: string, script: string) => {
    const result = spawnSync(program, ["-c", script], { env, encoding: "utf8", cwd: work.path });
    assert.equal(result.status, 0, `${program}: ${result.stderr}`);
    return result.stdout;
  };

  it("completes commands, subcommands, options and their values in bash, zsh and fish", () => {
    const bash = (line: string) => {
      const words = line.split(" ");
      return shell(
        "bash",
        `eval "$(spice completion bash)"; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _spice_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
      );
    };
    assert.equal(bash("spice pip ins"), "install\ninspect\n");
    assert.equal(bash("spice pip install --link-mode "), "clone\nhardlink\nsymlink\ncopy\n");
    assert.equal(bash("spice pip install --python /x --no-d"), "--no-deps\n");
    assert.equal(bash("spice venv --cle"), "--clear\n");
    assert.equal(bash("spice cache "), "dir\ninfo\nclean\nprune\n");
    // Nothing to offer for a file argument: the shell completes file names (bash's -o default).
    assert.equal(bash("spice pip install -r "), "\n");
    assert.match(
      shell("bash", `eval "$(spice completion bash)"; complete -p spice`),
      /complete -o default -F _spice_completion spice/,
    );
    assert.equal(
      shell(
        "zsh",
        `eval "$(spice completion zsh)"; COMP_WORDS=(spice pip ins); COMP_CWORD=2; _spice_completion; print -l $COMPREPLY`,
      ),
      "install\ninspect\n",
    );
    writeFileSync(join(work.path, "requirements-complete.txt"), "");
    const fish = (line: string) => shell("fish", `spice completion fish | source; complete -C "${line}"`);
    assert.equal(fish("spice pip ins"), "inspect\ninstall\n");
    assert.equal(fish("spice --col"), "--color\n");
    assert.equal(fish("spice pip install -r requirements-comp"), "requirements-complete.txt\n");
    const unknown = spawnSync(process.execPath, [SPICE, "completion", "tcsh"], { env, encoding: "utf8" });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /does not know the shell 'tcsh'/);
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
      variant: string;
      libc: string;
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
    // pyenv's builds have the GIL and no debugging: no variant in their names (uv's `+freethreaded`).
    assert.ok(rows.every((row) => row.variant === "default"));
    assert.ok(rows.every((row) => row.libc === "gnu"));
    assert.equal(rows.filter((row) => row.default_python3).length, 1);
    const text = runSpice(["python", "list"], { cacheDir });
    // uv's key, with the C library (gnu, musl or none).
    assert.match(text.stdout, /cpython-3\.12\.1-linux-x86_64-gnu +\S+python3/);
    assert.match(text.stdout, /\(python3 on PATH/);
  });

  it("inspects interpreters with the current directory's modules out of the way", () => {
    // -c puts the current directory first on sys.path: a project's os.py or struct.py (3.8's os
    // is no frozen module) must not answer for the interpreter, nor run.
    const project = join(work.path, "project-shadowing-stdlib");
    mkdirSync(project);
    for (const module of ["os", "struct", "sysconfig", "site", "platform"])
      writeFileSync(
        join(project, `${module}.py`),
        `open(${JSON.stringify(join(project, `${module}-ran`))}, "w").close()\n`,
      );
    const found = runSpice(["--no-cache", "python", "find", "3.8"], { cwd: project });
    assert.equal(found.status, 0, found.stderr);
    assert.equal(found.stdout.trim(), join(PYENV, "3.8.18", "bin", "python3"));
    const listed = runSpice(["--no-cache", "python", "list", "--format", "json"], { cwd: project });
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      readdirSync(project).filter((name) => name.endsWith("-ran")),
      [],
    );
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
    // Build variants in uv's spelling: pyenv's 3.13.0 is built with the GIL, which +gil asks for;
    // a free-threaded 3.13 (3.13t) is not there.
    assert.equal(
      runSpice(["python", "find", "3.13+gil"], { cacheDir }).stdout.trim(),
      join(PYENV, "3.13.0", "bin", "python3"),
    );
    const freeThreaded = runSpice(["python", "find", "cp313t"], { cacheDir });
    assert.equal(freeThreaded.status, 1);
    assert.match(freeThreaded.stderr, /^error: No interpreter found for cpython 3\.13 \(freethreaded\)/);
    const unknown = runSpice(["python", "find", "3.13+nogil"], { cacheDir });
    assert.equal(unknown.status, 1, unknown.stderr);
    assert.match(unknown.stderr, /'3\.13\+nogil' is not a Python request spice understands/);
  });

  it("takes the default Python from .python-version, else requires-python, as uv does", () => {
    const root = join(work.path, "python-version-files");
    const project = join(root, "project");
    const inside = join(project, "src", "pkg");
    mkdirSync(inside, { recursive: true });
    // python3 on PATH is 3.11 (a link, not pyenv's shim, which reads .python-version too).
    const bin = join(root, "bin");
    mkdirSync(bin);
    symlinkSync(join(PYENV, "3.11.7", "bin", "python3"), join(bin, "python3"));
    const env = { PATH: `${bin}:/usr/bin:/bin`, VIRTUAL_ENV: "", CONDA_PREFIX: "" };
    const find = (cwd: string, ...args: string[]) => {
      const result = runSpice(["python", "find", ...args], { cwd, cacheDir, env });
      return { status: result.status, path: result.stdout.trim(), stderr: result.stderr };
    };
    const plain = join(bin, "python3");
    assert.equal(find(inside).path, plain);
    // A .python-version above a project's root is not the project's.
    writeFileSync(join(root, ".python-version"), "3.8\n");
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "p"\nversion = "1"\n');
    assert.equal(find(inside).path, plain);
    assert.equal(find(root).path, join(PYENV, "3.8.18", "bin", "python3"), "outside a project it is read");
    // requires-python (a compatible-release specifier is no home directory).
    writeFileSync(
      join(project, "pyproject.toml"),
      '[project]\nname = "p"\nversion = "1"\nrequires-python = "~=3.12.0"\n',
    );
    assert.equal(find(inside).path, join(PYENV, "3.12.1", "bin", "python3"));
    // .python-version wins over it: its first request, or a pyenv version by name; `system`
    // (pyenv's) asks for nothing.
    writeFileSync(join(project, ".python-version"), "# pinned\n\n3.9\n3.10\n");
    assert.equal(find(inside).path, join(PYENV, "3.9.18", "bin", "python3"));
    writeFileSync(join(project, ".python-version"), "3.10.13\n");
    assert.equal(find(inside).path, join(PYENV, "3.10.13", "bin", "python"));
    writeFileSync(join(project, ".python-version"), "system\n");
    assert.equal(find(inside).path, join(PYENV, "3.12.1", "bin", "python3"));
    assert.equal(find(inside, "--no-config").path, plain);
    assert.equal(find(inside, "3.11").path, plain, "a request wins");
    // spice venv takes the same default.
    writeFileSync(join(project, ".python-version"), "3.9\n");
    const created = runSpice(["venv", "-q", join(project, ".venv")], { cwd: inside, cacheDir, env });
    assert.equal(created.status, 0, created.stderr);
    assert.match(readFileSync(join(project, ".venv", "pyvenv.cfg"), "utf8"), /^version = 3\.9\.18$/m);
    // A version the machine lacks: the error names the file that asked.
    writeFileSync(join(project, ".python-version"), "3.99\n");
    const missing = find(inside);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error: No interpreter found for Python 3\.99\n/);
    assert.match(
      missing.stderr,
      /hint: .*project\/\.python-version \(3\.99\) asks for it: install that Python/,
    );
  });

  it("starts, on a cold cache, only the interpreters whose names a version request allows", () => {
    const cold = join(work.path, "cold-cache");
    const found = runSpice(["python", "find", "3.12"], { cacheDir: cold });
    assert.equal(found.stdout.trim(), join(PYENV, "3.12.1", "bin", "python3"), found.stderr);
    // pyenv's bin/python3 leads to bin/python3.X: those of other versions were never started.
    const inspected = readdirSync(join(cold, "interpreters-v4")).map((name) => decodeURIComponent(name));
    assert.ok(inspected.length > 0);
    assert.deepEqual(
      inspected.filter((path) => path.startsWith(PYENV) && !path.startsWith(join(PYENV, "3.12"))),
      [],
    );
    // Nothing matching: the message still lists every interpreter there is.
    const missing = runSpice(["python", "find", "3.99"], { cacheDir: cold });
    assert.match(missing.stderr, /^ {4}cpython-3\.11\.7 at /m);
    // Any Python: what python3 on PATH runs (as `spice pip download` outside an environment
    // takes), started alone.
    const colder = join(work.path, "colder-cache");
    const python3 = runSpice(["python", "find"], {
      cacheDir: colder,
      env: { VIRTUAL_ENV: "", CONDA_PREFIX: "" },
    });
    assert.equal(python3.status, 0, python3.stderr);
    assert.equal(readdirSync(join(colder, "interpreters-v4")).length, 1);
  });

  it("inspects the interpreters its cache does not know side by side when it lists them all", () => {
    // Two interpreters that each answer only once the other has started: one after the other,
    // the first would give up waiting and be skipped as broken.
    const bin = join(work.path, "waiting-pythons");
    mkdirSync(bin);
    for (const [own, other] of [
      ["97", "98"],
      ["98", "97"],
    ]) {
      const script = [
        "#!/bin/sh",
        `touch "${bin}/started-${own}"`,
        "tries=0",
        `while [ ! -e "${bin}/started-${other}" ]; do`,
        "  tries=$((tries + 1))",
        `  if [ $tries -gt 100 ]; then echo "python3.${other} never started" >&2; exit 1; fi`,
        "  sleep 0.05",
        "done",
        `exec "${PYTHON}" "$@"`,
      ];
      writeFileSync(join(bin, `python3.${own}`), `${script.join("\n")}\n`, { mode: 0o755 });
    }
    const listed = runSpice(["python", "list", "--verbose"], {
      cacheDir,
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    assert.equal(listed.status, 0, listed.stderr);
    assert.doesNotMatch(listed.stderr, /skipped .*waiting-pythons/);
    assert.ok(existsSync(join(bin, "started-97")) && existsSync(join(bin, "started-98")));
  });

  it("lists an active virtual environment beside its base interpreter, not in its place", () => {
    const venv = join(work.path, "listed-venv");
    assert.equal(runSpice(["venv", venv, "--python", "3.12"], { cacheDir }).status, 0);
    const listed = runSpice(["python", "list", "--format", "json"], { cacheDir, env: { VIRTUAL_ENV: venv } });
    const rows = JSON.parse(listed.stdout) as Array<{ version: string; path: string }>;
    const paths = rows.filter((row) => row.version === "3.12.1").map((row) => row.path);
    assert.deepEqual(
      paths.sort(),
      [join(PYENV, "3.12.1", "bin", "python3"), join(venv, "bin", "python")].sort(),
    );
  });

  it("says what it found when nothing matches", () => {
    const missing = runSpice(["python", "find", "3.99"], { cacheDir });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^error: No interpreter found for Python 3\.99/);
    assert.match(missing.stderr, /caused by: spice found:\n {4}cpython-3\.\d+\.\d+ at /);
    // Newest first, as `spice python list` shows them.
    const versions = [...missing.stderr.matchAll(/^ {4}cpython-(\d+)\.(\d+)\.(\d+) at /gm)].map((match) =>
      match.slice(1, 4).map(Number),
    );
    assert.ok(versions.length > 1, missing.stderr);
    const newestFirst = [...versions].sort((a, b) => b[0] - a[0] || b[1] - a[1] || b[2] - a[2]);
    assert.deepEqual(versions, newestFirst);
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
