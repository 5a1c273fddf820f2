// Facts about one Python interpreter, gathered by running it once with a small script and cached
// on disk keyed by the interpreter's real path, size and mtime, so that later runs spawn nothing.

import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { MarkerEnvironment } from "../standards/marker.ts";
import { sysTags, type Tag, type TagFacts } from "../standards/tags.ts";
import { SpiceError } from "../util/error.ts";
import { fileNameFor, writeFileAtomic } from "../util/fs.ts";
import { checkedText, withDamageChecksum } from "../util/hash.ts";
import { endIfInterrupted } from "../util/interrupt.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";
import { INSPECT_SCRIPT } from "./inspect-script.ts";

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
  };
  has_gettotalrefcount: boolean;
  extension_suffixes: string[];
  maxunicode: number;
  sysconfig_platform: string;
  platform_system: string;
  platform_machine: string;
  pointer_bits: number;
  glibc_version: [number, number] | null;
  mac_version: [number, number] | null;
}

export interface Interpreter {
  /** The path it was found at (a symlink, a venv's bin/python, ...). */
  path: string;
  /** That path with symlinks resolved. */
  realPath: string;
  facts: InterpreterFacts;
}

const CACHE_FORMAT = 1;
const MARKER = "SPICE-INSPECT:";

export interface InspectOptions {
  /** Directory holding the interpreter cache; null disables caching. */
  cacheDir: string | null;
  timeoutMs?: number;
}

interface CacheEntry {
  format: number;
  path: string;
  realPath: string;
  size: number;
  mtimeMs: number;
  /** mtime of the pyvenv.cfg that makes the path a virtual environment, or null. */
  venvConfigMtimeMs: number | null;
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

/** Runs (or reads from cache) the inspection of the interpreter at `path`. */
export function inspectInterpreter(givenPath: string, options: InspectOptions): Interpreter {
  const path = resolve(givenPath);
  let realPath: string;
  let size: number;
  let mtimeMs: number;
  try {
    realPath = realpathSync(path);
    const stat = statSync(realPath);
    if (!stat.isFile()) throw new Error("not a file");
    size = stat.size;
    mtimeMs = stat.mtimeMs;
  } catch (error) {
    throw new SpiceError("E_INTERPRETER_NOT_FOUND", `No Python interpreter at ${path}`, {
      cause:
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? "the file does not exist"
          : (error as Error).message,
      hint: "Run `spice python list` to see the interpreters spice can find",
    });
  }
  const venvConfigMtimeMs = venvConfigMtime(path);
  if (options.cacheDir !== null) {
    try {
      // The entry opens with a checksum of its JSON: a damaged one (a flipped byte in a scheme
      // path would send installs elsewhere) is no entry, and the interpreter is inspected again.
      const text = checkedText(readFileSync(cacheFile(options.cacheDir, path)));
      if (text === null) throw new Error("damaged");
      const entry = JSON.parse(text) as CacheEntry;
      if (
        entry.format === CACHE_FORMAT &&
        entry.realPath === realPath &&
        entry.size === size &&
        entry.mtimeMs === mtimeMs &&
        entry.venvConfigMtimeMs === venvConfigMtimeMs
      ) {
        return { path, realPath, facts: entry.facts };
      }
    } catch {
      // no usable cache entry: inspect
    }
  }
  const facts = runInspection(path, options.timeoutMs ?? 10_000);
  if (options.cacheDir !== null) {
    const entry: CacheEntry = {
      format: CACHE_FORMAT,
      path,
      realPath,
      size,
      mtimeMs,
      venvConfigMtimeMs,
      facts,
    };
    try {
      writeFileAtomic(cacheFile(options.cacheDir, path), withDamageChecksum(JSON.stringify(entry)));
    } catch {
      // a read-only cache only costs speed
    }
  }
  return { path, realPath, facts };
}

function runInspection(path: string, timeoutMs: number): InterpreterFacts {
  // -E: ignore PYTHON* variables, so that PYTHONPATH and friends cannot change the answer; -S:
  // no site.main() (the script runs what it needs of it, see inspect-script.ts).
  const result = nodeChildProcess().spawnSync(path, ["-E", "-S", "-c", INSPECT_SCRIPT], {
    encoding: "utf8",
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 16 * 1024 * 1024,
  });
  endIfInterrupted(result.signal);
  const failure = (cause: string) =>
    new SpiceError("E_INTERPRETER_BROKEN", `Could not inspect the Python interpreter at ${path}`, {
      cause,
      hint: "Check that it is a working Python (2.7 or 3.x), or pick another with `spice python list`",
    });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ETIMEDOUT")
      throw failure(`it did not answer within ${Math.round(timeoutMs / 1000)} seconds`);
    if (code === "EACCES") throw failure("it is not executable");
    if (code === "ENOEXEC") throw failure("it is not a program this system can run");
    throw failure(result.error.message);
  }
  if (result.status !== 0) {
    const stderr = result.stderr.trim().split("\n").slice(-3).join(" / ");
    throw failure(`it exited with status ${result.status ?? result.signal}${stderr ? `: ${stderr}` : ""}`);
  }
  const line = result.stdout.split("\n").find((text) => text.startsWith(MARKER));
  if (line === undefined) throw failure("it printed something that is not spice's inspection output");
  let facts: InterpreterFacts;
  try {
    facts = JSON.parse(line.slice(MARKER.length)) as InterpreterFacts;
  } catch {
    throw failure("its inspection output is not valid JSON");
  }
  if (!Array.isArray(facts.version_info) || typeof facts.executable !== "string") {
    throw failure("its inspection output is missing the version or executable");
  }
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
    muslVersion: null,
    macVersion: facts.mac_version,
  };
}

/** The interpreter's supported wheel tags, best first (packaging's `sys_tags()`). */
export function supportedTags(interpreter: Interpreter): Tag[] {
  return sysTags(tagFacts(interpreter));
}
