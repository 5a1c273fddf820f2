// `spice pip debug [--verbose] [--platform ...] [--python-version ...]`: what pip's debug command
// shows that spice knows without running Python (the environment's interpreter, from its cached
// inspection) and, above all, the wheel tags it installs, in the order it prefers them: what
// `pip debug --verbose` is run for when a wheel is not taken.

import { foreignTarget, isForeign } from "../../python/target.ts";
import { pyRepr } from "../../standards/python-string.ts";
import { flag, type ParsedArgs } from "../args.ts";
import { selectFromArgs } from "../environment-options.ts";
import { type CommandContext, VERSION } from "../main.ts";
import { PIP_VERSION } from "../pip-format.ts";
import { foreignTargetOptions } from "../resolver-flags.ts";

/** pip's shown tags without --verbose. */
const SHOWN_TAGS = 10;

/** Python's repr() of a string or a list of them, as pip's format_given prints them. */
function repr(value: string | readonly string[]): string {
  return typeof value === "string" ? pyRepr(value) : `[${value.map(pyRepr).join(", ")}]`;
}

export function pipDebug(args: ParsedArgs, context: CommandContext): number {
  const { environment } = selectFromArgs(args, context, false);
  const facts = environment.interpreter.facts;
  const options = foreignTargetOptions(args, context.env);
  const { tags } = foreignTarget(environment.interpreter, options);
  context.output.warn(
    "This command is only meant for debugging. Do not use this with automation for parsing and getting these details, since the output and options of this command may change without notice.",
  );
  const lines = [
    `spice version: spice ${VERSION} (pip ${PIP_VERSION}'s interface)`,
    `python version: ${facts.python_full_version}`,
    `sys.executable: ${facts.executable}`,
    `sys.platform: ${facts.markers.sys_platform}`,
    "sys.implementation:",
    `  name: ${facts.implementation_name}`,
  ];
  // What the options asked for, as pip's TargetPython.format_given says it.
  const given: string[] = [];
  const { platforms = [], pythonVersion, abis = [], implementation } = options;
  if (platforms.length > 0) given.push(`platforms=${repr(platforms)}`);
  if (pythonVersion) given.push(`version_info=${repr(pythonVersion)}`);
  if (abis.length > 0) given.push(`abis=${repr(abis)}`);
  if (implementation) given.push(`implementation=${repr(implementation)}`);
  lines.push(`Compatible tags: ${tags.length}${isForeign(options) ? ` (target: ${given.join(" ")})` : ""}`);
  const all = flag(args, "verbose");
  lines.push(...(all ? tags : tags.slice(0, SHOWN_TAGS)).map((tag) => `  ${tag}`));
  if (!all && tags.length > SHOWN_TAGS)
    lines.push("  ...", `  [First ${SHOWN_TAGS} tags shown. Pass --verbose to show all.]`);
  context.output.data(lines.join("\n"));
  return 0;
}
