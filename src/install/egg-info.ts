// The legacy metadata of setuptools and distutils installs, read as pip and importlib.metadata
// read it: an .egg-info's requires.txt, and the files an .egg-info says are its own.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { filesBelow } from "../util/fs.ts";
import type { InstalledDistribution } from "./installed.ts";

/**
 * setuptools' requires.txt as PEP 508 requirements, the way importlib.metadata converts it: a
 * `[extra]`, `[:marker]` or `[extra:marker]` section heads the lines below it, which get
 * `; (marker) and extra == "extra"`; a URL requirement gets a space before its `;`.
 */
export function requiresTxtRequirements(text: string): string[] {
  const requirements: string[] = [];
  let marker = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section !== null) {
      const [extra, ...rest] = section[1].split(":");
      const markers = rest.join(":");
      const conditions = [extra && markers ? `(${markers})` : markers, extra ? `extra == "${extra}"` : ""];
      const joined = conditions.filter((condition) => condition !== "").join(" and ");
      marker = joined === "" ? "" : `; ${joined}`;
      continue;
    }
    requirements.push(`${line}${line.includes("@") && marker !== "" ? " " : ""}${marker}`);
  }
  return requirements;
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
