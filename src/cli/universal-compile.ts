// What a --universal compile is for, and what it checks of its pins: the Pythons and
// --environment markers it resolves for (uv's `environments`), the environments its pins must
// install on (--required-environment), and warnings for pins that cannot install somewhere
// their marker installs them.

import type { ResolveTarget } from "../python/target.ts";
import { pythonsAdmitted } from "../resolver/requires-python.ts";
import type { UniversalPin, UniversalResolution } from "../resolver/universal.ts";
import { tryParseSdistFilename, tryParseWheelFilename } from "../standards/filename.ts";
import { type Marker, parseMarker } from "../standards/marker.ts";
import { MarkerSpace } from "../standards/marker-space.ts";
import { consistentPlatforms, installsIn } from "../standards/wheel-environments.ts";
import { UsageError } from "../util/error.ts";
import { plural, someOf } from "../util/plural.ts";
import { type ParsedArgs, values } from "./args.ts";
import type { CommandContext } from "./main.ts";
import type { RequirementInputs } from "./resolution-options.ts";

/** A marker given with --environment or --required-environment, with where it holds. */
export interface MarkerOption {
  text: string;
  space: MarkerSpace;
}

/** The markers given with --NAME, each with the environments where it holds. */
export function markerOptions(args: ParsedArgs, name: string): MarkerOption[] {
  return values(args, name).map((given) => {
    let marker: Marker;
    try {
      marker = parseMarker(given);
    } catch (error) {
      throw new UsageError(
        `--${name} '${given}' is not a marker: ${(error as Error).message}`,
        `Write it as after a requirement's ';', as in --${name} "sys_platform == 'win32'"`,
      );
    }
    const space = MarkerSpace.of(marker.markers, "");
    if (space.isEmpty())
      throw new UsageError(`--${name} '${given}' holds nowhere`, "Check the marker's conditions");
    // Spelled as the pins' markers are.
    return { text: space.toMarkerText() ?? marker.toString(), space };
  });
}

/**
 * What a --universal resolution is for: every Python from the target's X.Y on (of those a
 * script's requires-python admits), where any
 * --environment marker holds (all platforms without one, as uv's `environments` setting), and the
 * environments its pins must install on (--required-environment).
 */
export function universeOf(
  markers: { environments: MarkerOption[]; required: MarkerOption[] },
  target: ResolveTarget,
  scripts: RequirementInputs["pythonRequirements"],
): { space: MarkerSpace; environments: string[]; required: MarkerSpace[] } {
  const [major, minor] = target.pythonVersion.split(".");
  // A script's requires-python (PEP 723) narrows the Pythons to those it runs on.
  let supported = MarkerSpace.pythonFrom(`${major}.${minor}`);
  for (const { file, specifier } of scripts) {
    supported = supported.and(pythonsAdmitted(specifier.specs));
    if (supported.isEmpty())
      throw new UsageError(
        `${file} runs on Python ${specifier}, which leaves no Python from ${major}.${minor} on to resolve for`,
        "Choose --python-version within the script's requires-python",
      );
  }
  const given = markers.environments;
  const required = markers.required.map(({ space }) => space);
  if (given.length === 0) return { space: supported, environments: [], required };
  // Only environments a Python runs in: `sys_platform == 'linux'` rules out `platform_system == 'Darwin'`.
  const space = consistentPlatforms(
    given.reduce((union, { space: one }) => union.or(one), MarkerSpace.nothing).and(supported),
  );
  if (space.isEmpty())
    throw new UsageError(
      `--environment leaves no environment with Python >= ${major}.${minor} to resolve for`,
      "Check the markers, or lower --python-version",
    );
  return { space, environments: given.map(({ text }) => text), required };
}

/** The systems a universal pin is checked for (where most Pythons run), made when first asked for. */
function mainSystems(): Array<{ marker: string; space: MarkerSpace }> {
  return ["linux", "win32", "darwin"].map((name) => ({
    marker: `sys_platform == '${name}'`,
    space: consistentPlatforms(MarkerSpace.of(parseMarker(`sys_platform == '${name}'`).markers, "")),
  }));
}

/**
 * Warns of universal pins that cannot install where their marker holds, as uv locks them silently
 * and the install then fails there: on a main system where no wheel runs (for those Pythons) and
 * there is no sdist; and, with wheels for some CPython versions only (cp311) and no sdist, on a
 * later one other pins have wheels for (cp312). Later Pythons than any pin has a wheel for are not
 * asked about: no project can have built for them yet.
 */
export function warnUninstallable(resolution: UniversalResolution, context: CommandContext): void {
  const systems = mainSystems();
  // One warning for each set of systems: a mirror of Linux wheels lacks many for the others.
  for (const { lacking, pins, one, names } of pinsLacking(resolution, ({ resolved, space }) =>
    systems
      .filter((system) => {
        const there = space.and(system.space);
        return !there.isEmpty() && !installsIn(resolved.files, there);
      })
      .map((system) => system.marker),
  ))
    context.output.warn(
      `${pins} no wheel that runs where ${lacking.join(" or ")}, nor an sdist, though ${one ? "its marker installs it" : "their markers install them"} there: ${names}; --required-environment "${lacking[0]}" picks versions that have one, --environment leaves such systems out`,
    );
  let newest = -1;
  for (const { resolved } of resolution.pins)
    for (const file of resolved.files)
      for (const tag of tryParseWheelFilename(file.filename)?.tags ?? []) {
        const minor = /^cp3(\d+)-/.exec(tag);
        if (minor !== null) newest = Math.max(newest, Number(minor[1]));
      }
  for (const { lacking, pins, names } of pinsLacking(resolution, ({ resolved, space }) => {
    // An sdist installs on every Python.
    if (resolved.files.some((file) => tryParseSdistFilename(file.filename) !== null)) return [];
    const missing: string[] = [];
    for (let minor = 0; minor <= newest; minor++) {
      const there = space.and(pythonMinorSpace(minor));
      if (!there.isEmpty() && !installsIn(resolved.files, there)) missing.push(`3.${minor}`);
    }
    return missing;
  }))
    context.output.warn(
      `${pins} no wheel for Python ${lacking.join(", ")}, for which other pins have wheels, nor an sdist: ${names}; --required-environment "python_version == '${lacking[0]}'" picks versions that have one, --environment "python_version < '${lacking[0]}'" leaves those Pythons out`,
    );
}

/**
 * The pins with files that `lacks` finds lacking somewhere (a direct URL's or an installed
 * version has none to judge), grouped by what they lack, each group as a warning says it:
 * `2 pins have` (`pins`), and their names (`a 1.0, b 2.0`).
 */
function pinsLacking(
  resolution: UniversalResolution,
  lacks: (pin: UniversalPin) => string[],
): Array<{ lacking: string[]; pins: string; one: boolean; names: string }> {
  const groups = new Map<string, { lacking: string[]; names: string[] }>();
  for (const pin of resolution.pins) {
    if (pin.resolved.files.length === 0) continue;
    const lacking = lacks(pin);
    if (lacking.length === 0) continue;
    const key = lacking.join("\n");
    const group = groups.get(key) ?? { lacking, names: [] };
    group.names.push(`${pin.resolved.name} ${pin.resolved.version}`);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ lacking, names }) => ({
    lacking,
    pins: `${plural(names.length, "pin")} ${names.length === 1 ? "has" : "have"}`,
    one: names.length === 1,
    names: someOf(names, 6),
  }));
}

/** Where `python_version == '3.MINOR'`, parsed once per minor. */
const pythonMinorSpaces = new Map<number, MarkerSpace>();
function pythonMinorSpace(minor: number): MarkerSpace {
  let space = pythonMinorSpaces.get(minor);
  if (space === undefined) {
    space = MarkerSpace.of(parseMarker(`python_version == '3.${minor}'`).markers, "");
    pythonMinorSpaces.set(minor, space);
  }
  return space;
}
