// Where a distribution file can be installed, as marker environments (marker-space.ts): what a
// universal resolution checks its required environments against (uv's `required-environments`:
// "this lock must install on Linux and on Windows").
//
// A wheel's platform tags name an operating system (`sys_platform`) and often a machine
// (`platform_machine`); its Python and ABI tags are left out, as Requires-Python is checked apart.
// A machine is named only where Python reports the one the tag names: a 32-bit Python on 64-bit
// Linux or Windows reports the 64-bit machine, so `i686` and `win32` wheels name no machine. A
// platform tag this does not know names nothing, so that it never rules a wheel out.

import type { WheelFilename } from "./filename.ts";
import { parseMarker } from "./marker.ts";
import { MarkerSpace } from "./marker-space.ts";

/** Machines whose Linux platform tag suffix is what `platform.machine()` reports there. */
const LINUX_MACHINES = new Set(["x86_64", "aarch64", "ppc64le", "ppc64", "s390x", "riscv64", "armv7l"]);

const byPlatform = new Map<string, MarkerSpace>();

/** The environments one platform tag (`manylinux_2_17_x86_64`, `win_amd64`, `any`) runs on. */
export function platformEnvironments(platform: string): MarkerSpace {
  let space = byPlatform.get(platform);
  if (space === undefined) {
    const text = platformMarker(platform);
    space = text === null ? MarkerSpace.everything : MarkerSpace.of(parseMarker(text).markers, "");
    byPlatform.set(platform, space);
  }
  return space;
}

function platformMarker(platform: string): string | null {
  const system = (name: string, machines: readonly string[] = []) => {
    const os = `sys_platform == '${name}'`;
    if (machines.length === 0) return os;
    return `${os} and (${machines.map((machine) => `platform_machine == '${machine}'`).join(" or ")})`;
  };
  if (platform === "win32") return system("win32");
  if (platform === "win_amd64") return system("win32", ["AMD64"]);
  if (platform === "win_arm64") return system("win32", ["ARM64"]);
  if (platform.startsWith("win_")) return system("win32");
  const mac = /^macosx_\d+_\d+_(\w+)$/.exec(platform);
  if (mac !== null) {
    const machine = mac[1];
    if (machine === "arm64" || machine === "x86_64") return system("darwin", [machine]);
    if (machine === "universal2") return system("darwin", ["arm64", "x86_64"]);
    return system("darwin");
  }
  const linux = /^(?:manylinux_\d+_\d+|musllinux_\d+_\d+|manylinux\d+|linux)_(\w+)$/.exec(platform);
  if (linux !== null) return system("linux", LINUX_MACHINES.has(linux[1]) ? [linux[1]] : []);
  if (platform.startsWith("android_")) return system("android");
  if (platform.startsWith("ios_")) return system("ios");
  return null;
}

/** The environments a wheel runs on: where any of its platform tags does. */
export function wheelEnvironments(wheel: WheelFilename): MarkerSpace {
  let space = MarkerSpace.nothing;
  for (const tag of wheel.tags) space = space.or(platformEnvironments(tag.slice(tag.lastIndexOf("-") + 1)));
  return space;
}
