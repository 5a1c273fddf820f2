// The distributions installed in an environment, read straight from their .dist-info (or legacy
// .egg-info) directories: no Python is run. This is what list, freeze, show, check, uninstall and
// doctor work from.

import {
  closeSync,
  existsSync,
  opendirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Environment } from "../python/environment.ts";
import { firstEmailHeader } from "../standards/email-headers.ts";
import type { MarkerEnvironment } from "../standards/marker.ts";
import { parseMetadataEmail, type RawMetadata } from "../standards/metadata.ts";
import { canonicalizeName } from "../standards/name.ts";
import { parseRequirement, type Requirement } from "../standards/requirement.ts";
import { tryParseVersion, type Version } from "../standards/version.ts";
import { filesBelow, PLAIN_RELATIVE_PATH, realDirectory } from "../util/fs.ts";
import { eggInfoPaths, requiresTxtRequirements } from "./egg-info.ts";
import { parseRecord } from "./record.ts";

export interface DirectUrl {
  url: string;
  archive_info?: { hash?: string; hashes?: Record<string, string> };
  dir_info?: { editable?: boolean };
  vcs_info?: { vcs: string; commit_id: string; requested_revision?: string };
  subdirectory?: string;
}

const PYTHON_TYPES = { string: "str", boolean: "bool", object: "dict" } as const;

/** A JSON value as Python's repr() shows what json.loads made of it, for pip's messages. */
function pythonRepr(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "boolean") return value ? "True" : "False";
  return JSON.stringify(value);
}

/**
 * A direct_url.json's object checked as PEP 610 says and pip's DirectUrl.from_dict checks it
 * (its messages, so that a script reading pip's warnings reads spice's): a url, at most a
 * subdirectory, and exactly one of archive_info, dir_info and vcs_info with their fields' types.
 * The legacy `hash` of archive_info fills `hashes` as pip fills it. Throws when it is not so.
 */
export function parseDirectUrl(json: unknown): DirectUrl {
  const isObject = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  // pip looks the url up in whatever json.loads made (`"url" in [1]` is false): its message then.
  if (!isObject(json)) throw new Error("url must have a value");
  const typed = <T>(object: Record<string, unknown>, key: string, type: "string" | "boolean" | "object") => {
    const value = object[key];
    if (value === undefined || value === null) return undefined;
    if (type === "object" ? !isObject(value) : typeof value !== type)
      throw new Error(
        `${pythonRepr(value)} has unexpected type for ${key} (expected <class '${PYTHON_TYPES[type]}'>)`,
      );
    return value as T;
  };
  const required = <T>(object: Record<string, unknown>, key: string, type: "string" | "boolean") => {
    const value = typed<T>(object, key, type);
    if (value === undefined) throw new Error(`${key} must have a value`);
    return value;
  };
  const direct: DirectUrl = { url: required<string>(json, "url", "string") };
  const subdirectory = typed<string>(json, "subdirectory", "string");
  if (subdirectory !== undefined) direct.subdirectory = subdirectory;
  // In pip's order: each info's type, then its fields, archive_info first.
  const archive = typed<Record<string, unknown>>(json, "archive_info", "object");
  if (archive !== undefined) {
    const hash = typed<string>(archive, "hash", "string");
    let hashes = typed<Record<string, string>>(archive, "hashes", "object");
    if (hash !== undefined) {
      const equals = hash.indexOf("=");
      if (equals < 0) throw new Error(`invalid archive_info.hash format: '${hash}'`);
      const name = hash.slice(0, equals);
      if (hashes === undefined) hashes = { [name]: hash.slice(equals + 1) };
      else if (!Object.hasOwn(hashes, name)) hashes = { ...hashes, [name]: hash.slice(equals + 1) };
    }
    direct.archive_info = { hash, hashes };
  }
  const dir = typed<Record<string, unknown>>(json, "dir_info", "object");
  if (dir !== undefined) direct.dir_info = { editable: typed<boolean>(dir, "editable", "boolean") ?? false };
  const vcs = typed<Record<string, unknown>>(json, "vcs_info", "object");
  if (vcs !== undefined)
    direct.vcs_info = {
      vcs: required<string>(vcs, "vcs", "string"),
      commit_id: required<string>(vcs, "commit_id", "string"),
      requested_revision: typed<string>(vcs, "requested_revision", "string"),
    };
  const infos = [archive, dir, vcs].filter((info) => info !== undefined).length;
  if (infos === 0) throw new Error("missing one of archive_info, dir_info, vcs_info");
  if (infos > 1) throw new Error("more than one of archive_info, dir_info, vcs_info");
  return direct;
}

export class InstalledDistribution {
  private metadataCache: { raw: RawMetadata; unparsed: Record<string, string[]> } | undefined;
  private nameCache: string | undefined;
  private directUrlCache: { value: DirectUrl | null; error: string | null } | undefined;
  private versionCache: string | undefined;
  private wholeMetadata: string | undefined;

  constructor(
    /** The site directory holding it. */
    readonly location: string,
    /** Absolute path of the .dist-info / .egg-info directory (or .egg-info file). */
    readonly path: string,
    readonly format: "dist-info" | "egg-info",
    /**
     * The METADATA (or PKG-INFO) document's header block, through the line break before the empty
     * line that ends it, or the whole document; `metadataFile` names the file when the rest is left
     * unread.
     */
    private readonly metadataHead: string,
    private readonly metadataFile: string | null = null,
  ) {}

  /** The METADATA (or PKG-INFO) document as installed. */
  get metadataText(): string {
    if (this.metadataFile === null) return this.metadataHead;
    if (this.wholeMetadata === undefined) {
      try {
        this.wholeMetadata = readFileSync(this.metadataFile, "utf8");
      } catch {
        this.wholeMetadata = this.metadataHead; // removed since: what was read is all there is
      }
    }
    return this.wholeMetadata;
  }

  get metadata(): { raw: RawMetadata; unparsed: Record<string, string[]> } {
    this.metadataCache ??= parseMetadataEmail(this.metadataText);
    return this.metadataCache;
  }

  /**
   * `Name` as written in METADATA (the first one, as pip reads it). Read from the headers alone:
   * listing an environment must not parse every distribution's whole metadata.
   */
  get name(): string {
    this.nameCache ??= firstEmailHeader(this.metadataHead, "Name") ?? "";
    return this.nameCache;
  }

  get canonicalName(): string {
    return canonicalizeName(this.name);
  }

  /** `Version` as written (the first one). */
  get rawVersion(): string {
    this.versionCache ??= firstEmailHeader(this.metadataHead, "Version") ?? "";
    return this.versionCache;
  }

  get version(): Version | null {
    return tryParseVersion(this.rawVersion);
  }

  /** The version as pip prints it: normalized when valid. */
  get displayVersion(): string {
    return this.version?.toString() ?? this.rawVersion;
  }

  header(name: string): string | null {
    const value = this.metadata.raw[name];
    if (typeof value === "string") return value;
    const unparsed = this.metadata.unparsed[name.replaceAll("_", "-")];
    return unparsed?.[0] ?? null;
  }

  /**
   * Requires-Dist as importlib.metadata reads it: from the metadata, else from setuptools'
   * requires.txt (an .egg-info's, which puts its requirements there, not in PKG-INFO).
   */
  get requiresDistText(): string[] {
    const value = this.metadata.raw.requires_dist;
    if (Array.isArray(value) && value.length > 0) return value;
    const legacy = this.readFile("requires.txt");
    return legacy === null ? [] : requiresTxtRequirements(legacy);
  }

  /** Requires-Dist entries that parse; `problems` receives the ones that do not. */
  requirements(problems?: string[]): Requirement[] {
    const result: Requirement[] = [];
    for (const text of this.requiresDistText) {
      try {
        result.push(parseRequirement(text));
      } catch {
        problems?.push(text);
      }
    }
    return result;
  }

  readFile(name: string): string | null {
    if (this.format === "egg-info" && !statSync(this.path).isDirectory()) return null;
    const path = join(this.path, name);
    // Several of these files are usually absent (direct_url.json, REQUESTED, requires.txt), and a
    // failed read throws: its error cost about 36 us a file in a fresh process, existsSync 5.
    if (!existsSync(path)) return null;
    try {
      return readFileSync(path, "utf8");
    } catch {
      return null;
    }
  }

  get installer(): string {
    return (this.readFile("INSTALLER") ?? "").trim();
  }

  /** direct_url.json (PEP 610) as pip reads it; null when there is none or it is invalid. */
  get directUrl(): DirectUrl | null {
    return this.directUrlRead().value;
  }

  /** Why direct_url.json could not be read (pip warns and treats the distribution as having none). */
  get directUrlError(): string | null {
    return this.directUrlRead().error;
  }

  private directUrlRead(): { value: DirectUrl | null; error: string | null } {
    if (this.directUrlCache !== undefined) return this.directUrlCache;
    const text = this.readFile("direct_url.json");
    let read: { value: DirectUrl | null; error: string | null };
    if (text === null) read = { value: null, error: null };
    else {
      try {
        read = { value: parseDirectUrl(JSON.parse(text)), error: null };
      } catch (error) {
        read = { value: null, error: (error as Error).message };
      }
    }
    this.directUrlCache = read;
    return read;
  }

  get editableLocation(): string | null {
    const direct = this.directUrl;
    if (direct?.dir_info?.editable && direct.url.startsWith("file:")) {
      try {
        return fileURLToPath(direct.url);
      } catch {
        return null;
      }
    }
    return null;
  }

  /** RECORD rows, or null when the distribution has none (installed by a tool that keeps none). */
  get record(): Array<[string, string, string]> | null {
    const text = this.readFile("RECORD");
    return text === null ? null : parseRecord(text);
  }

  /** Files as `pip show -f` lists them (RECORD paths, or installed-files.txt for eggs). */
  get declaredFiles(): string[] | null {
    const record = this.record;
    if (record !== null) return record.map(([path]) => path);
    const installed = this.readFile("installed-files.txt");
    if (installed === null) return null;
    return installed.split(/\r?\n/).filter((line) => line !== "");
  }
}

function readDistribution(location: string, entry: string): InstalledDistribution | null {
  const path = join(location, entry);
  try {
    if (entry.endsWith(".dist-info")) {
      const file = join(path, "METADATA");
      const head = metadataHead(file);
      return new InstalledDistribution(location, path, "dist-info", head.text, head.whole ? null : file);
    }
    if (entry.endsWith(".egg-info")) {
      const isDirectory = statSync(path).isDirectory();
      return new InstalledDistribution(
        location,
        path,
        "egg-info",
        readFileSync(isDirectory ? join(path, "PKG-INFO") : path, "utf8"),
      );
    }
  } catch {
    return null; // no metadata: not a distribution importlib.metadata would report
  }
  return null;
}

/** What is read of a METADATA file first: the header blocks of nearly all fit. */
const METADATA_HEAD_BYTES = 16 * 1024;
let headBuffer: Buffer | undefined;

/**
 * A METADATA file's header block, through the line break before the first empty line, when the
 * first 16 KB hold it; else the whole file. The rest is a description
 * (charset-normalizer's is 45 KB): listing trio's 33 distributions read 220 KB for 40 KB of
 * headers. Any line splitting of the email parsers' (`\n`, `\r\n`, `\r`) ends the headers
 * at or before that point.
 */
function metadataHead(file: string): { text: string; whole: boolean } {
  const descriptor = openSync(file, "r");
  let read: number;
  headBuffer ??= Buffer.allocUnsafe(METADATA_HEAD_BYTES);
  try {
    read = readSync(descriptor, headBuffer, 0, METADATA_HEAD_BYTES, 0);
  } finally {
    closeSync(descriptor);
  }
  const bytes = headBuffer.subarray(0, read);
  const ends = [bytes.indexOf("\n\n"), bytes.indexOf("\r\r"), bytes.indexOf("\n\r")].filter((at) => at >= 0);
  if (ends.length > 0) return { text: bytes.toString("utf8", 0, Math.min(...ends) + 1), whole: false };
  if (read < METADATA_HEAD_BYTES) return { text: bytes.toString("utf8"), whole: true };
  return { text: readFileSync(file, "utf8"), whole: true };
}

/** A directory's names as the system lists them (os.listdir's order; readdirSync sorts them). */
function namesInDirectoryOrder(directory: string): string[] {
  const handle = opendirSync(directory);
  const names: string[] = [];
  try {
    for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) names.push(entry.name);
  } finally {
    handle.closeSync();
  }
  return names;
}

export interface ListingOptions {
  /**
   * Each location's distributions in the order the directory lists them (as importlib.metadata
   * finds them: what pip follows where it does not sort), not sorted by directory name.
   */
  directoryOrder?: boolean;
  /** Hears of metadata directories skipped for want of a name (pip warns about those). */
  onNameless?: (path: string) => void;
  /** Hears of each later copy of a name already found, which Python does not see. */
  onShadowed?: (distribution: InstalledDistribution) => void;
}

/** Every distribution in one directory, broken ones (no valid Name) included. */
export function distributionsIn(location: string, options: ListingOptions = {}): InstalledDistribution[] {
  let names: string[];
  try {
    names = options.directoryOrder ? namesInDirectoryOrder(location) : readdirSync(location).sort();
  } catch {
    return [];
  }
  const found: InstalledDistribution[] = [];
  for (const name of names) {
    if (!name.endsWith(".dist-info") && !name.endsWith(".egg-info")) continue;
    const distribution = readDistribution(location, name);
    if (distribution !== null) found.push(distribution);
    else if (name.endsWith(".dist-info")) options.onNameless?.(join(location, name));
  }
  return found;
}

/**
 * The distributions visible from `locations` in order, one per project: like importlib.metadata,
 * the first found wins and later duplicates are shadowed. Entries without a name are skipped.
 */
export function installedDistributions(
  locations: readonly string[],
  options: ListingOptions = {},
): InstalledDistribution[] {
  const seen = new Set<string>();
  const result: InstalledDistribution[] = [];
  // One directory seen twice (a venv's lib64 is a link to lib) holds no second copies.
  const directories = new Set<string>();
  for (const location of locations) {
    const directory = realDirectory(location);
    if (directories.has(directory)) continue;
    directories.add(directory);
    for (const distribution of distributionsIn(location, options)) {
      if (!distribution.name) {
        options.onNameless?.(distribution.path);
        continue;
      }
      const key = distribution.canonicalName;
      if (seen.has(key)) {
        options.onShadowed?.(distribution);
        continue;
      }
      seen.add(key);
      result.push(distribution);
    }
  }
  return result;
}

/** The dependencies pip counts for a distribution: Requires-Dist whose marker holds with no extra. */
export function activeRequirements(dist: InstalledDistribution, markers: MarkerEnvironment): Requirement[] {
  return dist
    .requirements()
    .filter(
      (requirement) => requirement.marker === null || requirement.marker.evaluate({ ...markers, extra: "" }),
    );
}

/** Directories that .pth files in `site` add to sys.path (what site.py would add). */
export function pthDirectories(site: string): string[] {
  return pthEntries(site).map((entry) => entry.directory);
}

/** What pthDirectories returns, each with the .pth file (its name in `site`) that adds it first. */
export function pthEntries(site: string): Array<{ file: string; directory: string }> {
  const entries: Array<{ file: string; directory: string }> = [];
  let names: string[];
  try {
    names = readdirSync(site)
      .filter((name) => name.endsWith(".pth"))
      .sort();
  } catch {
    return [];
  }
  for (const name of names) {
    let text: string;
    try {
      text = readFileSync(join(site, name), "utf8");
    } catch {
      continue;
    }
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trimEnd();
      if (line === "" || line.startsWith("#") || /^import[ \t]/.test(line)) continue;
      const directory = resolve(site, line);
      if (existsSync(directory) && !entries.some((entry) => entry.directory === directory))
        entries.push({ file: name, directory });
    }
  }
  return entries;
}

/** The environment's site directories plus what their .pth files add, in sys.path order. */
export function searchPath(sitePackages: readonly string[]): string[] {
  const path: string[] = [];
  for (const site of sitePackages) {
    if (!path.includes(site)) path.push(site);
    for (const extra of pthDirectories(site)) if (!path.includes(extra)) path.push(extra);
  }
  return path;
}

/**
 * Whether a distribution is the environment's own, as pip's `--local` means it: for a virtual
 * environment what lies inside it, not what it sees of the global site-packages (or a `.pth`
 * directory elsewhere); for any other, everything.
 */
export function isLocal(environment: Environment, distribution: InstalledDistribution): boolean {
  if (environment.kind !== "venv") return true;
  return `${resolve(distribution.location)}/`.startsWith(`${resolve(environment.root)}/`);
}

/**
 * Whether a change to this environment may replace or remove the distribution: a virtual
 * environment's own (isLocal; pip leaves the rest alone too, "outside environment"). Of a system
 * Python, what lies in the directories installs write to or before them on the path (the user
 * site, which would shadow the new version, as pip removes it), never what comes after them: a
 * Linux distribution's own packages (Debian's /usr/lib/python3/dist-packages behind
 * /usr/local's), which the new version shadows and the system's package manager owns. Of a user
 * site install (`--user`), the user site alone: it comes first on the path.
 */
export function ownsDistribution(environment: Environment, distribution: InstalledDistribution): boolean {
  if (environment.kind !== "system" && environment.kind !== "user") return isLocal(environment, distribution);
  return directoriesOf(environment).owned.has(realDirectory(distribution.location));
}

/** An environment's install directories, and for a system Python those and what comes before them. */
function directoriesOf(environment: Environment): {
  install: ReadonlySet<string>;
  owned: ReadonlySet<string>;
} {
  let known = knownDirectories.get(environment);
  if (known === undefined) {
    const install = [environment.scheme.purelib, environment.scheme.platlib].map(realDirectory);
    const order = environment.sitePackages.map(realDirectory);
    const last = Math.max(...install.map((directory) => order.indexOf(directory)));
    known = { install: new Set(install), owned: new Set(order.slice(0, last + 1)) };
    knownDirectories.set(environment, known);
  }
  return known;
}

const knownDirectories = new WeakMap<Environment, ReturnType<typeof directoriesOf>>();

/**
 * Whether a distribution lies in the directories installs write to. A later copy of a name there
 * goes when the name is replaced or removed (an install gone wrong before left two .dist-info),
 * never one elsewhere on the path (a system's own site directory).
 */
export function isInInstallDirectories(
  environment: Environment,
  distribution: InstalledDistribution,
): boolean {
  return directoriesOf(environment).install.has(realDirectory(distribution.location));
}

/**
 * Each name's copies in the environment's site directories: the one Python sees first, then the
 * later ones in the install directories (isInInstallDirectories), which an install gone wrong
 * before left there. Replacing or removing a name takes them all, so that it ends with no
 * version, or one, on the path, as uv does.
 */
export function copiesByName(environment: Environment): Map<string, InstalledDistribution[]> {
  const shadowed: InstalledDistribution[] = [];
  const onShadowed = (copy: InstalledDistribution) => {
    if (isInInstallDirectories(environment, copy)) shadowed.push(copy);
  };
  const copies = new Map<string, InstalledDistribution[]>();
  for (const dist of installedDistributions(environment.sitePackages, { onShadowed }))
    copies.set(dist.canonicalName, [dist]);
  for (const copy of shadowed) copies.get(copy.canonicalName)?.push(copy);
  return copies;
}

/** The distributions with the later copies of their names (copiesByName). */
export function withOwnedCopies(
  environment: Environment,
  distributions: readonly InstalledDistribution[],
): InstalledDistribution[] {
  const copies = copiesByName(environment);
  const result = [...distributions];
  const paths = new Set(distributions.map((distribution) => resolve(distribution.path)));
  for (const distribution of distributions)
    for (const copy of (copies.get(distribution.canonicalName) ?? []).slice(1))
      if (!paths.has(resolve(copy.path))) {
        paths.add(resolve(copy.path));
        result.push(copy);
      }
  return result;
}

/**
 * The paths that removing a distribution deletes, with compiled files and scripts: RECORD for a
 * .dist-info; for a setuptools .egg-info directory what pip reads, its installed-files.txt, else
 * its top_level.txt packages. Null when nothing says which files are its own: a .dist-info
 * without RECORD, or distutils' lone .egg-info file.
 */
export function distributionFiles(
  distribution: InstalledDistribution,
  scriptsDirectory: string,
): string[] | null {
  const listed = listedFiles(distribution);
  if (listed === null) return null;
  const files = new Set<string>();
  // Each __pycache__ is listed once, not once per module in its directory, its .pyc files by the
  // name before their first dot (a directory of 300 modules has 600 of them).
  const compiled = new Map<string, Map<string, string[]>>();
  const compiledIn = (cache: string): Map<string, string[]> => {
    let byFirstPart = compiled.get(cache);
    if (byFirstPart === undefined) {
      byFirstPart = new Map();
      try {
        for (const name of readdirSync(cache)) {
          if (!name.endsWith(".pyc")) continue;
          const first = name.slice(0, name.indexOf("."));
          const names = byFirstPart.get(first);
          if (names === undefined) byFirstPart.set(first, [name]);
          else names.push(name);
        }
      } catch {
        // no __pycache__
      }
      compiled.set(cache, byFirstPart);
    }
    return byFirstPart;
  };
  for (const absolute of listed) {
    files.add(absolute);
    if (absolute.endsWith(".py")) {
      // pip removes what byte-compilation made beside each module too.
      const directory = dirname(absolute);
      const stem = absolute.slice(directory.length + 1, -3);
      const cache = `${directory}/__pycache__`;
      const first = stem.includes(".") ? stem.slice(0, stem.indexOf(".")) : stem;
      for (const name of compiledIn(cache).get(first) ?? [])
        if (name.startsWith(`${stem}.`)) files.add(`${cache}/${name}`);
    }
  }
  // distutils' `scripts=` are named in the .egg-info's scripts/ directory (pip removes them too).
  if (distribution.format === "egg-info") {
    for (const name of filesBelow(join(distribution.path, "scripts"))) {
      const script = join(scriptsDirectory, basename(name));
      if (existsSync(script)) files.add(script);
    }
  }
  const entryPoints = distribution.readFile("entry_points.txt");
  if (entryPoints !== null) {
    for (const match of entryPoints.matchAll(/^\[(console_scripts|gui_scripts)\]([^[]*)/gm)) {
      for (const line of match[2].split(/\r?\n/)) {
        const name = line.split("=")[0]?.trim();
        if (name && name !== "." && name !== ".." && !name.includes("/")) {
          const script = join(scriptsDirectory, name);
          if (existsSync(script)) files.add(script);
        }
      }
    }
  }
  return [...files];
}

/**
 * The files a distribution says it installed, as absolute paths: RECORD for a .dist-info; for a
 * setuptools .egg-info what pip reads (eggInfoPaths). Null when nothing says.
 */
export function listedFiles(distribution: InstalledDistribution): string[] | null {
  return distribution.format === "dist-info" ? recordPaths(distribution) : eggInfoPaths(distribution);
}

function recordPaths(distribution: InstalledDistribution): string[] | null {
  const record = distribution.record;
  if (record === null) return null;
  const root = resolve(dirname(distribution.path));
  const paths: string[] = [];
  for (const [relativePath] of record) {
    // A NUL names no file (the system calls refuse it): a damaged row (found by fuzzing RECORD).
    if (relativePath === "" || relativePath.includes("\0")) continue;
    // Most rows are plain paths below site-packages: joined as text, without resolve's work.
    paths.push(
      PLAIN_RELATIVE_PATH.test(relativePath) ? `${root}/${relativePath}` : resolve(root, relativePath),
    );
  }
  return paths;
}
