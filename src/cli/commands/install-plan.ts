// What an install or a sync must change: the installed distributions as the resolver and the
// plan see them (a name installed twice is reinstalled whole), which versions to keep, which to
// install, and, for a sync or install --exact, which to remove.

import {
  type InstalledDistribution,
  installedDistributions,
  isInInstallDirectories,
  searchPath,
} from "../../install/installed.ts";
import type { Environment } from "../../python/environment.ts";
import type { InstalledCandidate } from "../../resolver/package-catalog.ts";
import type { Resolution, ResolvedPackage } from "../../resolver/resolve.ts";
import { readCoreMetadata } from "../../standards/core-metadata.ts";
import { canonicalizeName } from "../../standards/name.ts";
import { versionsEqual } from "../../standards/version.ts";
import { SpiceError } from "../../util/error.ts";
import { type ParsedArgs, values } from "../args.ts";
import type { CommandContext } from "../main.ts";

export interface InstallPlan {
  install: ResolvedPackage[];
  keep: ResolvedPackage[];
}

/** What must change: packages whose chosen version is not what is installed (or all, to reinstall). */
export function planInstall(
  resolution: Resolution,
  installed: ReadonlyMap<string, InstalledDistribution>,
  reinstall: boolean | ReadonlySet<string>,
  environment: Environment,
): InstallPlan {
  const plan: InstallPlan = { install: [], keep: [] };
  for (const resolved of [...resolution.packages.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const current = installed.get(resolved.name);
    const forced = isReinstalled(reinstall, resolved.name);
    // Compared as versions, as pip does: METADATA's `1.0` is the index's `1.0.0`.
    const installedVersion = current?.version ?? null;
    const same =
      current !== undefined &&
      (installedVersion !== null
        ? versionsEqual(installedVersion, resolved.version)
        : current.displayVersion === resolved.version.toString());
    // pip's --user given a wheel file of the version the interpreter's own site-packages has:
    // installed into the user site, shadowing that copy (which pip cannot remove); a name alone
    // is satisfied by it.
    const shadows =
      same &&
      resolved.direct &&
      resolved.file !== null &&
      environment.kind === "user" &&
      !isInInstallDirectories(environment, current);
    if ((same && !forced && !shadows) || (resolved.file === null && !forced)) plan.keep.push(resolved);
    else if (resolved.file === null) {
      throw new SpiceError(
        "E_REINSTALL",
        `${resolved.name} ${resolved.version} is installed, but no index offers it`,
        {
          hint: "Drop --force-reinstall for it, or add an index that has it",
        },
      );
    } else plan.install.push(resolved);
  }
  return plan;
}

/**
 * What to reinstall though installed at the chosen version: everything (`all`), or the names
 * `--reinstall-package` gives (uv's option: those keep their version, where a reinstall of
 * everything, as pip's --force-reinstall, may take newer ones).
 */
export function reinstallOption(args: ParsedArgs, all: boolean): boolean | ReadonlySet<string> {
  if (all) return true;
  const names = values(args, "reinstall-package").map((name) => canonicalizeName(name));
  return names.length > 0 ? new Set(names) : false;
}

/**
 * The installed distributions by name (each the copy Python sees), and `reinstall` widened by the
 * names the environment holds more than once (an install gone wrong before): reinstalling one
 * replaces every copy (installer.ts), where keeping it would leave two versions on one path.
 */
export function installedState(
  environment: Environment,
  reinstall: boolean | ReadonlySet<string>,
): {
  installed: Map<string, InstalledDistribution>;
  reinstall: boolean | ReadonlySet<string>;
  duplicated: ReadonlySet<string>;
} {
  const duplicated = new Set<string>();
  const installed = new Map(
    installedDistributions(searchPath(environment.sitePackages), {
      onShadowed: (copy) => {
        if (isInInstallDirectories(environment, copy)) duplicated.add(copy.canonicalName);
      },
    }).map((dist) => [dist.canonicalName, dist]),
  );
  if (duplicated.size > 0 && reinstall !== true)
    reinstall = new Set([...(reinstall === false ? [] : reinstall), ...duplicated]);
  return { installed, reinstall, duplicated };
}

/** Says which of the packages about to be installed replace more than one installed copy. */
export function warnDuplicates(
  packages: readonly ResolvedPackage[],
  duplicated: ReadonlySet<string>,
  environment: Environment,
  context: CommandContext,
): void {
  for (const { name } of packages)
    if (duplicated.has(name))
      context.output.warn(
        `${name} is installed more than once in ${environment.root}: every copy is replaced`,
      );
}

/** Whether reinstallOption's answer reinstalls `name`. */
export function isReinstalled(reinstall: boolean | ReadonlySet<string>, name: string): boolean {
  return reinstall === true || (reinstall instanceof Set && reinstall.has(name));
}

/** Installed distributions as resolver candidates (kept when they satisfy), read when asked for. */
export function installedCandidates(
  installed: ReadonlyMap<string, InstalledDistribution>,
  skip: (name: string) => boolean,
): { get(name: string): InstalledCandidate | undefined } {
  const read = new Map<string, InstalledCandidate | undefined>();
  return {
    get(name: string) {
      if (read.has(name)) return read.get(name);
      let candidate: InstalledCandidate | undefined;
      const dist = installed.get(name);
      if (dist && !skip(name) && dist.version !== null) {
        try {
          // An .egg-info (a legacy `setup.py develop` checkout, distutils) counts too, as in pip.
          const requiresTxt = dist.format === "egg-info" ? dist.requiresDistText : [];
          candidate = { version: dist.version, metadata: readCoreMetadata(dist.metadataText, requiresTxt) };
        } catch {
          // unreadable metadata: treat as not installed, so it is replaced
        }
      }
      read.set(name, candidate);
      return candidate;
    },
  };
}

/** What `--keep-seed-packages` keeps of what a sync (or install --exact) would remove. */
const SEED_PACKAGES = new Set(["pip", "setuptools", "wheel"]);

/** The installed distributions that installing `packages` replaces (those of this environment). */
export function replacedBy(
  packages: readonly ResolvedPackage[],
  installed: ReadonlyMap<string, InstalledDistribution>,
  environment: Environment,
): InstalledDistribution[] {
  return packages.flatMap((resolved) => {
    const dist = installed.get(resolved.name);
    return dist !== undefined && isInInstallDirectories(environment, dist) ? [dist] : [];
  });
}

/**
 * What makes an environment hold exactly a resolution (sync, install --exact): the installed
 * distributions in its install directories that the resolution does not name.
 */
export function extraneousOf(
  installed: ReadonlyMap<string, InstalledDistribution>,
  resolution: Resolution,
  environment: Environment,
  keepSeed: boolean,
): InstalledDistribution[] {
  return [...installed.values()].filter(
    (dist) =>
      !resolution.packages.has(dist.canonicalName) &&
      !(keepSeed && SEED_PACKAGES.has(dist.canonicalName)) &&
      isInInstallDirectories(environment, dist),
  );
}
