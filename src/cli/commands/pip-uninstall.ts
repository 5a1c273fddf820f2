// `spice pip uninstall`: names from the command line and from requirements files, pyproject.toml
// or a script, removed in one transaction (RECORD-driven, as pip) from the selected environment.

import {
  type InstalledDistribution,
  installedDistributions,
  ownsDistribution,
  searchPath,
  withOwnedCopies,
} from "../../install/installed.ts";
import { recordedFiles, uninstallDistributions } from "../../install/uninstall.ts";
import type { Environment } from "../../python/environment.ts";
import { canonicalizeName } from "../../standards/name.ts";
import { readRequirementsFile } from "../../standards/requirements-txt.ts";
import { monotonicMilliseconds } from "../../util/clock.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { plural } from "../../util/plural.ts";
import { flag, type ParsedArgs, values } from "../args.ts";
import { printChanges, sayWouldChange } from "../changes.ts";
import { announceEnvironment, elapsed, selectFromArgs } from "../environment-options.ts";
import type { CommandContext } from "../main.ts";
import {
  isPyprojectFile,
  isScriptFile,
  PyprojectFiles,
  projectRequirements,
  scriptRequirements,
} from "../project-requirements.ts";
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
  return uninstallAndSay(environment, targets, context, started);
}

/** Removes distributions in one transaction and prints what changed. */
export function uninstallAndSay(
  environment: Environment,
  remove: readonly InstalledDistribution[],
  context: CommandContext,
  started: number,
): number {
  const later = backgroundDiscard(context);
  const removed = uninstallDistributions(environment, remove, later?.discard);
  context.output.info(`Uninstalled ${plural(removed.length, "package")} in ${elapsed(started)}`);
  printChanges(removed, [], context);
  replaceSpareTrees([], null, context, later?.moved);
  return 0;
}
