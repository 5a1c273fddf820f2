// HTTP for package indexes: undici with keep-alive and a bounded number of connections, retries
// with backoff on connection errors, 5xx, 429 and 408, timeouts, pages asked for compressed
// (content-coding.ts), credentials (credentials.ts) that are never printed and never sent to
// another host on redirect, proxies (https tunnelled, plain http asked of the proxy by its whole
// URL, as pip does), and a disk cache of pages that revalidates with ETag / Last-Modified and
// honours Cache-Control (freshness.ts), with --refresh and --offline.

import { readFileSync } from "node:fs";
import { join, sep } from "node:path";
import type { Dispatcher } from "undici";

/**
 * In the bundle, undici is a CommonJS file of its own beside cli.cjs, holding only the two
 * dispatchers and their request() (scripts/build.mjs, scripts/undici-entry.cjs).
 */
declare const SPICE_UNDICI: string | undefined;

// undici is loaded on the first request: a run answered from the cache never pays for it.
type Undici = Pick<typeof import("undici"), "Agent" | "ProxyAgent" | "Pool">;
let undiciModule: Promise<Undici> | null = null;
function loadUndici(): Promise<Undici> {
  undiciModule ??=
    typeof SPICE_UNDICI !== "undefined"
      ? Promise.resolve(require(SPICE_UNDICI) as Undici)
      : import("undici").then(
          (module) => ((module as unknown as { default?: Undici }).default ?? module) as Undici,
        );
  return undiciModule;
}

import { SpiceError } from "../util/error.ts";
import { fileNameFor } from "../util/fs.ts";
import { nodeNet, nodeTls } from "../util/lazy-builtins.ts";
import { plural } from "../util/plural.ts";
import { redactUrl, withoutCredentials } from "../util/redact.ts";
import { urlScheme } from "../util/url-scheme.ts";
import {
  isCertificateFailure,
  isPlainHttpAnswer,
  plainHttpAnswer,
  untrustedCertificate,
} from "./certificates.ts";
import { contentCodings, decodeBody, streamBody } from "./content-coding.ts";
import { CredentialFinder, type CredentialSources } from "./credentials.ts";
import { freshnessSeconds, maxAge, storeRevalidated } from "./freshness.ts";
import { type CachedResponse, heldForm, readCachedResponse, writeCachedResponse } from "./page-cache.ts";

/** Credentials come from CredentialSources: the netrc file, a keyring, the index URLs. */
export interface HttpOptions extends CredentialSources {
  /** Directory for cached responses, or null for none. */
  cacheDirectory: string | null;
  offline?: boolean;
  /** Revalidate every cached response. */
  refresh?: boolean;
  timeoutMs?: number;
  retries?: number;
  connections?: number;
  /**
   * CA certificates (PEM) to trust instead of Node's roots (null: Node's), read when the first
   * connection is made: a run that finds everything in the cache does not read them (a system
   * bundle is about 200 KB), and an unreadable one fails only a run that goes to the network.
   */
  ca?: (() => string[] | null) | null;
  /**
   * pip's --client-cert: a PEM file holding this client's certificate and its private key, shown
   * to servers that ask for one; read, as `ca`, when the first TLS connection is made.
   */
  clientCert?: (() => Buffer) | null;
  /**
   * A PEM file of certificates to trust besides Node's own roots, as NODE_EXTRA_CA_CERTS names
   * one. Added here because bin/spice keeps Node from loading it at start-up; read only when a
   * TLS connection is made.
   */
  extraCaFile?: string | null;
  /** Hosts (host or host:port) whose certificates are not verified, as pip's --trusted-host. */
  trustedHosts?: readonly string[];
  /** Proxies by scheme, and the hosts that bypass them (NO_PROXY's list). */
  proxies?: Proxies;
}

export interface Proxies {
  http?: string | null;
  https?: string | null;
  /** Comma-separated hosts or domains (`.example.com`), with an optional `:port`; `*` for all. */
  noProxy?: string | null;
}

/** Whether NO_PROXY's list names the URL's host (its domain, or the host itself, and port). */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  for (const entry of noProxy.toLowerCase().split(/[\s,]+/)) {
    if (entry === "") continue;
    if (entry === "*") return true;
    // A range of addresses (`10.0.0.0/8`, `fd00::/8`, common in clusters) holds an address host,
    // as requests (IPv4) and curl read it; host names are not looked up for it.
    if (entry.includes("/")) {
      if (inRange(host, entry)) return true;
      continue;
    }
    // An IPv6 address names no port unless bracketed (`[::1]:8080`).
    const match =
      entry.split(":").length > 2 && !entry.startsWith("[")
        ? [entry, entry]
        : /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(entry);
    if (match === null) continue;
    const [, name, entryPort] = match;
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*?\./, "");
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/**
 * The status a proxy refused a tunnel with (any but 200), read from undici's error: it gives no
 * status field.
 */
function proxyRefusal(error: unknown): number | null {
  const message = (error as Error | null)?.message ?? "";
  const tunnel = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/.exec(message);
  return tunnel ? Number(tunnel[1]) : null;
}

/** The Proxy-Authorization header for the user and password in a proxy's URL, if any. */
function proxyAuthorization(proxy: URL): Record<string, string> {
  if (proxy.username === "" && proxy.password === "") return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { "proxy-authorization": `Basic ${Buffer.from(credentials).toString("base64")}` };
}

/**
 * How a request reaches its URL: the dispatcher, and for plain http through a proxy, the proxy's
 * origin and headers (the request is then asked of the proxy by its whole URL).
 */
interface Route {
  dispatcher: Dispatcher;
  forward: { origin: string; headers: Record<string, string> } | null;
}

/** What makes a proxy's URL unusable, or null (undici would fail each attempt with "URI malformed"). */
function proxyUrlProblem(proxy: string): string | null {
  if (!URL.canParse(proxy)) return "it is not a valid URL";
  const { hostname, username, password } = new URL(proxy);
  if (hostname === "") return "it names no host";
  try {
    decodeURIComponent(username);
    decodeURIComponent(password);
  } catch {
    return "its user or password holds a % that is not followed by two hex digits";
  }
  return null;
}

/** Whether `address` is an IP address inside the CIDR range `range`. */
function inRange(address: string, range: string): boolean {
  const net = nodeNet();
  const [network, bits] = range.split("/");
  const family = net.isIP(address);
  if (family === 0 || net.isIP(network) !== family || !/^\d{1,3}$/.test(bits)) return false;
  const prefix = Number(bits);
  if (prefix > (family === 4 ? 32 : 128)) return false;
  const type = family === 4 ? "ipv4" : "ipv6";
  const ranges = new net.BlockList();
  ranges.addSubnet(network, prefix, type);
  return ranges.check(address, type);
}

/** Where a streamed response body goes. */
export interface BodySink {
  /** Called before the first chunk of each attempt, with the body's length when the server says. */
  reset(length: number | null): void;
  write(chunk: Buffer): void;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  /** The body; empty when `derived` came from the cache, which then leaves the body unread. */
  body: Buffer;
  fromCache: boolean;
  /** What `get`'s `derive` made of this very body, now or on an earlier run (a parsed page). */
  derived?: unknown;
}

/**
 * Something a caller makes of a page's body, kept in the page cache beside it so that the next
 * run reads it instead of making it again: parsing an index page costs more than reading it.
 * `key` names the form; a stored value under another key is made again.
 */
export interface Derivation {
  key: string;
  make(response: HttpResponse): unknown;
}

/** The response an entry holds, with its form under `key` as `derived` when it has one. */
function fromCache(entry: CachedResponse, key: string | undefined): HttpResponse {
  const form = key === undefined ? undefined : heldForm(entry, key);
  return {
    url: entry.url,
    status: entry.status,
    headers: entry.headers,
    body: entry.body ?? EMPTY,
    fromCache: true,
    ...(form === undefined ? {} : { derived: form.value }),
  };
}

const EMPTY = Buffer.alloc(0);

/**
 * Gives `entry` the form `derive` makes of its body unless it holds one under that key (read,
 * which readCachedResponse does when asked for it); returns whether it changed (and needs writing).
 */
function deriveInto(entry: CachedResponse, derive: Derivation | undefined): boolean {
  if (derive === undefined || heldForm(entry, derive.key) !== undefined) return false;
  const value = derive.make(fromCache({ ...entry, forms: [] }, undefined));
  entry.forms = [{ key: derive.key, value }, ...entry.forms.filter((form) => form.key !== derive.key)];
  return true;
}

/**
 * The cache file of a URL and the kind of answer asked for (a page, or anything). An https URL's
 * key leaves its scheme out (a shorter name); any other URL's key is the whole URL, `://` and all
 * (escaped, which no host begins with), so that a page fetched in plain http, which anyone on the
 * way may have changed, never answers an https request (http-v3 named both without the scheme).
 */
function cacheKey(url: string, accept: string): string {
  const kind = accept.startsWith("application/vnd.pypi.simple") ? "simple" : "any";
  const https = /^https:\/\//i.exec(url);
  return `${kind}-${fileNameFor(https === null ? url : url.slice(https[0].length))}`;
}

/** The longest wait a Retry-After header gets: a run does not stall for minutes unasked. */
const MAX_RETRY_AFTER_MS = 30_000;

/** Retry-After (seconds, or an HTTP date) in milliseconds, at most MAX_RETRY_AFTER_MS; null without one. */
export function retryAfter(value: string | undefined, now = Date.now()): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  const milliseconds = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isNaN(milliseconds) ? null : Math.min(Math.max(0, milliseconds), MAX_RETRY_AFTER_MS);
}

/** What to do about an error status from an index or a file's host; `otherwise` for most. */
export function httpStatusHint(status: number, otherwise?: string): string | undefined {
  if (status === 429)
    return "The server limits how often it is asked: run again later, or with more --retries";
  if (status !== 401 && status !== 403) return otherwise;
  return "The server wants credentials, or refused those sent: give them in the URL (https://USER:PASSWORD@host/...) or ~/.netrc, or name the user in the URL (https://USER@host/...) and pass --keyring-provider subprocess for the keyring command to give the password";
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A body's length from Content-Length, unless it is encoded (its bytes are then not the file's). */
function bodyLength(headers: Record<string, string>): number | null {
  const length = headers["content-length"];
  if (length === undefined || headers["content-encoding"] || !/^\d{1,15}$/.test(length)) return null;
  return Number(length);
}

/**
 * Parallel connections per origin. Small on purpose: a plain static server (python -m
 * http.server, listen backlog 5, one connection per request) drops connections beyond that, and
 * each dropped one costs a one-second SYN retry; measured on loopback, 4-6 already saturate it.
 */
const DEFAULT_CONNECTIONS = 5;

export class HttpClient {
  /** Connection pools by proxy and certificate checking. */
  private readonly routes = new Map<string, Route>();
  private caBundle: string[] | null | undefined;

  /** Who this client is to each host (credentials.ts). */
  private readonly credentials: CredentialFinder;

  constructor(private readonly options: HttpOptions) {
    this.credentials = new CredentialFinder(options);
  }

  /** The proxy a request to `url` goes through, or null (none set, or NO_PROXY names the host). */
  private proxyFor(url: URL): string | null {
    const proxies = this.options.proxies;
    const proxy = (url.protocol === "https:" ? proxies?.https : proxies?.http) ?? null;
    if (proxy === null || proxy === "") return null;
    if (proxies?.noProxy && bypassesProxy(url, proxies.noProxy)) return null;
    // A proxy without a scheme (`proxy.corp:3128`) is an HTTP proxy, as requests and curl read it.
    const scheme = urlScheme(proxy);
    const full = scheme === null ? `http://${proxy}` : proxy;
    const refuse = (cause: string, hint: string) =>
      new SpiceError(
        "E_PROXY",
        `Could not fetch ${redactUrl(url.toString())} through the proxy ${redactUrl(full)}`,
        { cause, hint },
      );
    if (scheme !== null && scheme !== "http" && scheme !== "https")
      throw refuse(
        scheme.startsWith("socks")
          ? "spice speaks to HTTP and HTTPS proxies, not SOCKS ones"
          : `spice speaks to HTTP and HTTPS proxies, not ${scheme}: ones`,
        "Point --proxy or HTTPS_PROXY/HTTP_PROXY/ALL_PROXY at an http:// or https:// proxy, or name the index's host in NO_PROXY",
      );
    const problem = proxyUrlProblem(full);
    if (problem !== null)
      throw refuse(
        problem,
        "Write it as http://[USER:PASSWORD@]HOST:PORT, with any % @ : / in the user or password written as %25 %40 %3A %2F",
      );
    return full;
  }

  private routeFor(undici: Undici, url: URL): Route {
    const trusted = this.options.trustedHosts ?? [];
    const insecure = trusted.includes(url.host) || trusted.includes(url.hostname);
    const proxy = this.proxyFor(url);
    // Plain HTTP needs no certificates: they are read for the first TLS connection only (as
    // requests checks pip's --cert only for https URLs), not for a run against an http index.
    const plain = url.protocol === "http:";
    const key = `${plain ? "plain" : insecure ? "unverified" : "verified"} ${proxy ?? ""}`;
    let route = this.routes.get(key);
    if (route !== undefined) return route;
    const pool = { connections: this.options.connections ?? DEFAULT_CONNECTIONS, keepAliveTimeout: 10_000 };
    const timeout = this.options.timeoutMs ?? 15_000;
    if (proxy !== null && plain) {
      // Plain http is asked of the proxy by its whole URL, as pip asks it (over TLS to an https
      // proxy): proxies set up as Squid's default refuse CONNECT to any port but 443.
      const proxyUrl = new URL(proxy);
      const connect =
        proxyUrl.protocol === "https:" ? { timeout, ...this.trustedCertificates() } : { timeout };
      route = {
        dispatcher: new undici.Pool(proxyUrl.origin, { ...pool, connect }),
        forward: { origin: proxyUrl.origin, headers: proxyAuthorization(proxyUrl) },
      };
    } else {
      const tls = plain
        ? { timeout }
        : {
            timeout,
            ...this.trustedCertificates(),
            ...this.clientCertificate(),
            ...(insecure ? { rejectUnauthorized: false } : {}),
          };
      // https through a proxy is tunnelled (CONNECT), the index's TLS checked as without one.
      const dispatcher =
        proxy === null
          ? new undici.Agent({ ...pool, connect: tls })
          : new undici.ProxyAgent({
              ...pool,
              uri: proxy,
              requestTls: tls,
              proxyTls: urlScheme(proxy) === "https" ? this.trustedCertificates() : {},
            });
      route = { dispatcher, forward: null };
    }
    this.routes.set(key, route);
    return route;
  }

  /** The `ca` option for TLS connections: --cert's bundle, or Node's roots plus the extra file. */
  private trustedCertificates(): { ca?: Buffer | Array<string | Buffer> } {
    // NODE_EXTRA_CA_CERTS adds to the roots in use: Node's own, or the --cert bundle.
    if (this.caBundle === undefined) this.caBundle = this.options.ca?.() ?? null;
    const base = this.caBundle;
    const pem = this.extraCertificates();
    if (pem === null) return base === null ? {} : { ca: base };
    return { ca: [...(base ?? nodeTls().rootCertificates), pem] };
  }

  /** The `cert` and `key` options for TLS connections: both from the one PEM file, as pip reads it. */
  private clientCertificate(): { cert?: Buffer; key?: Buffer } {
    this.clientPem ??= this.options.clientCert?.() ?? null;
    return this.clientPem === null ? {} : { cert: this.clientPem, key: this.clientPem };
  }

  private clientPem: Buffer | null | undefined;

  private extraCertificates(): Buffer | null {
    const extra = this.options.extraCaFile;
    if (!extra) return null;
    try {
      return readFileSync(extra);
    } catch (error) {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS.
      this.options.warn?.(
        `NODE_EXTRA_CA_CERTS names ${extra}, which cannot be read: ${(error as Error).message}`,
      );
      return null;
    }
  }

  /** The cache directory as a prefix, made once: `join` per page cost 2 ms of a warm resolve. */
  private cachePrefix: string | undefined;

  private cacheFile(url: string, accept: string): string | null {
    if (this.options.cacheDirectory === null) return null;
    this.cachePrefix ??= join(this.options.cacheDirectory, sep);
    // The key is one path component (fileNameFor escapes every separator), and names no
    // credentials: a password in an index URL had become part of a file name in the cache.
    const bare = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url) ? withoutCredentials(url) : url;
    return this.cachePrefix + cacheKey(bare, accept);
  }

  /**
   * GET with the page cache (for index pages and metadata, not large downloads). With `derive`,
   * a 200 answer carries what it makes of the body, kept beside the page while the body holds;
   * with `refresh`, a cached answer is revalidated however fresh it is (as with --refresh).
   */
  async get(url: string, accept = "*/*", derive?: Derivation, refresh = false): Promise<HttpResponse> {
    const cacheFile = this.cacheFile(url, accept);
    const cached = cacheFile === null ? null : readCachedResponse(cacheFile, { form: derive?.key ?? null });
    // Offline, the cache is all there is: a refresh (--refresh, or --upgrade's) cannot ask again.
    if (cached !== null && (this.options.offline || (!this.options.refresh && !refresh))) {
      // An age is never negative (RFC 9111 section 4.2.3), and a zero lifetime is never fresh. An
      // entry looks stored "after now" when the clock stepped back (a virtual machine's may): it was
      // then taken as fresh, and a test that expected revalidations failed once in a full run.
      const age = Math.max(0, Date.now() - cached.storedAt);
      if (this.options.offline || age < freshnessSeconds(cached.headers) * 1000) {
        if (deriveInto(cached, derive) && cacheFile !== null) writeCachedResponse(cacheFile, cached);
        return fromCache(cached, derive?.key);
      }
    }
    if (this.options.offline) {
      throw new SpiceError(
        "E_OFFLINE",
        `${redactUrl(url)} is not in the cache, and --offline forbids the network`,
        {
          hint: "Run once without --offline to fill the cache",
        },
      );
    }
    const headers: Record<string, string> = { accept };
    if (cached?.headers.etag) headers["if-none-match"] = cached.headers.etag;
    if (cached?.headers["last-modified"]) headers["if-modified-since"] = cached.headers["last-modified"];
    const response = await this.fetch(url, headers);
    if (response.status === 304 && cached !== null) {
      cached.storedAt = Date.now();
      // A 304 carries the validators and freshness that now apply (RFC 9111 section 4.3.4).
      let changed = false;
      for (const name of ["cache-control", "expires", "etag", "last-modified"]) {
        const value = response.headers[name];
        if (value !== undefined && value !== cached.headers[name]) {
          cached.headers[name] = value;
          changed = true;
        }
      }
      // The body is unchanged, so what was derived from it still holds.
      if (deriveInto(cached, derive)) changed = true;
      if (cacheFile) storeRevalidated(cacheFile, cached, changed, response.headers.date);
      return fromCache(cached, derive?.key);
    }
    if (response.status !== 200) return response;
    const entry: CachedResponse = {
      url: response.url,
      status: 200,
      headers: response.headers,
      storedAt: Date.now(),
      body: response.body,
      // A new body: what was derived from the old one no longer holds.
      forms: [],
    };
    // Derived before it is stored: a body `derive` rejects is not kept either.
    deriveInto(entry, derive);
    if (cacheFile !== null && maxAge(response.headers["cache-control"]) !== 0)
      writeCachedResponse(cacheFile, entry);
    return derive === undefined ? response : { ...response, derived: entry.forms[0].value };
  }

  /** One request with retries and redirects; credentials go only to the host they belong to. */
  async fetch(
    url: string,
    extraHeaders: Record<string, string> = {},
    sink?: BodySink,
  ): Promise<HttpResponse> {
    if (this.options.offline) {
      throw new SpiceError(
        "E_OFFLINE",
        `${redactUrl(url)} is not in the cache, and --offline forbids the network`,
        {
          hint: "Run once without --offline to fill the cache",
        },
      );
    }
    const retries = this.options.retries ?? 3;
    let current: URL;
    try {
      current = new URL(url);
    } catch {
      throw new SpiceError("E_HTTP", `Could not fetch ${redactUrl(url)}`, {
        cause: "it is not a valid URL",
        hint: "Check the URL (a host in brackets must be an IPv6 address)",
      });
    }
    const originHost = current.host;
    for (let redirects = 0; redirects < 10; redirects++) {
      if (current.protocol !== "http:" && current.protocol !== "https:") {
        throw new SpiceError("E_HTTP", `Could not fetch ${redactUrl(url)}`, {
          cause: `${redirects > 0 ? "the server redirected to" : "it is"} ${redactUrl(current.toString())}, and a URL spice fetches must start with \`http:\` or \`https:\``,
          hint: "Check the index URL; a local index or find-links directory is given as a path or a file:// URL",
        });
      }
      // Pages and metadata compress well (a large project's JSON page is megabytes), so they may
      // come compressed; downloads and byte ranges are asked for as they are, as pip asks.
      const compressible = sink === undefined && extraHeaders.range === undefined;
      const headers: Record<string, string> = {
        "user-agent": "spice",
        "accept-encoding": compressible ? "gzip, deflate, br" : "identity",
        ...extraHeaders,
      };
      const credentials = current.host === originHost ? this.credentials.for(current) : null;
      if (credentials)
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      const target = new URL(current);
      target.username = "";
      target.password = "";
      let lastError: unknown = null;
      // What a server that answered 429 or 408 asked to wait before the next attempt.
      let asked: number | null = null;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await sleep(asked ?? Math.min(200 * 2 ** (attempt - 1), 2000));
        asked = null;
        let response: Dispatcher.ResponseData | undefined;
        try {
          const undici = await loadUndici();
          const { dispatcher, forward } = this.routeFor(undici, target);
          response = await dispatcher.request({
            ...(forward === null
              ? { origin: target.origin, path: `${target.pathname}${target.search}`, headers }
              : {
                  origin: forward.origin,
                  path: `${target.origin}${target.pathname}${target.search}`,
                  headers: { ...headers, host: target.host, ...forward.headers },
                }),
            method: "GET",
            headersTimeout: this.options.timeoutMs ?? 15_000,
            bodyTimeout: this.options.timeoutMs ?? 15_000,
          });
          if (forward !== null && response.statusCode === 407) {
            await response.body.dump();
            throw this.proxyRefused(target, 407);
          }
          const flatHeaders: Record<string, string> = {};
          for (const [key, value] of Object.entries(response.headers)) {
            if (value !== undefined)
              flatHeaders[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
          }
          if (response.statusCode >= 300 && response.statusCode < 400 && flatHeaders.location) {
            await response.body.dump();
            current = new URL(flatHeaders.location, current);
            lastError = "redirect";
            break;
          }
          // A body in a content coding is decoded (a server may use one it was not asked for), and
          // the headers then describe the decoded body.
          const codings = contentCodings(flatHeaders["content-encoding"], target);
          if (codings.length > 0) {
            delete flatHeaders["content-encoding"];
            delete flatHeaders["content-length"];
          }
          let body: Buffer;
          if (sink && response.statusCode === 200) {
            // Streamed (downloads): a retry after a dropped connection starts the sink over.
            sink.reset(bodyLength(flatHeaders));
            await streamBody(response.body, codings, (chunk) => sink.write(chunk));
            body = Buffer.alloc(0);
          } else body = decodeBody(Buffer.from(await response.body.arrayBuffer()), codings, target);
          // Server errors, and a server that is busy or limits how often it is asked (as uv retries).
          const busy = response.statusCode === 429 || response.statusCode === 408;
          if ((response.statusCode >= 500 || busy) && attempt < retries) {
            lastError = new Error(`HTTP ${response.statusCode}`);
            // Retry-After also comes with a 503, for a server down for a while (RFC 9110 10.2.3).
            if (busy || response.statusCode === 503) asked = retryAfter(flatHeaders["retry-after"]);
            if (asked !== null && asked >= 1000)
              this.options.warn?.(
                `${target.host} answered HTTP ${response.statusCode}: waiting ${Math.round(asked / 1000)} s before asking again`,
              );
            continue;
          }
          return {
            url: target.toString(),
            status: response.statusCode,
            headers: flatHeaders,
            body,
            fromCache: false,
          };
        } catch (error) {
          // A body neither read to its end nor destroyed stays paused on its connection, which
          // undici 6 and 7 crash on when the server closes it (see streamBody): let it go.
          if (response !== undefined && !response.body.destroyed) {
            response.body.on("error", () => {});
            response.body.destroy();
          }
          // spice's own failures (the sink's disk is full) are no network trouble to retry, nor is
          // a certificate the client does not trust: asking again gets the same one.
          if (error instanceof SpiceError) throw error;
          if (isCertificateFailure(error)) throw untrustedCertificate(target, error as Error);
          if (isPlainHttpAnswer(error)) throw plainHttpAnswer(target, error as Error);
          // A proxy that wants credentials or forbids the host answers the same when asked again;
          // one that could not reach the host (5xx) may not.
          const refused = proxyRefusal(error);
          if (refused !== null && refused < 500) throw this.proxyRefused(target, refused);
          lastError =
            refused === null
              ? error
              : new Error(`the proxy answered HTTP ${refused} when asked for a tunnel to ${target.host}`);
        }
      }
      if (lastError === "redirect") continue;
      throw new SpiceError("E_HTTP", `Could not fetch ${redactUrl(current.toString())}`, {
        cause: `${(lastError as Error)?.message ?? lastError} (after ${plural(retries + 1, "attempt")})`,
        hint: "Check the URL and your network, or use --offline to work from the cache",
      });
    }
    throw new SpiceError("E_HTTP", `Too many redirects fetching ${redactUrl(url)}`);
  }

  private proxyRefused(url: URL, status: number): SpiceError {
    // A URL proxyFor has checked already.
    const proxy = this.proxyFor(url) ?? "";
    const withCredentials = proxy !== "" && new URL(proxy).username !== "";
    const cause =
      status !== 407
        ? `the proxy refused a tunnel to ${url.host} (HTTP ${status})`
        : withCredentials
          ? "the proxy did not accept the user and password in its URL (HTTP 407)"
          : "the proxy asks for a user and password (HTTP 407)";
    return new SpiceError(
      "E_PROXY",
      `Could not fetch ${redactUrl(url.toString())} through the proxy ${redactUrl(proxy)}`,
      {
        cause,
        hint:
          status === 407
            ? "Give them in the proxy's URL: --proxy http://USER:PASSWORD@HOST:PORT, or the same in HTTPS_PROXY/HTTP_PROXY"
            : `Ask whoever runs the proxy to allow ${url.host}, or name the host in NO_PROXY if it is reachable without the proxy`,
      },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.routes.values()].map((route) => route.dispatcher.close()));
  }
}
