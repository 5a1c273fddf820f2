// Installing unpacked wheels into an environment: map every file to its scheme directory, link
// it from the cache (clone, hard link, symlink or copy) or move in whole directories of its spare
// tree (spare-trees.ts), write fresh the files an installer must generate (rewritten scripts,
// console scripts, INSTALLER, REQUESTED, direct_url.json, RECORD), remove what replaced versions
// left behind, all inside one Transaction.

import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Environment } from "../python/environment.ts";
import { canonicalizeName } from "../standards/name.ts";
import { fileSystemFailure, SpiceError } from "../util/error.ts";
import { recordHash } from "../util/hash.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";
import { consoleScript, parseEntryPoints, RELOCATABLE_SHEBANG, shebang } from "./entry-points.ts";
import {
  distributionFiles,
  type InstalledDistribution,
  installedDistributions,
  ownsDistribution,
} from "./installed.ts";
import { claimSpareTrees, type SpareTreeMoves } from "./spare-trees.ts";
import { pruneEmptyDirectories, pruneEmptyDirectoriesOf, Transaction } from "./transaction.ts";
import {
  GENERATED_DIST_INFO_FILES,
  INSTALLER_TEXT,
  storedFile,
  type UnpackedWheel,
  type WheelManifest,
} from "./wheel-cache.ts";
import { isSafeRelativePath } from "./wheel-file.ts";

export type LinkMode = "clone" | "hardlink" | "symlink" | "copy";

export interface InstallItem {
  wheel: UnpackedWheel;
  /** Asked for by the user (writes REQUESTED), not pulled in as a dependency. */
  requested: boolean;
  /** PEP 610 direct_url.json content for path and URL installs. */
  directUrl?: object | null;
}

export interface InstallOptions {
  environment: Environment;
  /** null: pick the best the filesystem allows. */
  linkMode: LinkMode | null;
  compile: boolean;
  /** Write scripts whose shebang finds python beside them (relocatable environments). */
  relocatableScripts?: boolean;
  /** Called with the reason when the link mode falls back. */
  onLinkModeFallback?: (message: string) => void;
  /** Distributions to remove in the same transaction (`spice pip sync`'s extraneous ones). */
  remove?: readonly InstalledDistribution[];
  /** Move in the cache entries' spare trees where they fit (hard-link mode only; spare-trees.ts). */
  spareTrees?: boolean;
  /** Takes what the change replaced or removed away, to be deleted later (Transaction.commit). */
  discardBackup?: (backup: string) => void;
}

export interface InstallResult {
  installed: Array<{ name: string; version: string }>;
  removed: Array<{ name: string; version: string }>;
  linkMode: LinkMode;
  recovered: boolean;
  /** The cache entries whose spare trees may need replacing (none for a small install). */
  cacheEntries: string[];
  /** How many wheels were placed (mostly) by moving in their spare tree. */
  spareTreesUsed: number;
  /**
   * What the claimed spare trees held beyond the moved directories: a scratch directory inside
   * site-packages the caller removes (or moves away to remove later), or null.
   */
  leftover: string | null;
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

interface DistributionPlan {
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
  /** The wheel's cache entry, which may hold a spare tree. */
  cacheEntry?: string;
}

function invalidWheel(item: InstallItem, cause: string): SpiceError {
  return new SpiceError("E_INVALID_WHEEL", `${item.wheel.manifest.filename} is not a valid wheel`, { cause });
}

function scriptHeader(environment: Environment, options: InstallOptions): string {
  return options.relocatableScripts ? RELOCATABLE_SHEBANG : shebang(environment.python);
}

function planDistribution(item: InstallItem, options: InstallOptions): DistributionPlan {
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
  let entryPointsPath: string | null = null;
  for (let index = 0; index < manifest.files.length; index++) {
    const file = manifest.files[index];
    if (file.path === entryPointsFile) entryPointsPath = storedFile(filesRoot, index);
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
  if (entryPointsPath !== null) {
    const header = scriptHeader(environment, options);
    for (const entry of parseEntryPoints(readFileSync(entryPointsPath, "utf8"))) {
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
      files.push({ destination: join(scheme.scripts, entry.name), content, executable: true });
    }
  }
  const distInfo = join(libDirectory, manifest.distInfo);
  files.push({ destination: join(distInfo, "INSTALLER"), content: INSTALLER_TEXT, inSpareTree: true });
  if (item.requested) files.push({ destination: join(distInfo, "REQUESTED"), content: "" });
  if (item.directUrl)
    files.push({ destination: join(distInfo, "direct_url.json"), content: JSON.stringify(item.directUrl) });
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
    cacheEntry: item.wheel.cacheEntry,
  };
}

/** Places one file with the chosen mode; reports the mode that worked (falling back as needed). */
class Linker {
  mode: LinkMode;
  private decided: boolean;

  constructor(
    requested: LinkMode | null,
    private readonly onFallback?: (message: string) => void,
  ) {
    this.mode = requested ?? "clone";
    this.decided = requested !== null;
  }

  /** Decides the mode (when not given) by placing `source` at `probe`, which is removed again. */
  settle(source: string, probe: string): LinkMode {
    if (!this.decided) {
      this.place(source, probe);
      unlinkSync(probe);
    }
    return this.mode;
  }

  place(source: string, destination: string): void {
    for (;;) {
      try {
        switch (this.mode) {
          case "clone":
            copyFileSync(source, destination, constants.COPYFILE_FICLONE_FORCE);
            break;
          case "hardlink":
            linkSync(source, destination);
            break;
          case "symlink":
            symlinkSync(source, destination);
            break;
          case "copy":
            copyFileSync(source, destination);
            break;
        }
        this.decided = true;
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        const unsupported = [
          "ENOTSUP",
          "EOPNOTSUPP",
          "EXDEV",
          "EINVAL",
          "ENOSYS",
          "EPERM",
          "EMLINK",
        ].includes(code);
        if (this.decided || !unsupported || this.mode === "copy") throw error;
        const next: LinkMode = this.mode === "clone" ? "hardlink" : "copy";
        this.onFallback?.(`link mode ${this.mode} is not available here (${code}); using ${next}`);
        this.mode = next;
      }
    }
  }
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function compareRows(a: RecordRow, b: RecordRow): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

type RecordRow = [path: string, hash: string, size: string];

/**
 * RECORD as pip writes it: sorted rows, CRLF line ends, RECORD itself without hash. The lib
 * files come sorted from the manifest; the few other rows are sorted and merged in.
 */
function recordOf(plan: DistributionPlan, otherRows: RecordRow[]): string {
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

function cacheTag(environment: Environment): string {
  const facts = environment.interpreter.facts;
  return `${facts.implementation_name}-${facts.version_info[0]}${facts.version_info[1]}`;
}

function compiledPath(source: string, tag: string): string {
  const directory = dirname(source);
  const name = source.slice(directory.length + 1, -3);
  return join(directory, "__pycache__", `${name}.${tag}.pyc`);
}

const COMPILE_SCRIPT = `
import py_compile, sys
failed = 0
for line in sys.stdin.read().splitlines():
    source, target = line.split("\\0")
    try:
        py_compile.compile(source, cfile=target, doraise=True)
    except Exception as error:
        failed += 1
        sys.stderr.write("cannot compile %s: %s\\n" % (source, error))
`;

/** The directories (and missing parents) that do not exist yet. */
function directoriesToMake(directories: Iterable<string>, known: Map<string, boolean>): Set<string> {
  const wanted = new Set<string>();
  // Shallowest first: once a directory is known to be missing, its subdirectories are too, so
  // only the top of each new tree costs a system call.
  const sorted = [...new Set(directories)].sort((a, b) => a.length - b.length);
  for (const directory of sorted) {
    const chain: string[] = [];
    let current = directory;
    for (;;) {
      if (wanted.has(current)) break;
      const parent = dirname(current);
      let exists = known.get(current);
      if (exists === undefined) {
        exists = parent !== current && wanted.has(parent) ? false : existsSync(current);
        known.set(current, exists);
      }
      if (exists) break;
      chain.push(current);
      if (parent === current) break;
      current = parent;
    }
    for (const item of chain) wanted.add(item);
  }
  return wanted;
}

/** Creates directories parents first, one mkdir each (recursive mkdir costs more system calls). */
function makeDirectories(wanted: ReadonlySet<string>): void {
  for (const directory of [...wanted].sort()) {
    try {
      mkdirSync(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/**
 * For a path, the directory below which removing it may take emptied directories along (moved
 * whole, or pruned once empty): the site directory holding it, else the environment's top-level
 * directory holding it (share/, include/ and bin/ themselves stay, as pip leaves them), else its
 * own directory (nothing is taken along). Made once per change: it runs for every file removed.
 */
function removalRoots(environment: Environment): (path: string) => string {
  const { scheme } = environment;
  // The longest first, so a site directory inside another is the one found.
  const sites = [...environment.sitePackages, scheme.purelib, scheme.platlib]
    .map((site) => `${site}/`)
    .sort((a, b) => b.length - a.length);
  const root = resolve(environment.root);
  return (path) => {
    const site = sites.find((prefix) => path.startsWith(prefix));
    if (site !== undefined) return site.slice(0, -1);
    const slash = path.startsWith(`${root}/`) ? path.indexOf("/", root.length + 1) : -1;
    return slash < 0 ? dirname(path) : path.slice(0, slash);
  };
}

/** removalRoots for a distribution's files: its own location for those below it. */
function removalRootsFor(
  environment: Environment,
  distribution: InstalledDistribution,
): (path: string) => string {
  const location = resolve(distribution.location);
  const below = `${location}/`;
  const rootOf = removalRoots(environment);
  return (path) => (path.startsWith(below) ? location : rootOf(path));
}

/**
 * Below this many new directories an install links file by file and makes no spare trees: their
 * mkdirs cost less than starting the process that replaces used trees (about 10 ms). Measured:
 * the small set (7 wheels, ~40 directories) and pip's own wheel (60) were no faster with trees;
 * trio (900) and jupyter (1,600) were 1.2-2x faster.
 */
const SPARE_TREES_MIN_DIRECTORIES = 100;

/** Where a plan's lib file goes. */
function libFilePath(plan: DistributionPlan, index: number): string {
  return `${plan.libDirectory}/${plan.manifest.files[index].path}`;
}

/**
 * Whether removing a path stays inside the environment: a RECORD row may name any path, and one
 * that leads outside (`../../../../etc/...`, damaged or hostile) is left alone, as pip leaves what
 * lies outside the environment's prefix. A system interpreter's files have no such bound.
 */
function removableIn(environment: Environment): (path: string) => boolean {
  if (environment.kind === "system") return () => true;
  const inside = `${resolve(environment.root)}/`;
  return (path) => resolve(path).startsWith(inside);
}

/** Installs the items into the environment in one transaction. */
export function installWheels(items: readonly InstallItem[], options: InstallOptions): InstallResult {
  const { environment } = options;
  const plans = items.map((item) => planDistribution(item, options));
  const stateDirectory = environment.scheme.purelib;
  const transaction = new Transaction(stateDirectory, `The environment at ${environment.root}`);
  const linker = new Linker(options.linkMode, options.onLinkModeFallback);
  let spares: SpareTreeMoves | null = null;
  try {
    // What the environment sees elsewhere is shadowed by the new copy, not removed.
    const existing = new Map(
      installedDistributions(environment.sitePackages)
        .filter((dist) => ownsDistribution(environment, dist))
        .map((dist) => [dist.canonicalName, dist]),
    );
    const replaced: InstalledDistribution[] = [];
    const created: string[] = [];
    // Lib files are handled per directory: a warm install's cost is meant to grow with the
    // number of directories a change makes, not with the number of files in them.
    const directories = new Set<string>();
    const tag = cacheTag(environment);
    const compileTargets: Array<[string, string]> = [];
    const compileTarget = (path: string) => {
      if (!path.endsWith(".py") || path.startsWith(`${environment.scheme.scripts}/`)) return;
      const target = compiledPath(path, tag);
      compileTargets.push([path, target]);
      directories.add(dirname(target));
    };
    for (const plan of plans) {
      for (const directory of plan.libDirectories) {
        directories.add(directory.path);
        if (options.compile) for (const index of directory.indices) compileTarget(libFilePath(plan, index));
      }
      for (const file of plan.files) {
        directories.add(dirname(file.destination));
        if (options.compile) compileTarget(file.destination);
      }
      const old = existing.get(plan.canonicalName);
      if (old) replaced.push(old);
    }
    // Distributions only removed (not replaced by a new version) must have a RECORD.
    const onlyRemoved = (options.remove ?? []).filter((extra) => !replaced.includes(extra));
    replaced.push(...onlyRemoved);
    // Back up whatever the change overwrites or removes. Every path it writes is listed only
    // when something is removed (an upgrade, a sync): a fresh install needs no such list.
    const removals: Array<[InstalledDistribution, string[]]> = [];
    if (replaced.length > 0) {
      const newPaths = new Set<string>();
      for (const plan of plans) {
        for (const directory of plan.libDirectories)
          for (const index of directory.indices) newPaths.add(libFilePath(plan, index));
        for (const file of plan.files) newPaths.add(file.destination);
        newPaths.add(plan.record);
      }
      for (const [, target] of compileTargets) newPaths.add(target);
      const scripts = environment.scheme.scripts;
      const removable = removableIn(environment);
      for (const old of replaced) {
        // One being replaced may lack a RECORD (its files are then left).
        const files = onlyRemoved.includes(old)
          ? recordedFiles(old, scripts)
          : (distributionFiles(old, scripts) ?? []);
        removals.push([old, files.filter((path) => !newPaths.has(path) && removable(path))]);
      }
    }
    // What goes is moved aside whole where a directory empties (uninstallDistributions), except
    // a directory the new files go into, or one above it.
    const aside: string[] = [];
    if (removals.length > 0) {
      const keep = new Set<string>();
      for (const directory of directories)
        for (let path = directory; !keep.has(path); path = dirname(path)) {
          keep.add(path);
          if (dirname(path) === path) break;
        }
      aside.push(...pathsToMoveAside(environment, removals, keep));
    }
    // A file can only be overwritten where its directory already exists: check existence per
    // directory first, then per file only inside existing ones (a fresh venv needs almost none).
    const overwritten = new Set<string>();
    const existingDirectories = new Map<string, boolean>();
    const directoryExists = (directory: string): boolean => {
      let known = existingDirectories.get(directory);
      if (known === undefined) {
        known = existsSync(directory);
        existingDirectories.set(directory, known);
      }
      return known;
    };
    const newDirectories = directoriesToMake(directories, existingDirectories);
    const useSpareTrees = options.spareTrees === true && newDirectories.size >= SPARE_TREES_MIN_DIRECTORIES;
    const checkNewFile = (path: string, owner: string) => {
      if (!directoryExists(dirname(path))) return; // inside a directory the change creates
      const existing = lstatSync(path, { throwIfNoEntry: false });
      if (existing !== undefined) {
        if (existing.isDirectory()) {
          throw new SpiceError(
            "E_INSTALL_CONFLICT",
            `Cannot install ${owner}: it has a file at ${relative(environment.root, path)}, which is a directory in the environment`,
            {
              hint: "Find the distribution that owns that directory (`spice pip show -f`) and uninstall one of them",
            },
          );
        }
        transaction.backUp(path);
        overwritten.add(path);
      }
      created.push(path);
    };
    for (const plan of plans) {
      for (const directory of plan.libDirectories) {
        if (!directoryExists(directory.path)) continue;
        for (const index of directory.indices) checkNewFile(libFilePath(plan, index), plan.name);
      }
      for (const file of plan.files) checkNewFile(file.destination, plan.name);
      checkNewFile(plan.record, plan.name);
    }
    for (const [source, target] of compileTargets) checkNewFile(target, relative(environment.root, source));
    // A directory the change creates is recorded once instead of every file in it: rolling back
    // removes it whole (it held nothing before). This keeps the journal small for large installs.
    for (const directory of newDirectories)
      if (!newDirectories.has(dirname(directory))) created.push(directory);
    for (const path of aside) transaction.planRemoval(path);
    spares = useSpareTrees
      ? claimSpareTrees(
          plans,
          newDirectories,
          // A spare tree is hard links: only worth claiming where installs hard-link anyway.
          (source, probe) => linker.settle(source, probe) === "hardlink",
          environment.scheme.purelib,
        )
      : null;
    transaction.begin(created, [...directories]);

    // New directories that moved in with spare trees: no mkdir, and no link for their spare files.
    const covered = spares?.covered ?? new Set<string>();

    // From here on, an interruption is rolled back by the next spice run.
    if (spares === null) makeDirectories(newDirectories);
    else {
      makeDirectories(new Set([...newDirectories].filter((directory) => !covered.has(directory))));
      for (const [from, to] of spares.moves) renameSync(from, to);
    }
    transaction.moveAside();
    // A directory the old version emptied stays when the new version puts files in it (a renamed
    // module in a subpackage that exists in both); its parents then hold it, so they stay too.
    const rootOf = removalRoots(environment);
    for (const path of aside) pruneEmptyDirectories(dirname(path), rootOf(path), directories);
    const place = (source: string, destination: string) => {
      if (overwritten.size > 0 && overwritten.has(destination)) transaction.remove(destination);
      linker.place(source, destination);
    };
    const hashes = new Map<string, [string, number]>();
    const textHashes = new Map<string, [string, number]>();
    for (const plan of plans) {
      for (const directory of plan.libDirectories) {
        if (covered.has(directory.path)) continue; // moved in whole
        for (const index of directory.indices)
          place(storedFile(plan.filesRoot, index), libFilePath(plan, index));
      }
      for (const file of plan.files) {
        if (file.source !== undefined) {
          place(file.source, file.destination);
          continue;
        }
        const content = file.content ?? "";
        const movedIn =
          file.inSpareTree === true && covered.has(dirname(file.destination)) && existsSync(file.destination);
        if (!movedIn) {
          if (overwritten.has(file.destination)) transaction.remove(file.destination);
          writeFileSync(file.destination, content);
          if (file.executable) chmodSync(file.destination, 0o755);
        }
        if (typeof content === "string") {
          // Every distribution gets the same INSTALLER (and REQUESTED): hash each text once.
          let known = textHashes.get(content);
          if (known === undefined) {
            known = [recordHash(content), Buffer.byteLength(content)];
            textHashes.set(content, known);
          }
          hashes.set(file.destination, known);
        } else hashes.set(file.destination, [recordHash(content), content.length]);
      }
    }
    if (compileTargets.length > 0) {
      const result = nodeChildProcess().spawnSync(environment.python, ["-E", "-c", COMPILE_SCRIPT], {
        input: compileTargets.map(([source, target]) => `${source}\0${target}`).join("\n"),
        encoding: "utf8",
      });
      if (result.error) throw result.error;
    }
    const compiledFrom = new Map(compileTargets);
    for (const plan of plans) {
      const rows: RecordRow[] = [];
      const recordPath = (path: string) => relative(plan.libDirectory, path);
      for (const file of plan.files) {
        const [hash, size] =
          file.hash !== undefined ? [file.hash, file.size ?? 0] : (hashes.get(file.destination) ?? ["", 0]);
        rows.push([recordPath(file.destination), hash, String(size)]);
      }
      if (compiledFrom.size > 0) {
        const sources = [
          ...plan.libDirectories.flatMap((directory) =>
            directory.indices.map((index) => libFilePath(plan, index)),
          ),
          ...plan.files.map((file) => file.destination),
        ];
        for (const source of sources) {
          const target = compiledFrom.get(source);
          if (target === undefined || !existsSync(target)) continue;
          const bytes = readFileSync(target);
          rows.push([recordPath(target), recordHash(bytes), String(bytes.length)]);
        }
      }
      rows.push([recordPath(plan.record), "", ""]);
      writeFileSync(plan.record, recordOf(plan, rows));
    }
    transaction.commit(options.discardBackup);
    return {
      installed: plans.map((plan) => ({ name: plan.name, version: plan.version })),
      removed: replaced.map((dist) => ({ name: dist.name, version: dist.displayVersion })),
      linkMode: linker.mode,
      recovered: transaction.recovered,
      // Trees for the next install only where this one was large enough to use them.
      cacheEntries: useSpareTrees
        ? plans.flatMap((plan) => (plan.cacheEntry === undefined ? [] : [plan.cacheEntry]))
        : [],
      spareTreesUsed: spares?.used ?? 0,
      leftover: spares?.claims ?? null,
    };
  } catch (error) {
    transaction.abort();
    if (spares) rmSync(spares.claims, { recursive: true, force: true });
    throw (
      fileSystemFailure(`Could not install into ${environment.root} (nothing was changed)`, error) ?? error
    );
  }
}

/** The files a distribution's RECORD lists; one without RECORD cannot be removed safely. */
function recordedFiles(distribution: InstalledDistribution, scripts: string): string[] {
  const files = distributionFiles(distribution, scripts);
  if (files === null) {
    throw new SpiceError(
      "E_NO_RECORD",
      `Cannot uninstall ${distribution.name} ${distribution.displayVersion}: it has no RECORD file`,
      {
        cause: `${distribution.path} does not list the files it installed`,
        hint: `It was installed by a tool that keeps no record (${distribution.installer || "unknown installer"}); remove its files by hand, or reinstall it with spice to take it over`,
      },
    );
  }
  return files;
}

/**
 * What removing the distributions' files moves aside: a directory below a distribution's
 * location (or below share/ and the like, removalRoots) whose every entry goes (its files all
 * listed, its subdirectories likewise) moves with one rename, as pip moves them, unless it is in
 * `keep`; anything else file by file. Moving trio's 3,700 files one at a time, then removing the
 * 900 directories they left empty, was most of uninstalling it.
 */
function pathsToMoveAside(
  environment: Environment,
  removals: ReadonlyArray<[InstalledDistribution, readonly string[]]>,
  keep: ReadonlySet<string> = new Set(),
): string[] {
  const removing = new Set(removals.flatMap(([, files]) => files));
  // Directories strictly below a removal root that hold (or lead to) a file being removed.
  const candidates = new Set<string>();
  for (const [distribution, files] of removals) {
    const rootOf = removalRootsFor(environment, distribution);
    for (const file of files) {
      const root = rootOf(file);
      for (let directory = dirname(file); directory.startsWith(`${root}/`); directory = dirname(directory)) {
        if (candidates.has(directory)) break;
        candidates.add(directory);
      }
    }
  }
  const wholes = new Map<string, boolean>();
  const goesWhole = (directory: string): boolean => {
    let whole = wholes.get(directory);
    if (whole === undefined) {
      whole = !keep.has(directory) && holdsOnlyRemoved(directory);
      wholes.set(directory, whole);
    }
    return whole;
  };
  const holdsOnlyRemoved = (directory: string): boolean => {
    try {
      for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const path = `${directory}/${entry.name}`;
        if (!(entry.isDirectory() ? goesWhole(path) : removing.has(path))) return false;
      }
      return true;
    } catch {
      return false; // gone, or not a directory: its files are moved one by one
    }
  };
  const roots = [...candidates].filter(
    (directory) =>
      goesWhole(directory) && !(candidates.has(dirname(directory)) && goesWhole(dirname(directory))),
  );
  const rootSet = new Set(roots);
  const insideRoot = (path: string): boolean => {
    for (let directory = dirname(path); candidates.has(directory); directory = dirname(directory))
      if (rootSet.has(directory)) return true;
    return false;
  };
  // RECORD lists files: a row naming a directory (`../../../bin`, damaged or hostile) removes nothing.
  const isDirectory = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  return [...roots, ...[...removing].filter((path) => !insideRoot(path) && !isDirectory(path))];
}

/**
 * Uninstalls distributions (RECORD-driven) in one transaction. `discardBackup` may take what was
 * removed away to be deleted later (Transaction.commit).
 */
export function uninstallDistributions(
  environment: Environment,
  distributions: readonly InstalledDistribution[],
  discardBackup?: (backup: string) => void,
): Array<{ name: string; version: string }> {
  const foreign = distributions.find((distribution) => !ownsDistribution(environment, distribution));
  if (foreign !== undefined) {
    throw new SpiceError(
      "E_OUTSIDE_ENVIRONMENT",
      `${foreign.name} at ${foreign.location} is outside the environment at ${environment.root}`,
      { hint: "spice changes only the environment it was pointed at" },
    );
  }
  const transaction = new Transaction(environment.scheme.purelib, `The environment at ${environment.root}`);
  try {
    const removals: Array<[InstalledDistribution, string[]]> = [];
    const removable = removableIn(environment);
    for (const distribution of distributions) {
      const files = recordedFiles(distribution, environment.scheme.scripts);
      removals.push([distribution, files.filter(removable)]);
    }
    for (const path of pathsToMoveAside(environment, removals)) transaction.planRemoval(path);
    transaction.begin([], []);
    transaction.moveAside();
    for (const [distribution, files] of removals) {
      // Each directory once, deepest first: trying every file's directory costs a failed rmdir
      // (and a thrown error) per file.
      const directoriesByRoot = new Map<string, string[]>();
      const rootOf = removalRootsFor(environment, distribution);
      for (const path of files) {
        const root = rootOf(path);
        const directories = directoriesByRoot.get(root);
        if (directories === undefined) directoriesByRoot.set(root, [dirname(path)]);
        else directories.push(dirname(path));
      }
      for (const [root, directories] of directoriesByRoot) pruneEmptyDirectoriesOf(directories, root);
      pruneEmptyDirectories(distribution.path, distribution.location);
    }
    transaction.commit(discardBackup);
    return removals.map(([distribution]) => ({
      name: distribution.name,
      version: distribution.displayVersion,
    }));
  } catch (error) {
    transaction.abort();
    throw (
      fileSystemFailure(`Could not uninstall from ${environment.root} (nothing was changed)`, error) ?? error
    );
  }
}
