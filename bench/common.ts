// What the corpus benchmarks share: where the corpus and the built CLI are, a clean environment
// for both tools, and medians of timed runs.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

export const CORPUS = fileURLToPath(new URL("../../shared/corpus/", import.meta.url));
export const SPICE = fileURLToPath(new URL("../dist/spice.cjs", import.meta.url));
/** What is timed: the `spice` command as installed (bin/spice, in front of dist/spice.cjs). */
export const SPICE_COMMAND = fileURLToPath(new URL("../bin/spice", import.meta.url));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The environment without this machine's pip, spice and venv settings. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(PIP_|SPICE_|UV_|VIRTUAL_ENV|CONDA_PREFIX)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_INPUT: "1",
    ...extra,
  };
}

/** Median seconds of `runs` runs of `action`, each after `prepare` (not timed). */
export function time(runs: number, prepare: () => void, action: () => void): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    prepare();
    const start = performance.now();
    action();
    samples.push(performance.now() - start);
  }
  return median(samples) / 1000;
}

/** The offline mirror's root, or null on machines without one. */
export function mirrorRoot(): string | null {
  const result = spawnSync(join(CORPUS, "mirror.sh"), { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}
