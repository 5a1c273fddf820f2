// `spice pip cache dir | info | list [PATTERN] | remove PATTERN | purge`: pip's cache command, on
// spice's cache, so that a script's `pip cache purge` (a Dockerfile's last step, to keep the
// image small) works with `spice pip` too. pip's wheels are the ones it built; spice's are every
// wheel it unpacked, which is what its cache holds. Messages and sizes are pip 23.2.1's.

import { BUCKETS } from "../../cache/store.ts";
import { UsageError } from "../../util/error.ts";
import { oneOf, type ParsedArgs, subcommandError, value } from "../args.ts";
import type { CommandContext } from "../main.ts";
import {
  cachedWheelFiles,
  removeCache,
  removeFiles,
  requireCache,
  sizeOf,
  whileNoSpareTrees,
} from "./cache.ts";

/** pip's format_size: decimal units, as pip prints a cache's sizes. */
function pipSize(bytes: number): string {
  if (bytes > 1000 * 1000) return `${(bytes / 1000 / 1000).toFixed(1)} MB`;
  if (bytes > 10 * 1000) return `${Math.trunc(bytes / 1000)} kB`;
  if (bytes > 1000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${Math.trunc(bytes)} bytes`;
}

/**
 * pip's pattern, a glob on wheel file names: `requests` stands for `requests-*.whl`, and a pattern
 * with a hyphen, which holds a version, for `PATTERN*.whl` (`requests-2.3*`).
 */
function wheelPattern(pattern: string): (filename: string) => boolean {
  const glob = `${pattern}${pattern.includes("-") ? "*.whl" : "-*.whl"}`;
  const source = glob
    .split(/([*?])/)
    .map((piece) => (piece === "*" ? ".*" : piece === "?" ? "." : piece.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  const regex = new RegExp(`^${source}$`, "s");
  return (filename) => regex.test(filename);
}

function onePattern(args: ParsedArgs, command: string): string | undefined {
  if (args.positionals.length > 2)
    throw new UsageError("Too many arguments", `spice pip cache ${command} PATTERN`);
  return args.positionals[1];
}

export function pipCache(args: ParsedArgs, context: CommandContext): number {
  const sub = args.positionals[0];
  if (sub === "dir") {
    context.output.data(requireCache(context).root);
    return 0;
  }
  if (sub === "info") {
    const cache = requireCache(context);
    const http = cache.bucket(BUCKETS.http);
    const pages = sizeOf(http);
    const wheels = cachedWheelFiles(cache);
    const wheelsDirectory = cache.bucket(BUCKETS.wheels);
    context.output.data(
      [
        `Package index page cache location: ${http}`,
        `Package index page cache size: ${pipSize(pages.bytes)}`,
        `Number of HTTP files: ${pages.files}`,
        `Wheels location: ${wheelsDirectory}`,
        `Wheels size: ${pipSize(sizeOf(wheelsDirectory).bytes)}`,
        `Number of wheels: ${wheels.length}`,
      ].join("\n"),
    );
    return 0;
  }
  if (sub === "list") {
    const pattern = onePattern(args, "list");
    const format = oneOf("format", value(args, "format"), ["human", "abspath"], "human");
    const matches = pattern === undefined ? () => true : wheelPattern(pattern);
    const wheels = cachedWheelFiles(requireCache(context)).filter((wheel) => matches(wheel.filename));
    if (format === "abspath") {
      if (wheels.length > 0)
        context.output.data(
          wheels
            .map((wheel) => wheel.path)
            .sort()
            .join("\n"),
        );
      return 0;
    }
    if (wheels.length === 0) {
      context.output.info("No wheels cached.");
      return 0;
    }
    const lines = wheels.map((wheel) => ` - ${wheel.filename} (${pipSize(wheel.bytes)})`).sort();
    context.output.data(`Cache contents:\n\n${lines.join("\n")}`);
    return 0;
  }
  if (sub === "remove" || sub === "purge") {
    const cache = requireCache(context);
    let removed: number;
    let noMatch = "No matching packages";
    if (sub === "purge") {
      if (args.positionals.length > 1) throw new UsageError("Too many arguments", "spice pip cache purge");
      removed = whileNoSpareTrees(cache, () => removeCache(cache)).files;
    } else {
      const pattern = onePattern(args, "remove");
      if (pattern === undefined)
        throw new UsageError("Please provide a pattern", "spice pip cache remove requests");
      noMatch += ` for pattern "${pattern}"`;
      removed = whileNoSpareTrees(cache, () => removeFiles(cache, wheelPattern(pattern))).files;
    }
    if (removed === 0) context.output.warn(noMatch);
    context.output.info(`Files removed: ${removed}`);
    return 0;
  }
  throw subcommandError(
    "pip cache",
    sub,
    ["dir", "info", "list", "remove", "purge"],
    "Subcommands: dir, info, list [PATTERN], remove PATTERN, purge (spice's own: spice cache)",
  );
}
