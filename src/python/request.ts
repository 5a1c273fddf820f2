// What a user may ask for with `--python`: a version (`3.12`, `3.11.7`), a specifier
// (`>=3.10,<3.13`), an implementation (`cpython@3.12`, `pypy`, `cp312`), a build variant in uv's
// spelling (`3.13t` or `3.13+freethreaded`, `3.12d` or `+debug`, `3.14+gil`), or a path.

import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { InvalidSpecifier, parseSpecifierSet, type SpecifierSet } from "../standards/specifier.ts";
import { compareVersions, parseVersion } from "../standards/version.ts";
import { SpiceError } from "../util/error.ts";
import {
  type DiscoveredInterpreter,
  type DiscoveryContext,
  discoverInterpreters,
  preferredCandidates,
  realPathOf,
} from "./discovery.ts";
import {
  type InspectOptions,
  type Interpreter,
  inspectInterpreter,
  isVirtualEnvironment,
} from "./interpreter.ts";

/**
 * A build of CPython: `default` is what a request without a variant takes, as uv reads it: a
 * free-threaded build only from 3.14, where it is no longer experimental (PEP 779).
 */
export type PythonVariant = "default" | "gil" | "freethreaded" | "debug" | "freethreaded+debug";

export type PythonRequest =
  | { kind: "any" }
  | { kind: "path"; path: string }
  | { kind: "version"; implementation: string | null; parts: number[]; variant: PythonVariant }
  | { kind: "specifier"; implementation: string | null; specifier: SpecifierSet; variant: PythonVariant };

/** The variants by their long (`+freethreaded`) and short (`t`, after the version) names. */
const VARIANTS: Record<string, PythonVariant> = {
  "+freethreaded": "freethreaded",
  "+gil": "gil",
  "+debug": "debug",
  "+freethreaded+debug": "freethreaded+debug",
  t: "freethreaded",
  d: "debug",
  td: "freethreaded+debug",
};

const IMPLEMENTATIONS: Record<string, string> = {
  cpython: "cpython",
  cp: "cpython",
  python: "cpython",
  pypy: "pypy",
  pp: "pypy",
  graalpy: "graalpy",
};

export function parsePythonRequest(text: string | undefined): PythonRequest {
  const request = (text ?? "").trim();
  if (request === "" || request === "any" || request === "default") return { kind: "any" };
  // `~=3.11` is a specifier (a project's requires-python may read so), `~/...` a path.
  const home = request === "~" || request.startsWith("~/");
  if (home || (request.includes("/") && !request.startsWith("~=")) || request.startsWith(".")) {
    const expanded = home ? join(homedir(), request.slice(1)) : request;
    return { kind: "path", path: resolve(expanded) };
  }
  try {
    return parseVersionRequest(request);
  } catch (error) {
    // A bare name that is no version or implementation but an existing file or directory (`venv`,
    // `env`) is a path: pip takes any existing path for --python, and uv falls back the same way.
    if (error instanceof SpiceError && error.code === "E_INVALID_PYTHON_REQUEST" && existsSync(request))
      return { kind: "path", path: resolve(request) };
    throw error;
  }
}

function parseVersionRequest(request: string): PythonRequest {
  let lower = request.toLowerCase();
  // The variant ends the request: `+name`, or a letter or two after a digit (`3.13t`, `cp313t`).
  let variant: PythonVariant = "default";
  const suffix = /(\+[a-z+]+|(?<=\d)(td|t|d))$/.exec(lower);
  if (suffix !== null) {
    const named = VARIANTS[suffix[0]];
    if (named === undefined) throw invalidRequest(request);
    variant = named;
    lower = lower.slice(0, suffix.index);
  }
  let implementation: string | null = null;
  let rest = lower;
  const at = lower.indexOf("@");
  if (at >= 0) {
    const name = IMPLEMENTATIONS[lower.slice(0, at)];
    if (name === undefined) throw invalidRequest(request);
    implementation = name;
    rest = lower.slice(at + 1);
  } else {
    const match = /^([a-z]+)(.*)$/.exec(lower);
    if (match) {
      const name = IMPLEMENTATIONS[match[1]];
      if (name === undefined) throw invalidRequest(request);
      implementation = match[1] === "python" ? null : name;
      rest = match[2];
      // cp312 / pp310: the digits are major and minor run together.
      if ((match[1] === "cp" || match[1] === "pp") && /^\d{2,}$/.test(rest))
        rest = `${rest[0]}.${rest.slice(1)}`;
    }
  }
  if (rest === "") return { kind: "specifier", implementation, specifier: parseSpecifierSet(""), variant };
  if (/^\d+(\.\d+){0,2}$/.test(rest))
    return { kind: "version", implementation, parts: rest.split(".").map(Number), variant };
  // A variant is a build of a version: `>=3.13t` is not a request uv or spice takes.
  if (variant !== "default") throw invalidRequest(request);
  try {
    return { kind: "specifier", implementation, specifier: parseSpecifierSet(rest), variant };
  } catch (error) {
    if (error instanceof InvalidSpecifier) throw invalidRequest(request);
    throw error;
  }
}

function invalidRequest(request: string): SpiceError {
  return new SpiceError(
    "E_INVALID_PYTHON_REQUEST",
    `'${request}' is not a Python request spice understands`,
    {
      hint: "Use a version (3.12, or 3.13t for a free-threaded build), a specifier (>=3.10,<3.13), an implementation (cpython@3.12, pypy) or a path",
    },
  );
}

export function describeRequest(request: PythonRequest): string {
  switch (request.kind) {
    case "any":
      return "any Python";
    case "path":
      return request.path;
    case "version":
      return `${request.implementation ?? "Python"} ${request.parts.join(".")}${describeVariant(request.variant)}`;
    case "specifier":
      return `${request.implementation ?? "Python"}${request.specifier.toString() ? ` ${request.specifier}` : ""}${describeVariant(request.variant)}`;
  }
}

function describeVariant(variant: PythonVariant): string {
  return variant === "default" ? "" : ` (${variant === "gil" ? "with the GIL" : variant.replace("+", ", ")})`;
}

/** Is this interpreter a free-threaded build (PEP 703)? */
function isFreeThreaded(interpreter: Interpreter): boolean {
  return Boolean(interpreter.facts.config_vars.Py_GIL_DISABLED);
}

/** Is this interpreter a debug build (`--with-pydebug`)? */
function isDebug(interpreter: Interpreter): boolean {
  return Boolean(interpreter.facts.config_vars.Py_DEBUG) || interpreter.facts.has_gettotalrefcount;
}

/** The build variant an interpreter is, as uv names it after the version (`3.13.0+freethreaded`). */
export function variantOf(interpreter: Interpreter): PythonVariant {
  const freeThreaded = isFreeThreaded(interpreter);
  if (isDebug(interpreter)) return freeThreaded ? "freethreaded+debug" : "debug";
  return freeThreaded ? "freethreaded" : "default";
}

function matchesVariant(interpreter: Interpreter, variant: PythonVariant): boolean {
  const freeThreaded = isFreeThreaded(interpreter);
  switch (variant) {
    case "default": {
      const [major, minor] = interpreter.facts.version_info;
      return !freeThreaded || major > 3 || (major === 3 && minor >= 14);
    }
    case "gil":
      return !freeThreaded;
    case "freethreaded":
      return freeThreaded;
    case "debug":
      return !freeThreaded && isDebug(interpreter);
    case "freethreaded+debug":
      return freeThreaded && isDebug(interpreter);
  }
}

export function matchesRequest(interpreter: Interpreter, request: PythonRequest): boolean {
  const facts = interpreter.facts;
  if (request.kind === "any" || request.kind === "path") return true;
  if (request.implementation !== null && facts.implementation_name !== request.implementation) return false;
  if (!matchesVariant(interpreter, request.variant)) return false;
  if (request.kind === "version") {
    const info = facts.version_info;
    return request.parts.every((part, index) => info[index] === part);
  }
  return request.specifier.contains(facts.python_full_version, true);
}

/** Finds the interpreter for a request, or throws a SpiceError listing what exists. */
export function findInterpreter(
  request: PythonRequest,
  context: DiscoveryContext,
  options: InspectOptions,
): Interpreter {
  if (request.kind === "path") {
    let path = request.path;
    if (existsSync(path) && statSync(path).isDirectory()) {
      const inside = ["bin/python3", "bin/python"]
        .map((entry) => join(path, entry))
        .find((entry) => existsSync(entry));
      if (inside === undefined) {
        throw new SpiceError("E_INTERPRETER_NOT_FOUND", `No Python interpreter in the directory ${path}`, {
          hint: "Point --python at the interpreter itself (…/bin/python3) or at an environment directory",
        });
      }
      path = inside;
    }
    return inspectInterpreter(path, options);
  }
  for (const path of preferredCandidates(context)) {
    if (!nameAllows(realPathOf(path), request)) continue;
    let interpreter: Interpreter;
    try {
      interpreter = inspectInterpreter(path, options);
    } catch (error) {
      if (error instanceof SpiceError) continue; // discovery passes over it too
      throw error;
    }
    if (matchesRequest(interpreter, request)) return interpreter;
  }
  const narrowed = discoverInterpreters(context, options, (realPath) => !nameAllows(realPath, request));
  const chosen = chooseInterpreter(
    narrowed.interpreters.filter((interpreter) => matchesRequest(interpreter, request)),
    narrowed.defaultPython3,
  );
  if (chosen === null) {
    // What exists, all of it, for the message.
    const { interpreters } = discoverInterpreters(context, options);
    // Newest first, as `spice python list` shows them (discovery's order is where it looked).
    const newest = (a: DiscoveredInterpreter, b: DiscoveredInterpreter) => {
      const [x, y] = [a.facts.version_info, b.facts.version_info];
      return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
    };
    const found = [...interpreters]
      .sort(newest)
      .map(
        (interpreter) =>
          `${interpreter.facts.implementation_name}-${interpreter.facts.python_full_version} at ${interpreter.path}`,
      )
      .join("\n    ");
    throw new SpiceError("E_INTERPRETER_NOT_FOUND", `No interpreter found for ${describeRequest(request)}`, {
      cause:
        interpreters.length > 0 ? `spice found:\n    ${found}` : "spice found no Python interpreter at all",
      hint: "Install the version you need (for example with pyenv), or pass --python with a path",
    });
  }
  return chosen;
}

/**
 * Whether an executable named for its version (`python3.12`, `python3.13t`: what pyenv's and
 * Debian's `python3` links lead to) may be what a version request asks for. Unknown to spice's
 * cache, each candidate costs a process (about 30 ms), and a `python3.9` is no 3.12; a name
 * without the minor version (`python3`) says nothing, so it is inspected.
 */
function nameAllows(realPath: string, request: PythonRequest): boolean {
  if (request.kind !== "version") return true;
  const named = /^python(\d+)\.(\d+)[td]*$/.exec(basename(realPath));
  if (named === null) return true;
  const [major, minor] = request.parts;
  return Number(named[1]) === major && (minor === undefined || Number(named[2]) === minor);
}

/** Prefers the active environment, then what `python3` runs, then the newest version. */
function chooseInterpreter(
  matching: DiscoveredInterpreter[],
  defaultPython3: DiscoveredInterpreter | null,
): DiscoveredInterpreter | null {
  if (matching.length === 0) return null;
  const active = matching.find(
    (interpreter) =>
      interpreter.sources.includes("VIRTUAL_ENV") || interpreter.sources.includes("CONDA_PREFIX"),
  );
  if (active) return active;
  if (defaultPython3 && matching.includes(defaultPython3)) return defaultPython3;
  const nonVenv = matching.filter((interpreter) => !isVirtualEnvironment(interpreter));
  const pool = nonVenv.length > 0 ? nonVenv : matching;
  // The newest; of one version, a build with the GIL before a free-threaded one, as uv prefers.
  return [...pool].sort(
    (a, b) =>
      compareVersions(
        parseVersion(b.facts.python_full_version.replace(/\+$/, "")),
        parseVersion(a.facts.python_full_version.replace(/\+$/, "")),
      ) || Number(isFreeThreaded(a)) - Number(isFreeThreaded(b)),
  )[0];
}
