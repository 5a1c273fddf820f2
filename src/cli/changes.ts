// What a command that changes an environment says it changed, as uv says it: how many packages
// went and came, then a ` - name==version` or ` + name==version` line for each, sorted by name.

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
