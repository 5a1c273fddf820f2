// pip 23.2's output formats for list, freeze, show and check, reproduced exactly because other
// tools parse them. Everything here is computed from dist-info directories, no Python run.

import { activeRequirements, type InstalledDistribution } from "../install/installed.ts";
import { importlibHeaderValue } from "../standards/email-headers.ts";
import { tryParseWheelFilename } from "../standards/filename.ts";
import type { MarkerEnvironment } from "../standards/marker.ts";
import { canonicalizeName } from "../standards/name.ts";
import {
  compareCodePoints,
  pyExpandTabs,
  pyRstrip,
  pySplitLines,
  pythonJsonString,
} from "../standards/python-string.ts";
import { parseRequirement, type Requirement } from "../standards/requirement.ts";
import type { Version } from "../standards/version.ts";

/** The control characters pip's console (rich) drops from what it prints: BEL, BS, VT, FF and CR. */
const DROPPED_CONTROLS = new Set([7, 8, 11, 12, 13]);

/**
 * A message as pip 23.2 prints it through its console (rich): without the control characters
 * it drops, tabs expanded to columns of eight. Metadata holds both (matplotlib's License has tabs).
 */
export function asPipPrints(text: string): string {
  let kept = text;
  for (let index = 0; index < text.length; index++) {
    if (DROPPED_CONTROLS.has(text.charCodeAt(index))) {
      kept = [...text].filter((char) => !DROPPED_CONTROLS.has(char.charCodeAt(0))).join("");
      break;
    }
  }
  return pyExpandTabs(kept);
}

/** pip's `tabulate`: columns left-justified to their widest cell, joined by one space, rstripped. */
export function tabulate(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let index = 0; index < row.length; index++)
      widths[index] = Math.max(widths[index] ?? 0, pyLength(row[index]));
  }
  return rows.map((row) =>
    pyRstrip(
      widths
        .map((width, index) => {
          const cell = row[index] ?? "";
          return cell + " ".repeat(width - pyLength(cell));
        })
        .join(" "),
    ),
  );
}

/** Python's len(): code points, where JavaScript counts a character beyond U+FFFF twice. */
function pyLength(text: string): number {
  let length = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff) length--;
  }
  return length;
}

function byCanonicalName(a: InstalledDistribution, b: InstalledDistribution): number {
  return a.canonicalName < b.canonicalName ? -1 : a.canonicalName > b.canonicalName ? 1 : 0;
}

/** The newest version on the index and its file type, for `list --outdated`. */
export interface LatestRelease {
  version: Version;
  filetype: "wheel" | "sdist";
}

export function listColumns(
  distributions: InstalledDistribution[],
  verbose: boolean,
  latest: ReadonlyMap<string, LatestRelease> | null = null,
): string[] {
  const sorted = [...distributions].sort(byCanonicalName);
  if (sorted.length === 0) return [];
  const hasEditables = sorted.some((dist) => dist.editableLocation !== null);
  const header = ["Package", "Version"];
  if (latest !== null) header.push("Latest", "Type");
  if (hasEditables) header.push("Editable project location");
  if (verbose) header.push("Location", "Installer");
  const rows = [header];
  for (const dist of sorted) {
    const row = [dist.name, dist.displayVersion];
    if (latest !== null) {
      const release = latest.get(dist.canonicalName);
      row.push(release?.version.toString() ?? "", release?.filetype ?? "");
    }
    if (hasEditables) row.push(dist.editableLocation ?? "");
    if (verbose) row.push(dist.location, dist.installer);
    rows.push(row);
  }
  const lines = tabulate(rows);
  const widths = header.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? "").length)));
  lines.splice(1, 0, widths.map((width) => "-".repeat(width)).join(" "));
  return lines;
}

export function listFreezeFormat(distributions: InstalledDistribution[], verbose: boolean): string[] {
  return [...distributions]
    .sort(byCanonicalName)
    .map((dist) =>
      verbose
        ? `${dist.name}==${dist.displayVersion} (${dist.location})`
        : `${dist.name}==${dist.displayVersion}`,
    );
}

/** `json.dumps` spacing: `", "` and `": "`. */
export function listJson(
  distributions: InstalledDistribution[],
  verbose: boolean,
  latest: ReadonlyMap<string, LatestRelease> | null = null,
): string {
  const items = [...distributions].sort(byCanonicalName).map((dist) => {
    const fields: Array<[string, string]> = [
      ["name", dist.name],
      ["version", dist.displayVersion],
    ];
    if (verbose) fields.push(["location", dist.location], ["installer", dist.installer]);
    const release = latest?.get(dist.canonicalName);
    if (release !== undefined)
      fields.push(["latest_version", release.version.toString()], ["latest_filetype", release.filetype]);
    if (dist.editableLocation) fields.push(["editable_project_location", dist.editableLocation]);
    return `{${fields.map(([key, value]) => `${pythonJsonString(key)}: ${pythonJsonString(value)}`).join(", ")}}`;
  });
  return `[${items.join(", ")}]`;
}

/** pip freeze's lines for an editable install at `location` (comments, then `-e ...`). */
export type EditableLines = (dist: InstalledDistribution, location: string) => string[];

/** The line `pip freeze` writes for a distribution. */
export function freezeLine(dist: InstalledDistribution, editableLines: EditableLines): string {
  const direct = dist.directUrl;
  if (direct && !direct.dir_info?.editable) {
    let requirement = `${dist.name} @ `;
    const fragments: string[] = [];
    if (direct.vcs_info) requirement += `${direct.vcs_info.vcs}+${direct.url}@${direct.vcs_info.commit_id}`;
    else {
      requirement += direct.url;
      if (direct.archive_info?.hash) fragments.push(direct.archive_info.hash);
    }
    if (direct.subdirectory) fragments.push(`subdirectory=${direct.subdirectory}`);
    if (fragments.length > 0) requirement += `#${fragments.join("&")}`;
    return requirement;
  }
  if (dist.editableLocation) return editableLines(dist, dist.editableLocation).join("\n");
  return nameVersion(dist);
}

/** `name==version` as pip 23.2 writes a distribution (`===` for a version PEP 440 does not read). */
export function nameVersion(dist: InstalledDistribution): string {
  return dist.version ? `${dist.name}==${dist.displayVersion}` : `${dist.name}===${dist.rawVersion}`;
}

export function freezeLines(
  distributions: InstalledDistribution[],
  skip: ReadonlySet<string>,
  editableLines: EditableLines,
): string[] {
  return [...distributions]
    .filter((dist) => !skip.has(dist.canonicalName))
    .sort((a, b) => {
      const x = a.name.toLowerCase();
      const y = b.name.toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    })
    .map((dist) => freezeLine(dist, editableLines));
}

/** Lines `pip freeze -r` copies as they are (once each), besides blank lines and comments. */
const FREEZE_OPTION_PREFIXES = [
  "-r",
  "--requirement",
  "-f",
  "--find-links",
  "-i",
  "--index-url",
  "--pre",
  "--trusted-host",
  "--process-dependency-links",
  "--extra-index-url",
  "--use-feature",
];

/** pip's COMMENT_RE: a `#` at the start or after whitespace ends the line (its `$` allows a newline). */
function withoutComment(line: string): string {
  return line
    .replace(/\n$/, "")
    .replace(/(^|\s+)#.*$/, "")
    .trim();
}

/**
 * The project a requirements-file line names, as far as pip's freeze can tell: a PEP 508
 * requirement (trailing per-requirement options ignored), `#egg=NAME` on a URL or an editable
 * line, or a wheel's file name; null when it cannot tell. `shown` is the line as pip's messages
 * quote it (an editable line without its `-e`).
 */
function projectNamed(line: string): { name: string | null; shown: string } {
  const editable = /^(?:-e|--editable)[\s=]*(.*)$/.exec(line.trim());
  const shown = editable === null ? line : editable[1];
  const text = editable === null ? withoutComment(line).replace(/\s+--\S.*$/, "") : editable[1];
  const egg = /#(?:.*&)?egg=([^&\s]+)/.exec(text);
  if (egg !== null) return { name: egg[1], shown };
  if (editable !== null) return { name: null, shown };
  try {
    return { name: parseRequirement(text).name, shown };
  } catch {
    return { name: tryParseWheelFilename(text.slice(text.lastIndexOf("/") + 1))?.name ?? null, shown };
  }
}

/**
 * `pip freeze -r FILE...` as pip 23.2 writes it: each file's lines in order, a requirement replaced
 * by what is installed for it, blank lines, comments and index options kept once each; then what
 * the files did not name, under pip's heading (only there are pip, setuptools and the like left
 * out). Says, in pip's words, which lines it cannot tell the project of, and warns of what the
 * files name that is not installed and of names that appear more than once.
 */
export function freezeAlongFiles(
  files: ReadonlyArray<{ path: string; text: string }>,
  distributions: InstalledDistribution[],
  skip: ReadonlySet<string>,
  editableLines: EditableLines,
  say: { info(message: string): void; warn(message: string): void },
): string[] {
  const installed = new Map(distributions.map((dist) => [dist.canonicalName, dist]));
  const lines: string[] = [];
  const emitted = new Set<string>();
  const namedIn = new Map<string, string[]>();
  for (const { path, text } of files) {
    // Python reads a file line by line, each with its newline (CRLF read as LF).
    for (const raw of text.replace(/\r\n?/g, "\n").split(/(?<=\n)/)) {
      if (raw === "") continue; // an empty file has no lines (split gives it one, empty)
      if (
        raw.trim() === "" ||
        raw.trim().startsWith("#") ||
        FREEZE_OPTION_PREFIXES.some((p) => raw.startsWith(p))
      ) {
        const line = raw.trimEnd();
        if (!emitted.has(line)) {
          emitted.add(line);
          lines.push(line);
        }
        continue;
      }
      const { name, shown } = projectNamed(raw);
      if (name === null) {
        // pip says this at its default verbosity, on standard output; spice beside the output.
        say.info(
          `Skipping line in requirement file [${path}] because it's not clear what it would install: ${shown.trim()}`,
        );
        say.info("  (add #egg=PackageName to the URL to avoid this warning)");
        continue;
      }
      const canonical = canonicalizeName(name);
      const seen = namedIn.get(name) ?? [];
      namedIn.set(name, seen);
      const dist = installed.get(canonical);
      if (dist !== undefined) {
        lines.push(freezeLine(dist, editableLines).trimEnd());
        installed.delete(canonical);
        seen.push(path);
      } else if (seen.length === 0)
        say.warn(
          `Requirement file [${path}] contains ${withoutComment(shown)}, but package '${name}' is not installed`,
        );
      else seen.push(path);
    }
  }
  for (const [name, seen] of namedIn)
    if (seen.length > 1)
      say.warn(`Requirement ${name} included multiple times [${[...new Set(seen)].sort().join(", ")}]`);
  lines.push("## The following requirements were added by pip freeze:");
  return [...lines, ...freezeLines([...installed.values()], skip, editableLines)];
}

function sortCaseless(names: string[]): string[] {
  return [...names].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * A header value as pip shows it: re-indented as importlib.metadata does on Python 3.11 and later
 * (where pip 23 reads metadata through it), as written on older Pythons (pkg_resources).
 */
export function pipHeaderValue(value: string, importlibMetadata: boolean): string {
  return importlibMetadata ? importlibHeaderValue(value) : value;
}

/** The pip whose output and reports spice's match (written into the JSON reports). */
export const PIP_VERSION = "23.2.1";

/** Whether pip 23 reads this interpreter's metadata through importlib.metadata (Python 3.11+). */
export function pipUsesImportlibMetadata(markers: MarkerEnvironment): boolean {
  const [major, minor] = String(markers.python_version).split(".").map(Number);
  return major > 3 || (major === 3 && minor >= 11);
}

export function showBlock(
  dist: InstalledDistribution,
  all: InstalledDistribution[],
  markers: MarkerEnvironment,
  listFiles: boolean,
  verbose: boolean,
): string[] {
  const importlibMetadata = pipUsesImportlibMetadata(markers);
  const header = (name: string) => pipHeaderValue(dist.header(name) ?? "", importlibMetadata);
  const requires = sortCaseless(activeRequirements(dist, markers).map((requirement) => requirement.name));
  const requiredBy = sortCaseless(
    all
      .filter((other) =>
        activeRequirements(other, markers).some(
          (requirement) => requirement.canonicalName === dist.canonicalName,
        ),
      )
      .map((other) => other.name || "UNKNOWN"),
  );
  const lines = [
    `Name: ${dist.name}`,
    `Version: ${dist.displayVersion}`,
    `Summary: ${header("summary")}`,
    `Home-page: ${header("home_page")}`,
    `Author: ${header("author")}`,
    `Author-email: ${header("author_email")}`,
    `License: ${header("license")}`,
    `Location: ${dist.location}`,
  ];
  if (dist.editableLocation !== null) lines.push(`Editable project location: ${dist.editableLocation}`);
  lines.push(`Requires: ${requires.join(", ")}`, `Required-by: ${requiredBy.join(", ")}`);
  if (verbose) {
    lines.push(
      `Metadata-Version: ${header("metadata_version")}`,
      `Installer: ${dist.installer}`,
      "Classifiers:",
    );
    for (const classifier of (dist.metadata.raw.classifiers as string[] | undefined) ?? [])
      lines.push(`  ${pipHeaderValue(classifier, importlibMetadata)}`);
    lines.push("Entry-points:");
    for (const line of pySplitLines(dist.readFile("entry_points.txt") ?? "")) lines.push(`  ${line.trim()}`);
    lines.push("Project-URLs:");
    const urls = dist.metadata.raw.project_urls as Record<string, string> | undefined;
    for (const [label, url] of Object.entries(urls ?? {})) lines.push(`  ${label}, ${url}`);
  }
  if (listFiles) {
    lines.push("Files:");
    const files = dist.declaredFiles;
    if (files === null) lines.push("Cannot locate RECORD or installed-files.txt");
    else for (const file of [...files].sort()) lines.push(`  ${file.trim()}`);
  }
  return lines;
}

export interface CheckProblems {
  lines: string[];
  /** Distributions left out because their requirements do not all parse (warned about, as pip does). */
  warnings: string[];
  broken: boolean;
}

/**
 * `pip check`: missing and conflicting requirements among installed distributions, in the order
 * of `all` (pip's is the order it found them in), each one's problems sorted as pip sorts them:
 * by the text of a Python tuple.
 */
export function checkDistributions(all: InstalledDistribution[], markers: MarkerEnvironment): CheckProblems {
  // As pip: a distribution whose requirements do not all parse is left out, with a warning, and
  // counts as not installed for the others.
  const warnings: string[] = [];
  const checked: Array<[InstalledDistribution, Requirement[]]> = [];
  for (const dist of all) {
    const problems: string[] = [];
    const requirements = dist.requirements(problems);
    if (problems.length === 0) checked.push([dist, requirements]);
    else
      warnings.push(
        `Error parsing requirements for ${dist.canonicalName}: '${problems[0]}' is not a valid requirement`,
      );
  }
  const byName = new Map(checked.map(([dist]) => [dist.canonicalName, dist]));
  const missingLines: string[] = [];
  const conflictLines: string[] = [];
  const byPythonText =
    <T>(key: (item: T) => string) =>
    (a: T, b: T) =>
      compareCodePoints(key(a), key(b));
  for (const [dist, declared] of checked) {
    const requirements = declared.filter(
      (requirement) => requirement.marker === null || requirement.marker.evaluate({ ...markers, extra: "" }),
    );
    const missing: Array<[string, Requirement]> = [];
    const conflicting: Array<[string, string, Requirement]> = [];
    for (const requirement of requirements) {
      const name = canonicalizeName(requirement.name);
      const installed = byName.get(name);
      if (installed === undefined) {
        missing.push([name, requirement]);
        continue;
      }
      const version = installed.version;
      if (version === null || !requirement.specifier.contains(version, true))
        conflicting.push([name, installed.displayVersion, requirement]);
    }
    // pip sorts (name, Requirement) and (name, Version, Requirement) tuples by str().
    missing.sort(byPythonText(([name, requirement]) => `('${name}', <Requirement('${requirement}')>)`));
    conflicting.sort(
      byPythonText(
        ([name, version, requirement]) =>
          `('${name}', <Version('${version}')>, <Requirement('${requirement}')>)`,
      ),
    );
    for (const [name] of missing) {
      missingLines.push(
        `${dist.canonicalName} ${dist.displayVersion} requires ${name}, which is not installed.`,
      );
    }
    for (const [name, version, requirement] of conflicting) {
      conflictLines.push(
        `${dist.canonicalName} ${dist.displayVersion} has requirement ${requirement}, but you have ${name} ${version}.`,
      );
    }
  }
  const lines = [...missingLines, ...conflictLines];
  return { lines, warnings, broken: lines.length > 0 || warnings.length > 0 };
}

/**
 * pip install's warning after a change: installed distributions it left alone (outside the
 * resolution) whose requirements a new version no longer meets, in pip's words. Those inside the
 * resolution agree by construction; distributions that depend on nothing changed are not read.
 */
export function brokenDependents(
  installed: Iterable<InstalledDistribution>,
  resolved: ReadonlyMap<string, { version: Version }>,
  changed: ReadonlySet<string>,
  markers: MarkerEnvironment,
): string[] {
  const lines: string[] = [];
  for (const dist of installed) {
    if (resolved.has(dist.canonicalName)) continue;
    const conflicts: Array<[string, string]> = [];
    for (const requirement of activeRequirements(dist, markers)) {
      const name = requirement.canonicalName;
      if (!changed.has(name)) continue;
      const version = resolved.get(name)!.version;
      if (!requirement.specifier.contains(version, true))
        conflicts.push([
          name,
          `${dist.canonicalName} ${dist.displayVersion} requires ${requirement}, but you have ${name} ${version} which is incompatible.`,
        ]);
    }
    conflicts.sort(([a], [b]) => compareCodePoints(a, b));
    lines.push(...conflicts.map(([, line]) => line));
  }
  return lines;
}
