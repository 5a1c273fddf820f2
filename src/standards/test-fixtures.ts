// Marker environments shared by the standards' unit tests, and Python itself as an oracle.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * What `program`, run by pyenv's Python 3.11 (the real interpreter, its standard library the
 * reference), prints as JSON when given `input` as JSON on stdin.
 */
export function pythonAnswers<T>(program: string, input: unknown): T {
  const python = join(
    process.env.PYENV_ROOT ?? join(homedir(), ".pyenv"),
    "versions",
    "3.11.7",
    "bin",
    "python",
  );
  const result = spawnSync(python, ["-c", program], { input: JSON.stringify(input), encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

/** CPython 3.11 on x86_64 Linux, as `packaging.markers.default_environment()` reports it. */
export const linux311 = {
  implementation_name: "cpython",
  implementation_version: "3.11.7",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_release: "6.5.0",
  platform_system: "Linux",
  platform_version: "#1",
  python_full_version: "3.11.7",
  platform_python_implementation: "CPython",
  python_version: "3.11",
  sys_platform: "linux",
};
