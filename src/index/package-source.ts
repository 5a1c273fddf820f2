// Where a project's files come from: package indexes (HTTP or file://) and --find-links
// locations (directories, HTML pages). By default the first index that knows a project is the
// only one used for it, which stops a same-named project on a later index from being chosen
// (dependency confusion); `unsafe-best-match` merges every index, as pip does, and
// `unsafe-first-match` (uv's) merges them too but prefers every version of an earlier index to
// any of a later one.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { tryParseSdistFilename, tryParseWheelFilename } from "../standards/filename.ts";
import { canonicalizeName } from "../standards/name.ts";
import { SpiceError } from "../util/error.ts";
import { realDirectory } from "../util/fs.ts";
import { redactUrl } from "../util/redact.ts";
import { hasUrlScheme } from "../util/url-scheme.ts";
import { type HttpClient, type HttpResponse, httpStatusHint } from "./http.ts";
import {
  ACCEPT_SIMPLE,
  bareIndexFile,
  type IndexFile,
  InvalidIndexPage,
  parseHtmlPage,
  parseProjectPage,
} from "./simple-api.ts";

export type IndexStrategy = "first-index" | "unsafe-first-match" | "unsafe-best-match";

export interface SourcedFile extends IndexFile {
  /** The index or find-links location it came from (redacted for display). */
  source: string;
  /**
   * unsafe-first-match: the position of its index among those that have the project (1 for the
   * first; find-links files have none, as 0). A version is offered only from the first index that
   * has it, and the resolver tries every version of an earlier index before any of a later one.
   */
  priority?: number;
}

/**
 * Files a caller cannot use at all, told from the file alone (wheels for other platforms): an
 * index page's cache keeps a form of the page without them for that caller, so that a warm run
 * reads the fiftieth of numpy's page one interpreter can use, not all of it.
 */
export interface FileFilter {
  /** Names the filter in the page cache: the same key must make the same decisions. */
  key: string;
  drops(file: IndexFile, project: string): boolean;
}

/**
 * A project's files, and how many the filter asked for left out; also the form of an index page
 * the cache keeps (its files with their source, less those a filter dropped).
 */
export interface ProjectFileList {
  files: SourcedFile[];
  dropped: number;
}

export interface PackageSourceOptions {
  indexes: string[];
  findLinks: string[];
  strategy: IndexStrategy;
  /** Canonical names whose index pages are revalidated however fresh (uv's --refresh-package). */
  refreshPackages?: ReadonlySet<string>;
}

/** How a file's `source` names the index it came from: its URL with a "/", password hidden. */
export function indexSource(index: string): string {
  return redactUrl(index.endsWith("/") ? index : `${index}/`);
}

/** A file's version as PEP 440 normalizes it (its file name when that does not parse). */
function versionOf(file: IndexFile): string {
  return (
    (tryParseWheelFilename(file.filename) ?? tryParseSdistFilename(file.filename))?.version.toString() ??
    file.filename
  );
}

/**
 * The project a file belongs to, from its name alone. A wheel's name ends at its first `-`, so
 * there is no need to parse (and expand) its tags: a find-links directory can hold thousands.
 */
function projectName(filename: string): string | null {
  if (filename.endsWith(".whl")) {
    // name-version(-build)?-python-abi-platform.whl: at least four dashes.
    const dash = filename.indexOf("-");
    let dashes = 0;
    for (let at = dash; at >= 0 && dashes < 4; at = filename.indexOf("-", at + 1)) dashes++;
    return dash > 0 && dashes >= 4 ? canonicalizeName(filename.slice(0, dash)) : null;
  }
  return tryParseSdistFilename(filename)?.name ?? null;
}

function localFile(path: string, source: string): SourcedFile {
  // Its size is not read: a stat per file of a large find-links directory costs more than it is worth.
  return { ...bareIndexFile(path.slice(path.lastIndexOf("/") + 1), pathToFileURL(path).toString()), source };
}

/**
 * Whether a name in a local directory is a file to offer: a dangling symlink or a directory named
 * like a distribution is not. Asked only of the files of a project in use.
 */
function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

export class PackageSource {
  /** Each find-links location's files by project, built once (a directory may hold thousands). */
  private readonly findLinksByProject = new Map<string, Promise<Map<string, ProjectFiles>>>();

  constructor(
    private readonly http: HttpClient,
    readonly options: PackageSourceOptions,
  ) {}

  /**
   * Every file of `name` the configured indexes and find-links locations offer, less those of
   * index pages that `filter` drops (counted). Find-links files are all given: reading them again
   * costs little.
   */
  async files(name: string, filter?: FileFilter): Promise<ProjectFileList> {
    const canonical = canonicalizeName(name);
    const found: SourcedFile[] = [];
    let dropped = 0;
    for (const location of this.options.findLinks) {
      let byProject = this.findLinksByProject.get(location);
      if (byProject === undefined) {
        // One promise per location: concurrent lookups share the scan.
        byProject = this.findLinksIndex(location);
        this.findLinksByProject.set(location, byProject);
      }
      const project = (await byProject).get(canonical);
      if (project === undefined) continue;
      project.files ??= project.names
        .filter((name) => isFile(join(project.directory, name)))
        .map((name) => localFile(join(project.directory, name), project.directory));
      found.push(...project.files);
    }
    const versionsSeen =
      this.options.strategy === "unsafe-first-match" ? new Set(found.map(versionOf)) : null;
    let priority = 0;
    for (const index of this.options.indexes) {
      const page = await this.indexFiles(index, canonical, filter);
      if (page === null) continue;
      dropped += page.dropped;
      if (versionsSeen === null) found.push(...page.files);
      else {
        priority++;
        // Each file name parsed once; a version this index shares with an earlier one is not offered.
        const fresh = page.files
          .map((file) => ({ file, version: versionOf(file) }))
          .filter(({ version }) => !versionsSeen.has(version));
        for (const { version } of fresh) versionsSeen.add(version);
        found.push(...fresh.map(({ file }) => ({ ...file, priority })));
      }
      if (this.options.strategy === "first-index") break;
    }
    return { files: found, dropped };
  }

  /** The project's files on one index, or null when the index does not have the project. */
  private async indexFiles(
    index: string,
    name: string,
    filter?: FileFilter,
  ): Promise<ProjectFileList | null> {
    const base = index.endsWith("/") ? index : `${index}/`;
    const pageUrl = `${base}${name}/`;
    const source = indexSource(index);
    if (pageUrl.startsWith("file:")) {
      const directory = fileURLToPath(pageUrl);
      const html = join(directory, "index.html");
      if (existsSync(html))
        return {
          files: parseHtmlPage(readFileSync(html, "utf8"), pageUrl, name).files.map((file) => ({
            ...file,
            source,
          })),
          dropped: 0,
        };
      if (!existsSync(directory)) return null;
      const files = readdirSync(directory)
        .filter((entry) => projectName(entry) !== null && isFile(join(directory, entry)))
        .sort()
        .map((entry) => localFile(join(directory, entry), source));
      return { files, dropped: 0 };
    }
    let response: HttpResponse;
    try {
      // The parsed file list is kept beside the cached page (HttpClient.get's `derive`), one
      // form per filter.
      response = await this.http.get(
        pageUrl,
        ACCEPT_SIMPLE,
        {
          key: filter === undefined ? "spice-page-files-2" : `spice-page-files-2/${filter.key}`,
          make: (page): ProjectFileList => {
            const files = parseProjectPage(
              page.body.toString("utf8"),
              page.headers["content-type"] ?? "",
              page.url,
              name,
            ).files.map((file) => ({ ...file, source }));
            if (filter === undefined) return { files, dropped: 0 };
            const kept = files.filter((file) => !filter.drops(file, name));
            return { files: kept, dropped: files.length - kept.length };
          },
        },
        this.options.refreshPackages?.has(canonicalizeName(name)) ?? false,
      );
    } catch (error) {
      if (error instanceof InvalidIndexPage) {
        throw new SpiceError("E_INDEX_PAGE", `The index page ${redactUrl(pageUrl)} is malformed`, {
          cause: error.message,
          hint: "The index is broken or is not a PEP 503/691 index; report it to its operator",
        });
      }
      throw error;
    }
    if (response.status === 404 || response.status === 410) return null;
    if (response.status !== 200) {
      throw new SpiceError("E_INDEX", `${redactUrl(pageUrl)} answered HTTP ${response.status}`, {
        hint: httpStatusHint(response.status, "Check the index URL (--index-url) and its credentials"),
      });
    }
    // The cached form is shared by every URL of the page (credentials are no part of its key):
    // each file is said to come from this index as this run names it.
    const list = response.derived as ProjectFileList;
    for (const file of list.files) file.source = source;
    return list;
  }

  /**
   * A find-links location's files by project. A directory's are listed by name only: the few
   * projects asked for become SourcedFiles (file URLs and all) when first looked up.
   */
  private async findLinksIndex(location: string): Promise<Map<string, ProjectFiles>> {
    const index = new Map<string, ProjectFiles>();
    const add = (project: string, directory: string, name: string | null, file: SourcedFile | null) => {
      let entry = index.get(project);
      if (entry === undefined) {
        entry = { directory, names: [], files: name === null ? [] : undefined };
        index.set(project, entry);
      }
      if (name !== null) entry.names.push(name);
      if (file !== null) entry.files?.push(file);
    };
    const path = location.startsWith("file:") ? fileURLToPath(location) : location;
    if (!hasUrlScheme(location) || location.startsWith("file:")) {
      if (!existsSync(path)) {
        throw new SpiceError("E_FIND_LINKS", `The --find-links location ${path} does not exist`);
      }
      if (statSync(path).isDirectory()) {
        // Its files are named from the directory's real path, as pip names them (a linked
        // directory's files are reported where they are). Paths are joined when a project is
        // used: most of a large directory never is.
        const directory = realDirectory(path);
        for (const entry of readdirSync(directory).sort()) {
          const project = projectName(entry);
          if (project !== null) add(project, directory, entry, null);
        }
        return index;
      }
      for (const file of parseHtmlPage(readFileSync(path, "utf8"), pathToFileURL(path).toString(), "")
        .files) {
        const project = projectName(file.filename);
        if (project !== null) add(project, path, null, { ...file, source: path });
      }
      return index;
    }
    const response = await this.http.get(location, "text/html");
    if (response.status !== 200)
      throw new SpiceError("E_FIND_LINKS", `${redactUrl(location)} answered HTTP ${response.status}`, {
        hint: httpStatusHint(response.status),
      });
    for (const file of parseHtmlPage(response.body.toString("utf8"), response.url, "").files) {
      const project = projectName(file.filename);
      if (project !== null) add(project, location, null, { ...file, source: redactUrl(location) });
    }
    return index;
  }
}

/** One project's files in a find-links location: names in a directory, made into files when used. */
interface ProjectFiles {
  directory: string;
  names: string[];
  files?: SourcedFile[];
}
