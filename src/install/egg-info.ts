// The legacy metadata of setuptools and distutils installs, read as pip and importlib.metadata
// read it: an .egg-info's requires.txt, and the files an .egg-info says are its own.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { filesBelow } from "../util/fs.ts";
import type { InstalledDistribution } from "./installed.ts";

/** One requirement of setuptools' requires.txt, with the `[extra:marker]` section it is under. */
interface RequiresTxtEntry {
  requirement: string;
  extra: string;
  marker: string;
}

/** requires.txt's lines, as importlib.metadata and pip both read them: `[extra:marker]` heads a section. */
function requiresTxtEntries(text: string): RequiresTxtEntry[] {
  const entries: RequiresTxtEntry[] = [];
  let extra = "";
  let marker = "";
  for (const raw of text.split(/\r\n|[\n\r]/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[") && line.endsWith("]")) {
      const section = line.replace(/^[[\]]+|[[\]]+$/g, ""); // Python's strip("[]")
      const colon = section.indexOf(":");
      extra = colon < 0 ? section : section.slice(0, colon);
      marker = colon < 0 ? "" : section.slice(colon + 1);
      continue;
    }
    entries.push({ requirement: line, extra, marker });
  }
  return entries;
}

/**
 * setuptools' requires.txt as PEP 508 requirements, the way importlib.metadata converts it: a
 * `[extra]`, `[:marker]` or `[extra:marker]` section heads the lines below it, which get
 * `; (marker) and extra == "extra"`; a URL requirement gets a space before its `;`.
 */
export function requiresTxtRequirements(text: string): string[] {
  return requiresTxtEntries(text).map(({ requirement, extra, marker }) => {
    const conditions = [extra && marker ? `(${marker})` : marker, extra ? `extra == "${extra}"` : ""];
    const joined = conditions.filter((condition) => condition !== "").join(" and ");
    return joined === "" ? requirement : `${requirement}${requirement.includes("@") ? " " : ""}; ${joined}`;
  });
}

/**
 * What pip 23.2 adds to an .egg-info's metadata from requires.txt when PKG-INFO has none of its
 * own (its inspect report shows them): Requires-Dist in pip's spelling (`req ; marker`, the extra
 * made safe as pkg_resources' safe_extra makes it) and the extras as written, each once.
 */
export function requiresTxtAsPipReads(text: string): { requiresDist: string[]; providesExtra: string[] } {
  const entries = requiresTxtEntries(text);
  const requiresDist = entries.map((entry) => {
    const extra = entry.extra.replace(/[^A-Za-z0-9.-]+/g, "_").toLowerCase();
    const marker =
      extra && entry.marker
        ? `(${entry.marker}) and extra == "${extra}"`
        : extra
          ? `extra == "${extra}"`
          : entry.marker;
    return marker ? `${entry.requirement} ; ${marker}` : entry.requirement;
  });
  const providesExtra = [...new Set(entries.map((entry) => entry.extra))].filter((extra) => extra !== "");
  return { requiresDist, providesExtra };
}

/**
 * A setuptools .egg-info directory's files, as pip 23 finds them: the directory itself, and the
 * lines of installed-files.txt (relative to it), else each top_level.txt package that is no
 * namespace package (its directory, or its module). distutils' .egg-info file lists nothing.
 */
export function eggInfoPaths(distribution: InstalledDistribution): string[] | null {
  if (distribution.readFile("PKG-INFO") === null) return null; // a file, or unreadable
  const paths = filesBelow(distribution.path);
  const installed = distribution.readFile("installed-files.txt");
  if (installed !== null) {
    for (const line of installed.split(/\r?\n/)) {
      const relativePath = line.trim();
      if (relativePath !== "" && !relativePath.includes("\0"))
        paths.push(resolve(distribution.path, relativePath));
    }
    return paths;
  }
  const topLevel = distribution.readFile("top_level.txt");
  if (topLevel === null) return null;
  const namespaces = new Set((distribution.readFile("namespace_packages.txt") ?? "").split(/\r?\n/));
  for (const line of topLevel.split(/\r?\n/)) {
    const name = line.trim();
    // A name is one path component (top_level.txt may hold `a/b` for a nested package; pip joins it).
    if (name === "" || namespaces.has(name) || name.includes("\0") || name.split("/").includes(".."))
      continue;
    const path = join(distribution.location, name);
    paths.push(...filesBelow(path));
    for (const suffix of [".py", ".pyc", ".pyo"]) if (existsSync(path + suffix)) paths.push(path + suffix);
  }
  return paths;
}
