// spice pip install: resolve against indexes, find-links and local files, fetch everything into
// the cache (or, with --no-cache, a temporary one; hashes checked; prepare-wheels.ts), then change
// the environment in one transaction. `--report` writes pip's installation report
// (installation-report.ts).

import { dirname, relative } from "node:path";
import type { InstallItem } from "../../install/distribution-plan.ts";
import type { InstalledDistribution } from "../../install/installed.ts";
import { installWheels } from "../../install/installer.ts";
import type { LinkMode } from "../../install/linker.ts";
import type { WheelUnpacker } from "../../install/parallel-unpack.ts";
import type { UnpackedWheel } from "../../install/wheel-cache.ts";
import { SUPPORTED_WHEEL_MAJOR, SUPPORTED_WHEEL_MINOR } from "../../install/wheel-file.ts";
import type { Environment } from "../../python/environment.ts";
import { readPyvenvCfg } from "../../python/pyvenv-cfg.ts";
import { foreignTarget, isForeign, type ResolveTarget } from "../../python/target.ts";
import { pipInstallationOrder, pipPinningOrder } from "../../resolver/install-order.ts";
import type { ResolvedPackage } from "../../resolver/resolve.ts";
import { readCoreMetadata } from "../../standards/core-metadata.ts";
import { monotonicMilliseconds } from "../../util/clock.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { plural } from "../../util/plural.ts";
import { recordableUrl } from "../../util/redact.ts";
import { flag, oneOf, type ParsedArgs, projectNames, value, values } from "../args.ts";
import { printChanges, sayLockWait, sayWouldChange, scriptsOffPathWarning } from "../changes.ts";
import {
  announceEnvironment,
  duration,
  elapsed,
  pipSiteRoot,
  selectFromArgs,
} from "../environment-options.ts";
import { checkHashingMode } from "../hash-checking.ts";
import { indexSettings, openSources, type Sources } from "../index-settings.ts";
import { unlistedDigests, writeReport } from "../installation-report.ts";
import type { CommandContext } from "../main.ts";
import { configFlag, pipSettings } from "../pip-config.ts";
import { brokenDependents } from "../pip-format.ts";
import { prepareWheels, wheelUnpacker } from "../prepare-wheels.ts";
import { downloadProgressUnlessOff } from "../progress.ts";
import { chosenLine, type LockInput, lockedResolution, lockOrCommandLineRequirements } from "../pylock.ts";
import { needsIndex, type RequirementInputs, resolveInputs } from "../resolution-options.ts";
import { foreignTargetOptions } from "../resolver-flags.ts";
import { backgroundDiscard, replaceSpareTrees, spareTreesMode } from "../spare-trees.ts";
import {
  extraneousOf,
  installedCandidates,
  installedState,
  isReinstalled,
  planInstall,
  reinstallOption,
  replacedBy,
  warnDuplicates,
} from "./install-plan.ts";
import { strictCheck } from "./pip-inspect.ts";
import { uninstallAndSay } from "./pip-uninstall.ts";

const LINK_MODES = ["clone", "hardlink", "symlink", "copy"];

/**
 * What an install and a sync begin with: hash-checking mode (always, for a lock's files), the
 * environment (announced), and the indexes, which a lock or requirements naming their files need not.
 */
export function beginInstall(
  lock: LockInput | null,
  inputs: RequirementInputs,
  args: ParsedArgs,
  context: CommandContext,
): { hashing: boolean; dryRun: boolean; environment: Environment; sources: Sources } {
  const hashing = lock !== null || checkHashingMode(inputs, args);
  const dryRun = flag(args, "dry-run");
  const { environment } = selectFromArgs(args, context, !dryRun);
  announceEnvironment(environment, context);
  const settings = indexSettings(
    args,
    context,
    inputs.finder,
    "install",
    lock === null && needsIndex(inputs),
  );
  return { hashing, dryRun, environment, sources: openSources(args, context, settings) };
}

function directUrlOf(resolved: ResolvedPackage, sha256: string): object | null {
  if (resolved.file === null || !resolved.direct) return null;
  return {
    archive_info: { hash: `sha256=${sha256}`, hashes: { sha256 } },
    subdirectory: resolved.file.subdirectory,
    url: recordableUrl(resolved.file.url),
  };
}

export async function install(args: ParsedArgs, context: CommandContext): Promise<number> {
  const started = monotonicMilliseconds();
  const linkMode = value(args, "link-mode");
  if (linkMode !== undefined && !LINK_MODES.includes(linkMode))
    throw new UsageError(`--link-mode takes ${LINK_MODES.join(", ")}, not '${linkMode}'`);
  if (values(args, "editable").length > 0)
    throw new SpiceError("E_EDITABLE", "Editable installs (-e) are not supported yet", {
      hint: "Build a wheel of the project and install that for now",
    });
  const { lock, inputs } = await lockOrCommandLineRequirements(args, context, {
    message: "spice pip install needs requirements or files",
    hint: "spice pip install requests, or -r requirements.txt, or ./dist/pkg-1.0-py3-none-any.whl",
  });
  const { hashing, dryRun, environment, sources } = beginInstall(lock, inputs, args, context);
  // Downloads show progress through resolution (whole wheels, for metadata) and the install.
  const progress = downloadProgressUnlessOff(args, context.output);
  sources.fetcher.progress = progress;
  const unpacking = dryRun ? null : wheelUnpacker(sources, environment, context);
  try {
    const status = await installInto(environment, inputs, sources, args, context, {
      started,
      dryRun,
      hashing,
      linkMode,
      unpacker: unpacking?.unpacker ?? null,
      lock,
    });
    if (!dryRun) strictCheck(args, environment, context);
    return status;
  } finally {
    await unpacking?.close();
    progress?.done();
    await sources.close();
  }
}

/**
 * What an install or sync resolves for: the environment's interpreter, or (--python-version,
 * --platform and the like) another Python or system, whose files go only into a --target
 * directory or nowhere (--dry-run), as pip has it.
 */
export function installTarget(
  environment: Environment,
  args: ParsedArgs,
  context: CommandContext,
  dryRun: boolean,
  command: "install" | "sync",
): ResolveTarget {
  const options = foreignTargetOptions(args, context.env);
  if (isForeign(options) && environment.kind !== "target" && !dryRun)
    throw new UsageError(
      `--platform, --python-platform, --abi and --implementation ${command} only with --target DIR or --dry-run`,
      `These files are for another system; \`spice pip ${command} --target DIR --platform ...\` lays them out for it`,
    );
  return foreignTarget(environment.interpreter, options);
}

async function installInto(
  environment: Environment,
  inputs: RequirementInputs,
  sources: Sources,
  args: ParsedArgs,
  context: CommandContext,
  settings: {
    started: number;
    dryRun: boolean;
    hashing: boolean;
    linkMode: string | undefined;
    /** None for a dry run. */
    unpacker: WheelUnpacker | null;
    /** A PEP 751 lock file to install from, in place of resolving `inputs`. */
    lock: LockInput | null;
  },
): Promise<number> {
  const { installed, reinstall, duplicated } = installedState(
    environment,
    reinstallOption(
      args,
      flag(args, "force-reinstall") || flag(args, "reinstall") || flag(args, "ignore-installed"),
    ),
  );
  const upgradeAll = flag(args, "upgrade");
  const strategy = oneOf(
    "upgrade-strategy",
    value(args, "upgrade-strategy"),
    ["only-if-needed", "eager"],
    "only-if-needed",
  );
  const upgradePackages = new Set(projectNames(args, "upgrade-package"));
  const requested = new Set(inputs.requirements.map((requirement) => requirement.canonicalName));
  const target = installTarget(environment, args, context, settings.dryRun, "install");

  const locked = lockedResolution(settings.lock, target, args);
  const resolution =
    locked?.resolution ??
    (await resolveInputs(inputs, sources, target, args, context, {
      installed: installedCandidates(
        installed,
        (name) =>
          isReinstalled(reinstall, name) ||
          upgradePackages.has(name) ||
          (upgradeAll && (strategy === "eager" || requested.has(name))),
      ),
      // A package reinstalled by name keeps its version unless something asks for another.
      preferences: new Map(
        [...(reinstall instanceof Set ? reinstall : [])].flatMap((name) => {
          const version = installed.get(name)?.version;
          return version ? [[name, version.toString()] as const] : [];
        }),
      ),
      ignoreTags: flag(args, "ignore-tags"),
      keepMetadata: value(args, "report") !== undefined,
    }));
  const reportPath = value(args, "report");
  // pip's report holds each package's metadata, which a lock does not: read it as resolving would.
  if (locked !== null && reportPath !== undefined) {
    await Promise.all(
      [...resolution.packages.values()].map(async (resolved) => {
        resolved.metadata = readCoreMetadata(await sources.fetcher.metadata(resolved.file!));
      }),
    );
  }
  const plan = planInstall(resolution, installed, reinstall, environment);
  warnDuplicates(plan.install, duplicated, environment, context);
  // uv's --exact: what the resolution does not name goes, as in a sync.
  const extraneous = flag(args, "exact")
    ? extraneousOf(installed, resolution, environment, flag(args, "keep-seed-packages"))
    : [];
  const resolvedIn = elapsed(settings.started);
  context.output.info(chosenLine(resolution.packages.size, settings.lock, resolvedIn));
  // pip's orders, read off the resolution (resolver/install-order.ts); a lock has none: by name.
  const orderOptions = {
    requirements: inputs.requirements,
    markers: target.markers,
    dependencies: !flag(args, "no-deps"),
    ignoreRequiresPython: flag(args, "ignore-requires-python"),
  };
  const reported = () =>
    locked === null
      ? inOrder(plan.install, pipPinningOrder(resolution.packages, orderOptions))
      : plan.install;
  if (settings.dryRun) {
    if (reportPath !== undefined)
      writeReport(
        reportPath,
        reported(),
        target,
        await unlistedDigests(plan.install, sources.fetcher),
        context,
      );
    sayWouldInstall(plan.install, extraneous, installed, environment, context);
    return 0;
  }
  if (plan.install.length === 0 && extraneous.length === 0) {
    if (reportPath !== undefined) writeReport(reportPath, [], target, new Map(), context);
    context.output.info(`Audited ${plural(plan.keep.length, "package")} in ${elapsed(settings.started)}`);
    return 0;
  }
  if (settings.unpacker === null) throw new Error("an install needs an unpacker");
  const prepared = await prepareWheels(plan.install, {
    fetcher: sources.fetcher,
    cache: sources.cache,
    hashes: locked?.hashes ?? (settings.hashing ? inputs.hashes : null),
    context,
    unpacker: settings.unpacker,
  });
  if (reportPath !== undefined) {
    const digests = new Map([...prepared].map(([name, item]) => [name, item.sha256]));
    writeReport(reportPath, reported(), target, digests, context);
  }
  const status = await applyChanges(
    environment,
    plan.install,
    prepared,
    args,
    context,
    settings.started,
    settings.linkMode,
    extraneous,
    locked === null
      ? () =>
          new Map(pipInstallationOrder(resolution.packages, orderOptions).map((name, index) => [name, index]))
      : undefined,
  );
  // As pip: what the change broke among packages it did not resolve (not with --no-deps).
  if (!flag(args, "no-deps") && !flag(args, "no-warn-conflicts")) {
    const changed = new Set(plan.install.map((resolved) => resolved.name));
    for (const line of brokenDependents(installed.values(), resolution.packages, changed, target.markers))
      context.output.warn(line);
  }
  return status;
}

/** `packages` in the order of `names` (pip's), those it does not name last. */
function inOrder(packages: readonly ResolvedPackage[], names: readonly string[]): ResolvedPackage[] {
  const position = new Map(names.map((name, index) => [name, index]));
  const at = (resolved: ResolvedPackage) => position.get(resolved.name) ?? names.length;
  return [...packages].sort((a, b) => at(a) - at(b));
}

/**
 * Installs `packages` and removes `remove` in one transaction (an interrupted sync leaves the
 * environment as it was, not half synced), or only removes when there is nothing to install.
 */
export async function applyChanges(
  environment: Environment,
  packages: readonly ResolvedPackage[],
  prepared: Map<string, { wheel: UnpackedWheel; sha256: string }>,
  args: ParsedArgs,
  context: CommandContext,
  started: number,
  linkMode: string | undefined,
  remove: readonly InstalledDistribution[],
  pipOrder?: () => ReadonlyMap<string, number>,
): Promise<number> {
  if (packages.length === 0) return await uninstallAndSay(environment, remove, context, started);
  const items: InstallItem[] = packages.map((resolved) => {
    const { wheel, sha256 } = prepared.get(resolved.name)!;
    return { wheel, requested: resolved.requested, directUrl: directUrlOf(resolved, sha256) };
  });
  warnNewerWheelVersions(items, context);
  // What an upgrade or a sync removes is deleted in the background, as an uninstall's.
  const later = backgroundDiscard(context);
  const result = await installWheels(items, {
    environment,
    linkMode: (linkMode as LinkMode | undefined) ?? null,
    compile: (flag(args, "compile") || flag(args, "compile-bytecode")) && !flag(args, "no-compile"),
    // A venv created with --relocatable gets scripts that find python beside themselves.
    relocatableScripts:
      environment.kind === "venv" && readPyvenvCfg(environment.root)?.get("relocatable") === "true",
    onLinkModeFallback: (message, asked) =>
      asked ? context.output.warn(message) : context.output.verbose(message),
    remove,
    spareTrees: spareTreesMode(context) !== "off",
    discardBackup: later?.discard,
    pipOrder,
    onLockWait: sayLockWait(context),
  });
  if (result.recovered) context.output.warn("rolled back an install that was interrupted earlier");
  context.output.verbose(`link mode: ${result.linkMode}`);
  if (result.spareTreesUsed > 0)
    context.output.verbose(`moved in the spare trees of ${plural(result.spareTreesUsed, "wheel")}`);
  // uv's account: what went, then what came (timed from the command's start, as Resolved).
  if (result.removed.length > 0)
    context.output.info(
      `Uninstalled ${plural(result.removed.length, "package")} in ${duration(result.removalMilliseconds)}`,
    );
  context.output.info(`Installed ${plural(result.installed.length, "package")} in ${elapsed(started)}`);
  printChanges(result.removed, result.installed, context);
  for (const { by, owner, paths } of result.clobbered) {
    const shown = someFiles(relative(owner.location, paths[0]), paths.length);
    context.output.warn(
      `${by} overwrote ${shown} of ${owner.canonicalName} ${owner.displayVersion}: both install it, so uninstalling either one removes the other's files`,
    );
  }
  for (const { kept, lost, paths } of result.shared) {
    context.output.warn(
      `${lost} and ${kept} both install ${someFiles(paths[0], paths.length)}: ${kept}'s copy is the one installed, and uninstalling either one removes it`,
    );
  }
  if (result.consoleScripts.some((scripts) => scripts.length > 0) && warnsOfScriptLocation(args, context))
    for (const scripts of result.consoleScripts) {
      const warning = scriptsOffPathWarning(scripts, context.env.PATH ?? "", dirname(environment.python));
      if (warning !== null) context.output.warn(warning);
    }
  replaceSpareTrees(result.cacheEntries, result.leftover, context, later?.moved);
  return 0;
}

/**
 * Whether to warn, as pip does, of console scripts installed outside PATH: not for --target or
 * --prefix (pip does not; it does for --root), nor with --no-warn-script-location. pip reads
 * that option from its configuration backwards (it stores false when given):
 * PIP_NO_WARN_SCRIPT_LOCATION=0 silences the warning and =1 keeps it, and Dockerfiles rely on
 * it; SPICE_NO_WARN_SCRIPT_LOCATION=1 says what it means.
 */
function warnsOfScriptLocation(args: ParsedArgs, context: CommandContext): boolean {
  if (value(args, "target") !== undefined || value(args, "prefix") !== undefined) return false;
  if (flag(args, "no-warn-script-location")) return false;
  const setting = pipSettings(context.env, pipSiteRoot(args, context), "install", flag(args, "isolated")).get(
    "no-warn-script-location",
  );
  if (setting === undefined || setting.value === "") return true;
  const given = configFlag("no-warn-script-location", setting);
  return setting.source.startsWith("SPICE_") ? !given : given;
}

/**
 * The binary distribution format: an installer warns of a wheel whose Wheel-Version is a later
 * minor version than it knows (a later major one was refused when the wheel was opened).
 */
function warnNewerWheelVersions(items: readonly InstallItem[], context: CommandContext): void {
  for (const { wheel } of items) {
    const [major, minor] = wheel.manifest.wheelVersion ?? [SUPPORTED_WHEEL_MAJOR, SUPPORTED_WHEEL_MINOR];
    if (major === SUPPORTED_WHEEL_MAJOR && minor > SUPPORTED_WHEEL_MINOR)
      context.output.warn(
        `${wheel.manifest.filename} is Wheel-Version ${major}.${minor}, newer than the ${SUPPORTED_WHEEL_MAJOR}.${SUPPORTED_WHEEL_MINOR} spice knows: installed as ${SUPPORTED_WHEEL_MAJOR}.${SUPPORTED_WHEEL_MINOR} says`,
      );
  }
}

/** `first` of `count` files, as the warnings name them: `a.py and 3 more files`. */
function someFiles(first: string, count: number): string {
  return count > 1 ? `${first} and ${plural(count - 1, "more file")}` : first;
}

/**
 * A dry run's account of installing `packages` (with what they replace) and removing
 * `extraneous`, for install and sync.
 */
export function sayWouldInstall(
  packages: readonly ResolvedPackage[],
  extraneous: readonly InstalledDistribution[],
  installed: ReadonlyMap<string, InstalledDistribution>,
  environment: Environment,
  context: CommandContext,
): void {
  sayWouldChange(
    [...extraneous, ...replacedBy(packages, installed, environment)],
    packages.map((resolved) => ({ name: resolved.name, version: resolved.version.toString() })),
    context,
  );
}
