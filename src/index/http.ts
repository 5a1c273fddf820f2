// HTTP for package indexes: undici with keep-alive and a bounded number of connections, retries
// with backoff on connection errors and 5xx, timeouts, credentials from the URL or ~/.netrc that
// are never printed and never sent to another host on redirect, and a disk cache of pages that
// revalidates with ETag / Last-Modified and honours Cache-Control, with --refresh and --offline.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { Agent, type Dispatcher, request } from "undici";
import { SpiceError } from "../util/error.ts";
import { writeFileAtomic } from "../util/fs.ts";
import { sha256Hex } from "../util/hash.ts";
import { redactUrl } from "../util/redact.ts";

export interface HttpOptions {
  /** Directory for cached responses, or null for none. */
  cacheDirectory: string | null;
  offline?: boolean;
  /** Revalidate every cached response. */
  refresh?: boolean;
  timeoutMs?: number;
  retries?: number;
  connections?: number;
  /** Path of a netrc file (default ~/.netrc). */
  netrc?: string | null;
  /** CA certificates (PEM) to trust instead of the system's. */
  ca?: Buffer | null;
  /** Hosts (host or host:port) whose certificates are not verified, as pip's --trusted-host. */
  trustedHosts?: readonly string[];
}

/** Where a streamed response body goes. */
export interface BodySink {
  /** Called before the first chunk of each attempt. */
  reset(): void;
  write(chunk: Buffer): void;
}

export interface HttpResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  fromCache: boolean;
}

interface CachedResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  storedAt: number;
  bodyBase64: string;
}

interface Credentials {
  username: string;
  password: string;
}

/** Logins from a netrc file, by host. */
export function readNetrc(path: string): Map<string, Credentials> {
  const logins = new Map<string, Credentials>();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return logins;
  }
  const tokens = text.split(/\s+/).filter((token) => token !== "");
  let machine: string | null = null;
  let current: Partial<Credentials> = {};
  const flush = () => {
    if (machine !== null && current.username !== undefined)
      logins.set(machine, { username: current.username, password: current.password ?? "" });
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === "machine" || token === "default") {
      flush();
      machine = token === "default" ? "*" : (tokens[++i] ?? null);
      current = {};
    } else if (token === "login") current.username = tokens[++i];
    else if (token === "password") current.password = tokens[++i];
  }
  flush();
  return logins;
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

function maxAge(cacheControl: string | undefined): number | null {
  if (!cacheControl) return null;
  if (/no-store|no-cache/i.test(cacheControl)) return 0;
  const match = /max-age=(\d+)/i.exec(cacheControl);
  return match ? Number(match[1]) : null;
}

export class HttpClient {
  private readonly agent: Dispatcher;
  private insecureAgent: Dispatcher | null = null;
  private netrc: Map<string, Credentials> | undefined;

  constructor(private readonly options: HttpOptions) {
    this.agent = new Agent({
      connections: options.connections ?? 16,
      keepAliveTimeout: 10_000,
      connect: { timeout: options.timeoutMs ?? 15_000, ...(options.ca ? { ca: options.ca } : {}) },
    });
  }

  private dispatcherFor(url: URL): Dispatcher {
    const trusted = this.options.trustedHosts ?? [];
    if (!trusted.includes(url.host) && !trusted.includes(url.hostname)) return this.agent;
    this.insecureAgent ??= new Agent({
      connections: this.options.connections ?? 16,
      keepAliveTimeout: 10_000,
      connect: { timeout: this.options.timeoutMs ?? 15_000, rejectUnauthorized: false },
    });
    return this.insecureAgent;
  }

  private credentialsFor(url: URL): Credentials | null {
    if (url.username)
      return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    const path = this.options.netrc === undefined ? join(homedir(), ".netrc") : this.options.netrc;
    if (path === null || !existsSync(path)) return null;
    this.netrc ??= readNetrc(path);
    return this.netrc.get(url.hostname) ?? this.netrc.get("*") ?? null;
  }

  private cacheFile(url: string, accept: string): string | null {
    if (this.options.cacheDirectory === null) return null;
    return join(this.options.cacheDirectory, `${sha256Hex(`${accept}\n${url}`).slice(0, 40)}.json`);
  }

  /** GET with the page cache (for index pages and metadata, not large downloads). */
  async get(url: string, accept = "*/*"): Promise<HttpResponse> {
    const cacheFile = this.cacheFile(url, accept);
    let cached: CachedResponse | null = null;
    if (cacheFile !== null && existsSync(cacheFile)) {
      try {
        cached = JSON.parse(readFileSync(cacheFile, "utf8")) as CachedResponse;
      } catch {
        cached = null;
      }
    }
    const fromCache = (entry: CachedResponse): HttpResponse => ({
      url: entry.url,
      status: entry.status,
      headers: entry.headers,
      body: Buffer.from(entry.bodyBase64, "base64"),
      fromCache: true,
    });
    if (cached !== null && !this.options.refresh) {
      const age = maxAge(cached.headers["cache-control"]);
      if (this.options.offline || (age !== null && Date.now() - cached.storedAt < age * 1000))
        return fromCache(cached);
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
      if (cacheFile) writeFileAtomic(cacheFile, JSON.stringify(cached));
      return fromCache(cached);
    }
    if (cacheFile !== null && response.status === 200 && maxAge(response.headers["cache-control"]) !== 0) {
      const entry: CachedResponse = {
        url: response.url,
        status: 200,
        headers: response.headers,
        storedAt: Date.now(),
        bodyBase64: response.body.toString("base64"),
      };
      try {
        writeFileAtomic(cacheFile, JSON.stringify(entry));
      } catch {
        // an unwritable cache only costs speed
      }
    }
    return response;
  }

  /** One request with retries and redirects; credentials go only to the host they belong to. */
  async fetch(
    url: string,
    extraHeaders: Record<string, string> = {},
    sink?: BodySink,
  ): Promise<HttpResponse> {
    const retries = this.options.retries ?? 3;
    let current = new URL(url);
    const originHost = current.host;
    for (let redirects = 0; redirects < 10; redirects++) {
      const headers: Record<string, string> = { "user-agent": "spice", ...extraHeaders };
      const credentials = current.host === originHost ? this.credentialsFor(current) : null;
      if (credentials)
        headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      const target = new URL(current);
      target.username = "";
      target.password = "";
      let lastError: unknown = null;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await sleep(Math.min(200 * 2 ** (attempt - 1), 2000));
        try {
          const response = await request(target, {
            dispatcher: this.dispatcherFor(target),
            headers,
            headersTimeout: this.options.timeoutMs ?? 15_000,
            bodyTimeout: this.options.timeoutMs ?? 15_000,
          });
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
          let body: Buffer;
          if (sink && response.statusCode === 200) {
            // Streamed (downloads): a retry after a dropped connection starts the sink over.
            sink.reset();
            for await (const chunk of response.body) sink.write(chunk as Buffer);
            body = Buffer.alloc(0);
          } else body = Buffer.from(await response.body.arrayBuffer());
          if (response.statusCode >= 500 && attempt < retries) {
            lastError = new Error(`HTTP ${response.statusCode}`);
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
          lastError = error;
        }
      }
      if (lastError === "redirect") continue;
      throw new SpiceError("E_HTTP", `Could not fetch ${redactUrl(current.toString())}`, {
        cause: `${(lastError as Error)?.message ?? lastError} (after ${retries + 1} attempts)`,
        hint: "Check the index URL and your network, or use --offline to work from the cache",
      });
    }
    throw new SpiceError("E_HTTP", `Too many redirects fetching ${redactUrl(url)}`);
  }

  async close(): Promise<void> {
    await this.agent.close();
    await this.insecureAgent?.close();
  }
}
