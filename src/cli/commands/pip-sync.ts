// `spice pip sync`: makes an environment hold exactly a pinned set (requirements files or a
// PEP 751 lock), in one transaction, as pip-tools' pip-sync and uv's pip sync do.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ResolveTarget } from "../../python/target.ts";
import type { Requirement } from "../../standards/requirement.ts";
import { monotonicMilliseconds } from "../../util/clock.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { plural } from "../../util/plural.ts";
import { flag, type ParsedArgs, value } from "../args.ts";
import { elapsed } from "../environment-options.ts";
import type { CommandContext } from "../main.ts";
import { prepareWheels, wheelUnpacker } from "../prepare-wheels.ts";
import { downloadProgress } from "../progress.ts";
import { canAsk, confirm } from "../prompt.ts";
import { chosenLine, lockedResolution, lockOrRequirements } from "../pylock.ts";
import { type RequirementInputs, resolveInputs } from "../resolution-options.ts";
import {
  extraneousOf,
  installedCandidates,
  installedState,
  isReinstalled,
  planInstall,
  reinstallOption,
  warnDuplicates,
} from "./install-plan.ts";
import { strictCheck } from "./pip-inspect.ts";
import { applyChanges, beginInstall, installTarget, sayWouldInstall } from "./pip-install.ts";

export async function sync(args: ParsedArgs, context: CommandContext): Promise<number> {
  const started = monotonicMilliseconds();
  // As pip-sync: without files, the working directory's requirements.txt.
  const files =
    args.positionals.length > 0
      ? args.positionals
      : existsSync(join(context.cwd, "requirements.txt"))
        ? ["requirements.txt"]
        : null;
  if (files === null)
    throw new UsageError(
      "spice pip sync needs requirements files, and there is no requirements.txt here",
      "spice pip sync requirements.txt",
    );
  const { lock, inputs } = await lockOrRequirements([], files, 0, args, context);
  const unpinned = inputs.requirements.filter(
    (requirement) => requirement.url === null && !requirement.pinsVersion,
  );
  if (unpinned.length > 0) {
    throw new SpiceError(
      "E_NOT_PINNED",
      `spice pip sync takes pinned requirements; ${unpinned.map(String).join(", ")} ${unpinned.length === 1 ? "is" : "are"} not`,
      {
        hint: "Pin them with spice pip compile first",
      },
    );
  }
  // Nothing to sync to would uninstall everything: as uv, only when asked (a compile that went
  // wrong can leave an empty file behind).
  const nothing = lock === null ? inputs.requirements.length === 0 : lock.lock.packages.length === 0;
  if (nothing && !flag(args, "allow-empty-requirements"))
    throw new SpiceError(
      "E_EMPTY_REQUIREMENTS",
      `${files.join(", ")} ${files.length === 1 ? "names" : "name"} no package: a sync to ${files.length === 1 ? "it" : "them"} would uninstall everything`,
      { hint: "Pass --allow-empty-requirements to empty the environment on purpose (uv's option)" },
    );
  if (flag(args, "ask") && !flag(args, "dry-run") && !canAsk())
    throw new UsageError(
      "--ask needs a terminal to ask on",
      "Run it on a terminal, or use --dry-run to see the changes",
    );
  const { hashing, dryRun, environment, sources } = beginInstall(lock, inputs, args, context);
  const progress = downloadProgress(context.output);
  sources.fetcher.progress = progress;
  const unpacking = dryRun ? null : wheelUnpacker(sources, environment, context);
  try {
    const { installed, reinstall, duplicated } = installedState(
      environment,
      reinstallOption(args, flag(args, "reinstall") || flag(args, "force-reinstall")),
    );
    const target = installTarget(environment, args, context, dryRun, "sync");
    const locked = lockedResolution(lock, target, args);
    // The files are the whole set: constraints and overrides do not apply, nor do dependencies.
    const requirements = mergedPins(inputs, target, flag(args, "force"), context);
    const resolution =
      locked?.resolution ??
      (await resolveInputs(
        { ...inputs, requirements, constraints: [], overrides: [] },
        sources,
        target,
        args,
        context,
        {
          noDeps: true,
          installed: installedCandidates(installed, (name) => isReinstalled(reinstall, name)),
        },
      ));
    const plan = planInstall(resolution, installed, reinstall, environment);
    warnDuplicates(plan.install, duplicated, environment, context);
    const extraneous = extraneousOf(installed, resolution, environment, flag(args, "keep-seed-packages"));
    context.output.info(chosenLine(resolution.packages.size, lock, elapsed(started)));
    if (dryRun) {
      sayWouldInstall(plan.install, extraneous, installed, environment, context);
      return 0;
    }
    if (plan.install.length === 0 && extraneous.length === 0) {
      context.output.info(`Audited ${plural(plan.keep.length, "package")} in ${elapsed(started)}`);
      strictCheck(args, environment, context);
      return 0;
    }
    // pip-sync's --ask: the changes, then its question; no is no change and no failure.
    if (flag(args, "ask")) {
      sayWouldInstall(plan.install, extraneous, installed, environment, context);
      if (!(await confirm("Would you like to proceed with these changes? [y/N]: "))) {
        context.output.info("Nothing changed");
        return 0;
      }
    }
    const prepared = await prepareWheels(plan.install, {
      fetcher: sources.fetcher,
      cache: sources.cache,
      hashes: locked?.hashes ?? (hashing ? inputs.hashes : null),
      context,
      unpacker: unpacking!.unpacker,
    });
    await applyChanges(
      environment,
      plan.install,
      prepared,
      args,
      context,
      started,
      value(args, "link-mode"),
      extraneous,
    );
    strictCheck(args, environment, context);
    return 0;
  } finally {
    await unpacking?.close();
    progress?.done();
    await sources.close();
  }
}

/**
 * The files' requirements, as pip-sync merges them before it changes anything: a name pinned to
 * two different versions (or URLs) where both lines apply is an error that names the pins; with
 * --force the later line wins, as pip-sync's --force has it.
 */
function mergedPins(
  inputs: RequirementInputs,
  target: ResolveTarget,
  force: boolean,
  context: CommandContext,
): Requirement[] {
  const environment = { ...target.markers, extra: "" };
  // The resolver leaves out a line whose marker does not hold, as pip-sync does.
  const applies = (requirement: Requirement) =>
    requirement.marker === null || requirement.marker.evaluate(environment, "requirement");
  const latest = new Map<string, Requirement>();
  const overruled = new Set<string>();
  for (const requirement of inputs.requirements.filter(applies)) {
    const name = requirement.canonicalName;
    const earlier = latest.get(name);
    latest.set(name, requirement);
    if (earlier === undefined || samePin(earlier, requirement)) continue;
    const origins = [...new Set(inputs.origins.get(name) ?? [])].filter((origin) => origin !== "");
    const from = origins.length > 0 ? ` (from ${origins.join(", ")})` : "";
    if (!force)
      throw new SpiceError(
        "E_CONFLICTING_PINS",
        `${name} is pinned twice, to ${earlier} and ${requirement}${from}`,
        { hint: "Pin it once, or pass --force to take the later pin, as pip-sync does" },
      );
    context.output.verbose(`--force: ${requirement} over ${earlier}${from}`);
    overruled.add(name);
  }
  return inputs.requirements.filter(
    (requirement) =>
      !overruled.has(requirement.canonicalName) ||
      !applies(requirement) ||
      latest.get(requirement.canonicalName) === requirement,
  );
}

/** Whether two requirements pin the same thing: the same URL and the same specifiers. */
function samePin(a: Requirement, b: Requirement): boolean {
  return a.url === b.url && a.specifier.equals(b.specifier);
}
