// spice doctor: which Python and packages are really in use, and what is wrong.

import { resolve } from "node:path";
import { diagnose, type Finding } from "../../doctor/diagnose.ts";
import type { PipSettings } from "../../doctor/findings.ts";
import type { Environment } from "../../python/environment.ts";
import { venvWithoutConfig } from "../../python/select.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { plural } from "../../util/plural.ts";
import { flag, type ParsedArgs, value } from "../args.ts";
import {
  ENVIRONMENT_OPTIONS,
  passedOverParts,
  pythonOption,
  selectFromArgs,
} from "../environment-options.ts";
import type { CommandContext, CommandModule } from "../main.ts";
import { pipSettings } from "../pip-config.ts";

/** An error finding from a failure: its message, its cause (else `why`) and its hint (else `fix`). */
function errorFinding(
  code: string,
  error: SpiceError,
  otherwise: { why: string; fix: string; consequence?: string },
): Finding {
  const cause = error.details.cause ?? otherwise.why;
  return {
    severity: "error",
    code,
    message: error.message,
    why: otherwise.consequence === undefined ? cause : `${cause}: ${otherwise.consequence}`,
    fix: error.details.hint ?? otherwise.fix,
  };
}

function run(args: ParsedArgs, context: CommandContext): number {
  const format = value(args, "format") ?? "text";
  let environment: Environment | null = null;
  let reason: string;
  let discovered = false;
  let passedOver: Finding | null = null;
  let unusable: Finding | null = null;
  try {
    const selection = selectFromArgs(
      { ...args, options: new Map([...args.options, ["system", args.options.get("system") ?? true]]) },
      context,
      false,
      { warn: false },
    );
    environment = selection.environment;
    reason = selection.reason;
    discovered = selection.discovered === true;
    if (selection.passedOver !== undefined) {
      const { variable, other, deactivate } = passedOverParts(selection, context.cwd);
      passedOver = {
        severity: "warning",
        code: "active-env-elsewhere",
        message: `the active ${variable} is ${selection.environment.root}, not ${other} here`,
        why: `what \`spice pip\`, \`uv pip\` and the activated \`pip\` install goes there, and this directory's code, run with ${other}, will not import it`,
        fix: `\`${deactivate}\`, or pass --python ${other} to act on that one`,
      };
    }
  } catch (error) {
    // A mistyped --python fails as in every other command: it is no finding about an environment.
    if (
      !(error instanceof SpiceError) ||
      error instanceof UsageError ||
      error.code === "E_INVALID_PYTHON_REQUEST"
    )
      throw error;
    reason = error.message;
    // None found is a finding about this place; one found that cannot run (a venv whose Python was
    // removed, as a multi-stage image that copied the venv alone has it) is what doctor is for.
    if (error.code !== "E_NO_ENVIRONMENT" && error.code !== "E_NO_PYTHON")
      unusable = errorFinding("environment-unusable", error, {
        why: "spice cannot examine an environment whose Python does not run",
        fix: "spice python list shows the interpreters there are",
      });
  }
  // pip's configuration, as `pip install` (and spice pip) would read it for this environment; a
  // file pip cannot load makes every pip command fail.
  let pipInstall: PipSettings = new Map();
  let unloadable: Finding | null = null;
  try {
    pipInstall = pipSettings(context.env, environment?.root ?? null, "install");
  } catch (error) {
    if (!(error instanceof SpiceError)) throw error;
    unloadable = errorFinding("pip-config-unloadable", error, {
      why: "pip cannot read it",
      fix: `fix ${error.message}`,
      consequence: "every pip command fails on it, and spice pip's too",
    });
  }
  const findings = diagnose({
    context: { env: context.env, cwd: context.cwd },
    environment,
    reason,
    pipInstall,
    unusable,
    foundByDefault: discovered,
  });
  if (passedOver !== null) findings.unshift(passedOver);
  if (unloadable !== null) findings.unshift(unloadable);
  // --python through a venv that lost its pyvenv.cfg: what doctor describes is the global Python.
  const python = pythonOption(args, context);
  const lost =
    environment === null || python === undefined
      ? null
      : venvWithoutConfig(environment, resolve(context.cwd, python));
  if (environment !== null && lost !== null)
    findings.unshift({
      severity: "error",
      code: "venv-without-config",
      message: `${lost} looks like a virtual environment, but has no pyvenv.cfg`,
      why: `its bin/python runs as the Python at ${environment.root}: it imports that Python's packages, and pip run with it installs there`,
      fix: `spice venv --clear ${lost}, then install its packages again`,
    });
  const strict = flag(args, "strict");
  const failing = findings.filter(
    (finding) => finding.severity === "error" || (strict && finding.severity === "warning"),
  );
  if (format === "json") {
    context.output.data(
      JSON.stringify(
        {
          environment: environment && {
            root: environment.root,
            kind: environment.kind,
            python: environment.python,
            version: environment.interpreter.facts.python_full_version,
          },
          findings,
          ok: failing.length === 0,
        },
        null,
        2,
      ),
    );
    return failing.length === 0 ? 0 : 1;
  }
  if (environment) {
    context.output.data(
      `Environment: ${environment.root} (${environment.kind}, Python ${environment.interpreter.facts.python_full_version}, chosen by ${reason})`,
    );
  }
  const paint = (finding: Finding) =>
    finding.severity === "error"
      ? context.output.red("error")
      : finding.severity === "warning"
        ? context.output.paint("warning", "33")
        : context.output.dim("info");
  for (const finding of findings) {
    context.output.data(`${paint(finding)}: ${finding.message}`);
    context.output.data(`  why: ${finding.why}`);
    if (finding.fix) context.output.data(`  fix: ${finding.fix}`);
  }
  const counts = ["error", "warning"].map(
    (severity) => findings.filter((finding) => finding.severity === severity).length,
  );
  context.output.data(
    findings.length === 0
      ? "No problems found."
      : `${plural(counts[0], "error")}, ${plural(counts[1], "warning")}`,
  );
  return failing.length === 0 ? 0 : 1;
}

export const command: CommandModule = {
  usage: "spice doctor [--python PYTHON] [--format text|json] [--strict]",
  options: [
    // doctor changes nothing, so PEP 668's --break-system-packages has nothing to allow.
    ...ENVIRONMENT_OPTIONS.filter((spec) => spec.name !== "break-system-packages"),
    { name: "format", value: "text|json", help: "Output format (json for CI)" },
    { name: "strict", help: "Exit 1 on warnings too (for CI and Docker builds: RUN spice doctor --strict)" },
  ],
  details:
    "Without --python it examines the active environment (VIRTUAL_ENV, a conda environment other than base, .venv), else the python3 on PATH.",
  run,
};
