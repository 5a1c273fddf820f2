// Installing a corpus set's pinned wheels from the offline mirror into a fresh venv, pip 23.2.1
// and spice side by side in one run:
//   npm run bench -- install [SET...] [--runs N]
// pip runs with its defaults (it byte-compiles) and with --no-compile; spice cold (empty package
// cache; its code caches sit beside its bundles, as pip's __pycache__ beside pip)
// and warm (cache filled: with the spare trees a previous install left, and file by file without
// them), plus the background work a warm install leaves behind. Also venv creation, list, freeze
// and uninstall; what bounds the ratios (`cp -al` and `cp -r` of the installed tree,
// `spice --version`, and `node -e 0` after a pause as timed runs meet it, with pip's time over
// each in brackets); and what linking whole top-level
// directories would cost (one symlink per entry: measured, not adopted).
// Prints "skipped" when this machine has no mirror.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CORPUS,
  cleanEnv,
  discard,
  mirrorRoot,
  NO_MIRROR,
  pausedNodeStart,
  removeSpareTrees,
  run,
  SPICE,
  SPICE_COMMAND,
  settleSpareTrees,
  systemPython,
  time,
  wheelKeys,
} from "./common.ts";

export function benchInstall(sets: string[], runs: number): void {
  const mirror = mirrorRoot();
  if (mirror === null) {
    console.log(`install: ${NO_MIRROR}`);
    return;
  }
  if (!existsSync(SPICE)) throw new Error("dist/spice.cjs is missing: run `npm run build` first");
  const python = systemPython();
  const files = join(mirror, "files");
  console.log(
    `install benchmarks: pip 23.2.1 vs spice, ${python}, median of ${runs} runs, seconds (pip / spice = ratio)`,
  );
  const rows: string[][] = [];
  for (const set of sets) {
    const lock = join(CORPUS, "sets", `${set}.lock.txt`);
    const wheelCount = readFileSync(join(CORPUS, "sets", `${set}.files.txt`), "utf8")
      .trim()
      .split("\n").length;
    const work = mkdtempSync(join(tmpdir(), `spice-bench-${set}-`));
    const venv = join(work, "venv");
    const venvPython = join(venv, "bin", "python");
    const spiceCache = join(work, "spice-cache");
    const pipCache = join(work, "pip-cache");
    const env = cleanEnv({ PIP_CACHE_DIR: pipCache, SPICE_CACHE_DIR: spiceCache });
    const freshVenv = () => {
      discard(venv);
      run(python, ["-m", "venv", "--without-pip", venv], env);
    };
    // The same install for both tools: the pinned set's files, no index, no dependencies.
    const installArgs = ["install", "--no-deps", "--no-index", "--find-links", files, "-r", lock];
    const pipInstall = (extra: string[]) => () =>
      run(python, ["-m", "pip", "--python", venvPython, ...installArgs, ...extra], env);
    const spiceInstall = () => run(SPICE_COMMAND, ["pip", ...installArgs, "--python", venvPython], env);
    const spiceInstallPerFile = () =>
      run(SPICE_COMMAND, ["pip", ...installArgs, "--python", venvPython], {
        ...env,
        SPICE_SPARE_TREES: "off",
      });
    // Each spice run starts once the previous one's background work is done (see common.ts).
    const freshVenvSettled = () => {
      settleSpareTrees(spiceCache);
      freshVenv();
    };
    try {
      const pipDefault = time(runs, freshVenv, pipInstall([]));
      const pipNoCompile = time(runs, freshVenv, pipInstall(["--no-compile"]));
      const spiceCold = time(
        runs,
        () => {
          freshVenvSettled();
          discard(spiceCache);
        },
        spiceInstall,
      );
      const spiceWarm = time(runs, freshVenvSettled, spiceInstall);
      settleSpareTrees(spiceCache);
      const spiceWarmPerFile = time(
        runs,
        () => {
          freshVenv(); // with spare trees off, nothing runs in the background
          removeSpareTrees(spiceCache);
        },
        spiceInstallPerFile,
      );
      // The work a warm install leaves to the background: laying out the spare trees it used.
      const keys = wheelKeys(spiceCache);
      const makeSpares = time(
        runs,
        () => removeSpareTrees(spiceCache),
        () => run(SPICE_COMMAND, ["cache", "make-spares", ...keys], env),
      );
      freshVenvSettled();
      spiceInstall();
      const site = join(
        venv,
        "lib",
        spawnSync(
          venvPython,
          ["-c", "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"],
          { encoding: "utf8" },
        ).stdout.trim(),
        "site-packages",
      );
      const copy = join(work, "copy");
      const cpAl = time(
        runs,
        () => discard(copy),
        () => run("cp", ["-al", site, copy], env),
      );
      // Writing every file once is what a cold install cannot avoid (the cache must hold them):
      // `cp -r` of the installed tree shows what that costs on this disk (a reference more than a
      // floor: spice writes on two threads and makes no directories for the cache's copy).
      const cpR = time(
        runs,
        () => discard(copy),
        () => run("cp", ["-r", site, copy], env),
      );
      discard(copy);
      // And every spice command starts its launcher and Node first (`spice --version` loads nothing
      // more): pip's time over it bounds any warm ratio.
      const spiceStart = time(
        runs,
        () => {},
        () => run(SPICE_COMMAND, ["--version"], env),
      );
      const nodeStart = pausedNodeStart(runs);
      // The question: would linking whole top-level directories pay? Its floor is one
      // symlink per top-level entry of site-packages (spice does not do this: README says why).
      const symlinked = join(work, "symlinked");
      const topLevel = readdirSync(site);
      const symlinkFloor = time(
        runs,
        () => discard(symlinked),
        () => {
          mkdirSync(symlinked);
          for (const entry of topLevel) symlinkSync(join(site, entry), join(symlinked, entry));
        },
      );
      const pipList = time(
        runs,
        () => {},
        () => run(python, ["-m", "pip", "--python", venvPython, "list", "--format", "json"], env),
      );
      const spiceList = time(
        runs,
        () => {},
        () => run(SPICE_COMMAND, ["pip", "list", "--format", "json", "--python", venvPython], env),
      );
      const pipFreeze = time(
        runs,
        () => {},
        () => run(python, ["-m", "pip", "--python", venvPython, "freeze"], env),
      );
      const spiceFreeze = time(
        runs,
        () => {},
        () => run(SPICE_COMMAND, ["pip", "freeze", "--python", venvPython], env),
      );
      const reinstall = () => {
        freshVenvSettled();
        spiceInstall();
      };
      const pipUninstall = time(runs, reinstall, () =>
        run(python, ["-m", "pip", "--python", venvPython, "uninstall", "-y", "-r", lock], env),
      );
      const spiceUninstall = time(runs, reinstall, () =>
        run(SPICE_COMMAND, ["pip", "uninstall", "-y", "-r", lock, "--python", venvPython], env),
      );
      const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;
      const fmt = (seconds: number) => seconds.toFixed(3);
      rows.push(
        [
          `${set} (${wheelCount} wheels)`,
          "install cold",
          fmt(pipDefault),
          fmt(spiceCold),
          ratio(pipDefault, spiceCold),
        ],
        [
          "",
          "install cold vs pip --no-compile",
          fmt(pipNoCompile),
          fmt(spiceCold),
          ratio(pipNoCompile, spiceCold),
        ],
        ["", "install warm", fmt(pipDefault), fmt(spiceWarm), ratio(pipDefault, spiceWarm)],
        [
          "",
          "install warm vs pip --no-compile",
          fmt(pipNoCompile),
          fmt(spiceWarm),
          ratio(pipNoCompile, spiceWarm),
        ],
        [
          "",
          "install warm, file by file (no spares)",
          fmt(pipDefault),
          fmt(spiceWarmPerFile),
          ratio(pipDefault, spiceWarmPerFile),
        ],
        ["", "background after warm: make-spares", "", fmt(makeSpares), ""],
        ["", "floor: cp -al site-packages", "", fmt(cpAl), ""],
        ["", "reference: cp -r site-packages", "", fmt(cpR), `(${ratio(pipDefault, cpR)})`],
        ["", "floor: spice --version (best warm)", "", fmt(spiceStart), `(${ratio(pipDefault, spiceStart)})`],
        ["", "floor: node -e 0 after a 1 s pause", "", fmt(nodeStart), `(${ratio(pipDefault, nodeStart)})`],
        ["", `floor: ${topLevel.length} top-level symlinks`, "", fmt(symlinkFloor), ""],
        ["", "list --format json", fmt(pipList), fmt(spiceList), ratio(pipList, spiceList)],
        ["", "freeze", fmt(pipFreeze), fmt(spiceFreeze), ratio(pipFreeze, spiceFreeze)],
        ["", "uninstall all", fmt(pipUninstall), fmt(spiceUninstall), ratio(pipUninstall, spiceUninstall)],
      );
      for (const row of rows.slice(-14))
        console.log(row.map((cell, index) => cell.padEnd([24, 34, 9, 9, 8][index])).join(" "));
    } finally {
      try {
        settleSpareTrees(spiceCache);
      } catch (error) {
        console.error(String(error)); // the error that ended the run matters more
      }
      discard(work);
    }
  }
  // venv creation, once.
  const work = mkdtempSync(join(tmpdir(), "spice-bench-venv-"));
  try {
    const target = join(work, "v");
    const env = cleanEnv({ SPICE_CACHE_DIR: join(work, "cache") });
    run(SPICE_COMMAND, ["venv", join(work, "warmup"), "--python", python], env);
    const clear = () => discard(target);
    const withPip = time(runs, clear, () => run(python, ["-m", "venv", target], env));
    const withoutPip = time(runs, clear, () => run(python, ["-m", "venv", "--without-pip", target], env));
    const spice = time(Math.max(runs, 5), clear, () =>
      run(SPICE_COMMAND, ["venv", target, "--python", python], env),
    );
    // Node as spice starts it: bin/spice moves NODE_EXTRA_CA_CERTS aside (loading that bundle
    // costs Node 50-80 ms before any script runs), so the floor is Node without it too.
    const { NODE_EXTRA_CA_CERTS: _certificates, ...bareEnv } = env;
    const node = time(
      Math.max(runs, 5),
      () => {},
      () => run(process.execPath, ["-e", "0"], bareEnv),
    );
    console.log(
      `venv: python -m venv ${withPip.toFixed(3)}s, --without-pip ${withoutPip.toFixed(3)}s, spice venv ${spice.toFixed(3)}s (${(withoutPip / spice).toFixed(1)}x vs --without-pip), node -e 0 ${node.toFixed(3)}s; spice - node = ${((spice - node) * 1000).toFixed(0)}ms (goal <= 25ms)`,
    );
  } finally {
    discard(work);
  }
}
