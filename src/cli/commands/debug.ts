// `spice debug`: how spice reads a requirements file, orders versions and applies specifiers.
// Useful to see why an install picks what it picks, and the same code the installer runs.

import { readRequirementsFile } from "../../standards/requirements-txt.ts";
import { parseSpecifierSet } from "../../standards/specifier.ts";
import { compareVersions, tryParseVersion, type Version } from "../../standards/version.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { type ParsedArgs, subcommandError, value } from "../args.ts";
import type { CommandContext, CommandModule } from "../main.ts";
import { requirementsFileHost, withFetchedRequirementFiles } from "../requirement-input.ts";

async function requirements(args: ParsedArgs, context: CommandContext): Promise<number> {
  const file = args.positionals[1];
  if (file === undefined)
    throw new UsageError(
      "spice debug requirements needs a file",
      "spice debug requirements requirements.txt",
    );
  const format = value(args, "format") ?? "text";
  const result = await withFetchedRequirementFiles(args, context, () =>
    readRequirementsFile(file, requirementsFileHost(context), args.options.get("constraint") === true),
  );
  if (result.error !== null && result.error.stage === "file") {
    throw new SpiceError("E_REQUIREMENTS_FILE", result.error.message.split("\n")[0], {
      cause: result.error.message.split("\n").slice(1).join(" ").trim() || undefined,
      hint: "Fix the line named above; spice reads requirements files exactly as pip does",
    });
  }
  if (format === "json") {
    context.output.data(
      JSON.stringify(
        {
          requirements: result.entries.map((entry) => ({
            file: entry.parsed.file,
            line: entry.parsed.line,
            requirement: entry.parsed.requirement,
            editable: entry.parsed.editable,
            constraint: entry.parsed.constraint,
            options: entry.parsed.options,
            install: entry.installRequirement,
            error: entry.error === null ? null : { type: entry.error.type, message: entry.error.message },
          })),
          options: result.options && {
            ...result.options,
            noBinary: [...result.options.noBinary].sort(),
            onlyBinary: [...result.options.onlyBinary].sort(),
          },
        },
        null,
        2,
      ),
    );
    return result.error === null ? 0 : 1;
  }
  for (const entry of result.entries) {
    const where = context.output.dim(`${entry.parsed.file}:${entry.parsed.line}`);
    const install = entry.installRequirement;
    if (install === null) {
      context.output.data(`${where}  ${context.output.red("error")} ${entry.error?.message.split("\n")[0]}`);
      continue;
    }
    const parts = [install.name ?? "(unnamed)"];
    if (install.extras.length > 0) parts[0] += `[${install.extras.join(",")}]`;
    if (install.specifier) parts.push(install.specifier);
    if (install.link) parts.push(`@ ${install.link}`);
    if (install.markers) parts.push(`; ${install.markers}`);
    const flags = [
      install.editable ? "editable" : "",
      install.constraint ? "constraint" : "",
      Object.keys(install.hashOptions).length > 0 ? "hashed" : "",
    ]
      .filter(Boolean)
      .join(", ");
    context.output.data(`${where}  ${parts.join(" ")}${flags ? context.output.dim(`  (${flags})`) : ""}`);
  }
  const options = result.options!;
  if (options.indexUrls.length > 0) context.output.info(`index URLs: ${options.indexUrls.join(", ")}`);
  if (options.findLinks.length > 0) context.output.info(`find links: ${options.findLinks.join(", ")}`);
  if (options.noIndex) context.output.info("no index");
  return result.error === null ? 0 : 1;
}

function versions(args: ParsedArgs, context: CommandContext): number {
  const texts = args.positionals.slice(1);
  if (texts.length === 0)
    throw new UsageError(
      "spice debug versions needs versions",
      "spice debug versions 1.0 1.0rc1 1.0.post1 --spec '>=1.0'",
    );
  const parsed: Array<[string, Version]> = [];
  for (const text of texts) {
    const version = tryParseVersion(text);
    if (version === null)
      throw new SpiceError("E_INVALID_VERSION", `'${text}' is not a valid PEP 440 version`);
    parsed.push([text, version]);
  }
  parsed.sort((a, b) => compareVersions(a[1], b[1]));
  const specText = value(args, "spec");
  const spec = specText === undefined ? null : parseSpecifierSet(specText);
  const allowed = spec === null ? null : new Set(spec.filter(parsed.map(([text]) => text)));
  for (const [text, version] of parsed) {
    const mark =
      allowed === null
        ? ""
        : allowed.has(text)
          ? context.output.green("  ✓ matches")
          : context.output.dim("  ✗");
    const normalized = version.toString() === text ? "" : context.output.dim(`  (${version})`);
    context.output.data(`${text}${normalized}${mark}`);
  }
  return 0;
}

export const command: CommandModule = {
  subcommands: ["requirements", "versions"],
  usage:
    "spice debug requirements FILE [--format text|json] [--constraint]\n       spice debug versions VERSION... [--spec SPECIFIERS]",
  options: [
    { name: "format", value: "text|json", help: "Output format of `requirements`" },
    { name: "constraint", help: "Read FILE as a constraints file (-c)" },
    {
      name: "spec",
      value: "specifiers",
      help: "Mark the versions this specifier set accepts (PEP 440 rules)",
    },
  ],
  run(args, context) {
    const sub = args.positionals[0];
    if (sub === "requirements") return requirements(args, context);
    if (sub === "versions") return versions(args, context);
    throw subcommandError(
      "debug",
      sub,
      ["requirements", "versions"],
      "Run `spice debug --help`",
      "spice debug needs a subcommand: requirements or versions",
    );
  },
};
