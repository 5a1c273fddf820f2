import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { HttpClient } from "../src/index/http.ts";
import { PackageSource } from "../src/index/package-source.ts";
import { type IndexServer, startIndexServer } from "../src/serve/server.ts";
import type { SpiceError } from "../src/util/error.ts";
import { temporaryDirectory } from "./helpers.ts";
import { buildWheel, simplePackage } from "./wheel-builder.ts";

const work = temporaryDirectory("spice-source-");
const internal = join(work.path, "internal");
const publicIndex = join(work.path, "public");
const links = join(work.path, "links");
for (const directory of [internal, publicIndex, links]) mkdirSync(directory);
buildWheel(internal, simplePackage("corp-tool", "1.0"));
// The same name on a second index, with a tempting higher version: dependency confusion.
buildWheel(publicIndex, simplePackage("corp-tool", "99.0"));
buildWheel(publicIndex, simplePackage("requests-lite", "2.0"));
// A version both indexes have: unsafe-first-match offers only the first one's files of it.
buildWheel(internal, simplePackage("shared", "1.0"));
buildWheel(publicIndex, { ...simplePackage("shared", "1.0"), tag: "py311-none-any" });
buildWheel(publicIndex, simplePackage("shared", "2.0"));
buildWheel(links, simplePackage("corp-tool", "1.1"));
// Named like newer releases, but no files: they were offered, then failed to open.
symlinkSync(join(work.path, "nowhere"), join(links, "corp_tool-7.0-py3-none-any.whl"));
mkdirSync(join(links, "corp_tool-8.0-py3-none-any.whl"));
let first: IndexServer;
let second: IndexServer;
const http = new HttpClient({ cacheDirectory: null, retries: 0 });
before(async () => {
  first = await startIndexServer({ directory: internal });
  second = await startIndexServer({ directory: publicIndex });
});
after(async () => {
  await first.close();
  await second.close();
  await http.close();
  work.remove();
});

const versions = ({ files }: { files: Array<{ filename: string }> }) =>
  files.map((file) => file.filename.split("-")[1]).sort();

describe("package sources", () => {
  it("use only the first index that has a project, unless told to merge", async () => {
    const safe = new PackageSource(http, {
      indexes: [first.url, second.url],
      findLinks: [],
      strategy: "first-index",
    });
    assert.deepEqual(versions(await safe.files("corp-tool")), ["1.0"]);
    assert.deepEqual(versions(await safe.files("Requests_Lite")), ["2.0"]);
    const merged = new PackageSource(http, {
      indexes: [first.url, second.url],
      findLinks: [],
      strategy: "unsafe-best-match",
    });
    assert.deepEqual(versions(await merged.files("corp-tool")), ["1.0", "99.0"]);
    const firstMatch = new PackageSource(http, {
      indexes: [first.url, second.url],
      findLinks: [],
      strategy: "unsafe-first-match",
    });
    const shared = (await firstMatch.files("shared")).files;
    assert.deepEqual(
      shared.map((file) => [file.filename, file.priority]),
      [
        ["shared-1.0-py3-none-any.whl", 1],
        ["shared-2.0-py3-none-any.whl", 2],
      ],
    );
  });

  it("read find-links directories and HTML pages, and file:// indexes, offering only files", async () => {
    const page = join(work.path, "links.html");
    writeFileSync(
      page,
      `<a href="${pathToFileURL(join(links, "corp_tool-1.1-py3-none-any.whl"))}">corp_tool-1.1-py3-none-any.whl</a>`,
    );
    const source = new PackageSource(http, {
      indexes: [],
      findLinks: [links, page],
      strategy: "first-index",
    });
    assert.deepEqual(versions(await source.files("corp-tool")), ["1.1", "1.1"]);
    const simple = join(work.path, "simple", "corp-tool");
    mkdirSync(simple, { recursive: true });
    buildWheel(simple, simplePackage("corp-tool", "3.0"));
    symlinkSync(join(work.path, "nowhere"), join(simple, "corp_tool-7.0-py3-none-any.whl"));
    const fileIndex = new PackageSource(http, {
      indexes: [pathToFileURL(join(work.path, "simple")).toString()],
      findLinks: [],
      strategy: "first-index",
    });
    assert.deepEqual(versions(await fileIndex.files("corp-tool")), ["3.0"]);
    assert.deepEqual(await fileIndex.files("absent"), { files: [], dropped: 0 });
  });

  it("refuse malformed index pages clearly", async () => {
    const broken = await new Promise<{ url: string; close: () => void }>((resolve) => {
      import("node:http").then(({ createServer }) => {
        const server = createServer((_, response) => {
          response.writeHead(200, { "content-type": "application/vnd.pypi.simple.v1+json" });
          response.end("{ not json");
        });
        server.listen(0, "127.0.0.1", () =>
          resolve({
            url: `http://127.0.0.1:${(server.address() as { port: number }).port}/simple/`,
            close: () => server.close(),
          }),
        );
      });
    });
    const source = new PackageSource(http, { indexes: [broken.url], findLinks: [], strategy: "first-index" });
    await assert.rejects(
      source.files("x"),
      (error: SpiceError) => error.code === "E_INDEX_PAGE" && /malformed/.test(error.message),
    );
    broken.close();
  });

  it("keep a form of a cached page without the files a filter drops, and one without a filter", async () => {
    // An index page with a lifetime (spice serve's pages have none: each use revalidates).
    const filenames = ["cp312-cp312-manylinux2014_x86_64", "cp312-cp312-win_amd64", "cp311-cp311-win32"].map(
      (tag) => `native-1.0-${tag}.whl`,
    );
    const { createServer } = await import("node:http");
    const httpServer = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html", "cache-control": "max-age=600" });
      response.end(
        filenames.map((name) => `<a href="/files/${name}#sha256=${"a".repeat(64)}">${name}</a>`).join("\n"),
      );
    });
    await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
    const server = {
      url: `http://127.0.0.1:${(httpServer.address() as { port: number }).port}/simple/`,
      close: () => new Promise((resolve) => httpServer.close(resolve)),
    };
    const client = new HttpClient({ cacheDirectory: join(work.path, "page-cache") });
    try {
      const source = new PackageSource(client, {
        indexes: [server.url],
        findLinks: [],
        strategy: "first-index",
      });
      let asked = 0;
      const filter = {
        key: "not-windows",
        drops: (file: { filename: string }, project: string) => {
          asked++;
          return project === "native" && /win/.test(file.filename);
        },
      };
      const names = ({ files }: { files: Array<{ filename: string }> }) =>
        files.map((file) => file.filename).sort();
      const filtered = await source.files("native", filter);
      assert.deepEqual(names(filtered), ["native-1.0-cp312-cp312-manylinux2014_x86_64.whl"]);
      assert.equal(filtered.dropped, 2);
      assert.equal(filtered.files[0].source, server.url);
      assert.equal(asked, 3);
      // The page is fresh in the cache: a new source (a new run) reads each form as it was kept.
      const again = new PackageSource(client, {
        indexes: [server.url],
        findLinks: [],
        strategy: "first-index",
      });
      assert.deepEqual(await again.files("native", filter), filtered);
      assert.equal(asked, 3, "the filter's form was read, not made again");
      assert.equal((await again.files("native")).files.length, 3);
      assert.deepEqual(await again.files("native", filter), filtered);
      assert.equal(asked, 3);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
