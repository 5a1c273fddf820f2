// What a resolution is for: the marker environment, the supported wheel tags and the Python
// version Requires-Python is checked against. Usually the target interpreter's own; with
// `--python-version X.Y` the same platform with another CPython version (as pip's download does).

import type { MarkerEnvironment } from "../standards/marker.ts";
import { sysTags, type TagFacts } from "../standards/tags.ts";
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

/** The interpreter itself, or its platform with Python `pythonVersion` (X.Y or X.Y.Z). */
export function targetOf(interpreter: Interpreter, pythonVersion?: string | null): ResolveTarget {
  if (!pythonVersion) {
    return {
      markers: markerEnvironment(interpreter),
      tags: sysTags(tagFacts(interpreter)),
      pythonVersion: interpreter.facts.python_full_version,
    };
  }
  const [major, minor] = pythonVersion.split(".").map(Number);
  const full = fullVersion(pythonVersion);
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
