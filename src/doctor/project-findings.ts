// The Python the project in the current directory asks for (its .python-version, its
// requires-python), against the one the environment runs: a venv made before the project moved
// to a new Python, or with whatever python3 was first on PATH, installs and tests against
// another Python than CI and colleagues use, and one below requires-python cannot take the
// project at all.

import { projectPythonRequests } from "../python/project-python.ts";
import { matchesRequest, type PythonRequest, parsePythonRequest } from "../python/request.ts";
import type { Examination, Finding } from "./findings.ts";

/** The project's Python request against the environment's Python. */
export function projectPythonFindings({ context, environment, facts }: Examination): Finding[] {
  return projectPythonRequests(context).flatMap((asked): Finding[] => {
    let request: PythonRequest;
    try {
      request = parsePythonRequest(asked.written);
    } catch {
      return []; // a pyenv name spice cannot read as a version: pyenv's own finding covers a missing one
    }
    if (request.kind === "any" || request.kind === "path" || matchesRequest(environment.interpreter, request))
      return [];
    const runs = `${environment.root} runs Python ${facts.python_full_version}`;
    const remake = `spice venv --clear ${environment.kind === "venv" ? environment.root : ".venv"}, then install again`;
    return asked.kind === "requires-python"
      ? [
          {
            severity: "error",
            code: "requires-python-unmet",
            message: `${asked.file} requires Python ${asked.written}, but ${runs}`,
            why: "installing the project there fails, and its code may use what this Python lacks",
            fix: `${remake} with a Python it allows`,
          },
        ]
      : [
          {
            severity: "warning",
            code: "python-version-mismatch",
            message: `${asked.file} asks for Python ${asked.written}, but ${runs}`,
            why: "packages are resolved and tests run for another Python than the project pins (and CI, pyenv and uv use)",
            fix: `${remake} (spice venv reads .python-version)`,
          },
        ];
  });
}
