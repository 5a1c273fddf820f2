// What a wheel's tags say about where it runs: its platform tag the operating system and machine,
// its interpreter and ABI tags the Pythons, as markers name them. Two uses: the marker environment
// of a target named by a platform tag (`pip download --platform win_amd64`, python/target.ts), and
// the environments a wheel can be installed in, as a set (marker-space.ts), which a universal
// resolution checks its required environments against (uv's `required-environments`: "this lock
// must install on Linux and on Windows").
//
// In the set, a machine is named only where Python reports the one the tag names: a 32-bit Python
// on 64-bit Linux or Windows reports the 64-bit machine, so `i686` and `win32` wheels name none.
// A tag this does not know names nothing, so that it never rules a wheel out.

import { tryParseWheelFilename, type WheelFilename } from "./filename.ts";
import { parseMarker } from "./marker.ts";
import { MarkerSpace } from "./marker-space.ts";

/** The markers a platform tag implies; `platform_machine` is "" where the tag names none. */
export interface PlatformFacts {
  sys_platform: string;
  os_name: string;
  platform_system: string;
  platform_machine: string;
}

const SYSTEMS = {
  win32: { sys_platform: "win32", os_name: "nt", platform_system: "Windows" },
  darwin: { sys_platform: "darwin", os_name: "posix", platform_system: "Darwin" },
  linux: { sys_platform: "linux", os_name: "posix", platform_system: "Linux" },
  android: { sys_platform: "android", os_name: "posix", platform_system: "Android" },
  ios: { sys_platform: "ios", os_name: "posix", platform_system: "iOS" },
};

const spaceOf = (text: string) => MarkerSpace.of(parseMarker(text).markers, "");

/**
 * `space` without the environments no Python runs in: a known sys_platform with another system's
 * platform_system or os_name (`sys_platform == 'linux' and platform_system == 'Darwin'`), or a known
 * platform_system with an unknown sys_platform. Marker sets treat the three as independent, so
 * without this a Linux-only resolution would still need what `platform_system == 'Darwin'` asks for.
 */
export function consistentPlatforms(space: MarkerSpace): MarkerSpace {
  return systemSpaces().reduce((result, system) => result.or(space.and(system)), MarkerSpace.nothing);
}

let systems: MarkerSpace[] | undefined;

/** Each known system's environments (its three names agreeing), then those of no known system. */
function systemSpaces(): MarkerSpace[] {
  if (systems === undefined) {
    const known = Object.values(SYSTEMS);
    const unknown = known
      .map(
        (system) =>
          `sys_platform != '${system.sys_platform}' and platform_system != '${system.platform_system}'`,
      )
      .join(" and ");
    systems = [
      ...known.map((system) =>
        spaceOf(
          `sys_platform == '${system.sys_platform}' and platform_system == '${system.platform_system}' and os_name == '${system.os_name}'`,
        ),
      ),
      spaceOf(unknown),
    ];
  }
  return systems;
}

/** What `platform` (`manylinux_2_17_x86_64`, `win_amd64`, ...) says; null for `any` or a tag not known. */
export function platformFacts(platform: string): PlatformFacts | null {
  if (platform === "win32" || platform.startsWith("win_")) {
    const machine = { win32: "x86", win_amd64: "AMD64", win_arm64: "ARM64" }[platform] ?? "";
    return { ...SYSTEMS.win32, platform_machine: machine };
  }
  const mac = /^macosx_\d+_\d+_(.+)$/.exec(platform);
  if (mac !== null)
    return { ...SYSTEMS.darwin, platform_machine: mac[1] === "arm64" || mac[1] === "x86_64" ? mac[1] : "" };
  const linux = /^(?:manylinux_\d+_\d+|musllinux_\d+_\d+|manylinux\d+|linux)_(.+)$/.exec(platform);
  if (linux !== null) return { ...SYSTEMS.linux, platform_machine: linux[1] };
  if (platform.startsWith("android_")) return { ...SYSTEMS.android, platform_machine: "" };
  if (platform.startsWith("ios_")) return { ...SYSTEMS.ios, platform_machine: "" };
  return null;
}

/** Machines that a Python on them reports as its platform tag names them. */
const REPORTED_MACHINES = new Set([
  "AMD64",
  "ARM64",
  "arm64",
  "x86_64",
  "aarch64",
  "ppc64le",
  "ppc64",
  "s390x",
  "riscv64",
  "armv7l",
]);

const byPlatform = new Map<string, MarkerSpace>();

/** The environments one platform tag runs on. */
export function platformEnvironments(platform: string): MarkerSpace {
  let space = byPlatform.get(platform);
  if (space === undefined) {
    space = MarkerSpace.everything;
    const facts = platformFacts(platform);
    if (facts !== null) {
      const machines = platform.endsWith("_universal2")
        ? ["arm64", "x86_64"]
        : REPORTED_MACHINES.has(facts.platform_machine)
          ? [facts.platform_machine]
          : [];
      const system = `sys_platform == '${facts.sys_platform}'`;
      const text =
        machines.length === 0
          ? system
          : `${system} and (${machines.map((machine) => `platform_machine == '${machine}'`).join(" or ")})`;
      space = spaceOf(text);
    }
    byPlatform.set(platform, space);
  }
  return space;
}

const byInterpreter = new Map<string, MarkerSpace>();

/**
 * The Pythons an interpreter and ABI tag pair runs on, as the tags packaging generates for a
 * Python say: `py3` any Python 3, `py38` 3.8 and later 3s (pure Python from 3.8 on), `cp311` only
 * CPython 3.11 unless its ABI is `abi3` (3.11 and later), `pp310` PyPy implementing 3.10. A tag
 * this does not know rules nothing out.
 */
export function interpreterEnvironments(interpreter: string, abi: string): MarkerSpace {
  const key = `${interpreter}-${abi}`;
  let space = byInterpreter.get(key);
  if (space === undefined) {
    const parsed = /^(py|cp|pp)(\d)(\d*)$/.exec(interpreter);
    let text: string | null = null;
    if (parsed !== null) {
      const [, kind, majorText, minorText] = parsed;
      const major = Number(majorText);
      const release = `${major}.${minorText === "" ? 0 : Number(minorText)}`;
      const onwards = `python_version >= '${release}' and python_version < '${major + 1}.0'`;
      if (kind === "py") text = onwards;
      else if (minorText !== "") {
        const implementation = `implementation_name == '${kind === "cp" ? "cpython" : "pypy"}'`;
        text = `${implementation} and ${kind === "cp" && abi === "abi3" ? onwards : `python_version == '${release}'`}`;
      }
    }
    space = text === null ? MarkerSpace.everything : spaceOf(text);
    byInterpreter.set(key, space);
  }
  return space;
}

const byFile = new Map<string, MarkerSpace>();

/** Where a distribution file installs: a wheel where its tags run, an sdist everywhere (it builds). */
export function fileEnvironments(filename: string): MarkerSpace {
  let space = byFile.get(filename);
  if (space === undefined) {
    const wheel = tryParseWheelFilename(filename);
    space = wheel === null ? MarkerSpace.everything : wheelEnvironments(wheel);
    byFile.set(filename, space);
  }
  return space;
}

/** Whether any of `files` installs somewhere in `space`: a wheel whose tags run there, or an sdist. */
export function installsIn(files: ReadonlyArray<{ filename: string }>, space: MarkerSpace): boolean {
  return files.some((file) => fileEnvironments(file.filename).overlaps(space));
}

/** The environments a wheel runs on: where any of its tags does. */
export function wheelEnvironments(wheel: WheelFilename): MarkerSpace {
  let space = MarkerSpace.nothing;
  for (const tag of wheel.tags) {
    const [interpreter, abi, platform] = tag.split("-");
    space = space.or(interpreterEnvironments(interpreter, abi).and(platformEnvironments(platform)));
  }
  return space;
}
