// Writing PEP 751 lock files (pylock.ts reads them): keys in the order the specification lists
// them, packages by name, files as inline tables, so that locking the same inputs twice gives the
// same bytes.

import { lastPart, type PylockFile } from "./pylock.ts";

export interface PylockPackageOutput {
  name: string;
  /** Absent for an archive (a direct reference), as for a source tree. */
  version: string | null;
  requiresPython: string | null;
  /** Where it is installed (a universal lock): PEP 508 marker text, or null for everywhere. */
  marker?: string | null;
  /** Names of the packages it depends on here, for readers (installers ignore them). */
  dependencies: string[];
  index: string | null;
  archive: PylockFile | null;
  sdist: PylockFile | null;
  wheels: PylockFile[];
}

export interface PylockOutput {
  /** Markers of the environments the lock is for; none: every environment. */
  environments?: readonly string[];
  requiresPython: string | null;
  createdBy: string;
  packages: PylockPackageOutput[];
}

/**
 * A TOML basic string: the characters TOML forbids unescaped (controls, DEL) as escapes.
 * JSON's escapes are TOML's except that JSON leaves DEL alone.
 */
function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\x7f/g, "\\u007f");
}

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** An index's upload time as a TOML offset date-time in UTC, or null when it is not one. */
function uploadTimeLiteral(text: string): string | null {
  if (!RFC3339.test(text)) return null;
  if (/(?:[Zz]|\+00:00)$/.test(text))
    return text
      .replace(/[Zz]$/, "Z")
      .replace(/\+00:00$/, "Z")
      .replace(" ", "T");
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

function fileTable(file: PylockFile): string {
  const parts: string[] = [];
  const lastOfPath = lastPart(file.path) ?? lastPart(file.url);
  if (lastOfPath !== file.filename) parts.push(`name = ${tomlString(file.filename)}`);
  const uploadTime =
    file.url !== null && file.uploadTime !== null ? uploadTimeLiteral(file.uploadTime) : null;
  if (uploadTime !== null) parts.push(`upload-time = ${uploadTime}`);
  if (file.url !== null) parts.push(`url = ${tomlString(file.url)}`);
  if (file.path !== null) parts.push(`path = ${tomlString(file.path)}`);
  if (file.size !== null) parts.push(`size = ${file.size}`);
  const hashes = Object.keys(file.hashes)
    .sort()
    .map((algorithm) => `${tomlKey(algorithm)} = ${tomlString(file.hashes[algorithm])}`);
  parts.push(`hashes = { ${hashes.join(", ")} }`);
  if (file.subdirectory) parts.push(`subdirectory = ${tomlString(file.subdirectory)}`);
  return `{ ${parts.join(", ")} }`;
}

/**
 * The lock file's text: keys in the order the specification lists them, packages by name, files
 * as inline tables, so that locking the same inputs twice gives the same bytes. `comments` (each
 * a line starting with "#") open the file.
 */
export function writePylock(lock: PylockOutput, comments: readonly string[] = []): string {
  const lines = comments.map((line) => {
    const one = line.replace(/[\r\n]+/g, " ");
    return one.startsWith("#") ? one : `# ${one}`;
  });
  lines.push('lock-version = "1.0"');
  if (lock.environments && lock.environments.length > 0)
    lines.push(`environments = [${lock.environments.map(tomlString).join(", ")}]`);
  if (lock.requiresPython !== null) lines.push(`requires-python = ${tomlString(lock.requiresPython)}`);
  lines.push(`created-by = ${tomlString(lock.createdBy)}`);
  for (const entry of [...lock.packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    lines.push("", "[[packages]]", `name = ${tomlString(entry.name)}`);
    if (entry.version !== null) lines.push(`version = ${tomlString(entry.version)}`);
    if (entry.marker) lines.push(`marker = ${tomlString(entry.marker)}`);
    if (entry.requiresPython !== null) lines.push(`requires-python = ${tomlString(entry.requiresPython)}`);
    if (entry.dependencies.length > 0) {
      const names = [...new Set(entry.dependencies)].sort();
      lines.push(`dependencies = [${names.map((name) => `{ name = ${tomlString(name)} }`).join(", ")}]`);
    }
    if (entry.archive !== null) lines.push(`archive = ${fileTable(entry.archive)}`);
    if (entry.index !== null) lines.push(`index = ${tomlString(entry.index)}`);
    if (entry.sdist !== null) lines.push(`sdist = ${fileTable(entry.sdist)}`);
    if (entry.wheels.length > 0) {
      lines.push("wheels = [");
      const wheels = [...entry.wheels].sort((a, b) =>
        a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0,
      );
      for (const wheel of wheels) lines.push(`  ${fileTable(wheel)},`);
      lines.push("]");
    }
  }
  return `${lines.join("\n")}\n`;
}
