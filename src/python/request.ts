// What a user may ask for with `--python`: a version (`3.12`, `3.11.7`), a specifier
// (`>=3.10,<3.13`), an implementation (`cpython@3.12`, `pypy`, `cp312`), or a path.

import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { InvalidSpecifier, parseSpecifierSet, type SpecifierSet } from "../standards/specifier.ts";
import { compareVersions, parseVersion } from "../standards/version.ts";
import { SpiceError } from "../util/error.ts";
import { type DiscoveredInterpreter, type DiscoveryContext, discoverInterpreters } from "./discovery.ts";
import {
  type InspectOptions,
  type Interpreter,
  inspectInterpreter,
  isVirtualEnvironment,
} from "./interpreter.ts";

export type PythonRequest =
  | { kind: "any" }
  | { kind: "path"; path: string }
  | { kind: "version"; implementation: string | null; parts: number[] }
  | { kind: "specifier"; implementation: string | null; specifier: SpecifierSet };

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
  if (request.includes("/") || request.startsWith(".") || request.startsWith("~")) {
    const expanded = request.startsWith("~") ? join(homedir(), request.slice(1)) : request;
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
  const lower = request.toLowerCase();
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
  if (rest === "") return { kind: "specifier", implementation, specifier: parseSpecifierSet("") };
  if (/^\d+(\.\d+){0,2}$/.test(rest))
    return { kind: "version", implementation, parts: rest.split(".").map(Number) };
  try {
    return { kind: "specifier", implementation, specifier: parseSpecifierSet(rest) };
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
      hint: "Use a version (3.12), a specifier (>=3.10,<3.13), an implementation (cpython@3.12, pypy) or a path",
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
      return `${request.implementation ?? "Python"} ${request.parts.join(".")}`;
    case "specifier":
      return `${request.implementation ?? "Python"}${request.specifier.toString() ? ` ${request.specifier}` : ""}`;
  }
}

export function matchesRequest(interpreter: Interpreter, request: PythonRequest): boolean {
  const facts = interpreter.facts;
  if (request.kind === "any" || request.kind === "path") return true;
  if (request.implementation !== null && facts.implementation_name !== request.implementation) return false;
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
  const { interpreters, defaultPython3 } = discoverInterpreters(context, options);
  const matching = interpreters.filter((interpreter) => matchesRequest(interpreter, request));
  const chosen = chooseInterpreter(matching, defaultPython3);
  if (chosen === null) {
    const found = interpreters
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
  return [...pool].sort((a, b) =>
    compareVersions(
      parseVersion(b.facts.python_full_version.replace(/\+$/, "")),
      parseVersion(a.facts.python_full_version.replace(/\+$/, "")),
    ),
  )[0];
}
