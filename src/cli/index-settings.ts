// Where packages come from, as every command that fetches reads it: the index settings merged from
// the command line, requirements files, pip's configuration and SPICE_/PIP_ variables, and the HTTP
// client, package source and file fetcher built from them.

import { existsSync, readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { BUCKETS, Cache } from "../cache/store.ts";
import {
  certificatesIn,
  readCertificateBundle,
  readCertificateDirectories,
  systemCertificates,
} from "../index/certificates.ts";
import { type FetchProgress, FileFetcher } from "../index/file-fetcher.ts";
import { HttpClient, type Proxies } from "../index/http.ts";
import { type KeyringLookup, keyringCommand, keyringOnPath } from "../index/keyring.ts";
import { type IndexStrategy, PackageSource } from "../index/package-source.ts";
import type { FinderOptions } from "../standards/requirements-txt-options.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { expandUser, makeTemporaryDirectory } from "../util/fs.ts";
import { scratchDirectory } from "../util/interrupt.ts";
import { redactUrl } from "../util/redact.ts";
import { strtobool } from "../util/strtobool.ts";
import { hasUrlScheme } from "../util/url-scheme.ts";
import { flag, oneOf, type ParsedArgs, projectNames, value, values } from "./args.ts";
import { pipSiteRoot } from "./environment-options.ts";
import type { CommandContext } from "./main.ts";
import { type ConfigValue, listOf, pipSettings } from "./pip-config.ts";

export interface IndexSettings {
  /**
   * The indexes in the order a name is looked up: the extra indexes as given, then the index
   * URL, as uv orders them. With the first-index strategy a name comes from the first that has
   * it, so a private extra index keeps its names from a public index URL (dependency confusion).
   */
  indexes: string[];
  /** pip's --index-url and --extra-index-url, as the command line, files and configuration set them. */
  indexUrl: string | null;
  extraIndexUrls: string[];
  findLinks: string[];
  strategy: IndexStrategy;
  /** Seconds a connection may wait (pip's --timeout, default 15), and retries per request. */
  timeoutSeconds: number;
  retries: number;
  /** pip's --proxy (or its `proxy` setting) for every scheme, else the *_PROXY variables. */
  proxies: Proxies;
  /** Hosts whose TLS certificates are not checked: --trusted-host, pip's setting, requirements files. */
  trustedHosts: string[];
  /**
   * The CA bundle TLS connections trust instead of Node's: --cert, pip's `cert`, else
   * SSL_CERT_FILE, REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, with where it was named.
   */
  cert: { value: string; source: string } | null;
  /** SSL_CERT_DIR's directories, trusted too unless --cert or pip's `cert` names a bundle. */
  certDirectories: string | null;
  /** Trust the system's CA certificates instead of Node's, when neither of the above is set. */
  systemCerts: boolean;
  /** pip's --client-cert (or client-cert in pip.conf, PIP_CLIENT_CERT). */
  clientCertFile: string | null;
  /** Where passwords for URLs that name a user come from (pip's and uv's --keyring-provider). */
  keyringProvider: "disabled" | "subprocess" | "auto";
  /** For --verbose: where each setting came from. */
  explanation: string[];
}

/**
 * --keyring-provider, or pip's setting. pip's `import` (its own Python imports keyring) has no
 * counterpart in spice, which runs no Python of its own: from pip's configuration it is taken as
 * `auto`, so that a setting made for pip does not stop spice; given to spice, it is an error.
 */
function keyringProvider(
  setting: ConfigValue | null,
  explanation: string[],
): IndexSettings["keyringProvider"] {
  if (setting === null) return "disabled";
  const { value: provider, source } = setting;
  if (provider === "disabled" || provider === "subprocess" || provider === "auto") {
    explanation.push(`keyring-provider: ${provider} (from ${source})`);
    return provider;
  }
  if (provider === "import" && source !== "command line") {
    explanation.push(
      `keyring-provider: import (from ${source}) read as auto: spice runs the keyring command`,
    );
    return "auto";
  }
  throw new UsageError(
    `--keyring-provider takes disabled, subprocess or auto, not '${provider}'${source === "command line" ? "" : ` (from ${source})`}`,
    provider === "import"
      ? "spice runs no Python of its own to import keyring into: use subprocess, which runs the keyring command on PATH"
      : undefined,
  );
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

/** An --index value without the name uv lets it carry (`internal=https://...`). */
function withoutIndexName(text: string): string {
  const match = /^([A-Za-z0-9._-]+)=(.+)$/.exec(text);
  return match === null ? text : match[2];
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
  const config = pipSettings(context.env, pipSiteRoot(args, context), section, flag(args, "isolated"));
  const explanation: string[] = [];
  const pick = (key: string, fromArgs: string | string[] | undefined | boolean): ConfigValue | null => {
    if (fromArgs !== undefined && fromArgs !== false && !(Array.isArray(fromArgs) && fromArgs.length === 0))
      return {
        value: Array.isArray(fromArgs) ? fromArgs.join(" ") : String(fromArgs),
        source: args.sources?.get(key) ?? "command line",
      };
    return config.get(key) ?? null;
  };
  // pip reads a configured flag with strtobool (`t`, `on` and `1` are true too).
  const noIndex =
    flag(args, "no-index") || finder.noIndex || strtobool(config.get("no-index")?.value ?? "") === true;
  // uv's names: --default-index is --index-url; each --index [NAME=]URL an extra index, looked up
  // before the others.
  if (value(args, "default-index") !== undefined && value(args, "index-url") !== undefined)
    throw new UsageError("--default-index and --index-url both name the default index: give one");
  // SPICE_DEFAULT_INDEX and SPICE_INDEX (uv's UV_ names) set them too, under the index-url settings
  // and after the command line's --index values respectively.
  const indexUrlSetting =
    pick("index-url", value(args, "index-url") ?? value(args, "default-index")) ??
    config.get("default-index") ??
    null;
  const namedIndexes = [...values(args, "index"), ...listOf(config.get("index")?.value)].map(
    withoutIndexName,
  );
  // For options given more than once, pip adds the command line's values to the configuration's.
  const appended = (key: string): { values: string[]; source: string } | null => {
    const configured = config.get(key);
    const given = values(args, key);
    if (configured === undefined && given.length === 0) return null;
    const source = [
      configured?.source,
      given.length > 0 ? (args.sources?.get(key) ?? "command line") : undefined,
    ].filter(Boolean);
    return { values: [...listOf(configured?.value), ...given], source: source.join(" and ") };
  };
  const extra = appended("extra-index-url");
  const findLinksSetting = appended("find-links");
  // As pip reads requirements files into the command line's finder: a file's --index-url
  // replaces every index given before it, its --extra-index-url adds one.
  let indexUrl: string | null = null;
  let extraIndexUrls: string[] = [];
  if (noIndex) explanation.push("no-index: no package index is used");
  else if (finder.indexUrlGiven) {
    [indexUrl, ...extraIndexUrls] = finder.indexUrls;
    explanation.push(`index-url: ${redactUrl(indexUrl)} (from a requirements file)`);
    if (extraIndexUrls.length > 0)
      explanation.push(
        `extra-index-url: ${extraIndexUrls.map(redactUrl).join(" ")} (from a requirements file)`,
      );
  } else {
    indexUrl = indexUrlSetting?.value ?? null;
    extraIndexUrls = [...namedIndexes, ...(extra?.values ?? []), ...finder.indexUrls];
    if (indexUrlSetting)
      explanation.push(`index-url: ${redactUrl(indexUrlSetting.value)} (from ${indexUrlSetting.source})`);
    if (namedIndexes.length > 0) explanation.push(`index: ${namedIndexes.map(redactUrl).join(" ")}`);
    if (extra)
      explanation.push(`extra-index-url: ${extra.values.map(redactUrl).join(" ")} (from ${extra.source})`);
    if (finder.indexUrls.length > 0)
      explanation.push(
        `extra-index-url: ${finder.indexUrls.map(redactUrl).join(" ")} (from a requirements file)`,
      );
  }
  indexUrl = indexUrl === null ? null : indexLocation(indexUrl, context.cwd);
  extraIndexUrls = extraIndexUrls.map((location) => indexLocation(location, context.cwd));
  const indexes = [...extraIndexUrls, ...(indexUrl === null ? [] : [indexUrl])];
  // pip takes a location starting with ~ as the home directory's when that exists.
  const homeOrAsIs = (location: string) => {
    const expanded = expandUser(location, context.env);
    return expanded !== location && existsSync(expanded) ? expanded : location;
  };
  const findLinks = [...(findLinksSetting?.values ?? []), ...finder.findLinks].map((location) =>
    hasUrlScheme(location)
      ? validUrl("find-links location", location)
      : resolvePath(context.cwd, homeOrAsIs(location)),
  );
  if (findLinksSetting)
    explanation.push(`find-links: ${findLinksSetting.values.join(" ")} (from ${findLinksSetting.source})`);
  const strategy = oneOf<IndexStrategy>(
    "index-strategy",
    value(args, "index-strategy") ?? config.get("index-strategy")?.value,
    ["first-index", "unsafe-first-match", "unsafe-best-match"],
    "first-index",
  );
  if (strategy === "first-index" && indexes.length > 1)
    explanation.push(
      `indexes in the order a name is looked up (it comes from the first that has it): ${indexes.map(redactUrl).join(", ")}`,
    );
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
        // ALL_PROXY serves a scheme whose own variable is unset, as with pip (requests) and uv.
        http: env.http_proxy ?? env.HTTP_PROXY ?? env.all_proxy ?? env.ALL_PROXY ?? null,
        https: env.https_proxy ?? env.HTTPS_PROXY ?? env.all_proxy ?? env.ALL_PROXY ?? null,
        noProxy: env.no_proxy ?? env.NO_PROXY ?? null,
      };
  if (proxySetting) explanation.push(`proxy: ${redactUrl(proxySetting.value)} (from ${proxySetting.source})`);
  // pip adds every --trusted-host to its session: command line, configuration, requirements files.
  // uv's --allow-insecure-host (SPICE_INSECURE_HOST, as UV_INSECURE_HOST) is the same list, and may
  // name a URL, which stands for its host.
  const trustedHosts = [
    ...new Set(
      [
        ...values(args, "trusted-host"),
        ...listOf(config.get("trusted-host")?.value),
        ...listOf(config.get("insecure-host")?.value),
        ...finder.trustedHosts,
      ].map((host) => (hasUrlScheme(host) && URL.canParse(host) ? new URL(host).host : host)),
    ),
  ];
  // Else the variables that name a CA bundle for OpenSSL (SSL_CERT_FILE, as uv reads it) and for
  // requests, through which pip reads REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE.
  const bundleVariable = ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"].find((name) => env[name]);
  // A path setting as pip takes it: `~` is the home directory (pip's type="path" options).
  const pickPath = (key: string) => {
    const picked = pick(key, value(args, key));
    return picked && { ...picked, value: expandUser(picked.value, env) };
  };
  const cert =
    pickPath("cert") ??
    (bundleVariable === undefined ? null : { value: env[bundleVariable]!, source: bundleVariable });
  if (cert) explanation.push(`cert: ${cert.value} (from ${cert.source})`);
  // OpenSSL's directories of certificates, read as uv reads them: with a bundle the environment
  // names, instead of Node's roots. A bundle --cert or pip's `cert` names stands alone, as in pip.
  const certDirectories = !cert || cert.source === bundleVariable ? env.SSL_CERT_DIR || null : null;
  if (certDirectories) explanation.push(`cert directories: ${certDirectories} (from SSL_CERT_DIR)`);
  // uv's --system-certs (--native-tls), its variables, and pip's `--use-feature truststore`.
  const systemCertsSource = flag(args, "system-certs")
    ? "command line"
    : values(args, "use-feature").includes("truststore")
      ? "--use-feature truststore"
      : ["SPICE_SYSTEM_CERTS", "SPICE_NATIVE_TLS"].find((name) => strtobool(env[name] ?? "") === true);
  const systemCerts = systemCertsSource !== undefined && !cert && !certDirectories;
  if (systemCerts) explanation.push(`system-certs: the system's CA certificates (from ${systemCertsSource})`);
  const clientCert = pickPath("client-cert");
  if (clientCert) explanation.push(`client-cert: ${clientCert.value} (from ${clientCert.source})`);
  const keyring = keyringProvider(pick("keyring-provider", value(args, "keyring-provider")), explanation);
  return {
    indexes,
    indexUrl,
    extraIndexUrls,
    findLinks,
    strategy,
    timeoutSeconds,
    retries,
    proxies,
    trustedHosts,
    cert,
    certDirectories,
    systemCerts,
    clientCertFile: clientCert?.value ?? null,
    keyringProvider: keyring,
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

function readClientCertificate(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new SpiceError("E_CERT", `Could not read the client certificate ${path}`, {
      cause: (error as Error).message,
      hint: "Point --client-cert at a PEM file holding the certificate and its private key",
    });
  }
}

const CA_HINT =
  "Point --cert (or pip's cert setting, or SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) at a PEM file of CA certificates";

/**
 * The CA certificates to trust instead of Node's roots, or null for Node's: the bundle, with
 * SSL_CERT_DIR's certificates when the environment names them.
 */
function trustedCertificates(settings: IndexSettings, context: CommandContext): string[] | null {
  const { cert, certDirectories } = settings;
  const warn = (message: string) => context.output.warn(message);
  if (settings.systemCerts) {
    const system = systemCertificates();
    if (system === null) warn("--system-certs found no CA certificates of the system's: Node's own are used");
    else context.output.verbose(`Trusting the system's CA certificates, from ${system.source}`);
    return system?.certificates ?? null;
  }
  const fromDirectories = certDirectories
    ? readCertificateDirectories(certDirectories, "SSL_CERT_DIR", warn)
    : [];
  if (certDirectories && fromDirectories.length === 0)
    warn(`SSL_CERT_DIR names no directory holding a PEM certificate (${certDirectories}): ignored`);
  const bundle =
    cert === null
      ? []
      : readCertificateBundle(cert.value, cert.source === "command line" ? "--cert" : cert.source, CA_HINT);
  if (fromDirectories.length === 0) return bundle.length === 0 ? null : bundle;
  // Each certificate once: a system's directory holds its bundle's certificates too.
  return [...new Set([...bundle.flatMap(certificatesIn), ...fromDirectories])];
}

export function httpClient(
  args: ParsedArgs,
  context: CommandContext,
  settings: IndexSettings,
  cache: Cache | null,
) {
  const { clientCertFile } = settings;
  return new HttpClient({
    cacheDirectory: cache === null ? null : cache.bucket(BUCKETS.http),
    offline: flag(args, "offline"),
    // As uv: an upgrade or a reinstall asks the index again however fresh its pages are, so
    // that a release of the last minutes is seen (for the names given, with -P and --reinstall-package).
    refresh: ["refresh", "rebuild", "upgrade", "reinstall", "force-reinstall"].some((name) =>
      flag(args, name),
    ),
    ca:
      settings.cert || settings.certDirectories || settings.systemCerts
        ? () => trustedCertificates(settings, context)
        : null,
    clientCert: clientCertFile ? () => readClientCertificate(clientCertFile) : null,
    extraCaFile: context.env.NODE_EXTRA_CA_CERTS ?? null,
    warn: (message) => context.output.warn(message),
    trustedHosts: settings.trustedHosts,
    netrc: context.env.NETRC ?? undefined,
    keyring: keyringFor(settings.keyringProvider, context),
    indexUrls: settings.indexes,
    connections: context.env.SPICE_HTTP_CONNECTIONS ? Number(context.env.SPICE_HTTP_CONNECTIONS) : undefined,
    timeoutMs: settings.timeoutSeconds * 1000,
    retries: settings.retries,
    proxies: settings.proxies,
  });
}

/**
 * The keyring lookup --keyring-provider asks for, the command found on PATH when first needed:
 * `auto` without one asks no keyring, `subprocess` without one says so, once.
 */
function keyringFor(
  provider: IndexSettings["keyringProvider"],
  context: CommandContext,
): KeyringLookup | null {
  if (provider === "disabled") return null;
  let lookup: KeyringLookup | null | undefined;
  return (service, username) => {
    if (lookup === undefined) {
      const executable = keyringOnPath(context.env);
      if (executable === null && provider === "subprocess")
        context.output.warn(
          "--keyring-provider subprocess: there is no keyring command on PATH, so no password comes from a keyring (install keyring where PATH finds it, e.g. `pipx install keyring`)",
        );
      lookup = executable === null ? null : keyringCommand(executable, context.env);
      if (executable !== null) context.output.verbose(`keyring: ${executable}`);
    }
    return lookup === null ? null : lookup(service, username);
  };
}

/**
 * The host of an index or find-links URL that pip would not read: plain http to a host that is
 * neither this machine (localhost, 127.0.0.0/8, ::1) nor a --trusted-host (`host`, or `host:port`
 * for that port). pip's secure origins are https, file and those; a package list in plain text
 * over the network could be changed by anyone on the way. Null for any other location.
 */
export function plainHttpHost(location: string, trustedHosts: readonly string[]): string | null {
  if (!/^http:\/\//i.test(location)) return null;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return null; // said elsewhere, where it is fetched
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = hostname === "localhost" || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === "::1";
  if (loopback || trustedHosts.includes(url.hostname) || trustedHosts.includes(url.host)) return null;
  return hostname;
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
  const reached = (location: string) => {
    const host = plainHttpHost(location, settings.trustedHosts);
    if (host === null) return true;
    // pip's words: it passes over such a location the same way.
    context.output.warn(
      `The repository located at ${host} is not a trusted or secure host and is being ignored. If this repository is available via HTTPS we recommend you use HTTPS instead, otherwise you may silence this warning and allow it anyway with '--trusted-host ${host}'.`,
    );
    return false;
  };
  const packages = new PackageSource(http, {
    indexes: settings.indexes.filter(reached),
    findLinks: settings.findLinks.filter(reached),
    strategy: settings.strategy,
    refreshPackages: new Set(projectNames(args, "refresh-package", "upgrade-package", "reinstall-package")),
  });
  const scratch = cache === null ? makeTemporaryDirectory("spice-downloads-") : "";
  const removeScratch = scratch === "" ? () => {} : scratchDirectory(scratch);
  const fetcher = new FileFetcher(http, packages, cache, scratch, progress);
  return {
    http,
    packages,
    fetcher,
    cache,
    close: async () => {
      await http.close();
      removeScratch();
    },
  };
}
