import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { SpiceError } from "../util/error.ts";
import { redactUrl } from "../util/redact.ts";
import { bypassesProxy, HttpClient, retryAfter } from "./http.ts";

const work = mkdtempSync(join(tmpdir(), "spice-http-"));
const servers: Server[] = [];
after(async () => {
  for (const server of servers) server.close();
  rmSync(work, { recursive: true, force: true });
});

async function serve(
  host: string,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address() as { port: number };
  return `http://${host}:${address.port}`;
}

describe("the index HTTP client", () => {
  it("reads NO_PROXY as curl and requests do: hosts, domains, ports, IPv6, address ranges, and *", () => {
    const cases: Array<[string, string, boolean]> = [
      ["http://127.0.0.1:8080/x", "127.0.0.1", true],
      ["http://127.0.0.1:8080/x", "127.0.0.1:8080", true],
      ["http://127.0.0.1:8080/x", "127.0.0.1:9000", false],
      ["https://pkg.example.com/x", ".example.com", true],
      ["https://pkg.example.com/x", "example.com", true],
      ["https://pkg.example.com/x", "*.example.com", true],
      ["https://badexample.com/x", "example.com", false],
      ["https://example.com/x", "example.com:443", true],
      ["http://[::1]:80/x", "::1", true],
      ["http://[::1]:8080/x", "[::1]:8080", true],
      ["http://[::1]:8080/x", "[::1]:9", false],
      ["http://x.y/", "*", true],
      ["http://x.y/", " , a.b ,, X.Y ", true],
      ["http://x.y/", "", false],
      // Address ranges, as in a cluster's NO_PROXY: addresses only, no name is looked up.
      ["http://10.96.0.12:8080/x", "10.0.0.0/8", true],
      ["http://10.96.0.12:8080/x", ".svc, 10.0.0.0/16", false],
      ["http://192.168.1.7/x", "192.168.1.0/24", true],
      ["http://192.168.2.7/x", "192.168.1.0/24", false],
      ["http://8.8.8.8/x", "0.0.0.0/0", true],
      ["http://[fd00::5]/x", "fd00::/8", true],
      ["http://[fe80::5]/x", "fd00::/8", false],
      ["http://[::ffff:10.0.0.1]/x", "10.0.0.0/8", false],
      ["http://ten.example/x", "10.0.0.0/8", false],
      ["http://10.0.0.1/x", "10.0.0.0/33", false],
      ["http://10.0.0.1/x", "10.0.0.0/x", false],
    ];
    for (const [url, list, expected] of cases)
      assert.equal(bypassesProxy(new URL(url), list), expected, `${url} ${list}`);
  });

  it("retries server errors and dropped connections", async () => {
    let calls = 0;
    const base = await serve("127.0.0.1", (request, response) => {
      calls++;
      if (calls === 1) return void request.socket.destroy();
      if (calls === 2) {
        response.writeHead(503);
        return void response.end();
      }
      response.end("ok");
    });
    const client = new HttpClient({ cacheDirectory: null, retries: 3 });
    const result = await client.fetch(`${base}/page`);
    assert.equal(result.status, 200);
    assert.equal(result.body.toString(), "ok");
    assert.equal(calls, 3);
    await client.close();
  });

  it("retries a server that limits requests (429), timed out (408) or is down for a while (503), after the wait it asks for", async () => {
    const times: number[] = [];
    const base = await serve("127.0.0.1", (_request, response) => {
      times.push(Date.now());
      if (times.length === 1) {
        response.writeHead(429, { "retry-after": "1" });
        return void response.end();
      }
      if (times.length === 2) {
        response.writeHead(408);
        return void response.end();
      }
      if (times.length === 3) {
        response.writeHead(503, { "retry-after": "1" });
        return void response.end();
      }
      response.end("ok");
    });
    const warnings: string[] = [];
    const client = new HttpClient({ cacheDirectory: null, retries: 3, warn: (text) => warnings.push(text) });
    const result = await client.fetch(`${base}/page`);
    await client.close();
    assert.equal(result.body.toString(), "ok");
    assert.equal(times.length, 4);
    assert.ok(times[1] - times[0] >= 950, `waited ${times[1] - times[0]} ms of the 1 s asked`);
    assert.ok(times[3] - times[2] >= 950, `waited ${times[3] - times[2]} ms of the 1 s a 503 asked`);
    assert.deepEqual(warnings, [
      `${new URL(base).host} answered HTTP 429: waiting 1 s before asking again`,
      `${new URL(base).host} answered HTTP 503: waiting 1 s before asking again`,
    ]);
    // Retry-After as seconds or an HTTP date, capped; nonsense is no wait asked.
    const now = Date.parse("2026-11-30T00:00:00Z");
    assert.equal(retryAfter("7", now), 7000);
    assert.equal(retryAfter("Mon, 30 Nov 2026 00:00:05 GMT", now), 5000);
    assert.equal(retryAfter("Sun, 29 Nov 2026 23:00:00 GMT", now), 0);
    assert.equal(retryAfter("86400", now), 30_000);
    assert.equal(retryAfter("soon", now), null);
    assert.equal(retryAfter(undefined, now), null);
  });

  it("asks for pages compressed and decodes gzip, deflate and br; downloads come as they are, decoded if not", async () => {
    const page = Buffer.from(
      `<html><body>${'<a href="demo-1.0.tar.gz">demo-1.0.tar.gz</a>\n'.repeat(200)}</body></html>`,
    );
    const asked: Array<[string, string | undefined]> = [];
    const base = await serve("127.0.0.1", (request, response) => {
      asked.push([request.url ?? "", request.headers["accept-encoding"]]);
      const encode: Record<string, [string, Buffer]> = {
        "/gzip/": ["gzip", gzipSync(page)],
        "/deflate/": ["deflate", deflateSync(page)],
        "/raw-deflate/": ["deflate", deflateRawSync(page)],
        "/br/": ["br", brotliCompressSync(page)],
        // A download sent compressed although it was asked for as it is.
        "/file.whl": ["gzip", gzipSync(page)],
        "/zstd/": ["zstd", page],
        "/damaged/": ["gzip", gzipSync(page).subarray(0, 40)],
      };
      const [coding, body] = encode[request.url ?? ""] ?? [null, page];
      response.writeHead(200, {
        ...(coding === null ? {} : { "content-encoding": coding }),
        "content-length": body.length,
        etag: '"v1"',
      });
      response.end(body);
    });
    const cacheDirectory = join(work, "http-cache-codings");
    const client = new HttpClient({ cacheDirectory, retries: 0 });
    for (const path of ["/gzip/", "/deflate/", "/raw-deflate/", "/br/", "/plain/"]) {
      const fetched = await client.get(`${base}${path}`, "text/html");
      assert.ok(fetched.body.equals(page), path);
      assert.equal(fetched.headers["content-encoding"], undefined, path);
      // Kept decoded: the cached copy reads back the same.
      const cached = await client.get(`${base}${path}`, "text/html");
      assert.ok(cached.body.equals(page), `${path} from the cache`);
    }
    const chunks: Buffer[] = [];
    const lengths: Array<number | null> = [];
    await client.fetch(
      `${base}/file.whl`,
      {},
      { reset: (length) => lengths.push(length), write: (chunk) => chunks.push(chunk) },
    );
    assert.ok(Buffer.concat(chunks).equals(page));
    assert.deepEqual(lengths, [null], "the encoded length is not the file's");
    for (const [path, message] of [
      ["/zstd/", /content coding 'zstd', which spice cannot decode/],
      ["/damaged/", /its gzip content coding does not decode/],
    ] as const) {
      await assert.rejects(client.get(`${base}${path}`, "text/html"), (error: SpiceError) => {
        assert.match(error.details.cause ?? "", message);
        return true;
      });
    }
    await client.close();
    assert.equal(asked.find(([path]) => path === "/gzip/")?.[1], "gzip, deflate, br");
    assert.equal(asked.find(([path]) => path === "/file.whl")?.[1], "identity");
  });

  it("tells a streamed body's sink its length when the server gives one the body's bytes have", async () => {
    const base = await serve("127.0.0.1", (request, response) => {
      if (request.url === "/sized") return void response.end("twelve bytes");
      if (request.url === "/encoded") {
        const encoded = gzipSync("xyz");
        response.writeHead(200, { "content-encoding": "gzip", "content-length": encoded.length });
        return void response.end(encoded);
      }
      response.write("chunked, "); // no Content-Length: the body is sent in chunks
      response.end("no length");
    });
    const client = new HttpClient({ cacheDirectory: null, retries: 0 });
    for (const [path, expected] of [
      ["/sized", 12],
      ["/encoded", null],
      ["/chunked", null],
    ] as const) {
      const lengths: Array<number | null> = [];
      const chunks: Buffer[] = [];
      await client.fetch(
        `${base}${path}`,
        {},
        { reset: (length) => lengths.push(length), write: (chunk) => chunks.push(chunk) },
      );
      assert.deepEqual(lengths, [expected], path);
      assert.ok(Buffer.concat(chunks).length > 0, path);
    }
    await client.close();
  });

  it("lets a download go when its sink fails, and reads a slow sink's download to the end, from a server that closes each connection", async () => {
    // As `python -m http.server` answers: the body, then the connection closed. A body left paused
    // at that moment (unread, or read more slowly than it came) made undici 6 and 7 end the
    // process with an assertion (undici issue 5360); the sizes put that moment on the last read.
    const bodies = new Map([
      ["/70k", Buffer.alloc(70_000, 0x61)],
      ["/100k", Buffer.alloc(100_000, 0x62)],
    ]);
    const server = createNetServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", (request) => {
        const body = bodies.get(request.toString("latin1").split(" ")[1]) ?? Buffer.alloc(0);
        socket.end(
          Buffer.concat([
            Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`),
            body,
          ]),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const client = new HttpClient({ cacheDirectory: null, retries: 0 });
    for (const path of bodies.keys()) {
      const full = join(work, "full-disk");
      await assert.rejects(
        client.fetch(
          `${base}${path}`,
          {},
          {
            reset: () => {
              throw new SpiceError("E_DISK", `Could not write into ${full}`);
            },
            write: () => {},
          },
        ),
        /Could not write into/,
      );
      const chunks: Buffer[] = [];
      await client.fetch(
        `${base}${path}`,
        {},
        {
          reset: () => {},
          write: (chunk) => {
            // Busy elsewhere for a while (unpacking, solving): the rest arrives meanwhile.
            if (chunks.length === 0) {
              const until = Date.now() + 50;
              while (Date.now() < until);
            }
            chunks.push(chunk);
          },
        },
      );
      assert.ok(Buffer.concat(chunks).equals(bodies.get(path) as Buffer), path);
    }
    // The connections the failed downloads left have been closed by now: the process is alive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.close();
    server.close();
  });

  it("sends netrc credentials to their host only, never across a redirect", async () => {
    const seen: Array<[string, string | undefined]> = [];
    const other = await serve("127.0.0.2", (request, response) => {
      seen.push(["other", request.headers.authorization]);
      response.end("elsewhere");
    });
    const base = await serve("127.0.0.1", (request, response) => {
      seen.push(["origin", request.headers.authorization]);
      if (!request.headers.authorization) {
        response.writeHead(401);
        return void response.end();
      }
      response.writeHead(302, { location: `${other}/file` });
      response.end();
    });
    const netrc = join(work, "netrc");
    writeFileSync(netrc, "machine 127.0.0.1 login alice password s3cret\n");
    const client = new HttpClient({ cacheDirectory: null, netrc });
    const result = await client.fetch(`${base}/simple/`);
    assert.equal(result.body.toString(), "elsewhere");
    // A URL naming another user gets no password of alice's.
    const bob = new HttpClient({ cacheDirectory: null, netrc });
    await bob.fetch(`${base.replace("//", "//bob@")}/simple/`);
    await bob.close();
    assert.deepEqual(seen, [
      ["origin", `Basic ${Buffer.from("alice:s3cret").toString("base64")}`],
      ["other", undefined],
      ["origin", `Basic ${Buffer.from("bob:").toString("base64")}`],
      ["other", undefined],
    ]);
    await client.close();
  });

  it("says why a netrc file gives no credentials, and sends none from it", async () => {
    const seen: Array<string | undefined> = [];
    const base = await serve("127.0.0.1", (request, response) => {
      seen.push(request.headers.authorization);
      response.end("ok");
    });
    const netrc = join(work, "netrc-bad");
    writeFileSync(netrc, "machine 127.0.0.1 login alice password s3cret\nport 8080\n");
    const warnings: string[] = [];
    const client = new HttpClient({ cacheDirectory: null, netrc, warn: (message) => warnings.push(message) });
    await client.fetch(`${base}/simple/`);
    await client.fetch(`${base}/simple/again/`);
    await client.close();
    assert.deepEqual(seen, [undefined, undefined]);
    assert.deepEqual(warnings, [
      `${netrc} is not read, so no credentials come from it: bad follower token 'port' (line 2)`,
    ]);
  });

  it("sends an index URL's credentials, or the keyring's for its user, to that host's other URLs only", async () => {
    const seen: Array<[string, string | undefined]> = [];
    const record = (name: string) => (request: IncomingMessage, response: ServerResponse) => {
      seen.push([`${name}${request.url}`, request.headers.authorization]);
      response.end("ok");
    };
    const origin = await serve("127.0.0.1", record("origin"));
    const other = await serve("127.0.0.2", record("other"));
    const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
    const host = new URL(origin).host;
    const withPassword = new HttpClient({
      cacheDirectory: null,
      netrc: null,
      indexUrls: [`http://alice:s%40cret@${host}/simple`],
    });
    await withPassword.fetch(`${origin}/files/a.whl`);
    await withPassword.fetch(`${other}/files/a.whl`);
    await withPassword.close();
    const asked: string[] = [];
    const withKeyring = new HttpClient({
      cacheDirectory: null,
      netrc: null,
      indexUrls: [`${other}/elsewhere/`, `http://bob@${host}/root/simple/`, `http://bob@${host}/`],
      keyring: (service, username) => {
        asked.push(`${service} ${username}`);
        return service === host ? "from keyring" : null;
      },
    });
    await withKeyring.fetch(`${origin}/root/simple/demo/`);
    await withKeyring.close();
    // A URL's own credentials are kept for its host's URLs that carry none.
    const remembering = new HttpClient({ cacheDirectory: null, netrc: null });
    await remembering.fetch(`http://carol:pw@${host}/simple/`);
    await remembering.fetch(`${origin}/files/b.whl`);
    await remembering.fetch(`${other}/files/b.whl`);
    await remembering.close();
    assert.deepEqual(seen, [
      ["origin/files/a.whl", basic("alice:s@cret")],
      ["other/files/a.whl", undefined],
      ["origin/root/simple/demo/", basic("bob:from keyring")],
      ["origin/simple/", basic("carol:pw")],
      ["origin/files/b.whl", basic("carol:pw")],
      ["other/files/b.whl", undefined],
    ]);
    // The index the URL shares most of its path with, then the host.
    assert.deepEqual(asked, [`http://${host}/root/simple/ bob`, `${host} bob`]);
  });

  it("caches pages, revalidates with ETag, and works offline from the cache", async () => {
    let full = 0;
    let notModified = 0;
    const base = await serve("127.0.0.1", (request, response) => {
      if (request.headers["if-none-match"] === '"v1"') {
        notModified++;
        response.writeHead(304);
        return void response.end();
      }
      full++;
      response.writeHead(200, { etag: '"v1"', "content-type": "text/html" });
      response.end("<a href='x.whl'>x.whl</a>");
    });
    const cacheDirectory = join(work, "http-cache");
    const client = new HttpClient({ cacheDirectory });
    assert.equal((await client.get(`${base}/simple/x/`)).fromCache, false);
    const second = await client.get(`${base}/simple/x/`);
    assert.equal(second.fromCache, true);
    assert.equal(second.body.toString(), "<a href='x.whl'>x.whl</a>");
    assert.deepEqual([full, notModified], [1, 1]);
    const offline = new HttpClient({ cacheDirectory, offline: true });
    assert.equal((await offline.get(`${base}/simple/x/`)).fromCache, true);
    await assert.rejects(
      offline.get(`${base}/simple/missing/`),
      (error: SpiceError) => error.code === "E_OFFLINE",
    );
    await client.close();
    await offline.close();
  });

  it("takes a fresh page from the cache without asking, and asks again with --refresh", async () => {
    let requests = 0;
    const base = await serve("127.0.0.1", (_request, response) => {
      requests++;
      response.writeHead(200, { "cache-control": "max-age=600", "content-type": "text/html" });
      response.end(`release ${requests}`);
    });
    const cacheDirectory = join(work, "http-cache-refresh");
    const client = new HttpClient({ cacheDirectory });
    assert.equal((await client.get(`${base}/simple/y/`)).body.toString(), "release 1");
    assert.equal((await client.get(`${base}/simple/y/`)).body.toString(), "release 1");
    assert.equal(requests, 1);
    const refreshing = new HttpClient({ cacheDirectory, refresh: true });
    const refreshed = await refreshing.get(`${base}/simple/y/`);
    assert.equal(refreshed.body.toString(), "release 2");
    assert.equal(refreshed.fromCache, false);
    // What --refresh fetched is what the next run without it finds.
    assert.equal((await client.get(`${base}/simple/y/`)).body.toString(), "release 2");
    assert.equal(requests, 2);
    await client.close();
    await refreshing.close();
  });

  it("renews a revalidated page by touching its entry, not writing it again, unless the 304 changed it", async () => {
    const requests: string[] = [];
    let revalidated: Record<string, string> = {};
    const base = await serve("127.0.0.1", (request, response) => {
      if (request.headers["if-none-match"] === '"v1"') {
        requests.push("304");
        response.writeHead(304, revalidated);
        return void response.end();
      }
      requests.push("200");
      // No lifetime: every use revalidates.
      response.writeHead(200, { etag: '"v1"', "content-type": "text/html" });
      response.end("<a href='x.whl'>x.whl</a>");
    });
    const cacheDirectory = join(work, "renew-cache");
    const client = new HttpClient({ cacheDirectory });
    const url = `${base}/simple/renewed/`;
    await client.get(url);
    const [entry] = readdirSync(cacheDirectory).map((name) => join(cacheDirectory, name));
    const stored = readFileSync(entry);
    assert.equal((await client.get(url)).body.toString(), "<a href='x.whl'>x.whl</a>");
    assert.deepEqual(readFileSync(entry), stored, "touched, not written again");
    // A 304 that says something new (a lifetime) is written, and holds.
    revalidated = { "cache-control": "max-age=600", etag: '"v1"' };
    await client.get(url);
    assert.notDeepEqual(readFileSync(entry), stored);
    assert.equal((await client.get(url)).fromCache, true);
    assert.deepEqual(requests, ["200", "304", "304"]);
    await client.close();
  });

  it("never takes a page with no lifetime as fresh, even one stored after now (a clock stepped back)", async () => {
    let fetched = 0;
    const base = await serve("127.0.0.1", (request, response) => {
      fetched++;
      if (request.headers["if-none-match"] === '"v1"') return void response.writeHead(304).end();
      response.writeHead(200, { etag: '"v1"', "content-type": "text/html" });
      response.end("page");
    });
    const directory = join(work, "future-cache");
    const client = new HttpClient({ cacheDirectory: directory });
    const url = `${base}/simple/future/`;
    assert.equal((await client.get(url)).body.toString(), "page");
    const [file] = readdirSync(directory);
    const later = Date.now() / 1000 + 60;
    utimesSync(join(directory, file), later, later);
    assert.equal((await client.get(url)).body.toString(), "page");
    assert.equal(fetched, 2, "revalidated: its age counts as zero, not as negative");
    await client.close();
  });

  it("counts a touched entry's lifetime from the 304 that renewed it", async () => {
    let requests = 0;
    const base = await serve("127.0.0.1", (request, response) => {
      requests++;
      const headers = { "cache-control": "max-age=1", etag: '"v1"' };
      if (request.headers["if-none-match"] === '"v1"') return void response.writeHead(304, headers).end();
      response.writeHead(200, { ...headers, "content-type": "text/html" });
      response.end("page");
    });
    const client = new HttpClient({ cacheDirectory: join(work, "lifetime-cache") });
    const url = `${base}/simple/lifetime/`;
    await client.get(url);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // its max-age=1 has passed
    assert.equal((await client.get(url)).fromCache, true);
    assert.equal(requests, 2, "revalidated");
    assert.equal((await client.get(url)).fromCache, true);
    assert.equal(requests, 2, "fresh again: not revalidated");
    await client.close();
  });

  it("keeps what was derived from a cached page until the page changes", async () => {
    let version = "v1";
    const base = await serve("127.0.0.1", (request, response) => {
      if (request.headers["if-none-match"] === `"${version}"`) {
        response.writeHead(304);
        return void response.end();
      }
      response.writeHead(200, { etag: `"${version}"`, "content-type": "text/html" });
      response.end(`page ${version}`);
    });
    const url = `${base}/simple/derived/`;
    const client = new HttpClient({ cacheDirectory: join(work, "derived-cache") });
    let made = 0;
    const derive = (key: string) => ({
      key,
      make: (response: { body: Buffer }) => {
        made++;
        return { parsed: response.body.toString() };
      },
    });
    const first = await client.get(url, undefined, derive("v1"));
    assert.deepEqual(first.derived, { parsed: "page v1" });
    // Revalidated (304): the body is the same, so is what was derived from it, not made again.
    const again = await client.get(url, undefined, derive("v1"));
    assert.deepEqual(again.derived, { parsed: "page v1" });
    // ...and the body is left unread in the cache (the caller asked for the derived form).
    assert.equal(again.body.length, 0);
    assert.equal((await client.get(url)).body.toString(), "page v1");
    assert.equal(made, 1);
    // A new body drops it; it is made again from that body when asked for.
    version = "v2";
    const changed = await client.get(url);
    assert.equal(changed.body.toString(), "page v2");
    assert.equal(changed.derived, undefined);
    assert.deepEqual((await client.get(url, undefined, derive("v1"))).derived, { parsed: "page v2" });
    assert.equal(made, 2);
    // A stored value of another form is made again too.
    await client.get(url, undefined, derive("v2"));
    assert.equal(made, 3);
    await client.close();
  });

  it("reads a large page's derived form and body back as stored, head and body each past one read", async () => {
    const page = Array.from(
      { length: 6000 },
      (_, index) => `<a href='x-${index}.tar.gz'>x-${index}</a>`,
    ).join("\n");
    const base = await serve("127.0.0.1", (_request, response) => {
      response.writeHead(200, { "cache-control": "max-age=600", "content-type": "text/html" });
      response.end(page);
    });
    const client = new HttpClient({ cacheDirectory: join(work, "large-cache") });
    const url = `${base}/simple/large/`;
    const derive = { key: "k", make: (response: { body: Buffer }) => response.body.toString().split("\n") };
    const lines = page.split("\n");
    assert.ok(page.length > 2 * 64 * 1024);
    assert.deepEqual((await client.get(url, undefined, derive)).derived, lines);
    const cached = await client.get(url, undefined, derive);
    assert.equal(cached.fromCache, true);
    assert.deepEqual(cached.derived, lines);
    assert.equal((await client.get(url)).body.toString(), page);
    await client.close();
  });

  it("keeps up to four forms of a page side by side, each read alone, through revalidations", async () => {
    let revalidated: Record<string, string> = {};
    let fetched = 0;
    const base = await serve("127.0.0.1", (request, response) => {
      fetched++;
      if (request.headers["if-none-match"] === '"v1"') return void response.writeHead(304, revalidated).end();
      response.writeHead(200, { etag: '"v1"', "content-type": "text/html" });
      response.end("abcdef");
    });
    const directory = join(work, "forms-cache");
    const client = new HttpClient({ cacheDirectory: directory });
    const url = `${base}/simple/forms/`;
    const made: string[] = [];
    const form = (key: string) => ({
      key,
      make: (response: { body: Buffer }) => {
        made.push(key);
        return `${key}:${response.body.toString()}`;
      },
    });
    for (const key of ["a", "b", "a", "c", "b"])
      assert.equal((await client.get(url, undefined, form(key))).derived, `${key}:abcdef`);
    assert.deepEqual(made, ["a", "b", "c"]);
    // A 304 that changes the entry (a lifetime) writes it again, with the forms not read this time.
    revalidated = { "cache-control": "max-age=600", etag: '"v1"' };
    assert.equal((await client.get(url, undefined, form("a"))).derived, "a:abcdef");
    const [file] = readdirSync(directory);
    const requests = fetched;
    for (const key of ["c", "b", "a"]) {
      const response = await client.get(url, undefined, form(key));
      assert.equal(response.derived, `${key}:abcdef`);
      assert.equal(response.body.length, 0, "the form alone is read");
    }
    assert.deepEqual(made, ["a", "b", "c"]);
    assert.equal(fetched, requests, "fresh now: no requests");
    // A fifth form pushes out the one made longest ago (a).
    for (const key of ["d", "e"]) await client.get(url, undefined, form(key));
    assert.equal((await client.get(url)).body.toString(), "abcdef");
    for (const key of ["e", "d", "c", "b", "a"]) await client.get(url, undefined, form(key));
    assert.deepEqual(made, ["a", "b", "c", "d", "e", "a"]);
    assert.equal(readdirSync(directory).length, 1);
    assert.ok(readFileSync(join(directory, file)).includes("abcdef"));
    await client.close();
  });

  it("fetches a page again when its cache entry is damaged (found by fuzzing spice's cache)", async () => {
    let fetched = 0;
    const base = await serve("127.0.0.1", (_request, response) => {
      fetched++;
      response.writeHead(200, { "cache-control": "max-age=600", "content-type": "text/html" });
      response.end("<a href='x-1.0.tar.gz#sha256=ab'>x</a>");
    });
    const directory = join(work, "damaged-cache");
    const client = new HttpClient({ cacheDirectory: directory });
    const url = `${base}/simple/x/`;
    let made = 0;
    const derive = {
      key: "k",
      make: (response: { body: Buffer }) => {
        made++;
        return { sha256: response.body.toString().slice(29, 31) };
      },
    };
    assert.deepEqual((await client.get(url, undefined, derive)).derived, { sha256: "ab" });
    assert.deepEqual((await client.get(url, undefined, derive)).derived, { sha256: "ab" });
    assert.deepEqual([fetched, made], [1, 1]);
    const [file] = readdirSync(directory);
    const entry = readFileSync(join(directory, file));
    const damage = async (bytes: Buffer) => {
      writeFileSync(join(directory, file), bytes);
      assert.deepEqual((await client.get(url, undefined, derive)).derived, { sha256: "ab" });
    };
    // A flipped byte where the derived form sits: it still parses, but is not as written. The
    // form is made again from the body, which holds.
    const at = entry.indexOf('"sha256":"ab"') + 11;
    await damage(Buffer.concat([entry.subarray(0, at), Buffer.from("c"), entry.subarray(at + 1)]));
    assert.deepEqual([fetched, made], [1, 2]);
    // A flipped byte in the head, in the body (read when no form is asked for), in the table of
    // sections; an entry cut short: no entry, and the page is fetched again.
    const flipped = (offset: number) => {
      const copy = Buffer.from(entry);
      copy[offset] ^= 0x01;
      return copy;
    };
    await damage(flipped(entry.indexOf('"status"') + 3));
    assert.equal(fetched, 2);
    writeFileSync(join(directory, file), flipped(entry.length - 5));
    assert.equal((await client.get(url)).body.toString(), "<a href='x-1.0.tar.gz#sha256=ab'>x</a>");
    assert.equal(fetched, 3);
    await damage(flipped(entry.indexOf("head:") + 2));
    await damage(entry.subarray(0, entry.length - 3));
    assert.equal(fetched, 5);
    await client.close();
  });

  it("keeps no credentials in the page cache, in its file names or in what it holds", async () => {
    const base = await serve("127.0.0.1", (request, response) => {
      response.writeHead(200, { "content-type": "text/html", "cache-control": "max-age=600" });
      response.end(`<a href="../../files/demo-1.0.tar.gz">demo-1.0.tar.gz</a> ${request.url}`);
    });
    const cacheDirectory = join(work, "http-cache-credentials");
    const client = new HttpClient({ cacheDirectory, retries: 0 });
    const url = `${base.replace("//", "//alice:hunter2@")}/simple/demo/`;
    await client.get(url, "text/html", {
      key: "files",
      make: (response) => ({ text: response.body.toString(), url: response.url }),
    });
    // The same page without the credentials is the same entry.
    const again = await client.get(`${base}/simple/demo/`, "text/html");
    assert.equal(again.fromCache, true);
    await client.close();
    for (const name of readdirSync(cacheDirectory)) {
      assert.doesNotMatch(name, /hunter2|alice/);
      assert.doesNotMatch(readFileSync(join(cacheDirectory, name), "latin1"), /hunter2/);
    }
  });

  it("never answers an https request with a page fetched in plain http", async () => {
    const base = await serve("127.0.0.1", (_request, response) => {
      response.writeHead(200, { "content-type": "text/html", "cache-control": "max-age=600" });
      response.end("<a href='../../files/demo-1.0.tar.gz'>demo-1.0.tar.gz</a>");
    });
    const cacheDirectory = join(work, "http-cache-schemes");
    const client = new HttpClient({ cacheDirectory, retries: 0 });
    assert.equal((await client.get(`${base}/simple/demo/`, "text/html")).fromCache, false);
    assert.equal((await client.get(`${base}/simple/demo/`, "text/html")).fromCache, true);
    // The same host, port and path over TLS: not the cached page, but a request, which this
    // plain-HTTP server cannot answer: said so, once (asking again gets the same answer).
    const server = servers.at(-1)!;
    let connections = 0;
    server.on("connection", () => connections++);
    const tls = `${base.replace("http:", "https:")}/simple/demo/`;
    const retrying = new HttpClient({ cacheDirectory, retries: 2 });
    await assert.rejects(retrying.get(tls, "text/html"), (error: SpiceError) => {
      assert.match(
        error.message,
        /^Could not fetch https:\/\/127\.0\.0\.1:\d+\/simple\/demo\/: 127\.0\.0\.1:\d+ does not answer in TLS$/,
      );
      assert.match(error.details.hint ?? "", /write the URL with http:\/\//);
      return true;
    });
    assert.equal(connections, 1);
    await retrying.close();
    await client.close();
    assert.equal(readdirSync(cacheDirectory).length, 1);
  });

  it("asks a proxy for plain http by the whole URL, over no more connections than it may open", async () => {
    const base = await serve("127.0.0.1", (request, response) => {
      setTimeout(() => {
        response.writeHead(200, { "content-type": "text/html" });
        response.end(`page of ${request.url}`);
      }, 30);
    });
    const asked: string[] = [];
    let open = 0;
    let most = 0;
    // A forwarding proxy, as Squid is for http: the request line holds the whole URL.
    const proxy = await serve("127.0.0.1", (request, response) => {
      asked.push(`${request.method} ${request.url}`);
      fetch(request.url ?? "").then(async (answer) => {
        response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
        response.end(await answer.text());
      });
    });
    servers.at(-1)?.on("connection", (socket) => {
      most = Math.max(most, ++open);
      socket.on("close", () => open--);
    });
    const client = new HttpClient({ cacheDirectory: null, connections: 2, proxies: { http: proxy } });
    const pages = await Promise.all(
      Array.from({ length: 8 }, (_, page) => client.get(`${base}/simple/p${page}/`, "text/html")),
    );
    assert.deepEqual(
      pages.map((page) => page.body.toString()),
      Array.from({ length: 8 }, (_, page) => `page of /simple/p${page}/`),
    );
    assert.deepEqual(
      asked.sort(),
      Array.from({ length: 8 }, (_, page) => `GET ${base}/simple/p${page}/`),
    );
    assert.ok(most <= 2, `${most} connections to the proxy`);
    await client.close();
  });

  it("says what is wrong with a proxy's URL before any request, and asks nothing", async () => {
    let asked = 0;
    const base = await serve("127.0.0.1", (_request, response) => {
      asked++;
      response.end("page");
    });
    const cases: Array<[string, RegExp]> = [
      ["http://me:50%off@127.0.0.1:1", /holds a % that is not followed by two hex digits/],
      ["me:50%@127.0.0.1:1", /holds a % that is not followed by two hex digits/],
      ["http://[bad:3128", /it is not a valid URL/],
    ];
    for (const [proxy, cause] of cases) {
      const client = new HttpClient({ cacheDirectory: null, retries: 3, proxies: { http: proxy } });
      await assert.rejects(client.get(`${base}/simple/`, "text/html"), (error: SpiceError) => {
        assert.match(
          error.message,
          /^Could not fetch http:\/\/127\.0\.0\.1:\d+\/simple\/ through the proxy http:\/\//,
        );
        assert.doesNotMatch(error.message, /50%/);
        assert.match(error.details.cause ?? "", cause);
        assert.match(error.details.hint ?? "", /%25 %40 %3A %2F/);
        return true;
      });
      await client.close();
    }
    assert.equal(asked, 0);
  });

  it("never prints credentials", async () => {
    assert.equal(
      redactUrl("https://user:hunter2@index.example/simple/"),
      "https://user:****@index.example/simple/",
    );
    assert.equal(redactUrl("https://token@index.example/"), "https://****@index.example/");
    const client = new HttpClient({ cacheDirectory: null, retries: 0, timeoutMs: 2000 });
    await assert.rejects(client.fetch("http://user:hunter2@127.0.0.1:1/simple/"), (error: SpiceError) => {
      assert.doesNotMatch(`${error.message} ${error.details.cause}`, /hunter2/);
      assert.match(error.message, /user:\*\*\*\*@127\.0\.0\.1:1/);
      return true;
    });
    await client.close();
  });
});
