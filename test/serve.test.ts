import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseProjectPage, SIMPLE_JSON } from "../src/index/simple-api.ts";
import { type IndexServer, startIndexServer } from "../src/serve/server.ts";
import { runPipAsync, runSpice, SPICE, spiceEnvironment, temporaryDirectory } from "./helpers.ts";
import { buildSdist, buildWheel, simplePackage } from "./wheel-builder.ts";

const work = temporaryDirectory("spice-serve-");
const files = join(work.path, "files");
mkdirSync(files);
buildWheel(files, simplePackage("alpha", "1.0", { requires: ["beta>=1.0"] }));
buildWheel(files, { ...simplePackage("alpha", "2.0"), summary: "yanked release" });
buildWheel(files, simplePackage("beta", "1.2"));
buildSdist(files, "gamma", "0.5", ["beta"]);
writeFileSync(join(files, "yanked.txt"), "alpha-2.0-py3-none-any.whl broken build\n");
// Named like distributions, but no files: a dangling symlink stopped the server from starting.
symlinkSync(join(work.path, "nowhere"), join(files, "delta-1.0-py3-none-any.whl"));
mkdirSync(join(files, "epsilon-1.0-py3-none-any.whl"));
let server: IndexServer;
before(async () => {
  server = await startIndexServer({ directory: files });
});
after(async () => {
  await server.close();
  work.remove();
});

async function page(name: string, accept: string) {
  const response = await fetch(`${server.url}${name}/`, { headers: { accept } });
  return { response, body: await response.text() };
}

describe("spice serve", () => {
  it("serves PEP 691 JSON and PEP 503 HTML by content negotiation", async () => {
    const json = await page("alpha", `${SIMPLE_JSON}, text/html;q=0.1`);
    assert.equal(json.response.headers.get("content-type"), SIMPLE_JSON);
    const parsed = parseProjectPage(json.body, SIMPLE_JSON, `${server.url}alpha/`, "alpha");
    assert.deepEqual(parsed.versions, ["1.0", "2.0"]);
    const yanked = parsed.files.find((file) => file.filename.startsWith("alpha-2.0"));
    assert.equal(yanked?.yanked, "broken build");
    assert.match(yanked?.hashes.sha256 ?? "", /^[0-9a-f]{64}$/);
    assert.ok(yanked?.coreMetadata && "sha256" in yanked.coreMetadata);
    const html = await page("alpha", "text/html");
    assert.match(
      html.response.headers.get("content-type") ?? "",
      /^application\/vnd\.pypi\.simple\.v1\+html/,
    );
    const fromHtml = parseProjectPage(html.body, "text/html", `${server.url}alpha/`, "alpha");
    assert.deepEqual(
      fromHtml.files.map((file) => [file.filename, file.yanked, file.hashes.sha256]),
      parsed.files.map((file) => [file.filename, file.yanked, file.hashes.sha256]),
    );
    assert.equal((await page("alpha", "application/x-nothing")).response.status, 406);
    const redirected = await fetch(`${server.url}Alpha/`, { redirect: "manual" });
    assert.equal(redirected.status, 301);
    assert.equal(redirected.headers.get("location"), "/simple/alpha/");
  });

  it("tags each page with an ETag, and answers a client that has the page 304 Not Modified", async () => {
    const html = await page("alpha", "text/html");
    const json = await page("alpha", SIMPLE_JSON);
    const etag = html.response.headers.get("etag") ?? "";
    assert.match(etag, /^"[0-9a-f]{32}"$/);
    assert.notEqual(json.response.headers.get("etag"), etag, "each form of the page has its own");
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const again = await fetch(`${server.url}alpha/`, {
        headers: { accept: "text/html", "if-none-match": ifNoneMatch },
      });
      assert.equal(again.status, 304, ifNoneMatch);
      assert.equal(again.headers.get("etag"), etag);
      assert.equal(await again.text(), "");
    }
    const other = await fetch(`${server.url}alpha/`, {
      headers: { accept: "text/html", "if-none-match": '"other"' },
    });
    assert.equal(other.status, 200);
    assert.equal(await other.text(), html.body);
    const root = await fetch(server.url, { headers: { accept: "text/html" } });
    const unchanged = await fetch(server.url, {
      headers: { accept: "text/html", "if-none-match": root.headers.get("etag") ?? "" },
    });
    assert.equal(unchanged.status, 304);
  });

  it("lists only files, and answers paths that are not valid percent-encoding", async () => {
    const root = (await (await fetch(server.url, { headers: { accept: SIMPLE_JSON } })).json()) as {
      projects: Array<{ name: string }>;
    };
    assert.deepEqual(
      root.projects.map((project) => project.name),
      ["alpha", "beta", "gamma"],
    );
    for (const path of ["%ZZ/", "alpha%FF/", "..%2F..%2Fetc%2Fpasswd/"]) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      assert.ok(response.status < 500, `${path}: ${response.status}`);
    }
  });

  it("serves metadata files and byte ranges, and reads sdists' PKG-INFO", async () => {
    const json = parseProjectPage(
      (await page("beta", SIMPLE_JSON)).body,
      SIMPLE_JSON,
      `${server.url}beta/`,
      "beta",
    );
    const metadata = await (await fetch(`${json.files[0].url}.metadata`)).text();
    assert.match(metadata, /^Metadata-Version: 2\.1\nName: beta\nVersion: 1\.2\n/);
    const ranged = await fetch(json.files[0].url, { headers: { range: "bytes=-22" } });
    assert.equal(ranged.status, 206);
    assert.equal(Buffer.from(await ranged.arrayBuffer()).readUInt32LE(0), 0x06054b50);
    const gamma = parseProjectPage(
      (await page("gamma", SIMPLE_JSON)).body,
      SIMPLE_JSON,
      `${server.url}gamma/`,
      "gamma",
    );
    assert.equal(gamma.files[0].filename, "gamma-0.5.tar.gz");
    assert.equal((await fetch(`${server.url}nope/`)).status, 404);
  });

  it("is an index pip 23.2.1 installs from, skipping the yanked release", async () => {
    const venv = join(work.path, "venv");
    assert.equal(
      runSpice(["venv", venv, "--python", "3.11"], { cacheDir: join(work.path, "cache") }).status,
      0,
    );
    // The server runs in this process: pip must run without blocking its event loop.
    const pip = await runPipAsync([
      "--python",
      join(venv, "bin", "python"),
      "install",
      "--index-url",
      server.url,
      "alpha",
    ]);
    assert.equal(pip.status, 0, pip.stderr);
    const freeze = await runPipAsync(["--python", join(venv, "bin", "python"), "freeze"]);
    assert.equal(freeze.stdout, "alpha==1.0\nbeta==1.2\n");
  });

  it("runs as a command: loopback by default, its URL on stdout, a warning for another host", async () => {
    const serve = async (args: string[]) => {
      const child = spawn(process.execPath, [SPICE, "serve", files, "--port", "0", ...args], {
        env: spiceEnvironment(),
      });
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (chunk) => {
        stderr += chunk;
      });
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
          const line = /^(http\S+)\n/m.exec(stdout);
          if (line) resolve(line[1]);
        });
        child.on("exit", (code) => reject(new Error(`spice serve exited ${code}: ${stderr}`)));
      });
      try {
        const listed = await fetch(`${url.replace("0.0.0.0", "127.0.0.1")}beta/`, {
          headers: { accept: SIMPLE_JSON },
        });
        return { url, stderr, files: ((await listed.json()) as { files: unknown[] }).files.length };
      } finally {
        child.kill();
      }
    };
    const local = await serve([]);
    assert.match(local.url, /^http:\/\/127\.0\.0\.1:\d+\/simple\/$/);
    assert.equal(local.files, 1);
    assert.doesNotMatch(local.stderr, /warning/);
    const open = await serve(["--host", "0.0.0.0"]);
    assert.match(open.url, /^http:\/\/0\.0\.0\.0:\d+\/simple\/$/);
    assert.match(open.stderr, /warning: listening on 0\.0\.0\.0: other machines can reach this index/);
    const missing = runSpice(["serve", join(work.path, "nowhere")]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /is not a directory/);
  });
});
