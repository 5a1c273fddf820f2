// Helpers for integration tests: run the built CLI as a user would, each test in its own temp
// dir with its own cache, pip's machine configuration isolated.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const SPICE = fileURLToPath(new URL("../dist/spice.cjs", import.meta.url));

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function temporaryDirectory(prefix = "spice-test-"): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function runSpice(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; cacheDir?: string } = {},
): RunResult {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIP_CONFIG_FILE: "/dev/null",
    NO_COLOR: "1",
    ...options.env,
  };
  for (const key of Object.keys(env))
    if (key.startsWith("PIP_") && key !== "PIP_CONFIG_FILE") delete env[key];
  if (options.cacheDir) env.SPICE_CACHE_DIR = options.cacheDir;
  const result = spawnSync(process.execPath, [SPICE, ...args], { cwd: options.cwd, env, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runSpice without blocking the event loop: for tests that serve an index from this process. */
export function runSpiceAsync(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; cacheDir?: string } = {},
): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIP_CONFIG_FILE: "/dev/null",
    NO_COLOR: "1",
    ...options.env,
  };
  for (const key of Object.keys(env))
    if (key.startsWith("PIP_") && key !== "PIP_CONFIG_FILE" && !(options.env && key in options.env))
      delete env[key];
  if (options.cacheDir) env.SPICE_CACHE_DIR = options.cacheDir;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SPICE, ...args], { cwd: options.cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
