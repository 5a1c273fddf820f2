// What a command that changes an environment says it changed, as uv says it: how many packages
// went and came, then a ` - name==version` or ` + name==version` line for each, sorted by name.

import { basename, dirname, normalize } from "node:path";
import type { InstalledDistribution } from "../install/installed.ts";
import { canonicalizeName } from "../standards/name.ts";
import { plural } from "../util/plural.ts";
import type { CommandContext } from "./main.ts";

/** A dry run's account: how many would be installed and uninstalled, then each, as printChanges. */
export function sayWouldChange(
  removed: readonly InstalledDistribution[],
  added: ReadonlyArray<{ name: string; version: string }>,
  context: CommandContext,
): void {
  if (added.length === 0 && removed.length === 0) {
    context.output.info("Would make no changes");
    return;
  }
  if (added.length > 0) context.output.info(`Would install ${plural(added.length, "package")}`);
  if (removed.length > 0) context.output.info(`Would uninstall ${plural(removed.length, "package")}`);
  printChanges(
    removed.map((dist) => ({ name: dist.name, version: dist.displayVersion })),
    added,
    context,
  );
}

export function printChanges(
  removed: ReadonlyArray<{ name: string; version: string }>,
  added: ReadonlyArray<{ name: string; version: string }>,
  context: CommandContext,
): void {
  const changes = [
    ...removed.map(
      (dist) => [canonicalizeName(dist.name), ` - ${canonicalizeName(dist.name)}==${dist.version}`] as const,
    ),
    ...added.map(
      (dist) => [canonicalizeName(dist.name), ` + ${canonicalizeName(dist.name)}==${dist.version}`] as const,
    ),
    // By name; removed versions (each copy of one that was installed twice) before the new one.
  ].sort((a, b) => {
    if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
    if (a[1][1] !== b[1][1]) return a[1][1] === "-" ? -1 : 1;
    return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  });
  for (const [, line] of changes) context.output.info(line);
}

/** What a change says before it waits for another spice process that holds the environment's lock. */
export function sayLockWait(context: CommandContext): (owner: number) => void {
  return (owner) =>
    context.output.info(
      `Waiting for another spice process${Number.isNaN(owner) ? "" : ` (pid ${owner})`} to finish changing this environment`,
    );
}

/**
 * pip's warning for one wheel's console scripts installed where PATH does not reach (a --user
 * install's ~/.local/bin), in pip's words; null when every directory is on PATH or is the one
 * the environment's interpreter is in (a venv's bin/, run without activating it).
 */
export function scriptsOffPathWarning(
  scripts: readonly string[],
  pathVariable: string,
  pythonDirectory: string,
): string | null {
  const byDirectory = new Map<string, Set<string>>();
  for (const script of scripts) {
    const directory = dirname(script);
    const names = byDirectory.get(directory) ?? new Set<string>();
    names.add(basename(script));
    byDirectory.set(directory, names);
  }
  // As pip compares them: normalized paths, without a trailing slash, not resolved.
  const plain = (path: string) => normalize(path).replace(/\/+$/, "");
  const entries = pathVariable.split(":");
  const reached = new Set([...entries.map(plain), plain(pythonDirectory)]);
  const lines: string[] = [];
  for (const [directory, names] of byDirectory) {
    if (reached.has(plain(directory))) continue;
    const sorted = [...names].sort();
    const start =
      sorted.length === 1
        ? `script ${sorted[0]} is`
        : `scripts ${sorted.slice(0, -1).join(", ")} and ${sorted[sorted.length - 1]} are`;
    lines.push(`The ${start} installed in '${directory}' which is not on PATH.`);
  }
  if (lines.length === 0) return null;
  lines.push(
    `Consider adding ${lines.length === 1 ? "this directory" : "these directories"} to PATH or, if you prefer to suppress this warning, use --no-warn-script-location.`,
  );
  if (entries.some((entry) => entry.startsWith("~")))
    lines.push(
      "NOTE: The current PATH contains path(s) starting with `~`, which may not be expanded by all applications.",
    );
  return lines.join("\n");
}
