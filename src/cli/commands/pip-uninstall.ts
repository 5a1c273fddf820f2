// `spice pip uninstall`: names from the command line and from requirements files, pyproject.toml
// or a script, removed in one transaction (RECORD-driven, as pip) from the selected environment.

import { statSync } from "node:fs";
import { dirname } from "node:path";
import {
  type InstalledDistribution,
  installedDistributions,
  ownsDistribution,
  searchPath,
  withOwnedCopies,
} from "../../install/installed.ts";
import { recordedFiles, removableIn, uninstallDistributions } from "../../install/uninstall.ts";
import type { Environment } from "../../python/environment.ts";
import { canonicalizeName } from "../../standards/name.ts";
import { readRequirementsFile } from "../../standards/requirements-txt.ts";
import { monotonicMilliseconds } from "../../util/clock.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { filesBelow } from "../../util/fs.ts";
import { plural } from "../../util/plural.ts";
import { flag, type ParsedArgs, values } from "../args.ts";
import { printChanges, sayLockWait, sayWouldChange } from "../changes.ts";
import { announceEnvironment, elapsed, selectFromArgs } from "../environment-options.ts";
import type { CommandContext } from "../main.ts";
import {
  isPyprojectFile,
  isScriptFile,
  PyprojectFiles,
  projectRequirements,
  scriptRequirements,
} from "../project-requirements.ts";
import { canAsk, confirm } from "../prompt.ts";
import { projectNamed, requirementsFileHost, withFetchedRequirementFiles } from "../requirement-input.ts";
import { refuseLockFiles } from "../resolution-options.ts";
import { backgroundDiscard, replaceSpareTrees } from "../spare-trees.ts";

export async function uninstall(args: ParsedArgs, context: CommandContext): Promise<number> {
  const started = monotonicMilliseconds();
  refuseLockFiles(values(args, "requirement"));
  const fromFiles = await withFetchedRequirementFiles(args, context, () =>
    values(args, "requirement").flatMap((file) => {
      // A pyproject.toml's dependencies, or a script's (PEP 723), as uv reads them here.
      if (isPyprojectFile(file))
        return projectRequirements(file, args, new PyprojectFiles(context)).map(
          ({ requirement }) => requirement.name,
        );
      if (isScriptFile(file))
        return scriptRequirements(file, context).requirements.map(({ requirement }) => requirement.name);
      const result = readRequirementsFile(file, requirementsFileHost(context));
      if (result.error !== null)
        throw new SpiceError("E_REQUIREMENTS_FILE", result.error.message.split("\n")[0]);
      return result.entries.flatMap((entry) => entry.installRequirement?.name ?? []);
    }),
  );
  const names = [...args.positionals.map((argument) => projectNamed(argument, context)), ...fromFiles];
  if (names.length === 0)
    throw new UsageError("spice pip uninstall needs names", "spice pip uninstall requests");
  const { environment } = selectFromArgs(args, context, true);
  announceEnvironment(environment, context);
  const installed = new Map(
    installedDistributions(searchPath(environment.sitePackages)).map((dist) => [dist.canonicalName, dist]),
  );
  const targets = [];
  for (const name of new Set(names.map((entry) => canonicalizeName(entry)))) {
    const dist = installed.get(name);
    if (dist === undefined) context.output.warn(`Skipping ${name} as it is not installed.`);
    else if (!ownsDistribution(environment, dist))
      // Seen through the global site-packages (or a .pth): not this environment's to remove, as pip.
      context.output.warn(
        `Not uninstalling ${dist.canonicalName} at ${dist.location}, outside environment ${environment.root}`,
      );
    else targets.push(dist);
  }
  if (targets.length === 0) return 0;
  if (flag(args, "dry-run")) {
    // What the uninstall would take, refused as it would be (a distribution that lists no files).
    const all = withOwnedCopies(environment, targets);
    for (const dist of all) recordedFiles(dist, environment.scheme.scripts);
    sayWouldChange(all, [], context);
    return 0;
  }
  // pip asks before it removes each distribution; spice asks only where someone can answer.
  const asking = !flag(args, "yes") && !flag(args, "no-input") && canAsk();
  const confirmed: InstalledDistribution[] = [];
  for (const dist of targets)
    if (!asking || (await proceedWith(dist, environment, context))) confirmed.push(dist);
  if (confirmed.length === 0) return 0;
  return await uninstallAndSay(environment, confirmed, context, started);
}

/**
 * What pip shows before removing a distribution, and its question: the files to remove, a
 * directory as `DIR/*` where it is a package or metadata directory, the files in those that the
 * distribution did not install (they stay) and what lies outside the environment (it stays too).
 * Enter is a yes, as with pip; --quiet leaves the question alone, as pip's does.
 */
function proceedWith(
  dist: InstalledDistribution,
  environment: Environment,
  context: CommandContext,
): Promise<boolean> {
  const removable = removableIn(environment);
  const files = withOwnedCopies(environment, [dist]).flatMap((copy) =>
    recordedFiles(copy, environment.scheme.scripts),
  );
  const { remove, keep } = removalListing(files.filter(removable));
  const lines = [`Found existing installation: ${dist.name} ${dist.displayVersion}`];
  lines.push(`Uninstalling ${dist.name}-${dist.displayVersion}:`);
  const section = (title: string, paths: readonly string[]) => {
    if (paths.length > 0) lines.push(`  ${title}:`, ...compactPaths(paths).map((path) => `    ${path}`));
  };
  section("Would remove", remove);
  section("Would not remove (might be manually added)", keep);
  section(
    "Would not remove (outside of prefix)",
    files.filter((path) => !removable(path)),
  );
  for (const line of lines) context.output.info(line);
  return confirm("Proceed (Y/n)? ", true);
}

/**
 * pip's listing of an uninstall (compress_for_output_listing): every file but compiled ones, a
 * directory holding an `__init__.py` or a `.dist-info` file as `DIR/*`, and the files found in such
 * directories that are not the distribution's.
 */
function removalListing(files: readonly string[]): { remove: string[]; keep: string[] } {
  const own = new Set<string>();
  const folders = new Set<string>();
  for (const path of files) {
    if (path.endsWith(".pyc")) continue;
    if (path.endsWith("__init__.py") || path.includes(".dist-info")) folders.add(dirname(path));
    own.add(path);
  }
  const compacted = compactPaths([...folders]);
  // As pip's os.walk and isfile: what else lies in those directories stays.
  const keep = compacted.flatMap((folder) =>
    filesBelow(folder).filter(
      (path) =>
        !path.endsWith(".pyc") &&
        !own.has(path) &&
        statSync(path, { throwIfNoEntry: false })?.isFile() === true,
    ),
  );
  return { remove: [...own, ...compacted.map((folder) => `${folder}/*`)], keep };
}

/** The paths, sorted, without those inside another one (`DIR/*` standing for DIR's contents). */
function compactPaths(paths: readonly string[]): string[] {
  const kept: string[] = [];
  for (const path of [...new Set(paths)].sort((a, b) => a.length - b.length)) {
    const inside = kept.some((short) => {
      const directory = short.endsWith("/*") ? short.slice(0, -2) : short;
      return path.startsWith(`${directory}/`);
    });
    if (!inside) kept.push(path);
  }
  return kept.sort();
}

/** Removes distributions in one transaction and prints what changed. */
export async function uninstallAndSay(
  environment: Environment,
  remove: readonly InstalledDistribution[],
  context: CommandContext,
  started: number,
): Promise<number> {
  const later = backgroundDiscard(context);
  const removed = await uninstallDistributions(environment, remove, later?.discard, sayLockWait(context));
  context.output.info(`Uninstalled ${plural(removed.length, "package")} in ${elapsed(started)}`);
  printChanges(removed, [], context);
  replaceSpareTrees([], null, context, later?.moved);
  return 0;
}
