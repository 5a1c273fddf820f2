// Where each of an unpacked wheel's files goes in an environment (its scheme directories, checked
// to stay inside them), the files an installer generates beside them (console and GUI scripts,
// INSTALLER, REQUESTED, direct_url.json), and the RECORD that lists them all as pip writes it.

import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Environment } from "../python/environment.ts";
import { canonicalizeName } from "../standards/name.ts";
import { pythonJsonDumps } from "../standards/python-string.ts";
import { SpiceError } from "../util/error.ts";
import {
  consoleScript,
  parseEntryPoints,
  RELOCATABLE_SHEBANG,
  shebang,
  withVersionedLaunchers,
} from "./entry-points.ts";
import {
  GENERATED_DIST_INFO_FILES,
  INSTALLER_TEXT,
  storedFile,
  type UnpackedWheel,
  type WheelManifest,
  withLibFile,
} from "./wheel-cache.ts";
import { isSafeRelativePath } from "./wheel-file.ts";

export interface InstallItem {
  wheel: UnpackedWheel;
  /** Asked for by the user (writes REQUESTED), not pulled in as a dependency. */
  requested: boolean;
  /** PEP 610 direct_url.json content for path and URL installs. */
  directUrl?: object | null;
}

/** What planning needs of an install's options (installer.ts InstallOptions). */
export interface PlanOptions {
  environment: Environment;
  /** Write scripts whose shebang finds python beside them (relocatable environments). */
  relocatableScripts?: boolean;
}

/** A file placed or written one by one (everything but the wheel's lib files). */
interface PlannedFile {
  destination: string;
  /** Cached file to link from, or content to write. */
  source?: string;
  content?: Buffer | string;
  executable?: boolean;
  /** Known RECORD hash and size (linked files); computed for written ones. */
  hash?: string;
  size?: number;
  /** Written into spare trees too (INSTALLER): already there when its directory moved in whole. */
  inSpareTree?: boolean;
}

/** A directory of the environment that gets some of a wheel's lib files (WheelManifest.libDirectories). */
interface LibDirectory {
  /** Absolute path. */
  path: string;
  /** The manifest's indices of the files it gets, each at `<libDirectory>/<its path>`. */
  indices: readonly number[];
}

export interface DistributionPlan {
  name: string;
  version: string;
  canonicalName: string;
  distInfo: string;
  /** Where the .dist-info goes: paths in RECORD are relative to it. */
  libDirectory: string;
  manifest: WheelManifest;
  /** Where the wheel's files are kept, each named by its index in the manifest. */
  filesRoot: string;
  /** The wheel's files linked under their own path (or moved in with a spare tree), by directory. */
  libDirectories: LibDirectory[];
  /** Which of the manifest's files those are. */
  isLibFile: Uint8Array;
  /** Every other file: scripts, `.data` files, generated files, oddly named paths. */
  files: PlannedFile[];
  record: string;
  /** The console scripts it gets (pip warns when their directory is not on PATH). */
  consoleScripts: string[];
  /** The wheel's cache entry, which may hold a spare tree. */
  cacheEntry?: string;
  /** The spare tree its lib files were checked in, and are taken from (wheel-cache.ts withLibFile). */
  checkedTree?: string;
}

function invalidWheel(item: InstallItem, cause: string): SpiceError {
  return new SpiceError("E_INVALID_WHEEL", `${item.wheel.manifest.filename} is not a valid wheel`, { cause });
}

function scriptHeader(environment: Environment, options: PlanOptions): string {
  return options.relocatableScripts ? RELOCATABLE_SHEBANG : shebang(environment.python);
}

export function planDistribution(item: InstallItem, options: PlanOptions): DistributionPlan {
  const { environment } = options;
  const { manifest, root } = item.wheel;
  const scheme = environment.scheme;
  const libDirectory = resolve(manifest.rootIsPurelib ? scheme.purelib : scheme.platlib);
  const filesRoot = resolve(root);
  const dataDirectory = `${manifest.distInfo.slice(0, -".dist-info".length)}.data/`;
  const stem = manifest.distInfo.slice(0, -".dist-info".length);
  const distName = stem.slice(0, stem.lastIndexOf("-"));
  const isLibFile = new Uint8Array(manifest.files.length);
  const libDirectories = manifest.libDirectories.map(([directory, indices]): LibDirectory => {
    for (const index of indices) isLibFile[index] = 1;
    return { path: directory === "" ? libDirectory : `${libDirectory}/${directory}`, indices };
  });
  const files: PlannedFile[] = [];
  const generated = new Set(GENERATED_DIST_INFO_FILES.map((name) => `${manifest.distInfo}/${name}`));
  const entryPointsFile = `${manifest.distInfo}/entry_points.txt`;
  let entryPointsIndex = -1;
  for (let index = 0; index < manifest.files.length; index++) {
    const file = manifest.files[index];
    if (file.path === entryPointsFile) entryPointsIndex = index;
    if (isLibFile[index] === 1) continue;
    const source = storedFile(filesRoot, index);
    if (file.path.startsWith(dataDirectory)) {
      const rest = file.path.slice(dataDirectory.length);
      const slash = rest.indexOf("/");
      const key = rest.slice(0, slash);
      const inner = rest.slice(slash + 1);
      const base =
        key === "headers"
          ? join(scheme.headers, distName)
          : (scheme as unknown as Record<string, string>)[key];
      if (base === undefined || slash < 0)
        throw invalidWheel(item, `'${file.path}' is not in a known .data directory`);
      const destination = join(base, inner);
      if (key === "scripts") {
        // Scripts are always written fresh: their shebang may be rewritten, and they need +x.
        let content = readFileSync(source);
        const firstLine = content
          .subarray(0, content.indexOf(10) < 0 ? content.length : content.indexOf(10))
          .toString("latin1");
        const match = /^#!python(w?)(.*)$/.exec(firstLine);
        if (match) {
          const rest = content.subarray(firstLine.length + 1);
          const header = options.relocatableScripts
            ? RELOCATABLE_SHEBANG
            : shebang(`${environment.python}${match[1]}`).replace(/\n$/, `${match[2]}\n`);
          content = Buffer.concat([Buffer.from(header, "latin1"), rest]);
        }
        files.push({ destination, content, executable: true });
      } else {
        files.push({ destination, source, hash: file.hash, size: file.size, executable: file.executable });
      }
    } else if (generated.has(file.path)) {
      // The installer's own files: a wheel's copy would be overwritten through its hard link.
    } else {
      files.push({
        destination: join(libDirectory, file.path),
        source,
        hash: file.hash,
        size: file.size,
        executable: file.executable,
      });
    }
  }
  // Console and GUI scripts from entry_points.txt.
  const consoleScripts: string[] = [];
  if (entryPointsIndex >= 0) {
    const header = scriptHeader(environment, options);
    const [major, minor] = environment.interpreter.facts.version_info;
    const tree = isLibFile[entryPointsIndex] === 1 ? item.wheel.checkedTree : undefined;
    const text = withLibFile(manifest, filesRoot, tree, entryPointsIndex, (path) =>
      readFileSync(path, "utf8"),
    );
    const entries = withVersionedLaunchers(parseEntryPoints(text), [major, minor]);
    for (const entry of entries) {
      if (entry.group !== "console_scripts" && entry.group !== "gui_scripts") continue;
      if (
        !isSafeRelativePath(entry.name) ||
        entry.name.includes("/") ||
        entry.name === "." ||
        entry.name === ".."
      ) {
        throw invalidWheel(
          item,
          `entry point name '${entry.name}' would write a script outside the scripts directory`,
        );
      }
      const content = consoleScript(entry, header);
      if (content === null)
        throw invalidWheel(item, `entry point '${entry.name} = ${entry.value}' is not module:attribute`);
      const destination = join(scheme.scripts, entry.name);
      files.push({ destination, content, executable: true });
      if (entry.group === "console_scripts") consoleScripts.push(destination);
    }
  }
  const distInfo = join(libDirectory, manifest.distInfo);
  files.push({ destination: join(distInfo, "INSTALLER"), content: INSTALLER_TEXT, inSpareTree: true });
  if (item.requested) files.push({ destination: join(distInfo, "REQUESTED"), content: "" });
  if (item.directUrl)
    // Byte for byte as pip writes it (json.dumps with sort_keys).
    files.push({ destination: join(distInfo, "direct_url.json"), content: pythonJsonDumps(item.directUrl) });
  // Everything must stay inside the environment's directories.
  const roots = [scheme.purelib, scheme.platlib, scheme.scripts, scheme.data, scheme.headers].map((path) =>
    resolve(path),
  );
  // (Lib files have plain relative paths: they stay inside libDirectory.)
  for (const file of files) {
    // join() already normalized the path; resolve() only when it is relative (scheme paths are absolute).
    const destination = file.destination.startsWith("/") ? file.destination : resolve(file.destination);
    if (!roots.some((directory) => destination === directory || destination.startsWith(`${directory}/`))) {
      throw invalidWheel(
        item,
        `'${relative(libDirectory, destination)}' would be written outside the environment`,
      );
    }
  }
  return {
    name: distName,
    version: manifest.version,
    canonicalName: canonicalizeName(manifest.name),
    distInfo,
    libDirectory,
    manifest,
    filesRoot,
    libDirectories,
    isLibFile,
    files,
    record: join(distInfo, "RECORD"),
    consoleScripts,
    cacheEntry: item.wheel.cacheEntry,
    checkedTree: item.wheel.checkedTree,
  };
}

/** Where a plan's lib file goes. */
export function libFilePath(plan: DistributionPlan, index: number): string {
  return `${plan.libDirectory}/${plan.manifest.files[index].path}`;
}

/** Every path the plan places a file at (its lib files, then the rest), RECORD aside. */
export function plannedPaths(plan: DistributionPlan): string[] {
  const paths: string[] = [];
  for (const directory of plan.libDirectories)
    for (const index of directory.indices) paths.push(libFilePath(plan, index));
  for (const file of plan.files) paths.push(file.destination);
  return paths;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function compareRows(a: RecordRow, b: RecordRow): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export type RecordRow = [path: string, hash: string, size: string];

/**
 * RECORD as pip writes it: sorted rows, CRLF line ends, RECORD itself without hash. The lib
 * files come sorted from the manifest; the few other rows are sorted and merged in.
 */
export function recordOf(plan: DistributionPlan, otherRows: RecordRow[]): string {
  otherRows.sort(compareRows);
  const line = (row: RecordRow) => `${csvField(row[0])},${csvField(row[1])},${csvField(row[2])}\r\n`;
  const { files } = plan.manifest;
  let text = "";
  let next = 0;
  for (let index = 0; index < files.length; index++) {
    if (plan.isLibFile[index] !== 1) continue;
    const { path, hash, size } = files[index];
    while (next < otherRows.length && otherRows[next][0] < path) text += line(otherRows[next++]);
    text += `${csvField(path)},${hash},${size}\r\n`;
  }
  while (next < otherRows.length) text += line(otherRows[next++]);
  return text;
}
