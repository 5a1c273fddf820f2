// The options every resolving command shares (pip's index and resolver flags, uv's additions),
// and their wiring: requirement inputs read from arguments and files, index settings merged from
// pip's configuration, and the HTTP client, package source and file fetcher built from them.

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUCKETS, Cache } from "../cache/store.ts";
import { type FetchProgress, FileFetcher } from "../index/file-fetcher.ts";
import { HttpClient, type Proxies } from "../index/http.ts";
import { type IndexStrategy, PackageSource } from "../index/package-source.ts";
import { type ForeignTarget, isForeign, type ResolveTarget } from "../python/target.ts";
import type { PrereleasePolicy } from "../resolver/candidates.ts";
import { type Resolution, type ResolveOptions, resolve } from "../resolver/resolve.ts";
import { tryParseSdistFilename, tryParseWheelFilename } from "../standards/filename.ts";
import { canonicalizeName } from "../standards/name.ts";
import { isPylockFileName } from "../standards/pylock.ts";
import { pyUnquote } from "../standards/python-url.ts";
import { parseRequirement, Requirement } from "../standards/requirement.ts";
import { readRequirementsFile } from "../standards/requirements-txt.ts";
import { RemoteFileNeeded } from "../standards/requirements-txt-host.ts";
import { emptyFinderOptions, type FinderOptions } from "../standards/requirements-txt-options.ts";
import { parseSpecifierSet } from "../standards/specifier.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { localFileHost } from "../util/file-host.ts";
import { onDisk } from "../util/fs.ts";
import { redactUrl } from "../util/redact.ts";
import { flag, type ParsedArgs, value, values } from "./args.ts";
import type { CommandContext } from "./main.ts";
import { type ConfigValue, isTruthy, listOf, pipSettings } from "./pip-config.ts";

export interface RequirementInputs {
  requirements: Requirement[];
  constraints: Requirement[];
  overrides: Requirement[];
  /** Canonical name → allowed `algorithm:digest` values (hash-checking mode when any). */
  hashes: Map<string, Set<string>>;
  /** Options the requirements files set (-i, -f, --pre, ...). */
  finder: FinderOptions;
  /** Canonical name → where it was asked for ("-r requirements.in"), for annotations. */
  origins: Map<string, string[]>;
}

/** Inputs with nothing in them yet (what a lock file's install resolves from, too). */
export function emptyRequirementInputs(): RequirementInputs {
  return {
    requirements: [],
    constraints: [],
    overrides: [],
    hashes: new Map(),
    finder: emptyFinderOptions(),
    origins: new Map(),
  };
}

function emptySpecifier() {
  return parseSpecifierSet("");
}

/**
 * Refuses a local directory named as something to install (`pip install .`): a project to build,
 * which spice does not do yet, or a directory that is neither.
 */
function refuseDirectory(location: string, cwd: string): void {
  let path: string;
  try {
    path = location.startsWith("file:") ? fileURLToPath(location) : resolvePath(cwd, location);
  } catch {
    return; // not a local path (a file URL naming another host): fetching it fails clearly later
  }
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return;
  if (existsSync(join(path, "pyproject.toml")) || existsSync(join(path, "setup.py"))) {
    throw new SpiceError(
      "E_BUILD_REQUIRED",
      `${location} is a project to build, and spice does not build yet`,
      {
        cause: "spice installs wheels; a source tree needs its build backend run first",
        hint: "Build a wheel (`python -m build --wheel` in the project), then install the .whl file",
      },
    );
  }
  throw new SpiceError("E_UNSUPPORTED", `${location} is a directory, not a wheel or a project`, {
    hint: "Name a wheel file or a requirement; a directory of wheels goes to --find-links",
  });
}

/** A local or remote wheel/sdist named directly: a URL requirement on its project. */
function fileRequirement(location: string, cwd: string): Requirement {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(location);
  if (!isUrl || location.startsWith("file:")) refuseDirectory(location, cwd);
  const url = isUrl ? location : pathToFileURL(resolvePath(cwd, location)).toString();
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    throw new UsageError(`${redactUrl(location)} is not a valid URL`);
  }
  const filename = pyUnquote(basename(pathname));
  const parsed = tryParseWheelFilename(filename) ?? tryParseSdistFilename(filename);
  if (parsed === null) {
    throw new SpiceError("E_UNSUPPORTED", `${redactUrl(location)} is not a wheel or sdist file`, {
      hint: "Name a file like pkg-1.0-py3-none-any.whl, or a project with `name @ URL`",
    });
  }
  return new Requirement(parsed.name, [], emptySpecifier(), url, null);
}

function looksLikeFile(argument: string): boolean {
  return /\.(whl|tar\.gz|zip)$/i.test(argument) && !argument.includes(" @ ");
}

/** Whether pip would take the argument for a path: it has a "/" or starts with ".". */
function looksLikePath(argument: string): boolean {
  return (argument.includes("/") || argument.startsWith(".")) && !argument.includes(" @ ");
}

/** A path to a directory, as pip tells one from a requirement. */
function looksLikeDirectory(argument: string, cwd: string): boolean {
  if (!looksLikePath(argument)) return false;
  return statSync(resolvePath(cwd, argument), { throwIfNoEntry: false })?.isDirectory() === true;
}

/** pip's objection to a line of a constraints file (`-c`), in pip's words, or null. */
function constraintProblem(install: {
  name: string | null;
  editable: boolean;
  extras: string[];
}): string | null {
  if (install.name === null) return "Unnamed requirements are not allowed as constraints";
  if (install.editable) return "Editable requirements are not allowed as constraints";
  if (install.extras.length > 0) return "Constraints cannot have extras";
  return null;
}

function readFile(
  file: string,
  context: CommandContext,
  kind: "requirements" | "constraints" | "overrides",
  finder: FinderOptions,
  inputs: RequirementInputs,
  into: Requirement[],
): void {
  const constraint = kind !== "requirements";
  const result = readRequirementsFile(file, requirementsFileHost(context), constraint, finder);
  if (result.error !== null) {
    const [message, ...rest] = result.error.message.split("\n");
    throw new SpiceError("E_REQUIREMENTS_FILE", message, {
      cause: rest.join(" ").trim() || undefined,
      hint: `Fix ${file}; spice reads it exactly as pip does`,
    });
  }
  for (const entry of result.entries) {
    const install = entry.installRequirement!;
    const where = `${entry.parsed.file}:${entry.parsed.line}`;
    const problem = kind === "constraints" ? constraintProblem(install) : null;
    if (problem !== null)
      throw new SpiceError("E_REQUIREMENTS_FILE", `${where}: ${problem}`, {
        cause: `the line reads: ${entry.parsed.requirement}`,
        hint: "A constraint is a name with a version specifier (and a marker); requirements go in a -r file",
      });
    if (install.editable) {
      throw new SpiceError("E_EDITABLE", `${where}: editable installs (-e) are not supported yet`, {
        hint: "Install the project as a wheel for now",
      });
    }
    let requirement: Requirement;
    if (install.name === null) {
      requirement = fileRequirement(install.link ?? entry.parsed.requirement, context.cwd);
    } else {
      const extras = install.extras.length > 0 ? `[${install.extras.join(",")}]` : "";
      const marker = install.markers ? `; ${install.markers}` : "";
      const base = parseRequirement(`${install.name}${extras}${install.specifier}${marker}`);
      requirement = install.link
        ? new Requirement(base.name, base.extras, base.specifier, install.link, base.marker)
        : base;
      if (install.link?.startsWith("file:")) refuseDirectory(install.link, context.cwd);
    }
    into.push(requirement);
    const name = requirement.canonicalName;
    inputs.origins.set(name, [...(inputs.origins.get(name) ?? []), `${constraint ? "-c" : "-r"} ${file}`]);
    const digests = Object.entries(install.hashOptions).flatMap(([algorithm, list]) =>
      list.map((digest) => `${algorithm}:${digest}`),
    );
    if (digests.length > 0) {
      const known = inputs.hashes.get(name) ?? new Set();
      for (const digest of digests) known.add(digest);
      inputs.hashes.set(name, known);
    }
  }
}

/** Requirements from positional arguments, -r, -c and --override files. */
export function gatherRequirements(
  positionals: readonly string[],
  args: ParsedArgs,
  context: CommandContext,
  requirementFiles: readonly string[] = values(args, "requirement"),
  /** The pip.conf section whose settings apply (pip's command name). */
  section = "install",
): RequirementInputs {
  const inputs = emptyRequirementInputs();
  const finder = inputs.finder;
  for (const argument of positionals) {
    let requirement: Requirement;
    if (looksLikeFile(argument) || looksLikeDirectory(argument, context.cwd))
      requirement = fileRequirement(argument, context.cwd);
    else {
      try {
        requirement = parseRequirement(argument);
      } catch (error) {
        // pip's hint for what looks like a path: say that it does not exist, not how it parses.
        const path = resolvePath(context.cwd, argument);
        if (looksLikePath(argument) && !existsSync(path))
          throw new SpiceError("E_NO_SUCH_FILE", `${argument} does not exist`, {
            cause: `looked for ${path}`,
            hint: "Check the path, or name a requirement (`name`, `name==1.0`, `name @ URL`)",
          });
        throw new UsageError(
          `'${argument}' is neither a requirement nor a wheel file`,
          (error as Error).message.split("\n")[0],
        );
      }
      if (requirement.url?.startsWith("file:") === false && !/^https?:/.test(requirement.url))
        throw new UsageError(`${requirement.url}: only http(s) and file URLs are supported`);
      if (requirement.url?.startsWith("file:")) refuseDirectory(requirement.url, context.cwd);
    }
    inputs.requirements.push(requirement);
    inputs.origins.set(requirement.canonicalName, [
      ...(inputs.origins.get(requirement.canonicalName) ?? []),
      "",
    ]);
  }
  refuseLockFiles([...requirementFiles, ...values(args, "constraint"), ...values(args, "override")]);
  for (const file of requirementFiles)
    readFile(file, context, "requirements", finder, inputs, inputs.requirements);
  // pip takes constraint files from its configuration too (`constraint`, PIP_CONSTRAINT), before
  // the command line's.
  const configured = pipSettings(context.env, section, flag(args, "isolated")).get("constraint");
  for (const file of [...listOf(configured?.value), ...values(args, "constraint")])
    readFile(file, context, "constraints", finder, inputs, inputs.constraints);
  for (const file of values(args, "override"))
    readFile(file, context, "overrides", finder, inputs, inputs.overrides);
  return inputs;
}

/** A lock file named where a command reads requirements files only: said so, not misparsed. */
export function refuseLockFiles(files: readonly string[]): void {
  for (const file of files) {
    if (isPylockFileName(file))
      throw new UsageError(
        `${file} is a lock file (PEP 751), which this command does not read`,
        "spice pip install -r pylock.toml, spice pip sync pylock.toml and spice pip download -r pylock.toml read lock files",
      );
  }
}

export interface IndexSettings {
  indexes: string[];
  findLinks: string[];
  strategy: IndexStrategy;
  /** Seconds a connection may wait (pip's --timeout, default 15), and retries per request. */
  timeoutSeconds: number;
  retries: number;
  /** pip's --proxy (or its `proxy` setting) for every scheme, else the *_PROXY variables. */
  proxies: Proxies;
  /** Hosts whose TLS certificates are not checked: --trusted-host, pip's setting, requirements files. */
  trustedHosts: string[];
  /** The CA bundle TLS connections trust instead of Node's: --cert, pip's `cert`, SSL_CERT_FILE. */
  certFile: string | null;
  /** For --verbose: where each setting came from. */
  explanation: string[];
}

/** Whether any requirement must be looked up on an index (is not a URL or file). */
export function needsIndex(inputs: RequirementInputs): boolean {
  return inputs.requirements.some((requirement) => requirement.url === null);
}

/**
 * An index as a URL: a path (`-i /srv/simple`, which pip takes) becomes the file:// URL of that
 * directory. A path that does not exist is an error here, where pip ignores it with a warning and
 * goes on to the other indexes: a mistyped index must not hand its names to another one.
 */
function indexLocation(location: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(location)) return validUrl("index", location);
  const path = resolvePath(cwd, location);
  if (!existsSync(path))
    throw new UsageError(
      `The index '${location}' is neither a URL nor an existing directory`,
      "Give the index as a URL (https://..., file:///...) or the path of a directory laid out as a simple index; a directory of wheels goes to --find-links",
    );
  return pathToFileURL(path).href;
}

/** `location` when it parses as a URL; else a usage error naming the setting (`index`, `find-links`). */
function validUrl(setting: string, location: string): string {
  if (URL.canParse(location)) return location;
  throw new UsageError(
    `The ${setting} '${redactUrl(location)}' is not a valid URL`,
    "Check it: a URL looks like https://host/simple/ or file:///path/to/dir/",
  );
}

/** Indexes and find-links from the command line, requirements files, SPICE_/PIP_ variables and pip.conf. */
export function indexSettings(
  args: ParsedArgs,
  context: CommandContext,
  finder: FinderOptions,
  section = "install",
  /** False when every requirement names its file: no index is needed then. */
  needsIndex = true,
): IndexSettings {
  const config = pipSettings(context.env, section, flag(args, "isolated"));
  const explanation: string[] = [];
  const pick = (key: string, fromArgs: string | string[] | undefined | boolean): ConfigValue | null => {
    if (fromArgs !== undefined && fromArgs !== false && !(Array.isArray(fromArgs) && fromArgs.length === 0))
      return {
        value: Array.isArray(fromArgs) ? fromArgs.join(" ") : String(fromArgs),
        source: "command line",
      };
    return config.get(key) ?? null;
  };
  const noIndex = flag(args, "no-index") || finder.noIndex || isTruthy(config.get("no-index")?.value);
  const indexUrl = pick("index-url", value(args, "index-url"));
  // For options given more than once, pip adds the command line's values to the configuration's.
  const appended = (key: string): { values: string[]; source: string } | null => {
    const configured = config.get(key);
    const given = values(args, key);
    if (configured === undefined && given.length === 0) return null;
    const source = [configured?.source, given.length > 0 ? "command line" : undefined].filter(Boolean);
    return { values: [...listOf(configured?.value), ...given], source: source.join(" and ") };
  };
  const extra = appended("extra-index-url");
  const findLinksSetting = appended("find-links");
  let indexes: string[] = [];
  if (!noIndex) {
    if (finder.indexUrls.length > 0) {
      indexes = [...finder.indexUrls];
      explanation.push(`indexes: ${indexes.map(redactUrl).join(", ")} (from a requirements file)`);
    } else {
      if (indexUrl) indexes.push(indexUrl.value);
      indexes.push(...(extra?.values ?? []));
      if (indexUrl) explanation.push(`index-url: ${redactUrl(indexUrl.value)} (from ${indexUrl.source})`);
      if (extra)
        explanation.push(`extra-index-url: ${extra.values.map(redactUrl).join(" ")} (from ${extra.source})`);
    }
  } else explanation.push("no-index: no package index is used");
  indexes = indexes.map((location) => indexLocation(location, context.cwd));
  const findLinks = [...(findLinksSetting?.values ?? []), ...finder.findLinks].map((location) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(location)
      ? validUrl("find-links location", location)
      : resolvePath(context.cwd, location),
  );
  if (findLinksSetting)
    explanation.push(`find-links: ${findLinksSetting.values.join(" ")} (from ${findLinksSetting.source})`);
  const strategy = (value(args, "index-strategy") ??
    config.get("index-strategy")?.value ??
    "first-index") as IndexStrategy;
  if (strategy !== "first-index" && strategy !== "unsafe-best-match")
    throw new UsageError(`--index-strategy takes first-index or unsafe-best-match, not '${strategy}'`);
  const number = (key: string, fallback: number, ...configKeys: string[]): number => {
    const setting =
      pick(key, value(args, key)) ?? configKeys.map((name) => config.get(name)).find(Boolean) ?? null;
    if (setting === null) return fallback;
    const parsed = Number(setting.value);
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new UsageError(`--${key} takes a number, not '${setting.value}' (from ${setting.source})`);
    return parsed;
  };
  // pip's names: --timeout (also `default-timeout`, PIP_DEFAULT_TIMEOUT) and --retries.
  const timeoutSeconds = number("timeout", 15, "default-timeout");
  const retries = Math.trunc(number("retries", 3));
  if (needsIndex && !noIndex && indexes.length === 0 && findLinks.length === 0) {
    throw new SpiceError("E_NO_INDEX", "No package index is configured", {
      hint: "Pass --index-url URL (or set PIP_INDEX_URL / SPICE_INDEX_URL, or index-url in pip.conf), or --find-links DIR",
    });
  }
  const proxySetting = pick("proxy", value(args, "proxy"));
  const env = context.env;
  const proxies: Proxies = proxySetting
    ? { http: proxySetting.value, https: proxySetting.value, noProxy: env.no_proxy ?? env.NO_PROXY ?? null }
    : {
        http: env.http_proxy ?? env.HTTP_PROXY ?? null,
        https: env.https_proxy ?? env.HTTPS_PROXY ?? null,
        noProxy: env.no_proxy ?? env.NO_PROXY ?? null,
      };
  if (proxySetting) explanation.push(`proxy: ${redactUrl(proxySetting.value)} (from ${proxySetting.source})`);
  // pip adds every --trusted-host to its session: command line, configuration, requirements files.
  const trustedHosts = [
    ...new Set([
      ...values(args, "trusted-host"),
      ...listOf(config.get("trusted-host")?.value),
      ...finder.trustedHosts,
    ]),
  ];
  const cert = pick("cert", value(args, "cert"));
  if (cert) explanation.push(`cert: ${cert.value} (from ${cert.source})`);
  const certFile = cert?.value ?? env.SSL_CERT_FILE ?? null;
  return {
    indexes,
    findLinks,
    strategy,
    timeoutSeconds,
    retries,
    proxies,
    trustedHosts,
    certFile,
    explanation,
  };
}

export interface Sources {
  http: HttpClient;
  packages: PackageSource;
  fetcher: FileFetcher;
  cache: Cache | null;
  close(): Promise<void>;
}

function readCertificates(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new SpiceError("E_CERT", `Could not read the CA bundle ${path}`, {
      cause: (error as Error).message,
      hint: "Point --cert (or pip's cert setting, or SSL_CERT_FILE) at a PEM file",
    });
  }
}

function httpClient(args: ParsedArgs, context: CommandContext, settings: IndexSettings, cache: Cache | null) {
  const certFile = settings.certFile;
  return new HttpClient({
    cacheDirectory: cache === null ? null : cache.bucket(BUCKETS.http),
    offline: flag(args, "offline"),
    refresh: flag(args, "refresh"),
    ca: certFile ? readCertificates(certFile) : null,
    extraCaFile: context.env.NODE_EXTRA_CA_CERTS ?? null,
    warn: (message) => context.output.warn(message),
    trustedHosts: settings.trustedHosts,
    netrc: context.env.NETRC ?? undefined,
    connections: context.env.SPICE_HTTP_CONNECTIONS ? Number(context.env.SPICE_HTTP_CONNECTIONS) : undefined,
    timeoutMs: settings.timeoutSeconds * 1000,
    retries: settings.retries,
    proxies: settings.proxies,
  });
}

/** Requirements files this process fetched from http(s) URLs, by URL. */
const fetchedRequirementFiles = new Map<string, Uint8Array>();

/** Requirements files as this process reads them: from disk, and from http(s) URLs once fetched. */
export function requirementsFileHost(context: CommandContext) {
  return localFileHost(context.cwd, context.env, fetchedRequirementFiles, readStandardInput);
}

let standardInput: Uint8Array | null = null;

/** `-r -` (and compile's `-`): the requirements on standard input, read once, as uv reads them. */
function readStandardInput(): Uint8Array {
  standardInput ??= onDisk("Could not read standard input", () => readFileSync(0));
  return standardInput;
}

/**
 * Runs `read`, which reads requirements files through requirementsFileHost, with the files at
 * http(s) URLs fetched as pip fetches them. The file parser is synchronous: a URL it has no text
 * for stops it (RemoteFileNeeded), the file is fetched, and `read` runs again (cheap, and only as
 * often as there are such URLs).
 */
export async function withFetchedRequirementFiles<T>(
  args: ParsedArgs,
  context: CommandContext,
  read: () => T,
): Promise<T> {
  let http: HttpClient | null = null;
  try {
    for (;;) {
      try {
        return read();
      } catch (error) {
        if (!(error instanceof RemoteFileNeeded) || fetchedRequirementFiles.has(error.url)) throw error;
        // The command line's and configuration's HTTP settings; the files' own come later.
        http ??= httpClient(
          args,
          context,
          indexSettings(args, context, emptyFinderOptions(), "install", false),
          null,
        );
        const response = await http.fetch(error.url);
        if (response.status !== 200)
          throw new SpiceError(
            "E_REQUIREMENTS_FILE",
            `Could not fetch requirements file ${redactUrl(error.url)}`,
            {
              cause: `the server answered HTTP ${response.status}`,
              hint: "Check the URL; spice fetches requirements files as pip does",
            },
          );
        fetchedRequirementFiles.set(error.url, response.body);
      }
    }
  } finally {
    await http?.close();
  }
}

/** gatherRequirements, with requirements files at http(s) URLs fetched first. */
export function gatherRequirementsFetching(
  ...params: Parameters<typeof gatherRequirements>
): Promise<RequirementInputs> {
  const [, args, context] = params;
  return withFetchedRequirementFiles(args, context, () => gatherRequirements(...params));
}

/** The HTTP client, package source and fetcher for these settings. */
export function openSources(
  args: ParsedArgs,
  context: CommandContext,
  settings: IndexSettings,
  progress: FetchProgress | null = null,
): Sources {
  for (const line of settings.explanation) context.output.verbose(line);
  const cache = context.cacheDir === null ? null : new Cache(context.cacheDir);
  cache?.ensureUsable();
  // What an interrupted install left half made (Ctrl-C stops Node at once): two directory reads.
  for (const bucket of [BUCKETS.wheels, BUCKETS.archives]) cache?.removeStaging(bucket);
  const http = httpClient(args, context, settings, cache);
  const packages = new PackageSource(http, {
    indexes: settings.indexes,
    findLinks: settings.findLinks,
    strategy: settings.strategy,
  });
  const scratch = cache === null ? mkdtempSync(join(tmpdir(), "spice-downloads-")) : "";
  const fetcher = new FileFetcher(http, packages, cache, scratch, progress);
  return {
    http,
    packages,
    fetcher,
    cache,
    close: async () => {
      await http.close();
      if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function namesOf(list: string[]): Set<string> {
  return new Set(
    list
      .flatMap((item) => item.split(","))
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => (item === ":all:" || item === ":none:" ? item : canonicalizeName(item))),
  );
}

/** The target options pip's download and install --target take (--python-version included). */
export function foreignTargetOptions(args: ParsedArgs): ForeignTarget {
  return {
    pythonVersion: value(args, "python-version"),
    platforms: values(args, "platform"),
    implementation: value(args, "implementation"),
    abis: values(args, "abi"),
  };
}

/** The resolver options that come straight from flags (and requirements files). */
export function resolverFlags(
  args: ParsedArgs,
  finder: FinderOptions,
): Pick<
  ResolveOptions,
  "prereleases" | "resolution" | "onlyBinary" | "noBinary" | "excludeNewer" | "noDeps" | "preferBinary"
> {
  let prereleases = (value(args, "prerelease") ?? "if-necessary") as PrereleasePolicy;
  if (flag(args, "pre") || finder.pre) prereleases = "allow";
  if (!["allow", "if-necessary", "disallow"].includes(prereleases))
    throw new UsageError(`--prerelease takes allow, if-necessary or disallow, not '${prereleases}'`);
  const resolution = value(args, "resolution") ?? "highest";
  if (!["highest", "lowest", "lowest-direct"].includes(resolution))
    throw new UsageError(`--resolution takes highest, lowest or lowest-direct, not '${resolution}'`);
  const excludeNewer = value(args, "exclude-newer");
  if (excludeNewer !== undefined && Number.isNaN(Date.parse(excludeNewer)))
    throw new UsageError(`--exclude-newer takes a date (2024-01-31 or RFC 3339), not '${excludeNewer}'`);
  const noBinary = namesOf([...values(args, "no-binary"), ...finder.noBinary]);
  // Files for another system (pip download --platform, --abi, --implementation) are wheels only:
  // a source distribution would have to be built here, for there.
  const onlyBinary = namesOf([
    ...values(args, "only-binary"),
    ...finder.onlyBinary,
    ...(isForeign(foreignTargetOptions(args)) ? [":all:"] : []),
  ]);
  return {
    prereleases,
    resolution: resolution as "highest" | "lowest" | "lowest-direct",
    onlyBinary,
    noBinary,
    excludeNewer: excludeNewer ? new Date(excludeNewer).toISOString() : null,
    noDeps: flag(args, "no-deps"),
    preferBinary: flag(args, "prefer-binary") || finder.preferBinary,
  };
}

/** Resolves the inputs for `target` with the flags every resolving command shares. */
export function resolveInputs(
  inputs: RequirementInputs,
  sources: Sources,
  target: ResolveTarget,
  args: ParsedArgs,
  context: CommandContext,
  extra: Partial<ResolveOptions> = {},
): Promise<Resolution> {
  // pip's notice, in its words, for what a marker leaves out here (the resolver skips it quietly).
  for (const requirement of inputs.requirements) {
    if (requirement.marker && !requirement.marker.evaluate({ ...target.markers, extra: "" }))
      context.output.info(
        `Ignoring ${requirement.name}: markers '${requirement.marker}' don't match your environment`,
      );
  }
  return resolve({
    source: sources.fetcher,
    target,
    requirements: inputs.requirements,
    constraints: inputs.constraints,
    overrides: inputs.overrides,
    ...resolverFlags(args, inputs.finder),
    warn: (message) => context.output.warn(message),
    ...extra,
  });
}
