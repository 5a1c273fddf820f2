// Facts about one Python interpreter, gathered by running it once with a small script and cached
// on disk keyed by the interpreter's real path, size and mtime, so that later runs spawn nothing.

import { readFileSync, realpathSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { MarkerEnvironment } from "../standards/marker.ts";
import { sysTags, type Tag, type TagFacts } from "../standards/tags.ts";
import { SpiceError } from "../util/error.ts";
import { deadLinkCause, fileNameFor, linkTarget, writeFileAtomic } from "../util/fs.ts";
import { checkedText, withDamageChecksum } from "../util/hash.ts";
import { endIfInterrupted } from "../util/interrupt.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";
import { executableAbiOf, muslVersionOf } from "./executable-abi.ts";
import { INSPECT_SCRIPT } from "./inspect-script.ts";
import { readPyvenvCfg, repairHint } from "./pyvenv-cfg.ts";

/** The JSON the inspection script prints. */
export interface InterpreterFacts {
  executable: string;
  version_info: [number, number, number, string, number];
  python_full_version: string;
  implementation_name: string;
  implementation_version: string;
  prefix: string;
  base_prefix: string;
  exec_prefix: string;
  base_exec_prefix: string;
  sys_path: string[];
  stdlib: string;
  paths: Record<string, string>;
  scheme_posix_prefix: Record<string, string> | null;
  scheme_venv: Record<string, string> | null;
  /** The interpreter's preferred scheme for a prefix (sysconfig.get_preferred_scheme): pip's for --prefix. */
  scheme_prefix: Record<string, string> | null;
  scheme_placeholder: string;
  externally_managed: boolean;
  user_site: string | null;
  user_site_enabled: boolean | null;
  markers: Record<string, string>;
  config_vars: TagFacts["configVars"] & {
    MULTIARCH?: string | null;
    LIBDIR?: string | null;
    platlibdir?: string | null;
    /** Where ensurepip takes its wheels from when they are there (3.10+: Debian, Fedora). */
    WHEEL_PKG_DIR?: string | null;
  };
  has_gettotalrefcount: boolean;
  extension_suffixes: string[];
  maxunicode: number;
  sysconfig_platform: string;
  platform_system: string;
  platform_machine: string;
  pointer_bits: number;
  glibc_version: [number, number] | null;
  /** The (glibc 2 minor, arch) pairs a PEP 600 `_manylinux` module refuses; null: no module. */
  manylinux_refusals?: Array<[number, string]> | null;
  /** Not printed by the script: read from the executable's ELF header by spice (executable-abi.ts). */
  musl_version: [number, number] | null;
  /** Not printed by the script: packaging's armhf and i686 checks of the executable (null: not ELF). */
  executable_abi?: { armhf: boolean; i686: boolean } | null;
  mac_version: [number, number] | null;
}

export interface Interpreter {
  /** The path it was found at (a symlink, a venv's bin/python, ...). */
  path: string;
  /** That path with symlinks resolved. */
  realPath: string;
  facts: InterpreterFacts;
}

// 2: facts have musl_version; 3: glibc_version also where os.confstr cannot say (Python 2.7);
// 4: config_vars has WHEEL_PKG_DIR; 5: inspected without the current directory on sys.path (an
// entry made where a project's os.py answered is not kept); 6: executable_abi and
// manylinux_refusals.
const CACHE_FORMAT = 6;
const MARKER = "SPICE-INSPECT:";

export interface InspectOptions {
  /** Directory holding the interpreter cache; null disables caching. */
  cacheDir: string | null;
  timeoutMs?: number;
}

interface CacheEntry extends Fingerprint {
  format: number;
  facts: InterpreterFacts;
}

// Keyed by the path as invoked, not its real path: a venv's bin/python is a link to its base
// interpreter, yet Python behaves differently through it (it finds pyvenv.cfg beside the link).
function cacheFile(cacheDir: string, path: string): string {
  return join(cacheDir, "interpreters-v4", `${fileNameFor(path)}.json`);
}

/** The pyvenv.cfg that makes Python started as `path` a virtual environment's (beside it or one up), with its mtime. */
function venvConfigStat(path: string): { config: string; mtimeMs: number } | null {
  for (const config of [join(dirname(path), "pyvenv.cfg"), join(dirname(dirname(path)), "pyvenv.cfg")]) {
    const stat = statSync(config, { throwIfNoEntry: false });
    if (stat !== undefined) return { config, mtimeMs: stat.mtimeMs };
  }
  return null;
}

/** The pyvenv.cfg that makes Python started as `path` a virtual environment's, or null. */
export function venvConfigOf(path: string): string | null {
  return venvConfigStat(path)?.config ?? null;
}

function venvConfigMtime(path: string): number | null {
  return venvConfigStat(path)?.mtimeMs ?? null;
}

/** What a cached inspection must match: the binary (size, mtime) and the pyvenv.cfg beside it. */
interface Fingerprint {
  path: string;
  realPath: string;
  size: number;
  mtimeMs: number;
  /** mtime of the pyvenv.cfg that makes the path a virtual environment, or null. */
  venvConfigMtimeMs: number | null;
}

function fingerprintOf(givenPath: string): Fingerprint {
  const path = resolve(givenPath);
  try {
    const realPath = realpathSync(path);
    const stat = statSync(realPath);
    if (!stat.isFile()) throw new Error("not a file");
    return {
      path,
      realPath,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      venvConfigMtimeMs: venvConfigMtime(path),
    };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const target = code === "ENOENT" || code === "EACCES" ? linkTarget(path) : null;
    if (code === "EACCES" && target !== null) {
      throw new SpiceError("E_INTERPRETER_NOT_FOUND", `No Python interpreter this user may run at ${path}`, {
        cause: `it ${deadLinkCause(target, true)}`,
        hint: "Run as the user who made it, or use a Python every user may run (one outside a home directory)",
      });
    }
    // A venv's python whose base interpreter went (uninstalled, or upgraded to another version).
    const venv = code === "ENOENT" ? venvConfigOf(path) : null;
    throw new SpiceError("E_INTERPRETER_NOT_FOUND", `No Python interpreter at ${path}`, {
      cause:
        code !== "ENOENT"
          ? (error as Error).message
          : target === null
            ? "the file does not exist"
            : `it ${deadLinkCause(target, false)}`,
      hint:
        venv === null
          ? "Run `spice python list` to see the interpreters spice can find"
          : repairHint(dirname(venv), readPyvenvCfg(dirname(venv))),
    });
  }
}

function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return (
    a.realPath === b.realPath &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.venvConfigMtimeMs === b.venvConfigMtimeMs
  );
}

/**
 * Inspections this process ran that the cache does not keep: failed ones, so that a broken
 * interpreter does not make a command wait twice for it, and all of them without a cache
 * (`--no-cache`) or when it cannot be written, so that an interpreter runs once per command.
 */
const inspectedThisRun = new Map<
  string,
  { fingerprint: Fingerprint; outcome: InterpreterFacts | SpiceError }
>();

function knownFacts(fingerprint: Fingerprint, options: InspectOptions): InterpreterFacts | null {
  const known = inspectedThisRun.get(fingerprint.path);
  if (known !== undefined && sameFingerprint(known.fingerprint, fingerprint)) {
    if (known.outcome instanceof SpiceError) throw known.outcome;
    return known.outcome;
  }
  if (options.cacheDir === null) return null;
  try {
    // The entry opens with a checksum of its JSON: a damaged one (a flipped byte in a scheme
    // path would send installs elsewhere) is no entry, and the interpreter is inspected again.
    const text = checkedText(readFileSync(cacheFile(options.cacheDir, fingerprint.path)));
    if (text === null) return null;
    const entry = JSON.parse(text) as CacheEntry;
    if (entry.format === CACHE_FORMAT && sameFingerprint(entry, fingerprint)) return entry.facts;
  } catch {
    // no usable cache entry: inspect
  }
  return null;
}

function remember(
  fingerprint: Fingerprint,
  outcome: InterpreterFacts | SpiceError,
  options: InspectOptions,
): void {
  if (!(outcome instanceof SpiceError) && options.cacheDir !== null) {
    const entry: CacheEntry = { format: CACHE_FORMAT, ...fingerprint, facts: outcome };
    try {
      writeFileAtomic(
        cacheFile(options.cacheDir, fingerprint.path),
        withDamageChecksum(JSON.stringify(entry)),
      );
      return;
    } catch {
      // a read-only cache only costs speed: this process keeps it
    }
  }
  inspectedThisRun.set(fingerprint.path, { fingerprint, outcome });
}

/** Runs (or reads from cache) the inspection of the interpreter at `path`. */
export function inspectInterpreter(givenPath: string, options: InspectOptions): Interpreter {
  const fingerprint = fingerprintOf(givenPath);
  const { path, realPath } = fingerprint;
  const known = knownFacts(fingerprint, options);
  if (known !== null) return { path, realPath, facts: known };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const run = nodeChildProcess().spawnSync(path, INSPECT_ARGS, {
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 16 * 1024 * 1024,
  });
  const outcome = inspectionOutcome(path, run, timeoutMs);
  remember(fingerprint, outcome, options);
  if (outcome instanceof SpiceError) throw outcome;
  return { path, realPath, facts: outcome };
}

/**
 * Inspects, side by side, those of `paths` that neither the cache nor this process knows, so that
 * the calls of inspectInterpreter that follow find them known: a first `spice python list` starts
 * about ten interpreters, some 30 ms each. Failures are remembered for those calls to report.
 */
export async function inspectSideBySide(paths: readonly string[], options: InspectOptions): Promise<void> {
  const unknown: Fingerprint[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    let fingerprint: Fingerprint;
    try {
      fingerprint = fingerprintOf(path);
      if (seen.has(fingerprint.path) || knownFacts(fingerprint, options) !== null) continue;
    } catch {
      continue; // inspectInterpreter says why
    }
    seen.add(fingerprint.path);
    unknown.push(fingerprint);
  }
  if (unknown.length < 2) return;
  const timeoutMs = options.timeoutMs ?? 10_000;
  // Starting Python is mostly CPU: more processes than cores only make each slower.
  const lanes = Math.min(unknown.length, Math.max(2, availableParallelism()));
  let next = 0;
  const lane = async () => {
    while (next < unknown.length) {
      const fingerprint = unknown[next++];
      const run = await spawnToEnd(fingerprint.path, INSPECT_ARGS, timeoutMs);
      remember(fingerprint, inspectionOutcome(fingerprint.path, run, timeoutMs), options);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** What spawnSync reports of a finished process, for a process run without blocking. */
interface FinishedRun {
  error?: Error;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function spawnToEnd(path: string, args: string[], timeoutMs: number): Promise<FinishedRun> {
  return new Promise((done) => {
    const child = nodeChildProcess().spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let error: Error | undefined;
    const timer = setTimeout(() => {
      error = Object.assign(new Error("timed out"), { code: "ETIMEDOUT" });
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (spawnError) => {
      error ??= spawnError;
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString("utf8");
      done({ error, status, signal, stdout: text(out), stderr: text(err) });
    });
  });
}

// -E: ignore PYTHON* variables, so that PYTHONPATH and friends cannot change the answer; -S: no
// site.main() (the script runs what it needs of it, see inspect-script.ts).
const INSPECT_ARGS = ["-E", "-S", "-c", INSPECT_SCRIPT];

/** The facts a run of the inspection script printed, or why there are none. */
function inspectionOutcome(
  path: string,
  result: FinishedRun,
  timeoutMs: number,
): InterpreterFacts | SpiceError {
  endIfInterrupted(result.signal);
  const failure = (cause: string) =>
    new SpiceError("E_INTERPRETER_BROKEN", `Could not inspect the Python interpreter at ${path}`, {
      cause,
      hint: "Check that it is a working Python (2.7 or 3.x), or pick another with `spice python list`",
    });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ETIMEDOUT")
      return failure(`it did not answer within ${Math.round(timeoutMs / 1000)} seconds`);
    if (code === "EACCES") return failure("it is not executable");
    if (code === "ENOEXEC") return failure("it is not a program this system can run");
    return failure(result.error.message);
  }
  if (result.status !== 0) {
    const stderr = result.stderr.trim().split("\n").slice(-3).join(" / ");
    return failure(`it exited with status ${result.status ?? result.signal}${stderr ? `: ${stderr}` : ""}`);
  }
  const line = result.stdout.split("\n").find((text) => text.startsWith(MARKER));
  if (line === undefined) return failure("it printed something that is not spice's inspection output");
  let facts: InterpreterFacts;
  try {
    facts = JSON.parse(line.slice(MARKER.length)) as InterpreterFacts;
  } catch {
    return failure("its inspection output is not valid JSON");
  }
  if (!Array.isArray(facts.version_info) || typeof facts.executable !== "string") {
    return failure("its inspection output is missing the version or executable");
  }
  // On glibc the script saw its version; a Linux Python without one may run on musl.
  facts.musl_version =
    facts.glibc_version === null && facts.platform_system === "Linux" && facts.executable !== ""
      ? muslVersionOf(facts.executable)
      : null;
  facts.executable_abi = facts.platform_system === "Linux" ? executableAbiOf(facts.executable) : null;
  return facts;
}

// --- derived facts -----------------------------------------------------------------------------

export function pythonVersion(interpreter: Interpreter): string {
  return interpreter.facts.python_full_version;
}

export function majorMinor(interpreter: Interpreter): [number, number] {
  return [interpreter.facts.version_info[0], interpreter.facts.version_info[1]];
}

export function isVirtualEnvironment(interpreter: Interpreter): boolean {
  return interpreter.facts.prefix !== interpreter.facts.base_prefix;
}

export function implementationName(interpreter: Interpreter): string {
  return interpreter.facts.implementation_name;
}

/** `x86_64`, `aarch64`, ... as the interpreter's platform reports it. */
export function architecture(interpreter: Interpreter): string {
  return interpreter.facts.platform_machine;
}

/** The C library the interpreter runs on, as uv names it in an interpreter's key: gnu, musl, or none. */
export function libcName(interpreter: Interpreter): "gnu" | "musl" | "none" {
  const facts = interpreter.facts;
  return facts.glibc_version !== null ? "gnu" : facts.musl_version !== null ? "musl" : "none";
}

export function markerEnvironment(interpreter: Interpreter): MarkerEnvironment {
  return { ...interpreter.facts.markers };
}

export function tagFacts(interpreter: Interpreter): TagFacts {
  const facts = interpreter.facts;
  return {
    implementationName: facts.implementation_name,
    pythonVersion: [facts.version_info[0], facts.version_info[1]],
    configVars: facts.config_vars,
    hasGettotalrefcount: facts.has_gettotalrefcount,
    extensionSuffixes: facts.extension_suffixes,
    maxunicode: facts.maxunicode,
    sysconfigPlatform: facts.sysconfig_platform,
    platformSystem: facts.platform_system,
    pointerBits: facts.pointer_bits,
    glibcVersion: facts.glibc_version,
    muslVersion: facts.musl_version,
    macVersion: facts.mac_version,
    executableAbi: facts.executable_abi,
    manylinuxRefusals: facts.manylinux_refusals,
  };
}

/** The interpreter's supported wheel tags, best first (packaging's `sys_tags()`). */
export function supportedTags(interpreter: Interpreter): Tag[] {
  return sysTags(tagFacts(interpreter));
}
