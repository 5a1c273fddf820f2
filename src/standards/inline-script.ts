// Inline script metadata (PEP 723, the PyPA's "inline script metadata" specification): a Python
// script's `# /// script` comment block holds TOML with the script's `dependencies` and
// `requires-python`. Blocks are found as the specification's reference regular expression finds
// them: a `# /// TYPE` line, then comment lines (`#` alone or `# ` and text), closed by the last
// `# ///` line before the first line that is no such comment.

import { parse as parseToml, TomlError } from "smol-toml";
import { parseRequirement, type Requirement } from "./requirement.ts";
import { parseSpecifierSet, type SpecifierSet } from "./specifier.ts";

export class InvalidScriptMetadata extends Error {
  override name = "InvalidScriptMetadata";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

export interface ScriptMetadata {
  dependencies: Requirement[];
  requiresPython: SpecifierSet | null;
}

// The specification's expression, with JavaScript's multiline flag for Python's (?m).
const BLOCK = /^# \/\/\/ (?<type>[a-zA-Z0-9-]+)$\s(?<content>(^#(| .*)$\s)+)^# \/\/\/$/gm;

/** The script's `script` block, read; null when it has none. `file` names it in errors. */
export function parseScriptMetadata(text: string, file: string): ScriptMetadata | null {
  // Python reads the script in text mode, where \r\n and \r are newlines.
  const source = text.replace(/\r\n?/g, "\n");
  const blocks = [...source.matchAll(BLOCK)].filter((match) => match.groups?.type === "script");
  if (blocks.length === 0) return null;
  if (blocks.length > 1) throw new InvalidScriptMetadata(file, "it has more than one `# /// script` block");
  const toml = blocks[0]
    .groups!.content.split("\n")
    .slice(0, -1)
    .map((line) => (line.startsWith("# ") ? line.slice(2) : line.slice(1)))
    .join("\n");
  let table: Record<string, unknown>;
  try {
    table = parseToml(toml) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof TomlError ? error.message.split("\n")[0] : String(error);
    throw new InvalidScriptMetadata(file, `its \`# /// script\` block is not valid TOML: ${reason}`);
  }
  const dependencies: Requirement[] = [];
  const listed = table.dependencies ?? [];
  if (!Array.isArray(listed))
    throw new InvalidScriptMetadata(file, "`dependencies` must be an array of strings");
  listed.forEach((entry, index) => {
    if (typeof entry !== "string")
      throw new InvalidScriptMetadata(file, `dependencies[${index}] must be a string`);
    try {
      dependencies.push(parseRequirement(entry));
    } catch (error) {
      throw new InvalidScriptMetadata(
        file,
        `dependencies[${index}] is not a valid requirement: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  });
  let requiresPython: SpecifierSet | null = null;
  const python = table["requires-python"];
  if (python !== undefined) {
    if (typeof python !== "string")
      throw new InvalidScriptMetadata(file, "`requires-python` must be a string");
    try {
      requiresPython = parseSpecifierSet(python);
    } catch (error) {
      throw new InvalidScriptMetadata(
        file,
        `\`requires-python\` is not a valid specifier: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  }
  return { dependencies, requiresPython };
}
