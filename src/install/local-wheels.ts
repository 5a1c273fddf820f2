// Choosing wheels among local files (arguments and --find-links directories) for requirements,
// following dependencies through the same files. This is not a resolver (that needs indexes and
// backtracking): it takes the newest compatible wheel for each name and reports what is missing.

import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Environment } from "../python/environment.ts";
import { markerEnvironment, supportedTags } from "../python/interpreter.ts";
import { tryParseWheelFilename, type WheelFilename } from "../standards/filename.ts";
import { readCoreMetadata } from "../standards/metadata.ts";
import type { Requirement } from "../standards/requirement.ts";
import { bestRank, tagRanks } from "../standards/tags.ts";
import { compareVersions } from "../standards/version.ts";
import { SpiceError } from "../util/error.ts";
import type { InstalledDistribution } from "./installed.ts";
import { openWheel } from "./wheel-file.ts";

export interface LocalWheel {
  path: string;
  filename: WheelFilename;
}

export function wheelsInDirectory(directory: string): LocalWheel[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    throw new SpiceError("E_FIND_LINKS", `Cannot read the --find-links directory ${directory}`, {
      cause: (error as Error).message,
    });
  }
  const wheels: LocalWheel[] = [];
  for (const name of names.sort()) {
    const filename = tryParseWheelFilename(name);
    if (filename !== null) wheels.push({ path: join(directory, name), filename });
  }
  return wheels;
}

export function localWheel(path: string): LocalWheel {
  const absolute = resolve(path);
  const filename = tryParseWheelFilename(absolute.slice(absolute.lastIndexOf("/") + 1));
  try {
    statSync(absolute);
  } catch {
    throw new SpiceError("E_NO_SUCH_FILE", `${path} does not exist`, { hint: "Check the path of the wheel" });
  }
  if (filename === null) {
    throw new SpiceError("E_INVALID_WHEEL", `${path} is not a wheel file name`, {
      hint: "Wheel file names look like name-1.0-py3-none-any.whl",
    });
  }
  return { path: absolute, filename };
}

export interface Selection {
  wheel: LocalWheel;
  requested: boolean;
  /** Installed explicitly as a file (direct_url.json is written). */
  direct: boolean;
}

export interface SelectWheelsOptions {
  environment: Environment;
  /** Wheels named on the command line: installed as they are. */
  direct: LocalWheel[];
  /** Requirements to satisfy from `available`. */
  requirements: Requirement[];
  available: LocalWheel[];
  installed: InstalledDistribution[];
  noDeps: boolean;
  /** Reinstall even when an installed version satisfies. */
  reinstall: boolean;
  /** Take a newer file over an installed version that satisfies (for requested names). */
  upgrade: boolean;
  ignoreTags: boolean;
}

/** Picks the wheels to install; throws listing every requirement that no file satisfies. */
export function selectLocalWheels(options: SelectWheelsOptions): Selection[] {
  const { environment } = options;
  const ranks = tagRanks(supportedTags(environment.interpreter));
  const markers = markerEnvironment(environment.interpreter);
  const installed = new Map(options.installed.map((dist) => [dist.canonicalName, dist]));
  const chosen = new Map<string, Selection>();
  const missing: string[] = [];
  const compatible = (wheel: LocalWheel) => options.ignoreTags || bestRank(wheel.filename.tags, ranks) >= 0;

  for (const wheel of options.direct) {
    if (!compatible(wheel)) {
      throw new SpiceError(
        "E_INCOMPATIBLE_WHEEL",
        `${wheel.filename.filename} is not compatible with ${environment.interpreter.facts.implementation_name} ${environment.interpreter.facts.python_full_version} on this platform`,
        {
          cause: `its tags (${[...wheel.filename.tags].sort().join(", ")}) are none of the interpreter's`,
          hint: "Use a wheel built for this Python and platform, or --ignore-tags to install it anyway",
        },
      );
    }
    chosen.set(wheel.filename.name, { wheel, requested: true, direct: true });
  }

  const queue: Array<{ requirement: Requirement; requested: boolean; extras: string[] }> =
    options.requirements.map((requirement) => ({
      requirement,
      requested: true,
      extras: [],
    }));
  const expanded = new Set<string>();
  const visitDependencies = (wheel: LocalWheel, extras: readonly string[]) => {
    const key = `${wheel.path}[${[...extras].sort().join(",")}]`;
    if (options.noDeps || expanded.has(key)) return;
    expanded.add(key);
    const metadata = readCoreMetadata(openWheel(wheel.path).metadataText);
    for (const dependency of metadata.requiresDist) {
      const applies =
        dependency.marker === null ||
        [""].concat(extras).some((extra) => dependency.marker!.evaluate({ ...markers, extra }));
      if (applies) queue.push({ requirement: dependency, requested: false, extras: [] });
    }
  };
  for (const selection of chosen.values()) visitDependencies(selection.wheel, []);

  while (queue.length > 0) {
    const { requirement, requested } = queue.shift()!;
    if (requirement.marker !== null && !requirement.marker.evaluate({ ...markers, extra: "" })) continue;
    const name = requirement.canonicalName;
    const already = chosen.get(name);
    if (already) {
      if (requested) already.requested = true;
      visitDependencies(already.wheel, requirement.extras);
      continue;
    }
    const candidates = options.available
      .filter(
        (wheel) =>
          wheel.filename.name === name &&
          compatible(wheel) &&
          requirement.specifier.contains(wheel.filename.version),
      )
      .sort(
        (a, b) =>
          compareVersions(b.filename.version, a.filename.version) ||
          bestRank(a.filename.tags, ranks) - bestRank(b.filename.tags, ranks),
      );
    // An installed version that satisfies is kept (pip's "already satisfied"), unless asked to
    // reinstall, or to upgrade and a newer file is there.
    const current = installed.get(name);
    if (current?.version && !options.reinstall && requirement.specifier.contains(current.version, true)) {
      const newer =
        candidates.length > 0 && compareVersions(candidates[0].filename.version, current.version) > 0;
      if (!(options.upgrade && requested && newer)) continue;
    }
    if (candidates.length === 0) {
      missing.push(requirement.toString());
      continue;
    }
    const selection = { wheel: candidates[0], requested, direct: false };
    chosen.set(name, selection);
    visitDependencies(selection.wheel, requirement.extras);
  }
  if (missing.length > 0) {
    throw new SpiceError(
      "E_MISSING_DEPENDENCIES",
      `No wheel among the given files satisfies ${missing.length === 1 ? missing[0] : `${missing.length} requirements`}`,
      {
        cause: missing.length > 1 ? `missing:\n    ${missing.join("\n    ")}` : undefined,
        hint: "Add the wheels with --find-links DIR (or as files), or pass --no-deps to install without dependencies",
      },
    );
  }
  return [...chosen.values()];
}
