// The Python a project asks for when a command is not told which (uv's default request for `uv
// venv` and `uv python find`): the first request in a `.python-version` file in the current
// directory or a parent, else the nearest pyproject.toml's `requires-python`. The search stops at
// a project's root (the directory of its pyproject.toml), as uv's does. pyenv reads and writes the
// same file: a line naming an installed pyenv version (`3.11.7`, a pyenv-virtualenv name) is that
// version's interpreter, and `system`, pyenv's name for the Python outside it, asks for nothing.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { parseSpecifierSet } from "../standards/specifier.ts";
import { type DiscoveryContext, pyenvVersionDirectory } from "./discovery.ts";

export interface ProjectPythonRequest {
  /** A --python request: a version, a specifier, or an interpreter's path. */
  request: string;
  /** The request as the file writes it (a pyenv version's name, where `request` is its path). */
  written: string;
  /** Which file: `.python-version` or `pyproject.toml` (its `requires-python`). */
  kind: "python-version" | "requires-python";
  file: string;
  /** What asked for it: the file, and the line or key. */
  source: string;
}

/** The request a `.python-version` or pyproject.toml here makes, if any (see above). */
export function projectPythonRequest(context: DiscoveryContext): ProjectPythonRequest | null {
  return projectPythonRequests(context)[0] ?? null;
}

/** Both requests, the `.python-version`'s first, where there are (what `spice doctor` checks). */
export function projectPythonRequests(context: DiscoveryContext): ProjectPythonRequest[] {
  const found: ProjectPythonRequest[] = [];
  for (let directory = resolve(context.cwd); ; directory = dirname(directory)) {
    const versionFile = join(directory, ".python-version");
    if (found.length === 0 && existsSync(versionFile)) {
      const fromFile = versionFileRequest(versionFile, context.env);
      if (fromFile !== null) found.push(fromFile);
    }
    const pyproject = join(directory, "pyproject.toml");
    if (existsSync(pyproject)) {
      const required = requiresPythonRequest(pyproject);
      if (required !== null) found.push(required);
      return found;
    }
    if (dirname(directory) === directory) return found;
  }
}

function versionFileRequest(file: string, env: NodeJS.ProcessEnv): ProjectPythonRequest | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  for (const line of text.split(/\r?\n/)) {
    const request = line.trim();
    if (request === "" || request.startsWith("#")) continue;
    if (request === "system") return null;
    // A name pyenv has (not a prefix of one: `3.12` stays a request any 3.12 answers, as in uv).
    const pyenvVersion = pyenvVersionDirectory(request, env, false);
    return {
      request: pyenvVersion === null ? request : join(pyenvVersion, "bin", "python"),
      written: request,
      kind: "python-version",
      file,
      source: `${file} (${request})`,
    };
  }
  return null;
}

/** A project's `requires-python`; none where the file does not say or cannot be read. */
function requiresPythonRequest(file: string): ProjectPythonRequest | null {
  try {
    const document = parseToml(readFileSync(file, "utf8")) as { project?: { "requires-python"?: unknown } };
    const requiresPython = document.project?.["requires-python"];
    if (typeof requiresPython !== "string") return null;
    parseSpecifierSet(requiresPython);
    return {
      request: requiresPython,
      written: requiresPython,
      kind: "requires-python",
      file,
      source: `requires-python = "${requiresPython}" in ${file}`,
    };
  } catch {
    return null; // the project's own commands say what is wrong with it
  }
}
