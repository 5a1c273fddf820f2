// Helpers for integration tests: run the built CLI as a user would, each test in its own temp
// dir with its own cache, pip's machine configuration isolated.
import { spawn, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const SPICE = fileURLToPath(new URL("../dist/spice.cjs", import.meta.url));
/** The `spice` command as installed: the shell launcher in front of dist/spice.cjs. */
export const LAUNCHER = fileURLToPath(new URL("../bin/spice", import.meta.url));

/** The interpreter whose pip 23.2.1 the tests compare against. */
export const PYTHON = join(
  process.env.PYENV_ROOT || join(homedir(), ".pyenv"),
  "versions",
  "3.11.7",
  "bin",
  "python3",
);

/**
 * A Python that is no virtual environment, under `prefix` (a conda installation is one):
 * PYTHON's executable copied (a few KB; it loads libpython from where it is) beside links to its
 * standard library, so tests of --system, --user and conda need no system Python and change
 * none. Returns its bin/python3.
 */
export function plainPython(prefix: string): string {
  const executable = realpathSync(PYTHON);
  const name = basename(executable); // python3.11
  const stdlib = join(dirname(dirname(executable)), "lib", name);
  mkdirSync(join(prefix, "bin"), { recursive: true });
  copyFileSync(executable, join(prefix, "bin", name));
  symlinkSync(name, join(prefix, "bin", "python3"));
  const ownStdlib = join(prefix, "lib", name);
  mkdirSync(join(ownStdlib, "site-packages"), { recursive: true });
  for (const entry of readdirSync(stdlib))
    if (entry !== "site-packages") symlinkSync(join(stdlib, entry), join(ownStdlib, entry));
  return join(prefix, "bin", "python3");
}

/** plainPython with a PEP 668 marker that says `message`: an externally managed Python. */
export function externallyManagedPython(prefix: string, message: string): string {
  const python = plainPython(prefix);
  writeFileSync(
    join(prefix, "lib", basename(realpathSync(PYTHON)), "EXTERNALLY-MANAGED"),
    `[externally-managed]\nError = ${message.split("\n").join("\n ")}\n`,
  );
  return python;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function temporaryDirectory(prefix = "spice-test-"): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The environment spice runs in under test: this machine's pip settings removed (PIP_* except
 * what `env` sets itself), no colour, and the cache in `cacheDir` when given.
 */
export function spiceEnvironment(
  options: { env?: NodeJS.ProcessEnv; cacheDir?: string } = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PIP_CONFIG_FILE: "/dev/null",
    NO_COLOR: "1",
    // Spare trees are made before spice exits: no background process outlives a test's cache.
    SPICE_SPARE_TREES: "inline",
    ...options.env,
  };
  // The machine's pip settings, proxies and compile header stay out of the tests (a test sets its own).
  for (const key of Object.keys(env))
    if (
      (key.startsWith("PIP_") ||
        /^(https?|no|all)_proxy$/i.test(key) ||
        /^(SPICE_)?CUSTOM_COMPILE_COMMAND$/.test(key)) &&
      key !== "PIP_CONFIG_FILE" &&
      !(options.env && key in options.env)
    )
      delete env[key];
  if (options.cacheDir) env.SPICE_CACHE_DIR = options.cacheDir;
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

export function runSpice(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    cacheDir?: string;
    script?: string;
    /** Options for Node itself, before the script (as bin/spice passes one). */
    nodeOptions?: string[];
  } = {},
): RunResult {
  const result = spawnSync(
    process.execPath,
    [...(options.nodeOptions ?? []), options.script ?? SPICE, ...args],
    {
      cwd: options.cwd,
      env: spiceEnvironment(options),
      encoding: "utf8",
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runSpice without blocking the event loop: for tests that serve an index from this process. */
export function runSpiceAsync(
  args: string[],
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    cacheDir?: string;
    launcher?: boolean;
    /** Another copy of dist/spice.cjs to run. */
    script?: string;
    /**
     * Writes past this many KiB fail with EFBIG (bash's `ulimit -f`, its signal ignored), as
     * writes on a full disk fail with ENOSPC: a real failing disk, without mounting one.
     */
    fileSizeLimitKiB?: number;
    /** What spice reads on its standard input (else nothing: it is closed at once). */
    input?: string;
  } = {},
): Promise<RunResult> {
  const spawnOptions = { cwd: options.cwd, env: spiceEnvironment(options), input: options.input };
  if (options.launcher) return runAsync(LAUNCHER, args, spawnOptions);
  const command = [process.execPath, options.script ?? SPICE, ...args];
  if (options.fileSizeLimitKiB === undefined) return runAsync(command[0], command.slice(1), spawnOptions);
  const limited = `trap "" XFSZ; ulimit -f ${options.fileSizeLimitKiB}; exec "$@"`;
  return runAsync("bash", ["-c", limited, "bash", ...command], spawnOptions);
}

/** pip 23.2.1 (`PYTHON -m pip ARGS`), without the machine's configuration or a cache, without blocking. */
export function runPipAsync(args: string[]): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("PIP_")) delete env[key];
  Object.assign(env, {
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_CACHE_DIR: "1",
  });
  return runAsync(PYTHON, ["-m", "pip", ...args], { env });
}

function runAsync(
  command: string,
  args: string[],
  options: { cwd?: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env });
    child.stdin.end(options.input ?? "");
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

/**
 * Runs `command` on a real pseudo-terminal (Python's pty), typing `answer` and Enter each time
 * more copies of `prompt` have appeared; returns what the terminal showed (stdout and stderr
 * together) and the exit status.
 */
export function runOnTerminal(
  command: string[],
  prompt: string,
  answer: string,
  env: NodeJS.ProcessEnv,
): { status: number | null; output: string } {
  const script = [
    "import os, pty, sys, time",
    "prompt, answer, command = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]",
    "pid, fd = pty.fork()",
    "if pid == 0: os.execv(command[0], command)",
    "out, answered = b'', 0",
    "while True:",
    "    try: data = os.read(fd, 1024)",
    "    except OSError: break",
    "    if not data: break",
    "    out += data",
    "    if out.count(prompt) > answered:",
    // Ctrl-C (^C) is heard before the Enter that follows it, as when a person types them.
    "        os.write(fd, answer); time.sleep(0.5 if b'\\x03' in answer else 0); os.write(fd, b'\\n'); answered += 1",
    "_, status = os.waitpid(pid, 0)",
    "sys.stdout.write(out.decode()); sys.exit(os.waitstatus_to_exitcode(status))",
  ].join("\n");
  const result = spawnSync(PYTHON, ["-c", script, prompt, answer, ...command], { encoding: "utf8", env });
  // A terminal ends its lines with CR LF.
  return { status: result.status, output: result.stdout.replaceAll("\r\n", "\n") };
}
