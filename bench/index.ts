// Installing and resolving corpus sets from the offline mirror served over loopback HTTP (as
// ../shared/corpus/bench.py does), pip 23.2.1 and spice side by side in one run:
//   npm run bench -- index [SET...] [--runs N]
// Rows: cold install (empty package caches, fresh venv; each tool's own compiled code stays: pip's
// __pycache__, spice's code caches beside its bundles), warm install (caches filled, fresh venv), warm
// resolve (`install --dry-run` of SET.in), cold and warm `spice pip compile` against pip's
// `install --dry-run --report` (pip-tools is not installable here), spice's peak memory
// resolving the set, and the floors that bound cold and warm ratios on this machine (`cp -r` of
// the installed tree, `spice --version`, and `node -e 0` after a pause, as timed runs meet it).
// Prints "skipped" when this machine has no mirror.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CORPUS,
  cleanEnv,
  discard,
  mirrorRoot,
  NO_MIRROR,
  pausedNodeStart,
  SPICE,
  SPICE_COMMAND,
  serveDirectory,
  settleSpareTrees,
  systemPython,
  time,
} from "./common.ts";

/** Runs a command; returns its peak memory (KiB, from /usr/bin/time when present). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const timer = existsSync("/usr/bin/time");
  const result = timer
    ? spawnSync("/usr/bin/time", ["-f", "SPICE-BENCH-RSS %M", command, ...args], { env, encoding: "utf8" })
    : spawnSync(command, args, { env, encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr.slice(-2000)}`);
  const rss = /SPICE-BENCH-RSS (\d+)/.exec(result.stderr ?? "");
  return rss ? Number(rss[1]) : 0;
}

export async function benchIndex(sets: string[], runs: number): Promise<void> {
  const root = mirrorRoot();
  if (root === null) {
    console.log(`index: ${NO_MIRROR}`);
    return;
  }
  if (!existsSync(SPICE)) throw new Error("dist/spice.cjs is missing: run `npm run build` first");
  const python = systemPython();
  const mirror = await serveDirectory(root);
  console.log(
    `index benchmarks: pip 23.2.1 vs spice, mirror on ${mirror.url}, ${python}, median of ${runs} runs`,
  );
  console.log(
    `${"set".padEnd(10)} ${"".padEnd(38)} ${"pip s".padStart(8)} ${"spice s".padStart(8)} ${"ratio".padStart(7)}`,
  );
  try {
    for (const set of sets) {
      const requirementsIn = join(CORPUS, "sets", `${set}.in`);
      const lock = join(CORPUS, "sets", `${set}.lock.txt`);
      const work = mkdtempSync(join(tmpdir(), `spice-bench-index-${set}-`));
      const venv = join(work, "venv");
      const venvPython = join(venv, "bin", "python");
      const freshVenv = () => {
        discard(venv);
        run(python, ["-m", "venv", "--without-pip", venv], cleanEnv());
      };
      const cacheDirectory = (cache: string) => join(work, `cache-${cache}`);
      const envWith = (cache: string, keep: boolean) => {
        const directory = cacheDirectory(cache);
        if (!keep) emptyCache(cache);
        return cleanEnv({ PIP_CACHE_DIR: directory, SPICE_CACHE_DIR: directory });
      };
      // Not timed: a cold run's cache is emptied before it starts, once the background work of
      // spice's previous run is done (see common.ts), which is also waited for before warm runs.
      const emptyCache = (cache: string) => {
        settleSpareTrees(cacheDirectory(cache));
        discard(cacheDirectory(cache));
      };
      const freshVenvSettled = (cache: string) => () => {
        settleSpareTrees(cacheDirectory(cache));
        freshVenv();
      };
      const freshVenvEmptyCache = (cache: string) => () => {
        freshVenv();
        emptyCache(cache);
      };
      const pip = (args: string[], env: () => NodeJS.ProcessEnv) => () =>
        run(python, ["-m", "pip", "--python", venvPython, ...args], env());
      const spice = (args: string[], env: () => NodeJS.ProcessEnv) => () =>
        run(SPICE_COMMAND, ["pip", ...args, "--python", venvPython], env());
      const install = ["install", "-r", lock, "--index-url", mirror.url];
      const resolve = ["install", "--dry-run", "-r", requirementsIn, "--index-url", mirror.url];
      const report = join(work, "report.json");
      const compile = ["compile", requirementsIn, "--index-url", mirror.url, "-o", join(work, "out.txt")];
      const rows: Array<[string, number, number]> = [];
      const row = (name: string, pipSeconds: number, spiceSeconds: number) => {
        rows.push([name, pipSeconds, spiceSeconds]);
        console.log(
          `${(rows.length === 1 ? set : "").padEnd(10)} ${name.padEnd(38)} ${pipSeconds.toFixed(3).padStart(8)} ${spiceSeconds.toFixed(3).padStart(8)} ${`${(pipSeconds / spiceSeconds).toFixed(1)}x`.padStart(7)}`,
        );
      };
      try {
        row(
          "install cold",
          time(
            runs,
            freshVenvEmptyCache("pip-cold"),
            pip(install, () => envWith("pip-cold", true)),
          ),
          time(
            runs,
            freshVenvEmptyCache("spice-cold"),
            spice(install, () => envWith("spice-cold", true)),
          ),
        );
        freshVenv();
        pip(install, () => envWith("pip", false))();
        freshVenv();
        spice(install, () => envWith("spice", false))();
        row(
          "install warm",
          time(
            runs,
            freshVenv,
            pip(install, () => envWith("pip", true)),
          ),
          time(
            runs,
            freshVenvSettled("spice"),
            spice(install, () => envWith("spice", true)),
          ),
        );
        settleSpareTrees(cacheDirectory("spice"));
        freshVenv();
        const pipResolve = time(
          runs,
          () => {},
          pip([...resolve, "--ignore-installed"], () => envWith("pip", true)),
        );
        const spiceResolve = time(
          runs,
          () => {},
          spice(resolve, () => envWith("spice", true)),
        );
        row("resolve warm (install --dry-run)", pipResolve, spiceResolve);
        const pipReport = [
          "install",
          "--dry-run",
          "--ignore-installed",
          "--report",
          report,
          "-r",
          requirementsIn,
          "--index-url",
          mirror.url,
        ];
        row(
          "compile cold (pip: --dry-run --report)",
          time(
            runs,
            () => emptyCache("pip-compile"),
            pip(pipReport, () => envWith("pip-compile", true)),
          ),
          time(
            runs,
            () => emptyCache("spice-compile"),
            spice(compile, () => envWith("spice-compile", true)),
          ),
        );
        row(
          "compile warm (pip: --dry-run --report)",
          time(
            runs,
            () => {},
            pip(pipReport, () => envWith("pip-compile", true)),
          ),
          time(
            runs,
            () => {},
            spice(compile, () => envWith("spice-compile", true)),
          ),
        );
        const memory = spice(resolve, () => envWith("spice", true))();
        const pipMemory = pip([...resolve, "--ignore-installed"], () => envWith("pip", true))();
        console.log(
          `${"".padEnd(10)} ${"peak memory, warm resolve (MiB)".padEnd(38)} ${(pipMemory / 1024).toFixed(0).padStart(8)} ${(memory / 1024).toFixed(0).padStart(8)}`,
        );
        // What bounds the ratios, with pip's time over each in brackets: a cold install must write
        // every file once (`cp -r` of the installed tree shows that cost), and every spice
        // command starts the launcher and Node first (`spice --version` loads nothing else).
        const [[, pipCold], [, pipWarm]] = rows;
        settleSpareTrees(cacheDirectory("spice"));
        freshVenv();
        spice(install, () => envWith("spice", true))();
        const site = readdirSync(join(venv, "lib")).map((name) =>
          join(venv, "lib", name, "site-packages"),
        )[0];
        const copy = join(work, "copy");
        const floor = (name: string, seconds: number, pipSeconds: number) =>
          console.log(
            `${"".padEnd(10)} ${name.padEnd(38)} ${"".padStart(8)} ${seconds.toFixed(3).padStart(8)} ${`(${(pipSeconds / seconds).toFixed(1)}x)`.padStart(7)}`,
          );
        floor(
          "reference: cp -r site-packages",
          time(
            runs,
            () => discard(copy),
            () => run("cp", ["-r", site, copy], cleanEnv()),
          ),
          pipCold,
        );
        floor(
          "floor: spice --version (best warm)",
          time(
            runs,
            () => {},
            () => run(SPICE_COMMAND, ["--version"], cleanEnv()),
          ),
          pipWarm,
        );
        floor("floor: node -e 0 after a 1 s pause", pausedNodeStart(runs), pipWarm);
      } finally {
        settleSpareTrees(cacheDirectory("spice"));
        settleSpareTrees(cacheDirectory("spice-cold"));
        discard(work);
      }
    }
  } finally {
    mirror.process.kill();
  }
}
