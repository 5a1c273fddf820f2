// What a resolution is for: the marker environment, the supported wheel tags and the Python
// version Requires-Python is checked against. Usually the target interpreter's own; with
// `--python-version X.Y` the same platform with another CPython version (as pip's download does).

import type { MarkerEnvironment } from "../standards/marker.ts";
import {
  compatibleTags,
  cpythonAbis,
  cpythonTags,
  genericTags,
  interpreterShortName,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
  platformTags,
  sysTags,
  type Tag,
  type TagFacts,
} from "../standards/tags.ts";
import { platformFacts } from "../standards/wheel-environments.ts";
import { UsageError } from "../util/error.ts";
import { type Interpreter, markerEnvironment, tagFacts } from "./interpreter.ts";

export interface ResolveTarget {
  markers: MarkerEnvironment;
  tags: string[];
  /** Full version for Requires-Python checks, e.g. "3.12.0". */
  pythonVersion: string;
}

function fullVersion(version: string): string {
  const parts = version.split(".");
  while (parts.length < 3) parts.push("0");
  return parts.join(".");
}

function withVersion(facts: TagFacts, major: number, minor: number): TagFacts {
  const nodot = `${major}${minor}`;
  const soabi = facts.configVars.SOABI?.replace(/cpython-\d+/, `cpython-${nodot}`) ?? null;
  return {
    ...facts,
    pythonVersion: [major, minor],
    configVars: { ...facts.configVars, SOABI: soabi, py_version_nodot: nodot },
    extensionSuffixes: [],
  };
}

/** The interpreter itself, or its platform with Python `pythonVersion` (X.Y, X.Y.Z or pip's XY). */
export function targetOf(interpreter: Interpreter, pythonVersion?: string | null): ResolveTarget {
  if (!pythonVersion) {
    return {
      markers: markerEnvironment(interpreter),
      tags: sysTags(tagFacts(interpreter)),
      pythonVersion: interpreter.facts.python_full_version,
    };
  }
  const parsed = parsePythonVersion(pythonVersion);
  if (parsed === null)
    throw new UsageError(`--python-version takes X.Y (3.12), X.Y.Z or XY (312), not '${pythonVersion}'`);
  const [major, minor] = parsed;
  const full = parsed.join(".");
  return {
    markers: {
      ...markerEnvironment(interpreter),
      python_version: `${major}.${minor}`,
      python_full_version: full,
      implementation_version: full,
    },
    tags: sysTags(withVersion(tagFacts(interpreter), major, minor)),
    pythonVersion: full,
  };
}

/** CPython `version` on x86_64 Linux with glibc 2.35: for resolving without an interpreter. */
export function linuxTarget(version: string): ResolveTarget {
  const [major, minor] = version.split(".").map(Number);
  const full = fullVersion(version);
  const facts: TagFacts = {
    implementationName: "cpython",
    pythonVersion: [major, minor],
    configVars: {
      SOABI: `cpython-${major}${minor}-x86_64-linux-gnu`,
      Py_DEBUG: 0,
      py_version_nodot: `${major}${minor}`,
    },
    sysconfigPlatform: "linux-x86_64",
    platformSystem: "Linux",
    pointerBits: 64,
    glibcVersion: [2, 35],
  };
  return {
    markers: {
      implementation_name: "cpython",
      implementation_version: full,
      os_name: "posix",
      platform_machine: "x86_64",
      platform_python_implementation: "CPython",
      platform_release: "",
      platform_system: "Linux",
      platform_version: "",
      python_full_version: full,
      python_version: `${major}.${minor}`,
      sys_platform: "linux",
    },
    tags: sysTags(facts),
    pythonVersion: full,
  };
}

/** pip download's target options: another platform, implementation or ABI than the interpreter's. */
export interface ForeignTarget {
  /** `--python-version`: X, X.Y, X.Y.Z or XY, as pip takes it. */
  pythonVersion?: string | null;
  /** `--platform` (repeatable): wheel platform tags such as manylinux2014_x86_64 or win_amd64. */
  platforms?: readonly string[];
  /** `--implementation`: cp, pp, py, ... */
  implementation?: string | null;
  /** `--abi` (repeatable): cp311, abi3, none, ... */
  abis?: readonly string[];
}

/**
 * uv's `--python-platform` targets as wheel platform tags, best first: Windows (`windows` is
 * x86_64), Linux with glibc (`linux` is x86_64 manylinux_2_17, as uv's x86_64-unknown-linux-gnu;
 * `ARCH-manylinux_2_N` names the glibc), musl 1.2, and macOS (`macos` is arm64; 13.0, or
 * MACOSX_DEPLOYMENT_TARGET). Null for a name it does not know.
 */
export function pythonPlatformTags(name: string, env: NodeJS.ProcessEnv): string[] | null {
  const aliases: Record<string, string> = {
    windows: "x86_64-pc-windows-msvc",
    linux: "x86_64-unknown-linux-gnu",
    macos: "aarch64-apple-darwin",
  };
  const target = aliases[name] ?? name;
  if (target === "x86_64-pc-windows-msvc") return ["win_amd64"];
  if (target === "i686-pc-windows-msvc") return ["win32"];
  const glibc = /^(x86_64|aarch64)-(?:unknown-linux-gnu|manylinux2014|manylinux_2_(\d+))$/.exec(target);
  if (glibc !== null) {
    const minor = glibc[2] === undefined ? 17 : Number(glibc[2]);
    if (minor < 17 || minor > 40) return null;
    return [...manylinuxPlatforms([2, minor], [glibc[1]]), `linux_${glibc[1]}`];
  }
  const musl = /^(x86_64|aarch64)-unknown-linux-musl$/.exec(target);
  if (musl !== null) return [...musllinuxPlatforms([1, 2], [musl[1]]), `linux_${musl[1]}`];
  const mac = /^(x86_64|aarch64)-apple-darwin$/.exec(target);
  if (mac !== null) {
    const deployment = /^(\d+)(?:\.(\d+))?$/.exec(env.MACOSX_DEPLOYMENT_TARGET ?? "");
    const version: [number, number] =
      deployment === null ? [13, 0] : [Number(deployment[1]), Number(deployment[2] ?? 0)];
    return macPlatforms(version, mac[1] === "aarch64" ? "arm64" : "x86_64");
  }
  return null;
}

/** Whether the options name another platform, ABI or implementation (not only a Python version). */
export function isForeign(options: ForeignTarget): boolean {
  return (options.platforms?.length ?? 0) > 0 || (options.abis?.length ?? 0) > 0 || !!options.implementation;
}

/** pip's forms of `--python-version`: "3", "3.11", "3.11.4", or "311" (major digit, then minor). */
export function parsePythonVersion(text: string): [number, number, number] | null {
  const parts = /^\d+$/.test(text) && text.length > 1 ? [text.slice(0, 1), text.slice(1)] : text.split(".");
  if (parts.length > 3 || !parts.every((part) => /^\d+$/.test(part))) return null;
  const [major, minor = 0, micro = 0] = parts.map(Number);
  return [major, minor, micro];
}

/**
 * pip's expansion of `--platform`: a macOS tag stands for that version and every earlier one, and
 * manylinux2014/2010 for the older manylinux tags their systems also run (PEP 599, PEP 571).
 */
function expandPlatforms(platforms: readonly string[]): string[] {
  const expanded: string[] = [];
  for (const platform of platforms) {
    let forms = [platform];
    const mac = /^(macosx\w*?)_(\d+)_(\d+)_(.+)$/.exec(platform);
    if (mac !== null)
      forms = macPlatforms([Number(mac[2]), Number(mac[3])], mac[4]).map(
        (form) => `${mac[1]}_${form.slice("macosx_".length)}`,
      );
    else {
      const underscore = platform.indexOf("_");
      const prefix = underscore < 0 ? platform : platform.slice(0, underscore);
      const arch = platform.slice(underscore + 1);
      if (prefix === "manylinux2014" && (arch === "i686" || arch === "x86_64"))
        forms.push(`manylinux2010_${arch}`, `manylinux1_${arch}`);
      else if (prefix === "manylinux2010") forms.push(`manylinux1_${arch}`);
    }
    for (const form of forms) if (!expanded.includes(form)) expanded.push(form);
  }
  return expanded;
}

const IMPLEMENTATIONS: Record<string, [string, string]> = {
  cp: ["cpython", "CPython"],
  pp: ["pypy", "PyPy"],
  ip: ["ironpython", "IronPython"],
  jy: ["jython", "Jython"],
};

/**
 * The marker values a wheel platform tag implies (unlike pip, which keeps the running system's:
 * a wheelhouse for Windows then misses what only Windows requires, as uv's --python-platform
 * avoids). Null for a tag that says nothing (`any`).
 */
function platformMarkers(platform: string): Partial<MarkerEnvironment> | null {
  const facts = platformFacts(platform);
  return facts === null ? null : { ...facts, platform_release: "", platform_version: "" };
}

/**
 * What `pip download --platform/--implementation/--abi/--python-version` resolves for: pip's
 * get_supported() tags (cpython or generic tags for the implementation, then the compatible
 * ones), and markers for that platform and implementation. Without those options, targetOf.
 */
export function foreignTarget(interpreter: Interpreter, options: ForeignTarget): ResolveTarget {
  if (!isForeign(options)) return targetOf(interpreter, options.pythonVersion);
  const platforms = options.platforms ?? [];
  const abis = options.abis ?? [];
  const base = targetOf(interpreter, options.pythonVersion); // (refuses a malformed version)
  const version = options.pythonVersion ? parsePythonVersion(options.pythonVersion) : null;
  const [major, minor] = version ?? base.pythonVersion.split(".").map(Number);
  const facts = version === null ? tagFacts(interpreter) : withVersion(tagFacts(interpreter), major, minor);
  const supportedPlatforms = platforms.length > 0 ? expandPlatforms(platforms) : platformTags(facts);
  const implementation = options.implementation ?? interpreterShortName(facts.implementationName);
  const interpreterTag = `${implementation}${major}${minor}`;
  const tags: Tag[] =
    implementation === "cp"
      ? cpythonTags([major, minor], abis.length > 0 ? abis : cpythonAbis(facts), supportedPlatforms)
      : genericTags(interpreterTag, abis, supportedPlatforms);
  tags.push(...compatibleTags([major, minor], interpreterTag, supportedPlatforms));
  const names = IMPLEMENTATIONS[implementation];
  return {
    markers: {
      ...base.markers,
      ...(platforms.length > 0 ? platformMarkers(platforms[0]) : null),
      ...(names === undefined
        ? {}
        : { implementation_name: names[0], platform_python_implementation: names[1] }),
    },
    tags,
    pythonVersion: base.pythonVersion,
  };
}
