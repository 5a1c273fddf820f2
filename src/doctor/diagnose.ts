// Why "it works on my machine" imports the wrong package: which interpreters `python` and `pip`
// really are, whether the active environment is the one in use, what leaks into it from outside,
// what shadows what, and which installed distributions are broken. Each finding says what was
// found, why it matters, and the command that fixes it.

import type { DiscoveryContext } from "../python/discovery.ts";
import type { Environment } from "../python/environment.ts";
import { distributionFindings } from "./distribution-findings.ts";
import { environmentFindings } from "./environment-findings.ts";
import type { Examination, Finding, PipSettings } from "./findings.ts";
import { currentDirectoryFindings, importPath, shadowingFindings } from "./import-path.ts";
import { projectPythonFindings } from "./project-findings.ts";
import { pathCommands, pathFindings, variableFindings } from "./shell.ts";

export type { Finding, Severity } from "./findings.ts";

export interface DiagnoseInput {
  context: DiscoveryContext;
  environment: Environment | null;
  /** Why this environment was chosen (or why none was). */
  reason: string;
  /** pip's settings for `pip install` (its variables and configuration files). */
  pipInstall: PipSettings;
  /** The finding that the environment asked for exists but cannot be examined, if so. */
  unusable: Finding | null;
  /**
   * Whether `spice pip` finds this environment by itself here (the active VIRTUAL_ENV or
   * CONDA_PREFIX, the nearest .venv); if not, the fixes name it with --python.
   */
  foundByDefault: boolean;
}

export function diagnose({
  context,
  environment,
  reason,
  pipInstall,
  unusable,
  foundByDefault,
}: DiagnoseInput): Finding[] {
  const commands = pathCommands(context);
  const findings = [
    ...pathFindings(commands, context.env),
    ...variableFindings(context.env, commands, pipInstall),
  ];
  if (environment === null) {
    findings.push(
      unusable ?? {
        severity: "info",
        code: "no-environment",
        message: `No environment to examine: ${reason}`,
        why: "only PATH and variables were checked",
        fix: "spice doctor --python PATH",
      },
    );
    return findings;
  }
  const examination: Examination = {
    context,
    env: context.env,
    environment,
    facts: environment.interpreter.facts,
    commands,
    // A fix changes the environment examined, not whichever one `spice pip` would find here.
    spicePip: (words) =>
      foundByDefault ? `spice pip ${words}` : `spice pip ${words} --python ${environment.python}`,
  };
  const { searchPath, origins, findings: pthFindings } = importPath(examination);
  return [
    ...findings,
    ...environmentFindings(examination),
    ...projectPythonFindings(examination),
    ...pthFindings,
    ...shadowingFindings(searchPath, origins),
    ...currentDirectoryFindings(examination, searchPath),
    ...distributionFindings(examination, searchPath, origins),
  ];
}
