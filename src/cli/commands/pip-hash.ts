// spice pip hash: the `--hash` lines for files, as pip's `hash` command prints them (for
// requirements files in hash-checking mode).

import { resolve } from "node:path";
import { SpiceError, UsageError } from "../../util/error.ts";
import { fileDigestHex } from "../../util/hash.ts";
import { type ParsedArgs, value } from "../args.ts";
import type { CommandContext } from "../main.ts";

/** pip's STRONG_HASHES: the algorithms hash-checking mode accepts. */
const ALGORITHMS = ["sha256", "sha384", "sha512"];

export function hash(args: ParsedArgs, context: CommandContext): number {
  const algorithm = value(args, "algorithm") ?? "sha256";
  if (!ALGORITHMS.includes(algorithm))
    throw new UsageError(`--algorithm takes ${ALGORITHMS.join(", ")}, not '${algorithm}'`);
  if (args.positionals.length === 0)
    throw new UsageError("spice pip hash needs files", "spice pip hash dist/pkg-1.0-py3-none-any.whl");
  const lines: string[] = [];
  for (const path of args.positionals) {
    let digest: string;
    try {
      digest = fileDigestHex(algorithm, resolve(context.cwd, path));
    } catch (error) {
      throw new SpiceError("E_FILE", `Could not read ${path}`, { cause: (error as Error).message });
    }
    lines.push(`${path}:`, `--hash=${algorithm}:${digest}`);
  }
  context.output.data(lines.join("\n"));
  return 0;
}
