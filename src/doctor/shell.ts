// What the shell hands every Python: the commands on PATH (is `pip` the `python`'s, `python3`
// the same as `python`?), the active environment variable, and variables that change imports,
// HTTPS, or where every pip install goes.

import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { commandOnPath, type DiscoveryContext, pyenvHas, pyenvSelection } from "../python/discovery.ts";
import { readPyvenvCfg } from "../python/pyvenv-cfg.ts";
import { namesIn } from "../util/fs.ts";
import { someOf } from "../util/plural.ts";
import { strtobool } from "../util/strtobool.ts";
import {
  type Finding,
  type PathCommands,
  type PipSettings,
  realPath,
  shebangInterpreter,
} from "./findings.ts";

export function pathCommands(context: DiscoveryContext): PathCommands {
  const tools: PathCommands["tools"] = {};
  const deadShims: PathCommands["deadShims"] = [];
  for (const name of ["python", "python3", "pip", "pip3"]) {
    const command = commandOnPath(name, context);
    tools[name] = command?.runs ?? undefined;
    // A pyenv shim leading nowhere: running it fails.
    if (command !== null && command.runs === null) deadShims.push({ name, shim: command.found });
  }
  return {
    tools,
    pythonPath: tools.python ?? tools.python3,
    deadShims,
    pyenv: deadShims.length === 0 ? null : pyenvSelection(context),
  };
}

/** 1. What the commands on PATH really are. */
export function pathFindings(
  { tools, pythonPath, deadShims, pyenv }: PathCommands,
  env: NodeJS.ProcessEnv,
): Finding[] {
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
  // pyenv's shim runs, and fails: the version chosen here is not installed, or lacks the command.
  if (pyenv !== null && deadShims.length > 0) {
    const missing = pyenv.versions.filter((version) => version !== "system" && !pyenvHas(version, env));
    const names = someOf(
      deadShims.map(({ name }) => `\`${name}\``),
      4,
    );
    const chosen = `${pyenv.versions.join(", ")} (chosen by ${pyenv.source})`;
    found({
      severity: "error",
      code: "pyenv-version-missing",
      message: `${names} on PATH ${deadShims.length === 1 ? "is pyenv's shim" : "are pyenv's shims"} (${dirname(deadShims[0].shim)}), and ${
        missing.length > 0
          ? `pyenv's version here, ${chosen}, is not installed`
          : `pyenv's version here, ${chosen}, has no ${deadShims.length === 1 ? "such command" : "such commands"}`
      }`,
      why: `running ${names} here fails (pyenv: "version is not installed" or "command not found"), and so does every script whose #! line names ${deadShims.length === 1 ? "it" : "them"}`,
      fix: `${missing.length > 0 ? `pyenv install ${missing[0]}, or choose` : "choose"} an installed version (\`pyenv versions\` lists them): ${
        pyenv.source === "PYENV_VERSION"
          ? "set PYENV_VERSION to one, or unset it"
          : pyenv.source.endsWith(".python-version")
            ? `\`pyenv local VERSION\` rewrites ${pyenv.source}`
            : `\`pyenv global VERSION\` ${isAbsolute(pyenv.source) ? `rewrites ${pyenv.source}` : "sets one"}`
      }`,
    });
  }
  const pythonReal = pythonPath ? realPath(pythonPath) : null;
  // Two names, two interpreters: `#!/usr/bin/env python` and `python3 -m pip` part ways.
  const { python, python3 } = tools;
  if (python && python3 && dirname(python) !== dirname(python3) && realPath(python) !== realPath(python3)) {
    found({
      severity: "warning",
      code: "python-python3-mismatch",
      message: `\`python\` runs ${python}, but \`python3\` runs ${python3}`,
      why: "a script starting `#!/usr/bin/env python` and one starting `#!/usr/bin/env python3` (or `python3 -m pip`) use different interpreters, each with its own packages",
      fix: "put the bin directory of the one you mean first on PATH (or activate its environment), so that both names run it",
    });
  }
  for (const pipName of ["pip", "pip3"]) {
    const pip = tools[pipName];
    if (!pip || !pythonPath) continue;
    const interpreter = shebangInterpreter(pip);
    if (interpreter === null) continue;
    if (isAbsolute(interpreter) && !existsSync(interpreter)) {
      found({
        severity: "error",
        code: "pip-interpreter-missing",
        message: `\`${pipName}\` (${pip}) runs ${interpreter}, which does not exist`,
        why: `\`${pipName}\` fails with "bad interpreter": the Python it was installed with was removed or moved since (a deleted venv or pyenv version, an upgraded system Python)`,
        fix: `remove ${pip}, and install with \`python -m pip\` or \`spice pip ... --python ${pythonPath}\``,
      });
      continue;
    }
    const pipPrefix = dirname(dirname(interpreter));
    const pythonPrefix = dirname(dirname(pythonPath));
    if (realPath(interpreter) !== pythonReal || pipPrefix !== pythonPrefix) {
      found({
        severity: "warning",
        code: "pip-python-mismatch",
        message: `\`${pipName}\` (${pip}) installs into ${interpreter}, but \`${tools.python ? "python" : "python3"}\` runs ${pythonPath}`,
        why: `packages installed with \`${pipName} install\` will not be importable from \`python\`: the classic "installed it but import fails"`,
        fix: venvWithoutPip(pythonPath)
          ? `its environment has no pip, so \`python -m pip\` fails there too: install with \`spice pip ... --python ${pythonPath}\` (or give it pip: \`spice pip install --python ${pythonPath} pip\`)`
          : `use \`python -m pip\` (or \`spice pip ... --python ${pythonPath}\`) so the installer and the interpreter are the same`,
      });
    }
  }
  return findings;
}

/**
 * Whether `python` belongs to a virtual environment that cannot import pip: spice's venvs have
 * none unless seeded, and one that sees its base's packages may import the base's.
 */
function venvWithoutPip(pythonPath: string): boolean {
  const root = dirname(dirname(pythonPath));
  const config = readPyvenvCfg(root);
  if (config === null || (config.get("include-system-site-packages") ?? "").toLowerCase() === "true")
    return false;
  const lib = join(root, "lib");
  return !namesIn(lib).some(
    (name) => name.startsWith("python") && existsSync(join(lib, name, "site-packages", "pip", "__init__.py")),
  );
}

/** 2. The active environment against the interpreter in use, and variables every Python reads. */
export function variableFindings(
  env: NodeJS.ProcessEnv,
  { pythonPath }: PathCommands,
  pipInstall: PipSettings,
): Finding[] {
  const findings: Finding[] = [];
  const found = (finding: Finding) => findings.push(finding);
  if (env.VIRTUAL_ENV) {
    if (!existsSync(join(env.VIRTUAL_ENV, "pyvenv.cfg"))) {
      found({
        severity: "error",
        code: "virtual-env-missing",
        message: `VIRTUAL_ENV is ${env.VIRTUAL_ENV}, which is not a virtual environment (no pyvenv.cfg)`,
        why: "tools that honour VIRTUAL_ENV act on a directory that is gone or was never a venv",
        fix: `deactivate, or recreate it: spice venv ${env.VIRTUAL_ENV}`,
      });
    } else if (pythonPath && !resolve(pythonPath).startsWith(`${resolve(env.VIRTUAL_ENV)}/`)) {
      found({
        severity: "warning",
        code: "virtual-env-inactive",
        message: `VIRTUAL_ENV is ${env.VIRTUAL_ENV}, but \`python\` on PATH is ${pythonPath}`,
        why: "the environment you think is active is not the one `python` runs: PATH was changed after activation",
        fix: `run \`source ${env.VIRTUAL_ENV}/bin/activate\` again, or call ${env.VIRTUAL_ENV}/bin/python directly`,
      });
    }
  }
  for (const variable of ["PYTHONPATH", "PYTHONHOME"]) {
    if (env[variable]) {
      found({
        severity: "warning",
        code: `${variable.toLowerCase()}-set`,
        message: `${variable} is set (${env[variable]})`,
        why:
          variable === "PYTHONPATH"
            ? "its directories come before site-packages: modules there shadow the installed ones in every environment"
            : "it overrides where Python finds its standard library, for every interpreter",
        fix: `unset ${variable}`,
      });
    }
  }
  // pip's settings (its variables or its configuration files) that send every install elsewhere
  // than the environment (spice pip reads them too): packages land where its python never looks.
  const elsewhere: Array<[string, string]> = [
    ["target", "into that directory, importable only where it is put on sys.path"],
    ["prefix", "under that prefix, which no interpreter here searches unless told to"],
    ["root", "under that directory as if it were /, a staging tree no interpreter searches"],
    ["user", "into the user site (~/.local), and refuse inside a venv"],
  ];
  for (const [option, where] of elsewhere) {
    const setting = pipInstall.get(option);
    if (
      setting === undefined ||
      setting.value === "" ||
      (option === "user" && strtobool(setting.value) !== true)
    )
      continue;
    // A variable's name has no spaces; a file's source is `FILE [SECTION]`.
    const variable = !setting.source.includes(" ");
    found({
      severity: "warning",
      code: "pip-installs-elsewhere",
      message: `${variable ? `${setting.source} is set (${setting.value})` : `${option} = ${setting.value} in ${setting.source}`}: pip and spice pip install ${where}`,
      why:
        option === "user"
          ? "what is installed is importable from that interpreter for this user only, and installs into a venv fail"
          : 'a package installed with `pip install` is then not importable from the environment: the classic "installed it but import fails"',
      fix: `${variable ? `unset ${setting.source}` : `remove ${option} from ${setting.source}`} (and pass --${option} where you mean it)`,
    });
  }
  // CA certificates named where there are none: every HTTPS request of pip (through requests),
  // curl and spice to an index then fails, a container's usual "certificate verify failed".
  for (const variable of [
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "PIP_CERT",
    "SSL_CERT_DIR",
  ]) {
    const paths = variable === "SSL_CERT_DIR" ? (env[variable] ?? "").split(":") : [env[variable] ?? ""];
    const missing = paths.filter((path) => path !== "" && !existsSync(path));
    if (missing.length === 0) continue;
    found({
      severity: "warning",
      code: "ca-certificates-missing",
      message: `${variable} names ${missing.join(", ")}, which does not exist`,
      why: "pip (through requests), curl and spice look for the CA certificates of HTTPS there: requests to an index fail with a certificate error",
      fix: `unset ${variable}, or point it at the CA certificates (on Debian and Ubuntu: /etc/ssl/certs/ca-certificates.crt)`,
    });
  }
  return findings;
}
