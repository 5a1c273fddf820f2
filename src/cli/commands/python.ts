// `spice python list` and `spice python find`: which interpreters exist, and which one a request
// selects.

import { type DiscoveredInterpreter, discoverInterpretersSideBySide } from "../../python/discovery.ts";
import { architecture, isVirtualEnvironment, libcName } from "../../python/interpreter.ts";
import { findInterpreter, parsePythonRequest, variantOf } from "../../python/request.ts";
import { compareVersions, parseVersion } from "../../standards/version.ts";
import { UsageError } from "../../util/error.ts";
import { oneOf, type ParsedArgs, subcommandError, value } from "../args.ts";
import { findProjectInterpreter, NO_CONFIG_OPTION, projectRequest } from "../environment-options.ts";
import type { CommandContext, CommandModule } from "../main.ts";

function sortKey(interpreter: DiscoveredInterpreter) {
  return parseVersion(interpreter.facts.python_full_version.replace(/\+$/, ""));
}

function platformName(interpreter: DiscoveredInterpreter): string {
  return interpreter.facts.sysconfig_platform.split("-")[0];
}

/** uv's spelling of a build variant in an interpreter's name: `cpython-3.13.0+freethreaded-...`. */
function variantName(interpreter: DiscoveredInterpreter): string {
  const variant = variantOf(interpreter);
  return variant === "default" ? "" : `+${variant}`;
}

async function list(args: ParsedArgs, context: CommandContext): Promise<number> {
  const format = oneOf("format", value(args, "format"), ["text", "json"], "text");
  const { interpreters, skipped, defaultPython3 } = await discoverInterpretersSideBySide(
    { env: context.env, cwd: context.cwd },
    { cacheDir: context.cacheDir },
  );
  for (const { candidate, reason } of skipped) context.output.verbose(`skipped ${candidate.path}: ${reason}`);
  const sorted = [...interpreters].sort(
    (a, b) =>
      a.facts.implementation_name.localeCompare(b.facts.implementation_name) ||
      compareVersions(sortKey(b), sortKey(a)),
  );
  if (format === "json") {
    const rows = sorted.map((interpreter) => ({
      implementation: interpreter.facts.implementation_name,
      version: interpreter.facts.python_full_version,
      version_info: interpreter.facts.version_info,
      variant: variantOf(interpreter),
      architecture: architecture(interpreter),
      os: platformName(interpreter),
      libc: libcName(interpreter),
      path: interpreter.path,
      real_path: interpreter.realPath,
      prefix: interpreter.facts.prefix,
      base_prefix: interpreter.facts.base_prefix,
      virtual_environment: isVirtualEnvironment(interpreter),
      externally_managed: interpreter.facts.externally_managed,
      sources: interpreter.sources,
      default_python3: interpreter === defaultPython3,
    }));
    context.output.data(JSON.stringify(rows, null, 2));
    return 0;
  }
  const names = sorted.map(
    (interpreter) =>
      `${interpreter.facts.implementation_name}-${interpreter.facts.python_full_version}${variantName(interpreter)}-${platformName(interpreter)}-${architecture(interpreter)}-${libcName(interpreter)}`,
  );
  const width = Math.max(0, ...names.map((name) => name.length));
  const lines = sorted.map((interpreter, index) => {
    const notes: string[] = [];
    if (interpreter === defaultPython3) notes.push("python3 on PATH");
    if (isVirtualEnvironment(interpreter)) notes.push("virtual environment");
    if (interpreter.facts.externally_managed) notes.push("externally managed");
    const suffix = notes.length > 0 ? context.output.dim(`  (${notes.join(", ")})`) : "";
    return `${names[index].padEnd(width)}  ${interpreter.path}${suffix}`;
  });
  if (lines.length === 0) context.output.info("No Python interpreters found");
  else context.output.data(lines.join("\n"));
  return 0;
}

function find(args: ParsedArgs, context: CommandContext): number {
  if (args.positionals.length > 2) throw new UsageError("spice python find takes at most one request");
  const inspect = { cacheDir: context.cacheDir };
  const project = args.positionals[1] === undefined ? projectRequest(args, context) : undefined;
  const interpreter =
    project === undefined
      ? findInterpreter(
          parsePythonRequest(args.positionals[1]),
          { env: context.env, cwd: context.cwd },
          inspect,
        )
      : findProjectInterpreter(project, context, inspect);
  context.output.data(interpreter.path);
  context.output.verbose(
    `${interpreter.facts.implementation_name} ${interpreter.facts.python_full_version} (${interpreter.realPath})`,
  );
  return 0;
}

export const command: CommandModule = {
  usage: "spice python list [--format text|json]\n       spice python find [REQUEST]",
  subcommands: ["list", "find"],
  options: [
    { name: "format", value: "text|json", help: "Output format of `list` (json for other tools)" },
    NO_CONFIG_OPTION,
  ],
  details: [
    "REQUEST is a version (3.12, 3.11.7), a specifier (>=3.10,<3.13), an implementation",
    "(cpython@3.12, pypy, cp312) or a path to an interpreter or environment. A build variant",
    "follows a version, in uv's spelling: 3.13t or 3.13+freethreaded (PEP 703), 3.12d or",
    "+debug, 3.14+gil. Without one, a free-threaded build is taken only from 3.14 on.",
    "Without REQUEST, `find` takes the one a .python-version file here or in a parent asks",
    "for, else the project's requires-python (pyproject.toml), as uv does.",
    "Interpreters are inspected once and the facts cached (see --no-cache).",
  ].join("\n"),
  run(args, context) {
    const sub = args.positionals[0];
    if (sub === "list") return list(args, context);
    if (sub === "find") return find(args, context);
    throw subcommandError(
      "python",
      sub,
      ["list", "find"],
      "Run `spice python --help`",
      "spice python needs a subcommand: list or find",
    );
  },
};
