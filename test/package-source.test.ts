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

const versions = (files: Array<{ filename: string }>) =>
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
    assert.deepEqual(await fileIndex.files("absent"), []);
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
});
