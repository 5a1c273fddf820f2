import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { BUCKETS } from "../src/cache/store.ts";
import { manifestFileText, readManifest } from "../src/install/wheel-cache.ts";
import { runSpice, SPICE, temporaryDirectory } from "./helpers.ts";
import { buildWheel } from "./wheel-builder.ts";

const work = temporaryDirectory("spice-crash-");
after(() => work.remove());
const cacheDir = join(work.path, "cache");

/** Files spread over 120 subpackages: enough directories for installs to move in spare trees. */
function bigPackage(version: string, files: number) {
  const contents: Record<string, string> = {};
  for (let i = 0; i < files; i++)
    contents[`big/part${i % 120}/mod${version.replace(".", "_")}_${i}.py`] = `VALUE = ${i}\n`;
  contents["big/__init__.py"] = `VERSION = "${version}"\n`;
  return { name: "big", version, files: contents };
}

/** Every file under `directory`, as paths relative to `base`. */
function filesUnder(directory: string, base: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

/** The installed version, after checking every file its RECORD lists exists and nothing else is in big/. */
function installedState(site: string): string | null {
  const infos = readdirSync(site).filter((name) => name.startsWith("big-") && name.endsWith(".dist-info"));
  if (infos.length === 0) {
    assert.deepEqual(filesUnder(join(site, "big"), site), [], "files left without a dist-info");
    return null;
  }
  assert.equal(infos.length, 1, `several versions: ${infos}`);
  const record = readFileSync(join(site, infos[0], "RECORD"), "utf8")
    .trim()
    .split("\r\n")
    .map((row) => row.split(",")[0]);
  for (const file of record) assert.ok(existsSync(join(site, file)), `RECORD lists a missing file ${file}`);
  const listed = new Set(record);
  for (const file of filesUnder(join(site, "big"), site)) assert.ok(listed.has(file), `stray file ${file}`);
  return infos[0].slice(4, -".dist-info".length);
}

function killedInstall(args: string[], delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SPICE, ...args], {
      env: {
        ...process.env,
        SPICE_CACHE_DIR: cacheDir,
        SPICE_SPARE_TREES: "inline",
        VIRTUAL_ENV: "",
        NO_COLOR: "1",
      },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("crash safety", () => {
  it("leaves each distribution wholly installed or wholly absent when spice is killed at any point", async () => {
    const wheels = join(work.path, "wheels");
    mkdirSync(join(wheels, "one"), { recursive: true });
    mkdirSync(join(wheels, "two"), { recursive: true });
    const v1 = buildWheel(join(wheels, "one"), bigPackage("1.0", 1500));
    const v2 = buildWheel(join(wheels, "two"), bigPackage("2.0", 1800));
    const env = join(work.path, "env");
    assert.equal(runSpice(["venv", env, "--python", "3.11"], { cacheDir }).status, 0);
    const python = join(env, "bin", "python");
    const site = join(env, "lib", "python3.11", "site-packages");
    // Warm the cache for one of them so that kills land in both unpacking and linking.
    assert.equal(runSpice(["pip", "install", "--python", python, v1], { cacheDir }).status, 0);
    const seen = new Set<string | null>();
    for (let round = 0; round < 12; round++) {
      const wheel = round % 2 === 0 ? v2 : v1;
      if (round === 6) rmSync(join(cacheDir, BUCKETS.wheels), { recursive: true, force: true });
      // Into an empty site-packages, whole directories of a spare tree are moved in: kill that too.
      if (round % 3 === 2 && installedState(site) !== null)
        assert.equal(runSpice(["pip", "uninstall", "-y", "--python", python, "big"], { cacheDir }).status, 0);
      await killedInstall(
        ["pip", "install", "--python", python, wheel],
        40 + Math.floor(Math.random() * 400),
      );
      const listed = runSpice(["pip", "list", "--format", "json", "--python", python], { cacheDir });
      assert.equal(listed.status, 0, listed.stderr);
      const state = installedState(site);
      seen.add(state);
      const versions = (JSON.parse(listed.stdout) as Array<{ name: string; version: string }>)
        .filter((row) => row.name === "big")
        .map((row) => row.version);
      assert.deepEqual(versions, state === null ? [] : [state]);
      assert.equal(existsSync(join(site, ".spice-journal.json")), false);
      // Unpacking scratch beside site-packages, claimed spare trees inside it: gone after recovery.
      for (const directory of [site, join(site, "..")])
        assert.deepEqual(
          readdirSync(directory).filter((name) => name.startsWith(".spice-unpack-")),
          [],
        );
    }
    // Whatever happened, the next install completes.
    const final = runSpice(["pip", "install", "--python", python, v2], { cacheDir });
    assert.equal(final.status, 0, final.stderr);
    assert.equal(installedState(site), "2.0");
  });

  it("leaves a distribution wholly installed or wholly absent when an uninstall is killed", async () => {
    const wheels = join(work.path, "wheels-uninstall");
    mkdirSync(wheels, { recursive: true });
    const wheel = buildWheel(wheels, bigPackage("1.0", 2000));
    const env = join(work.path, "env-uninstall");
    assert.equal(runSpice(["venv", env, "--python", "3.11"], { cacheDir }).status, 0);
    const python = join(env, "bin", "python");
    const site = join(env, "lib", "python3.11", "site-packages");
    const seen = new Set<string | null>();
    for (let round = 0; round < 8; round++) {
      if (installedState(site) === null) {
        assert.equal(runSpice(["pip", "install", "--python", python, wheel], { cacheDir }).status, 0);
      }
      await killedInstall(
        ["pip", "uninstall", "-y", "--python", python, "big"],
        40 + Math.floor(Math.random() * 250),
      );
      // Any spice run in the environment rolls back an interrupted change first.
      const listed = runSpice(["pip", "list", "--format", "json", "--python", python], { cacheDir });
      assert.equal(listed.status, 0, listed.stderr);
      const state = installedState(site);
      seen.add(state);
      assert.equal(existsSync(join(site, ".spice-journal.json")), false);
      assert.equal(existsSync(join(site, ".spice-backup")), false);
    }
    const final = runSpice(["pip", "uninstall", "-y", "--python", python, "big"], { cacheDir });
    assert.equal(final.status, 0, final.stderr);
    assert.equal(installedState(site), null);
  });

  it("leaves the environment as it was or as synced when a sync is killed", async () => {
    const wheels = join(work.path, "wheels-sync");
    mkdirSync(wheels, { recursive: true });
    const v1 = buildWheel(wheels, bigPackage("1.0", 1200));
    buildWheel(wheels, bigPackage("2.0", 1200));
    const extraFiles: Record<string, string> = {};
    for (let i = 0; i < 2400; i++) extraFiles[`extra/mod_${i}.py`] = `VALUE = ${i}\n`;
    const extra = buildWheel(wheels, { name: "extra", version: "1.0", files: extraFiles });
    const env = join(work.path, "env-sync");
    assert.equal(runSpice(["venv", env, "--python", "3.11"], { cacheDir }).status, 0);
    const python = join(env, "bin", "python");
    const site = join(env, "lib", "python3.11", "site-packages");
    const pins = join(work.path, "sync-pins.txt");
    writeFileSync(pins, "big==2.0\n");
    /** Whether extra is installed, after checking that its files are all there or all gone. */
    const extraPresent = () => {
      const present = existsSync(join(site, "extra-1.0.dist-info"));
      const files = existsSync(join(site, "extra")) ? readdirSync(join(site, "extra")).length : 0;
      assert.equal(files, present ? 2400 : 0, "extra is half there");
      return present;
    };
    const states = new Set<string>();
    for (let round = 0; round < 10; round++) {
      if (installedState(site) !== "1.0" || !extraPresent()) {
        const reset = runSpice(["pip", "install", "--python", python, v1, extra], { cacheDir });
        assert.equal(reset.status, 0, reset.stderr);
      }
      await killedInstall(
        ["pip", "sync", "--python", python, "--no-index", "-f", wheels, pins],
        // Spread over a whole sync (about 0.3 s here), its removals at the end included.
        60 + Math.floor(Math.random() * 300),
      );
      const listed = runSpice(["pip", "list", "--format", "json", "--python", python], { cacheDir });
      assert.equal(listed.status, 0, listed.stderr);
      // One transaction: the old set or the new one, never an upgraded big beside a kept extra.
      const state = `${installedState(site)} ${extraPresent() ? "with" : "without"} extra`;
      assert.ok(["1.0 with extra", "2.0 without extra"].includes(state), state);
      states.add(state);
      assert.equal(existsSync(join(site, ".spice-journal.json")), false);
    }
    const final = runSpice(["pip", "sync", "--python", python, "--no-index", "-f", wheels, pins], {
      cacheDir,
    });
    assert.equal(final.status, 0, final.stderr);
    assert.equal(`${installedState(site)} ${extraPresent()}`, "2.0 false");
  });

  it("serializes two installs into one environment and shares one cache safely", async () => {
    const wheels = join(work.path, "wheels-concurrent");
    mkdirSync(wheels);
    // Enough directories each for spare trees (120 subpackages).
    const parts = (name: string) =>
      Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`${name}/part${i}/__init__.py`, ""]));
    const a = buildWheel(wheels, {
      name: "left",
      version: "1.0",
      files: { "left/__init__.py": "", ...parts("left") },
    });
    const b = buildWheel(wheels, {
      name: "right",
      version: "1.0",
      files: { "right/__init__.py": "", ...parts("right") },
    });
    const env = join(work.path, "env-concurrent");
    assert.equal(runSpice(["venv", env, "--python", "3.11"], { cacheDir }).status, 0);
    const python = join(env, "bin", "python");
    const run = (wheel: string, target = python) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [SPICE, "pip", "install", "--python", target, wheel], {
          env: { ...process.env, SPICE_CACHE_DIR: cacheDir, SPICE_SPARE_TREES: "inline", VIRTUAL_ENV: "" },
          stdio: "ignore",
        });
        child.on("exit", resolve);
      });
    const codes = await Promise.all([run(a), run(b), run(a)]);
    assert.deepEqual(codes, [0, 0, 0]);
    const freeze = runSpice(["pip", "list", "--format", "freeze", "--python", python], { cacheDir });
    assert.equal(freeze.stdout, "left==1.0\nright==1.0\n");
    // Now with spare trees in the cache, installs into two environments race for them: whichever
    // loses links file by file, and both end up whole.
    const others = ["env-concurrent-2", "env-concurrent-3"].map((name) => join(work.path, name));
    for (const other of others)
      assert.equal(runSpice(["venv", other, "--python", "3.11"], { cacheDir }).status, 0);
    const pythons = others.map((other) => join(other, "bin", "python"));
    assert.deepEqual(
      await Promise.all([run(a, pythons[0]), run(a, pythons[1]), run(b, pythons[1]), run(b, pythons[0])]),
      [0, 0, 0, 0],
    );
    for (const [index, other] of others.entries()) {
      const listed = runSpice(["pip", "list", "--format", "freeze", "--python", pythons[index]], {
        cacheDir,
      });
      assert.equal(listed.stdout, "left==1.0\nright==1.0\n");
      const site = join(other, "lib", "python3.11", "site-packages");
      for (const file of ["left/__init__.py", "right/__init__.py"]) assert.ok(existsSync(join(site, file)));
      assert.deepEqual(
        readdirSync(site).filter((name) => name.startsWith(".spice")),
        [],
      );
    }
  });

  it("removes what an interrupted process left half made in the cache, never a running one's", () => {
    const own = join(work.path, "cache-staging");
    const dead = spawnSync("true").pid; // a process that has ended
    const left = [BUCKETS.wheels, BUCKETS.archives].map((bucket) =>
      join(own, bucket, `.tmp-${dead}-0123456789ab`),
    );
    const live = join(own, BUCKETS.wheels, `.tmp-${process.pid}-ba9876543210`);
    for (const directory of [...left, live]) mkdirSync(join(directory, "half"), { recursive: true });
    mkdirSync(join(work.path, "wheels-staging"));
    const wheel = buildWheel(join(work.path, "wheels-staging"), {
      name: "staged",
      version: "1.0",
      files: { "staged/__init__.py": "" },
    });
    const env = join(work.path, "env-staging");
    assert.equal(runSpice(["venv", env, "--python", "3.11"], { cacheDir: own }).status, 0);
    const installed = runSpice(["pip", "install", "--python", env, wheel], { cacheDir: own });
    assert.equal(installed.status, 0, installed.stderr);
    for (const directory of left) assert.equal(existsSync(directory), false, directory);
    assert.ok(existsSync(live), "a running process's staging stays");
    assert.equal(runSpice(["cache", "prune"], { cacheDir: own }).status, 0);
    assert.ok(existsSync(live), "prune leaves it too");
  });

  it("notices a cache entry whose files changed and rebuilds it", () => {
    const wheels = join(work.path, "wheels-cache");
    mkdirSync(wheels);
    const wheel = buildWheel(wheels, {
      name: "cached",
      version: "1.0",
      files: { "cached/__init__.py": "ORIGINAL = True\n" },
    });
    const env = join(work.path, "env-cache");
    assert.equal(runSpice(["venv", env, "--python", "3.11"], { cacheDir }).status, 0);
    const python = join(env, "bin", "python");
    assert.equal(runSpice(["pip", "install", "--python", python, wheel], { cacheDir }).status, 0);
    const installed = join(env, "lib", "python3.11", "site-packages", "cached", "__init__.py");
    // Editing the installed file edits the cache through the hard link.
    writeFileSync(installed, "TAMPERED = True\n");
    assert.equal(
      runSpice(["pip", "install", "--python", python, wheel, "--force-reinstall"], { cacheDir }).status,
      0,
    );
    assert.equal(readFileSync(installed, "utf8"), "ORIGINAL = True\n");
    // A manifest that would link a file outside site-packages is damaged: the entry is rebuilt.
    const manifests = readdirSync(join(cacheDir, BUCKETS.wheels), { recursive: true, encoding: "utf8" })
      .filter((path) => path.endsWith("manifest.json"))
      .map((path) => join(cacheDir, BUCKETS.wheels, path))
      .filter((path) => readFileSync(path, "utf8").includes('"name":"cached"'));
    assert.equal(manifests.length, 1);
    // Written with a sound checksum, so that it is the path check that refuses it.
    const manifest = readManifest(dirname(manifests[0]))!;
    const index = manifest.files.findIndex((file) => file.path === "cached/__init__.py");
    manifest.files[index].path = "cached/../../../../../escaped.py";
    writeFileSync(manifests[0], manifestFileText(manifest));
    const again = join(work.path, "env-cache-again");
    assert.equal(runSpice(["venv", again, "--python", "3.11"], { cacheDir }).status, 0);
    const reinstalled = runSpice(["pip", "install", "--python", join(again, "bin", "python"), wheel], {
      cacheDir,
    });
    assert.equal(reinstalled.status, 0, reinstalled.stderr);
    const site = join(again, "lib", "python3.11", "site-packages");
    assert.equal(readFileSync(join(site, "cached", "__init__.py"), "utf8"), "ORIGINAL = True\n");
    assert.equal(existsSync(join(work.path, "escaped.py")), false); // where that path leads
    assert.doesNotMatch(readFileSync(manifests[0], "utf8"), /escaped/);
  });
});
