// Platform compatibility tags (PEP 425, PEP 600 manylinux, PEP 656 musllinux, and packaging 26's
// macOS, iOS and Android rules): parsing tags and generating an interpreter's supported tags in
// priority order, from facts about the interpreter (no Python is run here).

import { compareCodePoints } from "./python-string.ts";

export class UnsortedTags extends Error {
  override name = "UnsortedTagsError";
}

/** A tag as its `interpreter-abi-platform` string, lower-cased (the identity packaging uses). */
export type Tag = string;

export function makeTag(interpreter: string, abi: string, platform: string): Tag {
  return `${interpreter.toLowerCase()}-${abi.toLowerCase()}-${platform.toLowerCase()}`;
}

/** Expands a compressed tag set (`py2.py3-none-any`) into its tags. */
export function parseTag(tag: string, validateOrder = false): Set<Tag> {
  const components = tag.split("-");
  if (components.length !== 3) throw new Error(`Invalid tag: '${tag}'`);
  const [interpreters, abis, platforms] = components;
  if (validateOrder) {
    for (const component of components) {
      const parts = component.split(".");
      const sorted = [...parts].sort(compareCodePoints);
      if (parts.some((part, index) => part !== sorted[index])) {
        throw new UnsortedTags(`Tag component '${component}' is not in sorted order per PEP 425`);
      }
    }
  }
  const tags = new Set<Tag>();
  for (const interpreter of interpreters.split(".")) {
    for (const abi of abis.split(".")) {
      for (const platform of platforms.split(".")) tags.add(makeTag(interpreter, abi, platform));
    }
  }
  return tags;
}

export type PythonVersion = readonly number[];

function versionNodot(version: PythonVersion): string {
  return version.join("");
}

/** Is this a free-threaded ABI (a `t` in the flags after `cpXY`)? */
function isThreadedCpython(abis: readonly string[]): boolean {
  if (abis.length === 0) return false;
  const match = /^cp\d+(.*)/s.exec(abis[0]);
  return match?.[1].includes("t") ?? false;
}

function atLeast(version: PythonVersion, major: number, minor: number): boolean {
  return version[0] > major || (version[0] === major && (version[1] ?? -1) >= minor);
}

export function cpythonTags(
  pythonVersion: PythonVersion,
  abiList: readonly string[],
  platforms: readonly string[],
): Tag[] {
  const interpreter = `cp${versionNodot(pythonVersion.slice(0, 2))}`;
  // packaging removes the first "abi3" and "none" only: they are emitted in their own place below.
  const effective = [...abiList];
  for (const explicit of ["abi3", "none"]) {
    const index = effective.indexOf(explicit);
    if (index >= 0) effective.splice(index, 1);
  }
  const tags: Tag[] = [];
  for (const abi of effective)
    for (const platform of platforms) tags.push(makeTag(interpreter, abi, platform));
  const threading = isThreadedCpython(effective);
  const hasMinor = pythonVersion.length > 1;
  const useAbi3 = hasMinor && atLeast(pythonVersion, 3, 2) && !threading;
  const useAbi3t = hasMinor && atLeast(pythonVersion, 3, 2) && threading;
  if (useAbi3) for (const platform of platforms) tags.push(makeTag(interpreter, "abi3", platform));
  if (useAbi3t) for (const platform of platforms) tags.push(makeTag(interpreter, "abi3t", platform));
  for (const platform of platforms) tags.push(makeTag(interpreter, "none", platform));
  if (useAbi3 || useAbi3t) {
    for (let minor = pythonVersion[1] - 1; minor > 1; minor--) {
      const older = `cp${versionNodot([pythonVersion[0], minor])}`;
      for (const platform of platforms) {
        if (useAbi3) tags.push(makeTag(older, "abi3", platform));
        if (useAbi3t) tags.push(makeTag(older, "abi3t", platform));
      }
    }
  }
  return tags;
}

export function genericTags(
  interpreter: string,
  abiList: readonly string[],
  platforms: readonly string[],
): Tag[] {
  const abis = [...abiList];
  if (!abis.includes("none")) abis.push("none");
  const tags: Tag[] = [];
  for (const abi of abis) for (const platform of platforms) tags.push(makeTag(interpreter, abi, platform));
  return tags;
}

function* pyInterpreterRange(version: PythonVersion): Generator<string> {
  if (version.length > 1) yield `py${versionNodot(version.slice(0, 2))}`;
  yield `py${version[0]}`;
  if (version.length > 1)
    for (let minor = version[1] - 1; minor >= 0; minor--) yield `py${versionNodot([version[0], minor])}`;
}

export function compatibleTags(
  pythonVersion: PythonVersion,
  interpreter: string | null,
  platforms: readonly string[],
): Tag[] {
  const tags: Tag[] = [];
  for (const version of pyInterpreterRange(pythonVersion)) {
    for (const platform of platforms) tags.push(makeTag(version, "none", platform));
  }
  if (interpreter) tags.push(makeTag(interpreter, "none", "any"));
  for (const version of pyInterpreterRange(pythonVersion)) tags.push(makeTag(version, "none", "any"));
  return tags;
}

// --- platforms ---------------------------------------------------------------------------------

function compareAppleVersion(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

function macBinaryFormats(version: readonly [number, number], arch: string): string[] {
  const formats = [arch];
  if (arch === "x86_64") {
    if (compareAppleVersion(version, [10, 4]) < 0) return [];
    formats.push("intel", "fat64", "fat32");
  } else if (arch === "i386") {
    if (compareAppleVersion(version, [10, 4]) < 0) return [];
    formats.push("intel", "fat32", "fat");
  } else if (arch === "ppc64") {
    if (compareAppleVersion(version, [10, 5]) > 0 || compareAppleVersion(version, [10, 4]) < 0) return [];
    formats.push("fat64");
  } else if (arch === "ppc") {
    if (compareAppleVersion(version, [10, 6]) > 0) return [];
    formats.push("fat32", "fat");
  }
  if (arch === "arm64" || arch === "x86_64") formats.push("universal2");
  if (["x86_64", "i386", "ppc64", "ppc", "intel"].includes(arch)) formats.push("universal");
  return formats;
}

export function macPlatforms(version: readonly [number, number], arch: string): string[] {
  const platforms: string[] = [];
  if (compareAppleVersion(version, [10, 0]) >= 0 && compareAppleVersion(version, [11, 0]) < 0) {
    for (let minor = version[1]; minor >= 0; minor--) {
      for (const format of macBinaryFormats([10, minor], arch))
        platforms.push(`macosx_10_${minor}_${format}`);
    }
  }
  if (compareAppleVersion(version, [11, 0]) >= 0) {
    for (let major = version[0]; major > 10; major--) {
      for (const format of macBinaryFormats([major, 0], arch)) platforms.push(`macosx_${major}_0_${format}`);
    }
    for (let minor = 16; minor > 3; minor--) {
      if (arch === "x86_64") {
        for (const format of macBinaryFormats([10, minor], arch))
          platforms.push(`macosx_10_${minor}_${format}`);
      } else {
        platforms.push(`macosx_10_${minor}_universal2`);
      }
    }
  }
  return platforms;
}

export function iosPlatforms(version: readonly [number, number], multiarch: string): string[] {
  const arch = multiarch.replaceAll("-", "_");
  if (version[0] < 12) return [];
  const platforms = [`ios_${version[0]}_${version[1]}_${arch}`];
  for (let minor = version[1] - 1; minor >= 0; minor--) platforms.push(`ios_${version[0]}_${minor}_${arch}`);
  for (let major = version[0] - 1; major > 11; major--) {
    for (let minor = 9; minor >= 0; minor--) platforms.push(`ios_${major}_${minor}_${arch}`);
  }
  return platforms;
}

export function normalizePlatformString(text: string): string {
  return text.replaceAll(".", "_").replaceAll("-", "_").replaceAll(" ", "_");
}

export function androidPlatforms(apiLevel: number, abi: string): string[] {
  const normalized = normalizePlatformString(abi);
  const platforms: string[] = [];
  for (let level = apiLevel; level >= 16; level--) platforms.push(`android_${level}_${normalized}`);
  return platforms;
}

const MANYLINUX_ARCHS = new Set(["x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"]);
const LEGACY_MANYLINUX: Record<string, string> = {
  "2_17": "manylinux2014",
  "2_12": "manylinux2010",
  "2_5": "manylinux1",
};
// glibc has had one major version; packaging assumes 50 minors for any earlier major.
const LAST_GLIBC_MINOR = 50;

/**
 * manylinux platforms for a glibc, best first. `armhfOrI686Compatible` stands for packaging's
 * ELF check of the interpreter binary when the archs include armv7l or i686.
 */
export function manylinuxPlatforms(
  glibc: readonly [number, number],
  archs: readonly string[],
  armhfOrI686Compatible = true,
  refusals: ReadonlyArray<readonly [number, string]> = [],
): string[] {
  // PEP 600's _manylinux module refuses glibc 2 minors by arch (the legacy name with its version).
  const refused = new Set(refusals.map(([minor, arch]) => `${minor} ${arch}`));
  if (archs.includes("armv7l") || archs.includes("i686")) {
    if (!armhfOrI686Compatible) return [];
  } else if (!archs.some((arch) => MANYLINUX_ARCHS.has(arch))) {
    return [];
  }
  const tooOld: [number, number] = archs.some((arch) => arch === "x86_64" || arch === "i686")
    ? [2, 4]
    : [2, 16];
  const maxima: Array<[number, number]> = [[glibc[0], glibc[1]]];
  for (let major = glibc[0] - 1; major > 1; major--) maxima.push([major, LAST_GLIBC_MINOR]);
  const platforms: string[] = [];
  for (const arch of archs) {
    for (const [major, maxMinor] of maxima) {
      const minMinor = major === tooOld[0] ? tooOld[1] : -1;
      for (let minor = maxMinor; minor > minMinor; minor--) {
        if (major === 2 && refused.has(`${minor} ${arch}`)) continue;
        platforms.push(`manylinux_${major}_${minor}_${arch}`);
        const legacy = LEGACY_MANYLINUX[`${major}_${minor}`];
        if (legacy) platforms.push(`${legacy}_${arch}`);
      }
    }
  }
  return platforms;
}

export function musllinuxPlatforms(musl: readonly [number, number], archs: readonly string[]): string[] {
  const platforms: string[] = [];
  for (const arch of archs)
    for (let minor = musl[1]; minor >= 0; minor--) platforms.push(`musllinux_${musl[0]}_${minor}_${arch}`);
  return platforms;
}

// --- an interpreter's supported tags -----------------------------------------------------------

/** What tag generation needs to know about an interpreter (gathered by inspecting it once). */
export interface TagFacts {
  implementationName: string;
  /** sys.version_info[:2] */
  pythonVersion: readonly [number, number];
  configVars: {
    SOABI?: string | null;
    EXT_SUFFIX?: string | null;
    Py_DEBUG?: number | null;
    Py_GIL_DISABLED?: number | null;
    WITH_PYMALLOC?: number | null;
    py_version_nodot?: string | null;
    Py_UNICODE_SIZE?: number | null;
  };
  hasGettotalrefcount?: boolean;
  extensionSuffixes?: readonly string[];
  maxunicode?: number;
  /** sysconfig.get_platform(), e.g. `linux-x86_64`, `macosx-11.0-arm64`, `win-amd64`. */
  sysconfigPlatform: string;
  platformSystem: string;
  pointerBits: number;
  glibcVersion?: readonly [number, number] | null;
  muslVersion?: readonly [number, number] | null;
  macVersion?: readonly [number, number] | null;
  macArch?: string | null;
  /**
   * What packaging reads of the interpreter's ELF header before offering manylinux wheels for
   * armv7l or i686: a hard-float ARM EABI5 build, a 32-bit x86 build (unknown: both taken as so).
   */
  executableAbi?: { armhf: boolean; i686: boolean } | null;
  /** The (glibc 2 minor, arch) pairs a PEP 600 `_manylinux` module refuses. */
  manylinuxRefusals?: ReadonlyArray<readonly [number, string]> | null;
}

const SHORT_NAMES: Record<string, string> = {
  python: "py",
  cpython: "cp",
  pypy: "pp",
  ironpython: "ip",
  jython: "jy",
};

export function interpreterShortName(implementationName: string): string {
  return SHORT_NAMES[implementationName] ?? implementationName;
}

export function cpythonAbis(facts: TagFacts): string[] {
  const version = facts.pythonVersion;
  const nodot = versionNodot(version.slice(0, 2));
  const vars = facts.configVars;
  let threading = "";
  let debug = "";
  let pymalloc = "";
  let ucs4 = "";
  const abis: string[] = [];
  const withDebug = vars.Py_DEBUG;
  const hasExt = (facts.extensionSuffixes ?? []).includes("_d.pyd");
  if (withDebug || (withDebug == null && (facts.hasGettotalrefcount || hasExt))) debug = "d";
  if (atLeast(version, 3, 13) && vars.Py_GIL_DISABLED) threading = "t";
  if (!atLeast(version, 3, 8)) {
    const withPymalloc = vars.WITH_PYMALLOC;
    if (withPymalloc || withPymalloc == null) pymalloc = "m";
    if (!atLeast(version, 3, 3)) {
      const unicodeSize = vars.Py_UNICODE_SIZE;
      if (unicodeSize === 4 || (unicodeSize == null && facts.maxunicode === 0x10ffff)) ucs4 = "u";
    }
  } else if (debug) {
    abis.push(`cp${nodot}${threading}`);
  }
  abis.unshift(`cp${nodot}${threading}${debug}${pymalloc}${ucs4}`);
  return abis;
}

function genericAbi(facts: TagFacts): string[] {
  const suffix = facts.configVars.EXT_SUFFIX;
  if (typeof suffix !== "string" || suffix[0] !== ".") throw new Error("invalid EXT_SUFFIX");
  const parts = suffix.split(".");
  if (parts.length < 3) return cpythonAbis(facts);
  const soabi = parts[1];
  let abi: string;
  if (soabi.startsWith("cpython")) abi = `cp${soabi.split("-")[1]}`;
  else if (soabi.startsWith("cp")) abi = soabi.split("-")[0];
  else if (soabi.startsWith("pypy")) abi = soabi.split("-").slice(0, 2).join("-");
  else if (soabi.startsWith("graalpy")) abi = soabi.split("-").slice(0, 3).join("-");
  else if (soabi) abi = soabi;
  else return [];
  return [normalizePlatformString(abi)];
}

export function platformTags(facts: TagFacts): string[] {
  const system = facts.platformSystem;
  if (system === "Darwin" && facts.macVersion) {
    return macPlatforms(facts.macVersion, facts.macArch ?? facts.sysconfigPlatform.split("-").at(-1)!);
  }
  if (system === "Linux") {
    let linux = normalizePlatformString(facts.sysconfigPlatform);
    if (!linux.startsWith("linux_")) return [linux];
    if (facts.pointerBits === 32) {
      if (linux === "linux_x86_64") linux = "linux_i686";
      else if (linux === "linux_aarch64") linux = "linux_armv8l";
    }
    const arch = linux.slice("linux_".length);
    const archs = arch === "armv8l" ? ["armv8l", "armv7l"] : [arch];
    const platforms: string[] = [];
    if (facts.glibcVersion) {
      const abi = facts.executableAbi;
      const compatible =
        abi == null || (archs.includes("armv7l") ? abi.armhf : archs.includes("i686") ? abi.i686 : true);
      platforms.push(
        ...manylinuxPlatforms(facts.glibcVersion, archs, compatible, facts.manylinuxRefusals ?? []),
      );
    }
    if (facts.muslVersion) platforms.push(...musllinuxPlatforms(facts.muslVersion, archs));
    for (const each of archs) platforms.push(`linux_${each}`);
    return platforms;
  }
  return [normalizePlatformString(facts.sysconfigPlatform)];
}

/** packaging's `sys_tags()` for the described interpreter, best first. */
export function sysTags(facts: TagFacts): Tag[] {
  const name = interpreterShortName(facts.implementationName);
  const platforms = platformTags(facts);
  const nodot = facts.configVars.py_version_nodot || versionNodot(facts.pythonVersion);
  const tags: Tag[] = [];
  if (name === "cp") tags.push(...cpythonTags(facts.pythonVersion, cpythonAbis(facts), platforms));
  else tags.push(...genericTags(`${name}${nodot}`, genericAbi(facts), platforms));
  const interpreter = name === "pp" ? "pp3" : name === "cp" ? `cp${nodot}` : null;
  tags.push(...compatibleTags(facts.pythonVersion, interpreter, platforms));
  return tags;
}

/** Rank of each supported tag (its first position): lower is better. */
export function tagRanks(supported: readonly Tag[]): Map<Tag, number> {
  const ranks = new Map<Tag, number>();
  supported.forEach((tag, index) => {
    if (!ranks.has(tag)) ranks.set(tag, index);
  });
  return ranks;
}

/** The best rank among `tags`, or -1 when none is supported. */
export function bestRank(tags: Iterable<Tag>, ranks: ReadonlyMap<Tag, number>): number {
  let best = -1;
  for (const tag of tags) {
    const rank = ranks.get(tag);
    if (rank !== undefined && (best < 0 || rank < best)) best = rank;
  }
  return best;
}

/**
 * Orders items by how well their tags suit an interpreter (best first, ties in input order) and
 * drops those with no supported tag.
 */
export function selectByTags<T>(
  items: Iterable<T>,
  tagsOf: (item: T) => Iterable<Tag> | null,
  ranks: ReadonlyMap<Tag, number>,
): T[] {
  const ranked: Array<[T, number]> = [];
  for (const item of items) {
    const tags = tagsOf(item);
    if (tags === null) continue;
    const rank = bestRank(tags, ranks);
    if (rank >= 0) ranked.push([item, rank]);
  }
  return ranked.sort((a, b) => a[1] - b[1]).map(([item]) => item);
}
