// spice pip install against indexes served by the test: dependencies, extras and markers, the
// console script, --dry-run and --report, upgrades, yanked releases, hash checking, dependency
// confusion between two indexes, malformed index pages and pip's configuration.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  createServer as createHttpsServer,
  type Server as HttpsServer,
  type ServerOptions,
} from "node:https";
import { connect, createServer as createNetServer } from "node:net";
import { basename, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { BUCKETS } from "../src/cache/store.ts";
import { type IndexServer, startIndexServer } from "../src/serve/server.ts";
import { sha256Hex } from "../src/util/hash.ts";
import {
  PYTHON,
  plainPython,
  runPipAsync,
  runSpice,
  runSpiceAsync,
  SPICE,
  spiceEnvironment,
  temporaryDirectory,
} from "./helpers.ts";
import { buildSdist, buildWheel, simplePackage } from "./wheel-builder.ts";

const work = temporaryDirectory("spice-pip-index-");
const main = join(work.path, "main");
const second = join(work.path, "second");
mkdirSync(main);
mkdirSync(second);
buildWheel(
  main,
  simplePackage("app", "1.0", {
    requires: ["lib>=1.0", "winonly; sys_platform == 'win32'"],
    extras: { fancy: ["colors"] },
    // Fields the installation report converts in their own ways.
    headers: [
      "Keywords: fast, correct ,tools",
      "Classifier: Programming Language :: Python :: 3",
      "Classifier: License :: OSI Approved :: MIT License",
      "Project-URL: Source, https://example.invalid/src",
      "Project-URL: Docs, https://example.invalid/docs",
      "Platform: any",
      "License-Expression: MIT",
      "Description-Content-Type: text/markdown",
    ],
    description: "# app\n\nA test application.\n",
  }),
);
buildWheel(main, simplePackage("lib", "1.0"));
buildWheel(main, simplePackage("lib", "1.5"));
buildWheel(main, simplePackage("lib", "2.0"));
buildWheel(main, simplePackage("colors", "0.3"));
buildWheel(main, simplePackage("suite", "1.0", { requires: ["app[fancy]"] }));
buildWheel(main, simplePackage("internal", "1.0"));
buildWheel(main, simplePackage("needsold", "1.0", { requires: ["lib<1.5"] }));
buildWheel(main, simplePackage("newer", "2.0", { requiresPython: ">=3.99" }));
buildWheel(main, simplePackage("capped", "1.0", { requiresPython: ">=3.6,<3.9" }));
buildSdist(main, "srconly", "1.0");
writeFileSync(join(main, "yanked.txt"), "lib-2.0-py3-none-any.whl broken release\n");
// A public index with a same-named project at a higher version than a private one has:
// dependency confusion.
buildWheel(second, simplePackage("internal", "9.9"));
const cacheDir = join(work.path, "cache");

let index: IndexServer;
let other: IndexServer;
let broken: Server;
let brokenUrl = "";
// An index with no PEP 658 metadata files whose server honours byte ranges (or not, under /norange/).
let ranged: Server;
let rangedUrl = "";
const rangeLog: Array<{ path: string; range: string | undefined; bytes: number }> = [];
function startRangedServer(): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://x");
    const noRange = url.pathname.startsWith("/norange/");
    const path = url.pathname.replace(/^\/norange/, "");
    const project = /^\/simple\/([^/]+)\/$/.exec(path);
    if (project) {
      const links = readdirSync(main)
        .filter((name) => name.startsWith(`${project[1]}-`) && name.endsWith(".whl"))
        .map(
          (name) =>
            `<a href="../../files/${name}#sha256=${sha256Hex(readFileSync(join(main, name)))}">${name}</a>`,
        );
      response.writeHead(links.length > 0 ? 200 : 404, { "content-type": "text/html" });
      response.end(`<html><body>${links.join("\n")}</body></html>`);
      return;
    }
    const file = /^\/files\/([^/]+)$/.exec(path);
    if (!file || !existsSync(join(main, file[1]))) {
      response.writeHead(404);
      response.end();
      return;
    }
    const data = readFileSync(join(main, file[1]));
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? "");
    if (range && !noRange) {
      const start = range[1] === "" ? Math.max(0, data.length - Number(range[2])) : Number(range[1]);
      const end =
        range[1] === "" || range[2] === "" ? data.length - 1 : Math.min(Number(range[2]), data.length - 1);
      rangeLog.push({ path, range: request.headers.range, bytes: end - start + 1 });
      response.writeHead(206, { "content-range": `bytes ${start}-${end}/${data.length}` });
      response.end(data.subarray(start, end + 1));
      return;
    }
    rangeLog.push({ path, range: request.headers.range, bytes: data.length });
    response.writeHead(200);
    response.end(data);
  });
}
before(async () => {
  index = await startIndexServer({ directory: main });
  other = await startIndexServer({ directory: second });
  broken = createServer((request, response) => {
    if (request.url?.startsWith("/inconsistent/") || request.url?.startsWith("/invalid-metadata/")) {
      // PEP 658 metadata that names another version than its file, or that does not parse.
      if (request.url.endsWith(".metadata")) {
        response.writeHead(200, { "content-type": "text/plain" });
        response.end(
          request.url.startsWith("/inconsistent/")
            ? "Metadata-Version: 2.1\nName: lib\nVersion: 9.9\n\n"
            : "Metadata-Version: 2.1\nName: lib\nVersion: 1.0Requires-Dist: x\n\n",
        );
      } else {
        response.writeHead(200, { "content-type": "text/html" });
        response.end(
          '<a href="files/lib-1.0-py3-none-any.whl" data-core-metadata="true">lib-1.0-py3-none-any.whl</a>',
        );
      }
    } else if (request.url?.includes("hostile")) {
      // A digest that would climb out of the cache if it named a path.
      response.writeHead(200, { "content-type": "application/vnd.pypi.simple.v1+json" });
      response.end(
        JSON.stringify({
          meta: { "api-version": "1.0" },
          name: "lib",
          files: [
            {
              filename: "lib-1.0-py3-none-any.whl",
              url: "/files/lib-1.0-py3-none-any.whl",
              hashes: { sha256: "../escaped" },
              "core-metadata": { sha256: "../escaped" },
            },
          ],
        }),
      );
    } else if (request.url?.includes("json")) {
      response.writeHead(200, { "content-type": "application/vnd.pypi.simple.v1+json" });
      response.end('{"meta": {"api-version": "1.0"}, "files": [{"filename": 3');
    } else {
      response.writeHead(200, { "content-type": "text/html" });
      response.end('<html><body><a href="http://[broken/lib-1.0-py3-none-any.whl">lib-1.0</a>');
    }
  });
  await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
  ranged = startRangedServer();
  await new Promise<void>((resolve) => ranged.listen(0, "127.0.0.1", resolve));
  const rangedAddress = ranged.address();
  rangedUrl = `http://127.0.0.1:${typeof rangedAddress === "object" && rangedAddress ? rangedAddress.port : 0}`;
  const address = broken.address();
  brokenUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
after(async () => {
  await index.close();
  await other.close();
  await new Promise((resolve) => broken.close(resolve));
  await new Promise((resolve) => ranged.close(resolve));
  work.remove();
});

let venvCount = 0;
function venv(): { root: string; python: string; site: string } {
  const root = join(work.path, `venv-${venvCount++}`);
  const result = runSpice(["venv", root, "--python", "3.11"], { cacheDir });
  assert.equal(result.status, 0, result.stderr);
  return {
    root,
    python: join(root, "bin", "python"),
    site: join(root, "lib", "python3.11", "site-packages"),
  };
}

function freeze(python: string): string {
  return runSpice(["pip", "freeze", "--python", python]).stdout;
}

/** A self-signed certificate for 127.0.0.1 (or a client), as PREFIXkey.pem and PREFIXcert.pem. */
function selfSigned(directory: string, prefix: string, subject: string): void {
  const made = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "1",
    "-subj",
    subject,
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    "-keyout",
    join(directory, `${prefix}key.pem`),
    "-out",
    join(directory, `${prefix}cert.pem`),
  ]);
  assert.equal(made.status, 0, String(made.stderr));
}

/** Answers each request with what `upstream` (an index URL) answers, with `headers` added. */
function forwardTo(upstream: string, headers: Record<string, string> = {}) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const answer = await fetch(new URL(request.url ?? "/", upstream), {
      headers: { accept: String(request.headers.accept ?? "*/*") },
    });
    response.writeHead(answer.status, {
      "content-type": answer.headers.get("content-type") ?? "",
      ...headers,
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
  };
}

/** Listens on a free loopback port, and says which. */
async function listening(server: Server | HttpsServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

/** An HTTPS front for the test index, with these TLS options. */
async function httpsFront(
  options: ServerOptions,
): Promise<{ front: HttpsServer; port: number; secure: string }> {
  const front = createHttpsServer(options, forwardTo(index.url));
  const port = await listening(front);
  return { front, port, secure: `https://127.0.0.1:${port}/simple/` };
}

/** A front for an index that says its pages keep ten minutes, as many indexes say. */
async function cachingFront(upstream: string): Promise<{ server: Server; url: string }> {
  const server = createServer(forwardTo(upstream, { "cache-control": "max-age=600" }));
  const port = await listening(server);
  return { server, url: `http://127.0.0.1:${port}${new URL(upstream).pathname}` };
}

describe("spice pip install from an index", () => {
  it("resolves dependencies, extras and markers, and the console script runs", async () => {
    const env = venv();
    const result = await runSpiceAsync(
      [
        "pip",
        "install",
        "--python",
        env.python,
        "--index-url",
        index.url,
        "app[fancy]",
        "winonly; os_name == 'nt'",
      ],
      { cacheDir },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /Ignoring winonly: markers 'os_name == "nt"' don't match your environment\n/);
    assert.match(result.stderr, /Installed 3 packages/);
    assert.match(result.stderr, / \+ lib==1\.5/);
    // lib 2.0 is yanked, winonly is for Windows only
    assert.equal(freeze(env.python), "app==1.0\ncolors==0.3\nlib==1.5\n");
    const hello = spawnSync(join(env.root, "bin", "app-hello"), { encoding: "utf8" });
    assert.equal(hello.stdout, "app 1.0 says hello\n");
    assert.ok(existsSync(join(env.site, "app-1.0.dist-info", "REQUESTED")));
    assert.ok(!existsSync(join(env.site, "lib-1.5.dist-info", "REQUESTED")));
    // Installing again changes nothing; pinning the yanked release takes it, with a warning.
    const again = await runSpiceAsync(["pip", "install", "--python", env.python, "-i", index.url, "app"], {
      cacheDir,
    });
    assert.match(again.stderr, /Audited 2 packages/);
    const yanked = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "lib==2.0"],
      { cacheDir },
    );
    assert.equal(yanked.status, 0, yanked.stderr);
    assert.match(yanked.stderr, /warning: lib 2\.0 is yanked \(reason: broken release\)/);
    assert.match(yanked.stderr, / - lib==1\.5\n \+ lib==2\.0/);
  });

  it("keeps installed versions unless asked to upgrade", async () => {
    const env = venv();
    const run = (...args: string[]) =>
      runSpiceAsync(["pip", "install", "--python", env.python, "-i", index.url, ...args], { cacheDir });
    assert.equal((await run("lib==1.0")).status, 0);
    const kept = await run("lib");
    assert.match(kept.stderr, /Audited 1 package/);
    const upgraded = await run("-U", "lib");
    assert.match(upgraded.stderr, / - lib==1\.0\n \+ lib==1\.5/);
    // --upgrade takes what is named; with --upgrade-strategy eager, its dependencies too.
    assert.equal((await run("lib==1.0", "app")).status, 0);
    const named = await run("-U", "app");
    assert.doesNotMatch(named.stderr, /lib==1\.5/);
    assert.equal(freeze(env.python), "app==1.0\nlib==1.0\n");
    const eager = await run("-U", "--upgrade-strategy", "eager", "app");
    assert.match(eager.stderr, / - lib==1\.0\n \+ lib==1\.5/);
    // -P (uv's --upgrade-package) takes the newest of the package it names, keeping the rest.
    assert.equal((await run("lib==1.0", "app")).status, 0);
    const one = await run("-P", "lib", "app");
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stderr, / - lib==1\.0\n \+ lib==1\.5/);
    assert.equal(freeze(env.python), "app==1.0\nlib==1.5\n");
  });

  it("accepts the pip options that scripts pass out of habit", async () => {
    const env = venv();
    const noCache = join(work.path, "habit-cache");
    const result = await runSpiceAsync(
      [
        "pip",
        "install",
        "--python",
        env.python,
        "-i",
        index.url,
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--no-input",
        "--no-warn-script-location",
        "--root-user-action",
        "ignore",
        "--progress-bar",
        "off",
        "--no-build-isolation",
        "--use-pep517",
        "--no-clean",
        "-C",
        "editable_mode=compat",
        "--global-option",
        "--quiet",
        "--src",
        join(work.path, "src"),
        "--use-feature",
        "truststore",
        "--no-warn-conflicts",
        "--require-virtualenv",
        "--exists-action",
        "i",
        "--no-color",
        "--timeout",
        "30",
        "--retries",
        "1",
        "-qq",
        "--log",
        join(work.path, "habit.log"),
        "lib==1.0",
      ],
      { cacheDir: noCache },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, "", "-qq is quiet");
    // --log keeps everything, verbose lines too, each with its time, whatever -q says.
    const log = readFileSync(join(work.path, "habit.log"), "utf8");
    assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{3} environment: /m);
    assert.match(log, /^\S+ Installed 1 package in \S+\n\S+ {2}\+ lib==1\.0$/m);
    assert.equal(freeze(env.python), "lib==1.0\n");
    assert.equal(existsSync(noCache), false, "--no-cache-dir writes no cache, as --no-cache");
    // -I: everything resolved is reinstalled, ignoring what is there (the newest lib, not 1.0).
    const ignoring = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-I", "lib"],
      {
        cacheDir,
      },
    );
    assert.equal(ignoring.status, 0, ignoring.stderr);
    assert.match(ignoring.stderr, / - lib==1\.0\n \+ lib==1\.5/);
    // --isolated: PIP_ variables are ignored, as pip ignores them (so no index is configured here).
    const isolated = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--isolated", "--dry-run", "colors"],
      {
        cacheDir,
        env: { PIP_INDEX_URL: index.url },
      },
    );
    assert.equal(isolated.status, 1);
    assert.match(isolated.stderr, /No package index is configured/);
    // A configured no-index is read with strtobool, as pip reads it: `t` turns the index off.
    for (const setting of ["t", "on"]) {
      const offIndex = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "colors"],
        { cacheDir, env: { PIP_NO_INDEX: setting } },
      );
      assert.equal(offIndex.status, 1, `PIP_NO_INDEX=${setting}: ${offIndex.stderr}`);
      assert.match(offIndex.stderr, /colors/);
    }
    const timeout = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--timeout", "soon", "colors"],
      {
        cacheDir,
      },
    );
    assert.equal(timeout.status, 2);
    assert.match(timeout.stderr, /--timeout takes a number, not 'soon'/);
    // pip's other name for it, as in PIP_DEFAULT_TIMEOUT.
    const defaultTimeout = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--default-timeout=soon", "colors"],
      { cacheDir },
    );
    assert.equal(defaultTimeout.status, 2);
    assert.match(defaultTimeout.stderr, /--timeout takes a number, not 'soon'/);
    const listed = await runSpiceAsync([
      "pip",
      "list",
      "--python",
      env.python,
      "--disable-pip-version-check",
    ]);
    assert.equal(listed.status, 0, listed.stderr);
    // pip's general options, which pip takes on every command, network or not.
    const general = [
      "--debug",
      "--trusted-host",
      "example.invalid",
      "--cert",
      join(work.path, "no-such-bundle.pem"),
      "--client-cert",
      join(work.path, "no-such-client.pem"),
      "--proxy",
      "http://127.0.0.1:9",
      "--timeout",
      "5",
      "--retries",
      "0",
      "--keyring-provider",
      "subprocess",
      "--exists-action",
      "w",
    ];
    for (const command of [
      ["uninstall", "-y", "nothing-installed"],
      ["freeze"],
      ["show", "lib"],
      ["check"],
    ]) {
      const taken = await runSpiceAsync(["pip", ...command, "--python", env.python, ...general]);
      assert.notEqual(taken.status, 2, `${command[0]}: ${taken.stderr}`);
      assert.doesNotMatch(taken.stderr, /unexpected option/);
    }
    const uninstalled = await runSpiceAsync([
      "pip",
      "uninstall",
      "--python",
      env.python,
      "-y",
      "--root-user-action",
      "ignore",
      "lib",
    ]);
    assert.equal(uninstalled.status, 0, uninstalled.stderr);
    const downloaded = await runSpiceAsync(
      [
        "pip",
        "download",
        "-i",
        index.url,
        "-d",
        join(work.path, "habit-dl"),
        "--progress-bar",
        "off",
        "lib==1.0",
      ],
      { cacheDir },
    );
    assert.equal(downloaded.status, 0, downloaded.stderr);
    const badBar = await runSpiceAsync(
      ["pip", "download", "-i", index.url, "--progress-bar", "sideways", "lib==1.0"],
      {
        cacheDir,
      },
    );
    assert.equal(badBar.status, 2);
    assert.match(badBar.stderr, /--progress-bar takes on or off, not 'sideways'/);
  });

  it("keeps no cache under PIP_NO_CACHE_DIR or pip.conf's no-cache-dir (any value, as pip) or SPICE_NO_CACHE, unless --cache-dir or --isolated says otherwise", async () => {
    const env = venv();
    let configs = 0;
    const noCacheConf = (text: string) => {
      const file = join(work.path, `no-cache-${++configs}.conf`);
      writeFileSync(file, text);
      return file;
    };
    const cases: Array<[string, NodeJS.ProcessEnv, string[], boolean]> = [
      ["pip-yes", { PIP_NO_CACHE_DIR: "1" }, [], false],
      ["pip-false", { PIP_NO_CACHE_DIR: "false" }, [], false],
      ["pip-isolated", { PIP_NO_CACHE_DIR: "1" }, ["--isolated"], true],
      ["spice-yes", { SPICE_NO_CACHE: "true" }, [], false],
      ["spice-no", { SPICE_NO_CACHE: "0" }, [], true],
      // pip.conf's no-cache-dir, in [global] or the command's section, as the variable.
      ["conf-global", { PIP_CONFIG_FILE: noCacheConf("[global]\nno-cache-dir = false\n") }, [], false],
      ["conf-install", { PIP_CONFIG_FILE: noCacheConf("[install]\nno-cache-dir = 1\n") }, [], false],
      ["conf-list", { PIP_CONFIG_FILE: noCacheConf("[list]\nno-cache-dir = 1\n") }, [], true],
    ];
    for (const [name, variables, options, kept] of cases) {
      const cache = join(work.path, `no-cache-${name}`);
      const result = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", ...options, "lib==1.0"],
        { cacheDir: cache, env: variables },
      );
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
      assert.equal(existsSync(cache), kept, name);
    }
    const explicit = join(work.path, "no-cache-explicit");
    const given = await runSpiceAsync(
      [
        "pip",
        "install",
        "--python",
        env.python,
        "-i",
        index.url,
        "--dry-run",
        "--cache-dir",
        explicit,
        "lib==1.0",
      ],
      { env: { PIP_NO_CACHE_DIR: "1" } },
    );
    assert.equal(given.status, 0, given.stderr);
    assert.equal(existsSync(explicit), true, "--cache-dir on the command line wins, as with pip");
    const bad = await runSpiceAsync(["pip", "list", "--python", env.python], {
      env: { PIP_NO_CACHE_DIR: "maybe" },
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /PIP_NO_CACHE_DIR takes a yes or no value, not 'maybe'/);
    const badFile = await runSpiceAsync(["pip", "list", "--python", env.python], {
      env: { PIP_CONFIG_FILE: noCacheConf("[global]\nno-cache-dir = maybe\n") },
    });
    assert.equal(badFile.status, 2);
    assert.match(badFile.stderr, /no-cache-dir \(in .*\[global\]\) takes a yes or no value, not 'maybe'/);
    // With the cache turned off, the cache commands say so and by what it may be.
    const cacheless = await runSpiceAsync(["pip", "cache", "dir"], {
      env: { PIP_CONFIG_FILE: noCacheConf("[global]\nno-cache-dir = 1\n") },
    });
    assert.equal(cacheless.status, 1);
    assert.match(cacheless.stderr, /^error: The cache is turned off, .*\n.*pip\.conf's no-cache-dir/);
  });

  it("asks the keyring command for the password of an index URL's user, by index URL then host, and sends it to that host's files too (--keyring-provider)", async () => {
    const env = venv();
    const bin = join(work.path, "keyring-bin");
    mkdirSync(bin);
    const log = join(work.path, "keyring.log");
    // A keyring command as keyring's own behaves: the password on stdout, exit 1 when it has none.
    writeFileSync(
      join(bin, "keyring"),
      `#!/bin/sh\necho "$@" >> '${log}'\nif [ "$1 $2 $3" = "get $KEYRING_SERVICE alice" ]; then echo 's3cret pass'; exit 0; fi\nexit 1\n`,
      { mode: 0o755 },
    );
    const expected = `Basic ${Buffer.from("alice:s3cret pass").toString("base64")}`;
    const seen: Array<{ path: string; authorized: boolean }> = [];
    // An index that wants alice's password for everything, and lists its files by absolute URLs
    // without credentials (as many private indexes do).
    const front = createServer(async (request, response) => {
      const authorized = request.headers.authorization === expected;
      seen.push({ path: request.url ?? "", authorized });
      if (!authorized) {
        response.writeHead(401, { "www-authenticate": 'Basic realm="private"' });
        return void response.end();
      }
      const upstream = await fetch(new URL(request.url ?? "/", index.url.replace(/simple\/$/, "")), {
        headers: { accept: String(request.headers.accept ?? "*/*") },
      });
      const type = upstream.headers.get("content-type") ?? "";
      let body = Buffer.from(await upstream.arrayBuffer());
      if (/html|json/.test(type))
        body = Buffer.from(body.toString().replaceAll("../../files/", `${origin}/files/`));
      response.writeHead(upstream.status, { "content-type": type });
      response.end(body);
    });
    await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(front.address() as { port: number }).port}`;
    const origin = `http://${host}`;
    const keyringEnv = (service: string, extra: NodeJS.ProcessEnv = {}) => ({
      PATH: `${bin}:${process.env.PATH}`,
      KEYRING_SERVICE: service,
      ...extra,
    });
    const install = (name: string, args: string[], environment: NodeJS.ProcessEnv) =>
      runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", `http://alice@${host}/simple/`, ...args],
        {
          cacheDir: join(work.path, `cache-keyring-${name}`),
          env: environment,
        },
      );
    try {
      // Asked by the index URL (without the user), once for the whole run.
      const installed = await install(
        "index",
        ["colors", "--keyring-provider", "subprocess"],
        keyringEnv(`${origin}/simple/`),
      );
      assert.equal(installed.status, 0, installed.stderr);
      assert.match(freeze(env.python), /^colors==0\.3$/m);
      assert.deepEqual(readFileSync(log, "utf8").split("\n"), [`get ${origin}/simple/ alice`, ""]);
      assert.ok(seen.some((request) => request.path.startsWith("/files/") && request.authorized));
      assert.ok(seen.every((request) => request.authorized));
      assert.doesNotMatch(installed.stderr, /s3cret/);
      // A keyring command Ctrl-C ended (a backend waiting to be unlocked): spice ends with it.
      const stopped = join(work.path, "keyring-stopped-bin");
      mkdirSync(stopped);
      writeFileSync(join(stopped, "keyring"), "#!/bin/sh\nkill -INT $$\n", { mode: 0o755 });
      const interrupted = await install("interrupted", ["lib==1.0", "--keyring-provider", "subprocess"], {
        PATH: `${stopped}:${process.env.PATH}`,
      });
      assert.equal(interrupted.status, null, interrupted.stderr);
      assert.match(
        interrupted.stderr,
        /\nerror: Interrupted by SIGINT \(Ctrl-C\): nothing was changed in the environment at \S+\n$/,
      );
      // pip's setting `import` is read as auto: the keyring command on PATH, asked by host when it
      // knows nothing for the index URL.
      rmSync(log);
      const byHost = await install(
        "host",
        ["lib==1.0", "--dry-run"],
        keyringEnv(host, { PIP_KEYRING_PROVIDER: "import" }),
      );
      assert.equal(byHost.status, 0, byHost.stderr);
      assert.deepEqual(readFileSync(log, "utf8").split("\n"), [
        `get ${origin}/simple/ alice`,
        `get ${host} alice`,
        "",
      ]);
      // Without a provider (uv's default) no keyring is asked, and the index's 401 is the error.
      rmSync(log);
      const disabled = await install("disabled", ["lib==1.0", "--dry-run"], keyringEnv(host));
      assert.notEqual(disabled.status, 0);
      assert.match(
        disabled.stderr,
        /answered HTTP 401\nhint: The server wants credentials.* --keyring-provider subprocess/,
      );
      assert.equal(existsSync(log), false);
      // Asked for subprocess with no keyring command on PATH: said, once.
      const missing = await install(
        "missing",
        ["lib==1.0", "--dry-run", "--keyring-provider", "subprocess"],
        {},
      );
      assert.notEqual(missing.status, 0);
      assert.equal(missing.stderr.match(/there is no keyring command on PATH/g)?.length, 1, missing.stderr);
      // pip's `import` given to spice itself is an error that says what to use.
      const imported = await install(
        "import",
        ["lib==1.0", "--keyring-provider", "import"],
        keyringEnv(host),
      );
      assert.equal(imported.status, 2);
      assert.match(imported.stderr, /--keyring-provider takes disabled, subprocess or auto, not 'import'/);
      assert.match(imported.stderr, /use subprocess/);
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it("goes through the proxy HTTP_PROXY or --proxy names, with its credentials, except for NO_PROXY hosts", async () => {
    const env = venv();
    // As proxies are commonly set up (Squid's default): plain http is asked of the proxy by its
    // whole URL, as pip asks it, and CONNECT is for https alone (refused to other ports).
    const tls = join(work.path, "tls-proxy");
    mkdirSync(tls);
    selfSigned(tls, "", "/CN=127.0.0.1");
    const {
      front,
      port: securePort,
      secure,
    } = await httpsFront({
      key: readFileSync(join(tls, "key.pem")),
      cert: readFileSync(join(tls, "cert.pem")),
    });
    const seen: Array<{ how: "GET" | "CONNECT"; target: string; authorization: string | undefined }> = [];
    const forward = forwardTo(index.url);
    const proxy = createServer((request, response) => {
      seen.push({
        how: "GET",
        target: request.url ?? "",
        authorization: request.headers["proxy-authorization"],
      });
      void forward(request, response);
    });
    proxy.on("connect", (request, client, head) => {
      seen.push({
        how: "CONNECT",
        target: request.url ?? "",
        authorization: request.headers["proxy-authorization"],
      });
      const [host, port] = (request.url ?? "").split(":");
      if (Number(port) !== securePort) {
        client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
        return;
      }
      const upstream = connect(Number(port), host, () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    const proxyPort = await listening(proxy);
    // The same proxy spoken to over TLS (an https:// proxy), which pip asks plain http of by its
    // whole URL too.
    const secureProxy = createHttpsServer(
      { key: readFileSync(join(tls, "key.pem")), cert: readFileSync(join(tls, "cert.pem")) },
      (request, response) => proxy.emit("request", request, response),
    );
    secureProxy.on("connect", (request, client, head) => proxy.emit("connect", request, client, head));
    const secureProxyPort = await listening(secureProxy);
    const indexOrigin = new URL(index.url).origin;
    const basic = `Basic ${Buffer.from("someone:s3cret").toString("base64")}`;
    try {
      const through = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "-v", "colors"],
        {
          cacheDir: join(work.path, "cache-proxy-1"),
          env: { HTTP_PROXY: `http://someone:s3cret@127.0.0.1:${proxyPort}` },
        },
      );
      assert.equal(through.status, 0, through.stderr);
      assert.ok(seen.length > 0);
      for (const request of seen) {
        assert.equal(request.how, "GET", "no tunnel for plain http");
        assert.ok(request.target.startsWith(`${indexOrigin}/`), request.target);
        assert.equal(request.authorization, basic);
      }
      assert.doesNotMatch(through.stderr, /s3cret/);
      // https goes through a tunnel, credentials and all.
      const tunnelled = await runSpiceAsync(
        [
          "pip",
          "install",
          "--python",
          env.python,
          "-i",
          secure,
          "--trusted-host",
          `127.0.0.1:${securePort}`,
          "--dry-run",
          "colors",
        ],
        {
          cacheDir: join(work.path, "cache-proxy-6"),
          env: { HTTPS_PROXY: `http://someone:s3cret@127.0.0.1:${proxyPort}` },
        },
      );
      assert.equal(tunnelled.status, 0, tunnelled.stderr);
      assert.deepEqual(seen.at(-1), {
        how: "CONNECT",
        target: `127.0.0.1:${securePort}`,
        authorization: basic,
      });
      const overTls = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "colors"],
        {
          cacheDir: join(work.path, "cache-proxy-7"),
          env: {
            HTTP_PROXY: `https://someone:s3cret@127.0.0.1:${secureProxyPort}`,
            SSL_CERT_FILE: join(tls, "cert.pem"),
          },
        },
      );
      assert.equal(overTls.status, 0, overTls.stderr);
      const last = seen.at(-1);
      assert.equal(last?.how, "GET", "no tunnel for plain http through an https proxy either");
      assert.equal(last?.authorization, basic);
      assert.ok(last?.target.startsWith(`${indexOrigin}/`), last?.target);
      // NO_PROXY names the index's host: straight there.
      const before = seen.length;
      const direct = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "colors"],
        {
          cacheDir: join(work.path, "cache-proxy-2"),
          env: { HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: "localhost,127.0.0.1" },
        },
      );
      assert.equal(direct.status, 0, direct.stderr);
      assert.equal(seen.length, before);
      // ALL_PROXY serves when the scheme's own variable is unset, as with pip and uv; a proxy
      // without a scheme is an HTTP one.
      const all = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "colors"],
        { cacheDir: join(work.path, "cache-proxy-4"), env: { ALL_PROXY: `127.0.0.1:${proxyPort}` } },
      );
      assert.equal(all.status, 0, all.stderr);
      assert.equal(seen.length > before, true, "through ALL_PROXY");
      // A SOCKS proxy is said to be one spice cannot use.
      const socks = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "colors"],
        {
          cacheDir: join(work.path, "cache-proxy-5"),
          env: { ALL_PROXY: "socks5://user:s3cret@127.0.0.1:1080" },
        },
      );
      assert.equal(socks.status, 1);
      assert.match(
        socks.stderr,
        /through the proxy socks5:\/\/user:\*\*\*\*@127\.0\.0\.1:1080\n {2}caused by: spice speaks to HTTP and HTTPS proxies, not SOCKS ones/,
      );
      const afterAll = seen.length;
      // --proxy wins over the variables; a proxy that is not there is a clear error.
      const gone = await runSpiceAsync(
        [
          "pip",
          "install",
          "--python",
          env.python,
          "-i",
          index.url,
          "--proxy",
          "http://127.0.0.1:9",
          "--retries",
          "0",
          "--dry-run",
          "colors",
        ],
        { cacheDir: join(work.path, "cache-proxy-3"), env: { HTTP_PROXY: `http://127.0.0.1:${proxyPort}` } },
      );
      assert.equal(gone.status, 1);
      assert.match(gone.stderr, /error: Could not fetch/);
      assert.equal(seen.length, afterAll);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
      await new Promise((resolve) => front.close(resolve));
      await new Promise((resolve) => secureProxy.close(resolve));
    }
  });

  it("downloads without a cache into a temporary directory where TMPDIR names none, as pip does", async () => {
    const env = venv();
    const result = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "--no-cache", "colors"],
      { env: { TMPDIR: join(work.path, "no-such-tmp") } },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /\+ colors==/);
    assert.ok(!existsSync(join(work.path, "no-such-tmp")));
  });

  it("says a proxy wants credentials or refused a tunnel, and does not ask it again", async () => {
    const env = venv();
    let asked = 0;
    // Wants credentials for everything; tunnels to port 443 alone, as Squid's default does.
    const proxy = createServer((_request, response) => {
      asked++;
      response.writeHead(407, { "proxy-authenticate": 'Basic realm="proxy"' });
      response.end();
    });
    proxy.on("connect", (request, client) => {
      asked++;
      const authorized = request.headers["proxy-authorization"] !== undefined;
      client.end(`HTTP/1.1 ${authorized ? "403 Forbidden" : "407 Proxy Authentication Required"}\r\n\r\n`);
    });
    const proxyPort = await listening(proxy);
    const install = (indexUrl: string, proxyUrl: string, cache: string) =>
      runSpiceAsync(
        [
          "pip",
          "install",
          "--python",
          env.python,
          "-i",
          indexUrl,
          "--proxy",
          proxyUrl,
          "--dry-run",
          "colors",
        ],
        { cacheDir: join(work.path, cache) },
      );
    try {
      const plain = await install(index.url, `127.0.0.1:${proxyPort}`, "cache-refused-1");
      assert.equal(plain.status, 1);
      assert.match(
        plain.stderr,
        /error: Could not fetch .* through the proxy http:\/\/127\.0\.0\.1:\d+\n {2}caused by: the proxy asks for a user and password \(HTTP 407\)\nhint: Give them in the proxy's URL/,
      );
      assert.equal(asked, 1, "a refusal is not asked again");
      const secure = await install(
        "https://127.0.0.1:1/simple/",
        `http://someone:wrong@127.0.0.1:${proxyPort}`,
        "cache-refused-2",
      );
      assert.equal(secure.status, 1);
      assert.match(
        secure.stderr,
        /through the proxy http:\/\/someone:\*\*\*\*@127\.0\.0\.1:\d+\n {2}caused by: the proxy refused a tunnel to 127\.0\.0\.1:1 \(HTTP 403\)\nhint: .*NO_PROXY/,
      );
      assert.doesNotMatch(secure.stderr, /wrong/);
      assert.equal(asked, 2);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it("lists outdated and up-to-date distributions as pip does", async () => {
    const env = venv();
    const installed = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "lib==1.0", "colors", "app"],
      { cacheDir },
    );
    assert.equal(installed.status, 0, installed.stderr);
    // lib: 1.5 is the newest (2.0 is yanked); colors and app are the newest there are.
    for (const options of [
      ["--outdated"],
      ["--outdated", "--format", "json"],
      ["--uptodate"],
      ["--uptodate", "--format", "json"],
      ["--outdated", "--pre", "--not-required"],
    ]) {
      const pip = await runPipAsync(["--python", env.python, "list", ...options, "--index-url", index.url]);
      const spice = await runSpiceAsync(
        ["pip", "list", "--python", env.python, ...options, "--index-url", index.url],
        { cacheDir },
      );
      assert.equal(spice.status, 0, spice.stderr);
      assert.equal(spice.stdout, pip.stdout, options.join(" "));
    }
    const outdated = await runSpiceAsync(
      ["pip", "list", "--python", env.python, "--outdated", "-i", index.url],
      { cacheDir },
    );
    assert.match(outdated.stdout, /^lib +1\.0 +1\.5 +wheel$/m);
    // uv's tree --outdated: the newest release beside what it is newer than, in the tree.
    const tree = await runSpiceAsync(["pip", "tree", "--python", env.python, "--outdated", "-i", index.url], {
      cacheDir,
    });
    assert.equal(tree.status, 0, tree.stderr);
    assert.match(tree.stdout, /^[├└]── lib v1\.0 \(latest: v1\.5\) \[required: /m);
    assert.match(tree.stdout, /^app v1\.0\n/m);
    // pip index versions: the same text as pip's (newest first, yanked 2.0 left out), with
    // pip's options for another target and for Requires-Python.
    for (const [name, ...options] of [
      ["lib"],
      ["Colors"],
      ["newer", "--ignore-requires-python"],
      ["lib", "--platform", "win_amd64", "--python-version", "3.12", "--implementation", "cp"],
      ["lib", "--abi", "cp39", "--python-version", "39", "--no-binary", ":all:"],
    ]) {
      const pip = await runPipAsync([
        "--python",
        env.python,
        "index",
        "versions",
        name,
        ...options,
        "-i",
        index.url,
      ]);
      const spice = await runSpiceAsync(
        ["pip", "index", "versions", name, ...options, "--python", env.python, "-i", index.url],
        { cacheDir },
      );
      assert.equal(spice.status, 0, spice.stderr);
      assert.equal(spice.stdout, pip.stdout, [name, ...options].join(" "));
    }
    const versions = await runSpiceAsync(
      ["pip", "index", "versions", "lib", "--python", env.python, "-i", index.url],
      {
        cacheDir,
      },
    );
    assert.equal(
      versions.stdout,
      "lib (1.5)\nAvailable versions: 1.5, 1.0\n  INSTALLED: 1.0\n  LATEST:    1.5\n",
    );
    // pip 25.1's --json (pip 23.2 has none): one line, as json.dumps writes it; the name as asked.
    const json = (...words: string[]) =>
      runSpiceAsync(
        ["pip", "index", "versions", ...words, "--json", "--python", env.python, "-i", index.url],
        {
          cacheDir,
        },
      );
    assert.equal(
      (await json("lib")).stdout,
      '{"name": "lib", "versions": ["1.5", "1.0"], "latest": "1.5", "installed_version": "1.0"}\n',
    );
    const notInstalled = (await json("Newer", "--ignore-requires-python")).stdout;
    assert.match(
      notInstalled,
      /^\{"name": "Newer", "versions": \["[^"]+"(, "[^"]+")*\], "latest": "[^"]+"\}\n$/,
    );
    const freezeFormat = await runSpiceAsync(
      ["pip", "list", "--python", env.python, "--outdated", "--format", "freeze", "-i", index.url],
      { cacheDir },
    );
    assert.equal(freezeFormat.status, 2);
    assert.match(freezeFormat.stderr, /List format 'freeze' cannot be used with the --outdated option/);
  });

  it("changes nothing with --dry-run, and writes pip's installation report", async () => {
    const env = venv();
    const report = join(work.path, "report.json");
    const result = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "--report", report, "app"],
      { cacheDir },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /Would install 2 packages\n \+ app==1\.0\n \+ lib==1\.5/);
    assert.deepEqual(readdirSync(env.site), []);
    const parsed = JSON.parse(readFileSync(report, "utf8"));
    assert.equal(parsed.version, "1");
    const app = parsed.install.find((item: { metadata: { name: string } }) => item.metadata.name === "app");
    assert.equal(app.requested, true);
    assert.equal(app.is_direct, false);
    assert.match(app.download_info.url, /\/files\/app-1\.0-py3-none-any\.whl$/);
    assert.match(app.download_info.archive_info.hashes.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(app.metadata.requires_dist, [
      "lib>=1.0",
      "winonly; sys_platform == 'win32'",
      'colors; extra == "fancy"',
    ]);
    assert.deepEqual(app.metadata.keywords, ["fast", "correct", "tools"]);
    assert.equal(app.metadata.description, "# app\n\nA test application.\n");
    // pip's own report of the same install, from the same index, is the same document, its
    // packages in pip's resolver's pinning order; also with extras, which it lists only for the
    // user's own requirements.
    // From a --find-links directory too: pip hashes the local files it reports.
    const fromIndex = ["--index-url", index.url];
    const fromDirectory = ["--no-index", "--find-links", main];
    // Through a link to the directory: pip names its files by the directory's real path.
    const linked = join(work.path, "linked-wheels");
    symlinkSync(main, linked);
    for (const [requirements, sources] of [
      [["app"], fromIndex],
      [["suite"], fromIndex],
      [["suite", "app[Fancy]"], fromIndex],
      [["app"], fromDirectory],
      [["app"], ["--no-index", "--find-links", linked]],
      // A file: URL that climbs with ../, which pip normalizes.
      [[`${pathToFileURL(main)}/../${basename(main)}/app-1.0-py3-none-any.whl`], fromDirectory],
      // A wheel's path with extras and a marker, as pip reads an argument.
      [[`${join(main, "app-1.0-py3-none-any.whl")}[fancy]; python_version > '3'`], fromDirectory],
    ]) {
      const pipReport = join(work.path, "pip-report.json");
      const pip = await runPipAsync([
        "--python",
        env.python,
        "install",
        "--dry-run",
        "--quiet",
        "--report",
        pipReport,
        ...sources,
        ...requirements,
      ]);
      assert.equal(pip.status, 0, pip.stderr);
      const expected = JSON.parse(readFileSync(pipReport, "utf8"));
      const spiceReport = join(work.path, "spice-report.json");
      const spice = await runSpiceAsync(
        [
          "pip",
          "install",
          "--python",
          env.python,
          ...sources,
          "--dry-run",
          "--report",
          spiceReport,
          ...requirements,
        ],
        { cacheDir },
      );
      assert.equal(spice.status, 0, spice.stderr);
      const actual = JSON.parse(readFileSync(spiceReport, "utf8"));
      assert.deepEqual(actual, expected, requirements.join(" "));
    }
  });

  it("draws download bars on a terminal, and nothing when piped", async () => {
    const env = venv();
    const args = ["pip", "install", "--python", env.python, "-i", index.url, "app"];
    // `script` runs spice on a pseudo-terminal and copies what it draws to its own stdout.
    const onTerminalWith = (extra: string[], cache: string, python = env.python, variables = {}) => {
      const command = [process.execPath, SPICE, ...args, ...extra, "--python", python];
      const quoted = command.map((arg) => `'${arg}'`).join(" ");
      return new Promise<{ status: number | null; output: string }>((resolve) => {
        const child = spawn("script", ["-qec", quoted, "/dev/null"], {
          env: spiceEnvironment({ cacheDir: join(work.path, cache), env: variables }),
        });
        let output = "";
        child.stdout.on("data", (chunk) => {
          output += chunk;
        });
        child.on("close", (status) => resolve({ status, output }));
      });
    };
    // uv's --no-progress: none on a terminal either.
    const withoutBars = await onTerminalWith(["--no-progress"], "cache-tty-quiet", venv().python);
    assert.equal(withoutBars.status, 0, withoutBars.output);
    assert.match(withoutBars.output, /\+ app==1\.0/);
    assert.doesNotMatch(withoutBars.output, /Downloading|\[[#.]{20}\]/);
    // uv's UV_NO_PROGRESS, as SPICE_NO_PROGRESS.
    const byVariable = await onTerminalWith([], "cache-tty-variable", venv().python, {
      SPICE_NO_PROGRESS: "1",
    });
    assert.equal(byVariable.status, 0, byVariable.output);
    assert.doesNotMatch(byVariable.output, /Downloading|\[[#.]{20}\]/);
    const onTerminal = await onTerminalWith([], "cache-tty");
    assert.equal(onTerminal.status, 0, onTerminal.output);
    assert.match(onTerminal.output, /Downloading \d\/\d files \[[#.]{20}\]/);
    assert.match(onTerminal.output, / {2}\[[#. ]{20}\] +\S+ app-1\.0-py3-none-any\.whl/);
    assert.match(onTerminal.output, /\+ app==1\.0/);
    const piped = await runSpiceAsync(["pip", "uninstall", "-y", "--python", env.python, "app", "lib"], {
      cacheDir,
    });
    assert.equal(piped.status, 0, piped.stderr);
    const again = await runSpiceAsync(args, { cacheDir: join(work.path, "cache-pipe") });
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /Downloading|\x1b/);
  });

  it("checks a download against the hash its link gives, md5 and sha512 too, as pip does", async () => {
    const wheel = readFileSync(join(main, "lib-1.5-py3-none-any.whl"));
    const digest = (algorithm: string) => createHash(algorithm).update(wheel).digest("hex");
    // An index page as older indexes (Nexus, PyPI's once) write it: md5 fragments, no sha256.
    let fragment = "";
    let metadata = "";
    const server = createServer((request, response) => {
      if (request.url === "/links/") {
        response.writeHead(200, { "content-type": "text/html" });
        response.end(
          `<a href="../files/lib-1.5-py3-none-any.whl#${fragment}"${metadata}>lib-1.5-py3-none-any.whl</a>`,
        );
      } else if (request.url === "/files/lib-1.5-py3-none-any.whl") response.end(wheel);
      else if (request.url === "/files/lib-1.5-py3-none-any.whl.metadata")
        response.end("Metadata-Version: 2.1\nName: lib\nVersion: 1.5\n");
      else response.writeHead(404).end();
    });
    const links = `http://127.0.0.1:${await listening(server)}/links/`;
    const install = (from: string) => {
      const env = venv();
      const run = runSpiceAsync(
        ["pip", "install", "--python", env.python, "--no-index", "-f", from, "lib==1.5"],
        {
          cacheDir: join(work.path, "cache-link-hashes"),
        },
      );
      return run.then((result) => ({ result, env }));
    };
    try {
      for (const algorithm of ["md5", "sha1", "sha512"]) {
        fragment = `${algorithm}=${"0".repeat(digest(algorithm).length)}`;
        const { result: wrong, env } = await install(links);
        assert.equal(wrong.status, 1, algorithm);
        assert.match(wrong.stderr, /error: The hash of lib-1\.5-py3-none-any\.whl does not match/);
        assert.match(
          wrong.stderr,
          new RegExp(`expected ${algorithm}:0+, got ${algorithm}:${digest(algorithm)}`),
        );
        assert.deepEqual(readdirSync(env.site), []);
        fragment = `${algorithm}=${digest(algorithm).toUpperCase()}`;
        const { result: right } = await install(links);
        assert.equal(right.status, 0, right.stderr);
      }
      // The installation report names the md5 the link gives, as pip's does.
      fragment = `md5=${digest("md5")}`;
      const reported = async (
        run: (args: string[]) => Promise<{ status: number | null; stderr: string }>,
      ) => {
        const report = join(work.path, "report-md5.json");
        const result = await run([
          "install",
          "--dry-run",
          "--no-index",
          "-f",
          links,
          "--report",
          report,
          "lib==1.5",
        ]);
        assert.equal(result.status, 0, result.stderr);
        return JSON.parse(readFileSync(report, "utf8")).install[0].download_info;
      };
      const fromPip = await reported((args) => runPipAsync(["--python", venv().python, ...args]));
      assert.deepEqual(fromPip.archive_info, {
        hash: `md5=${digest("md5")}`,
        hashes: { md5: digest("md5") },
      });
      assert.deepEqual(
        await reported((args) =>
          runSpiceAsync(["pip", ...args, "--python", venv().python], {
            cacheDir: join(work.path, "cache-link-hashes"),
          }),
        ),
        fromPip,
      );
      // PEP 658's metadata file, by its md5.
      fragment = `sha256=${digest("sha256")}`;
      metadata = ` data-core-metadata="md5=${"2".repeat(32)}"`;
      const { result: described } = await install(links);
      assert.equal(described.status, 1);
      assert.match(
        described.stderr,
        /The metadata file of lib-1\.5-py3-none-any\.whl does not match its hash/,
      );
      assert.match(described.stderr, /expected md5:2{32}, got md5:[0-9a-f]{32}/);
      // A local page of links, to a local file.
      const page = join(work.path, "links-md5.html");
      writeFileSync(
        page,
        `<a href="${pathToFileURL(join(main, "lib-1.5-py3-none-any.whl")).href}#md5=${"1".repeat(32)}">lib</a>`,
      );
      const { result: local, env } = await install(page);
      assert.equal(local.status, 1);
      assert.match(local.stderr, new RegExp(`expected md5:1{32}, got md5:${digest("md5")}`));
      assert.deepEqual(readdirSync(env.site), []);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("checks hashes: a wrong --hash installs nothing, and hash-checking mode needs pins", async () => {
    const env = venv();
    const requirements = join(work.path, "hashed.txt");
    const good = sha256Hex(readFileSync(join(main, "lib-1.5-py3-none-any.whl")));
    writeFileSync(requirements, `lib==1.5 --hash=sha256:${"0".repeat(64)}\n`);
    const wrong = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", requirements],
      { cacheDir: join(work.path, "cache-hash") },
    );
    assert.equal(wrong.status, 1);
    assert.match(
      wrong.stderr,
      /The hash of lib-1\.5-py3-none-any\.whl \(lib\) is not one the requirements allow/,
    );
    assert.match(wrong.stderr, new RegExp(`got sha256:${good}`));
    assert.deepEqual(readdirSync(env.site), []);
    writeFileSync(requirements, `lib --hash=sha256:${good}\n`);
    const unpinned = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", requirements],
      { cacheDir },
    );
    assert.equal(unpinned.status, 1);
    assert.match(unpinned.stderr, /lib is not pinned with ==/);
    writeFileSync(requirements, `lib==1.5 --hash=sha256:${good}\n`);
    const right = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", requirements],
      { cacheDir },
    );
    assert.equal(right.status, 0, right.stderr);
    assert.equal(freeze(env.python), "lib==1.5\n");
    // The wheel is cached now. A cached wheel stands for a requirement only by a sha256 that the
    // requirement allows; with hashes of other algorithms given as well, the file is fetched and
    // checked against them (such a requirement used to take the cached wheel unchecked).
    const uninstalled = await runSpiceAsync(["pip", "uninstall", "-y", "--python", env.python, "lib"], {});
    assert.equal(uninstalled.status, 0, uninstalled.stderr);
    writeFileSync(requirements, `lib==1.5 --hash=sha384:${"0".repeat(96)} --hash=sha256:${"1".repeat(64)}\n`);
    const mixed = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", requirements],
      { cacheDir },
    );
    assert.equal(mixed.status, 1, mixed.stderr);
    assert.match(mixed.stderr, /is not one the requirements allow/);
    assert.equal(freeze(env.python), "");
    const sha512 = createHash("sha512")
      .update(readFileSync(join(main, "lib-1.5-py3-none-any.whl")))
      .digest("hex");
    writeFileSync(requirements, `lib==1.5 --hash=sha512:${sha512}\n`);
    const other = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", requirements],
      { cacheDir },
    );
    assert.equal(other.status, 0, other.stderr);
    assert.equal(freeze(env.python), "lib==1.5\n");
    // A dependency with no hash is refused in hash-checking mode, whether or not it is cached
    // (lib 1.5 is, and a constraint picks it; it was installed unchecked).
    const removed = await runSpiceAsync(["pip", "uninstall", "-y", "--python", env.python, "lib"], {});
    assert.equal(removed.status, 0, removed.stderr);
    const appHash = sha256Hex(readFileSync(join(main, "app-1.0-py3-none-any.whl")));
    writeFileSync(requirements, `app==1.0 --hash=sha256:${appHash}\n`);
    const constraints = join(work.path, "hashed-constraints.txt");
    writeFileSync(constraints, "lib==1.5\n");
    const unhashed = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", requirements, "-c", constraints],
      { cacheDir },
    );
    assert.equal(unhashed.status, 1, unhashed.stderr);
    assert.match(unhashed.stderr, /lib 1\.5 has no --hash, but hash-checking mode is on/);
    assert.equal(freeze(env.python), "");
  });

  it("reads metadata with range requests when the index has no metadata files", async () => {
    // A big wheel, so that reading its metadata by ranges is visibly less than downloading it.
    buildWheel(
      main,
      simplePackage("bulky", "1.0", { files: { "bulky/blob.txt": randomBytes(600_000).toString("hex") } }),
    );
    const env = venv();
    rangeLog.length = 0;
    const cache = join(work.path, "cache-ranges");
    const dry = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", `${rangedUrl}/simple/`, "--dry-run", "bulky"],
      { cacheDir: cache },
    );
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stderr, /\+ bulky==1\.0/);
    const size = readFileSync(join(main, "bulky-1.0-py3-none-any.whl")).length;
    const fetched = rangeLog.reduce((sum, entry) => sum + entry.bytes, 0);
    assert.ok(
      rangeLog.every((entry) => entry.range !== undefined),
      JSON.stringify(rangeLog),
    );
    assert.ok(fetched < size / 4, `fetched ${fetched} of ${size} bytes`);
    // A server without ranges sends the whole wheel once; the install then reuses it.
    rangeLog.length = 0;
    const whole = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", `${rangedUrl}/norange/simple/`, "bulky"],
      {
        cacheDir: join(work.path, "cache-norange"),
      },
    );
    assert.equal(whole.status, 0, whole.stderr);
    assert.equal(rangeLog.length, 1);
    assert.equal(freeze(env.python), "bulky==1.0\n");
    // A downloaded file that is no zip archive is refused by name, and nothing is installed.
    const garbled = join(main, "garbled-1.0-py3-none-any.whl");
    writeFileSync(garbled, randomBytes(5000));
    try {
      const refused = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", `${rangedUrl}/norange/simple/`, "garbled"],
        { cacheDir: join(work.path, "cache-norange") },
      );
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /error: garbled-1\.0-py3-none-any\.whl is not a valid wheel: not a zip file \(no end of central directory record\)/,
      );
      assert.equal(freeze(env.python), "bulky==1.0\n");
    } finally {
      rmSync(garbled);
    }
  });

  it("keeps an installed distribution whose version is the chosen one, however either writes it", async () => {
    // The wheel's name says 1.0.0 and its METADATA 1.0: one version (PEP 440), so a second
    // install changes nothing, as pip's does.
    const links = join(work.path, "links-equal-versions");
    mkdirSync(links);
    buildWheel(links, {
      ...simplePackage("samever", "1.0"),
      filename: "samever-1.0.0-py3-none-any.whl",
    });
    const env = venv();
    const args = ["pip", "install", "--python", env.python, "--no-index", "-f", links, "samever"];
    const first = await runSpiceAsync(args, { cacheDir });
    assert.equal(first.status, 0, first.stderr);
    const second = await runSpiceAsync(args, { cacheDir });
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stderr, /Audited 1 package/);
    assert.doesNotMatch(second.stderr, /Installed/);
    // --upgrade looks past the installed version, and finds the same one.
    const upgraded = await runSpiceAsync([...args, "--upgrade"], { cacheDir });
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(upgraded.stderr, /Audited 1 package/);
    assert.doesNotMatch(upgraded.stderr, /Installed/);
  });

  it("installs a requirement named by URL, and records it in direct_url.json", async () => {
    const env = venv();
    const url = new URL("../files/lib-1.0-py3-none-any.whl", index.url).toString();
    const result = await runSpiceAsync(["pip", "install", "--python", env.python, `lib @ ${url}`], {
      cacheDir,
    });
    assert.equal(result.status, 0, result.stderr);
    const direct = JSON.parse(readFileSync(join(env.site, "lib-1.0.dist-info", "direct_url.json"), "utf8"));
    assert.equal(direct.url, url);
    assert.equal(
      direct.archive_info.hashes.sha256,
      sha256Hex(readFileSync(join(main, "lib-1.0-py3-none-any.whl"))),
    );
    assert.equal(freeze(env.python), `lib @ ${url}#sha256=${direct.archive_info.hashes.sha256}\n`);
    // pip records a URL's `#subdirectory=` in direct_url.json, and freeze gives it back.
    const withSubdirectory = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--reinstall", `lib @ ${url}#subdirectory=sub`],
      { cacheDir },
    );
    assert.equal(withSubdirectory.status, 0, withSubdirectory.stderr);
    assert.equal(
      readFileSync(join(env.site, "lib-1.0.dist-info", "direct_url.json"), "utf8"),
      `{"archive_info": {"hash": "sha256=${direct.archive_info.hashes.sha256}", "hashes": {"sha256": "${direct.archive_info.hashes.sha256}"}}, "subdirectory": "sub", "url": "${url}"}`,
    );
    assert.equal(
      freeze(env.python),
      `lib @ ${url}#sha256=${direct.archive_info.hashes.sha256}&subdirectory=sub\n`,
    );
    // PEP 610: credentials are not recorded (as pip records them), environment variables are.
    for (const [userInfo, recorded] of [
      ["me:secret@", ""],
      ["${TOKEN}@", "${TOKEN}@"],
    ]) {
      const withUser = url.replace("://", `://${userInfo}`);
      const again = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "--force-reinstall", `lib @ ${withUser}`],
        { cacheDir },
      );
      assert.equal(again.status, 0, again.stderr);
      const recordedUrl = JSON.parse(
        readFileSync(join(env.site, "lib-1.0.dist-info", "direct_url.json"), "utf8"),
      ).url;
      assert.equal(recordedUrl, url.replace("://", `://${recorded}`));
    }
    // In hash-checking mode a URL's hash fragment is its requirement's hash, as pip takes it; a
    // wrong one installs nothing, the wheel cached or not.
    const hashed = (digest: string) =>
      runSpiceAsync(
        [
          "pip",
          "install",
          "--python",
          env.python,
          "--require-hashes",
          "--force-reinstall",
          `lib @ ${url}#sha256=${digest}`,
        ],
        { cacheDir },
      );
    const right = await hashed(direct.archive_info.hashes.sha256);
    assert.equal(right.status, 0, right.stderr);
    const wrong = await hashed("0".repeat(64));
    assert.equal(wrong.status, 1, wrong.stderr);
    assert.match(wrong.stderr, /hash/i);
    assert.doesNotMatch(wrong.stderr, /has no --hash/);
    // A bare URL with a fragment names a file too, and a dry run's report gives the hash of the
    // file it fetched: the same document as pip's.
    // A `#subdirectory=` is recorded too, as pip records it (a wheel has no use for it).
    for (const bare of [
      url,
      `${url}#sha256=${direct.archive_info.hashes.sha256}`,
      `${url}#egg=lib`,
      `${url}#egg=lib&subdirectory=sub`,
    ]) {
      const reports = [join(work.path, "url-pip.json"), join(work.path, "url-spice.json")];
      const common = ["install", "--dry-run", "--quiet", "--report"];
      const pip = await runPipAsync([
        "--python",
        env.python,
        ...common,
        reports[0],
        "--ignore-installed",
        bare,
      ]);
      assert.equal(pip.status, 0, pip.stderr);
      const spice = await runSpiceAsync(
        ["pip", ...common, reports[1], "--reinstall", bare, "--python", env.python],
        {
          cacheDir,
        },
      );
      assert.equal(spice.status, 0, spice.stderr);
      const [expected, actual] = reports.map((report) => JSON.parse(readFileSync(report, "utf8")));
      assert.deepEqual(actual, expected, bare);
    }
    // A URL no parser takes is the user's to fix (found by fuzzing: it was a crash).
    for (const bad of [
      "lib @ http://[::1/lib-1.0-py3-none-any.whl",
      "http://[::1/lib-1.0-py3-none-any.whl",
    ]) {
      const refused = await runSpiceAsync(["pip", "install", "--python", env.python, "--dry-run", bad], {
        cacheDir,
      });
      assert.notEqual(refused.status, 0, bad);
      assert.match(refused.stderr, /is not a valid URL/, bad);
      assert.doesNotMatch(refused.stderr, /internal error/, bad);
    }
  });

  it("knows a download by where it is kept, and fetches one damaged on disk again", async () => {
    const env = venv();
    const cache = join(work.path, "cache-damaged");
    const install = (...extra: string[]) =>
      runSpiceAsync(["pip", "install", "--python", env.python, "-i", index.url, "lib==1.0", ...extra], {
        cacheDir: cache,
      });
    const first = await install();
    assert.equal(first.status, 0, first.stderr);
    // Its sha256 names its place in the archives bucket: no index file is written for it.
    const indexed = join(cache, "local-archives-v1");
    assert.deepEqual(existsSync(indexed) ? readdirSync(indexed) : [], []);
    const archives = join(cache, "archives-v1");
    const archive = readdirSync(archives, { recursive: true, encoding: "utf8" })
      .map((path) => join(archives, path))
      .find((path) => path.endsWith("lib-1.0-py3-none-any.whl"));
    assert.ok(archive, "the download is kept");
    // Damaged on disk, with its unpacked entry gone: offline, a reinstall refuses it cleanly;
    // online, it is fetched again and replaced (it was refused before).
    const good = readFileSync(archive);
    writeFileSync(archive, Buffer.concat([good, Buffer.from("damage")]));
    rmSync(join(cache, BUCKETS.wheels), { recursive: true, force: true });
    const offline = await install("--force-reinstall", "--offline");
    assert.equal(offline.status, 1, offline.stderr);
    assert.doesNotMatch(offline.stderr, /internal error|\n\s+at /);
    const second = await install("--force-reinstall");
    assert.equal(second.status, 0, second.stderr);
    assert.deepEqual(readFileSync(archive), good);
    assert.equal(freeze(env.python), "lib==1.0\n");
  });

  it("resolves from fresh cached pages without loading what it does not use (zlib, crypto, the network)", async () => {
    // Each built-in loaded costs start-up time: node:zlib and the streams under it were 5 ms of a
    // warm resolve, loaded for a checksum of the tag list that JavaScript computes in 1 ms.
    const front = await cachingFront(index.url);
    try {
      const env = venv();
      const cache = join(work.path, "cache-builtins");
      const args = ["pip", "install", "--python", env.python, "--dry-run", "-i", front.url, "app"];
      const first = await runSpiceAsync(args, { cacheDir: cache });
      assert.equal(first.status, 0, first.stderr);
      const probe = join(work.path, "builtins-probe.cjs");
      const loaded = join(work.path, "builtins-loaded.txt");
      writeFileSync(
        probe,
        `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.join("\\n")));\n`,
      );
      const warm = await runSpiceAsync(args, {
        cacheDir: cache,
        env: { NODE_OPTIONS: `--require ${probe}` },
      });
      assert.equal(warm.status, 0, warm.stderr);
      assert.match(warm.stderr, /Would install/);
      const builtins = readFileSync(loaded, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("NativeModule "))
        .map((line) => line.slice("NativeModule ".length));
      assert.ok(builtins.includes("fs"), "the probe saw the run");
      for (const unused of ["zlib", "crypto", "child_process", "worker_threads", "net", "tls", "http"])
        assert.ok(!builtins.includes(unused), `a warm resolve loaded node:${unused}`);
    } finally {
      await new Promise((resolve) => front.server.close(resolve));
    }
  });

  it("works offline from the cache, and says what is missing", async () => {
    const env = venv();
    const cache = join(work.path, "cache-offline");
    const first = venv();
    const online = await runSpiceAsync(["pip", "install", "--python", first.python, "-i", index.url, "app"], {
      cacheDir: cache,
    });
    assert.equal(online.status, 0, online.stderr);
    const offline = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "--offline", "app"],
      {
        cacheDir: cache,
      },
    );
    assert.equal(offline.status, 0, offline.stderr);
    assert.match(offline.stderr, /Installed 2 packages/);
    // An upgrade offline takes the cached pages: it cannot ask again, as it does online.
    const upgradeOffline = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "--offline", "-U", "--reinstall", "app"],
      { cacheDir: cache },
    );
    assert.equal(upgradeOffline.status, 0, upgradeOffline.stderr);
    // uv's UV_OFFLINE, as SPICE_OFFLINE.
    const offlineByVariable = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "colors"],
      { cacheDir: cache, env: { SPICE_OFFLINE: "1" } },
    );
    assert.equal(offlineByVariable.status, 1);
    assert.match(offlineByVariable.stderr, /is not in the cache, and --offline forbids the network/);
    const missing = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "--offline", "colors"],
      {
        cacheDir: cache,
      },
    );
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /error: .*\/simple\/colors\/ is not in the cache, and --offline forbids the network/,
    );
  });

  it("verifies TLS certificates: --cert trusts a CA, --trusted-host skips the check", async () => {
    const tls = join(work.path, "tls");
    mkdirSync(tls);
    selfSigned(tls, "", "/CN=127.0.0.1");
    const { front, port, secure } = await httpsFront({
      key: readFileSync(join(tls, "key.pem")),
      cert: readFileSync(join(tls, "cert.pem")),
    });
    try {
      const env = venv();
      const base = ["pip", "install", "--python", env.python, "-i", secure, "--dry-run", "lib"];
      const refused = await runSpiceAsync(base, { cacheDir: join(work.path, "cache-tls-1") });
      assert.equal(refused.status, 1);
      assert.match(
        refused.stderr,
        /error: Could not fetch https:\/\/127\.0\.0\.1.*: 127\.0\.0\.1:\d+'s certificate is not trusted/,
      );
      // Asked once (the same certificate comes back), with the two ways out.
      assert.doesNotMatch(refused.stderr, /attempts/);
      assert.match(refused.stderr, new RegExp(`hint: .*--cert FILE.*--trusted-host 127\\.0\\.0\\.1:${port}`));
      const trusted = await runSpiceAsync([...base, "--cert", join(tls, "cert.pem")], {
        cacheDir: join(work.path, "cache-tls-2"),
      });
      assert.equal(trusted.status, 0, trusted.stderr);
      const skipped = await runSpiceAsync([...base, "--trusted-host", `127.0.0.1:${port}`], {
        cacheDir: join(work.path, "cache-tls-3"),
      });
      assert.equal(skipped.status, 0, skipped.stderr);
      // uv's name for it, which may name a URL, and uv's variable.
      const insecure = await runSpiceAsync([...base, "--allow-insecure-host", `https://127.0.0.1:${port}/`], {
        cacheDir: join(work.path, "cache-tls-12"),
      });
      assert.equal(insecure.status, 0, insecure.stderr);
      const insecureVariable = await runSpiceAsync(base, {
        cacheDir: join(work.path, "cache-tls-13"),
        env: { SPICE_INSECURE_HOST: `127.0.0.1:${port}` },
      });
      assert.equal(insecureVariable.status, 0, insecureVariable.stderr);
      // pip's configuration names the CA bundle too.
      const config = join(work.path, "pip-tls.conf");
      writeFileSync(config, `[global]\ncert = ${join(tls, "cert.pem")}\n`);
      const configured = await runSpiceAsync(base, {
        cacheDir: join(work.path, "cache-tls-7"),
        env: { PIP_CONFIG_FILE: config },
      });
      assert.equal(configured.status, 0, configured.stderr);
      const unreadable = await runSpiceAsync([...base, "--cert", join(tls, "missing.pem")], {
        cacheDir: join(work.path, "cache-tls-8"),
      });
      assert.equal(unreadable.status, 1);
      assert.match(unreadable.stderr, /^error: Could not read the CA bundle .*missing\.pem/m);
      // Plain HTTP reads no certificate, as pip (requests) checks --cert for https URLs only.
      const plainHttp = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "--dry-run", "lib"],
        { cacheDir: join(work.path, "cache-tls-21"), env: { SSL_CERT_FILE: join(tls, "missing.pem") } },
      );
      assert.equal(plainHttp.status, 0, plainHttp.stderr);
      // A requirements file's --trusted-host line counts too, as in pip.
      const trustingFile = join(work.path, "trusting.txt");
      writeFileSync(trustingFile, `--trusted-host 127.0.0.1:${port}\nlib\n`);
      const fromFile = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", secure, "--dry-run", "-r", trustingFile],
        { cacheDir: join(work.path, "cache-tls-6") },
      );
      assert.equal(fromFile.status, 0, fromFile.stderr);
      // A CA in NODE_EXTRA_CA_CERTS is trusted too, whether bin/spice kept Node from loading it
      // at start-up or Node loaded it.
      const extra = { NODE_EXTRA_CA_CERTS: join(tls, "cert.pem"), SSL_CERT_FILE: undefined };
      const viaLauncher = await runSpiceAsync(base, {
        cacheDir: join(work.path, "cache-tls-4"),
        env: extra,
        launcher: true,
      });
      assert.equal(viaLauncher.status, 0, viaLauncher.stderr);
      const direct = await runSpiceAsync(base, { cacheDir: join(work.path, "cache-tls-5"), env: extra });
      assert.equal(direct.status, 0, direct.stderr);
      // The CA bundle variables of requests, which pip users set, are read after SSL_CERT_FILE.
      const bundles = { SSL_CERT_FILE: undefined, REQUESTS_CA_BUNDLE: undefined, CURL_CA_BUNDLE: undefined };
      for (const [name, cache] of [
        ["REQUESTS_CA_BUNDLE", "cache-tls-9"],
        ["CURL_CA_BUNDLE", "cache-tls-10"],
      ]) {
        const viaVariable = await runSpiceAsync([...base, "-v"], {
          cacheDir: join(work.path, cache),
          env: { ...bundles, [name]: join(tls, "cert.pem") },
        });
        assert.equal(viaVariable.status, 0, viaVariable.stderr);
        assert.match(viaVariable.stderr, new RegExp(`cert: .*cert\\.pem \\(from ${name}\\)`));
      }
      selfSigned(tls, "other-", "/CN=127.0.0.1");
      const sslFirst = await runSpiceAsync(base, {
        cacheDir: join(work.path, "cache-tls-11"),
        env: {
          ...bundles,
          REQUESTS_CA_BUNDLE: join(tls, "cert.pem"),
          SSL_CERT_FILE: join(tls, "other-cert.pem"),
        },
      });
      assert.equal(sslFirst.status, 1, "SSL_CERT_FILE comes first");
      assert.match(sslFirst.stderr, /error: Could not fetch https:\/\/127\.0\.0\.1/);
      // OpenSSL's certificate directories (SSL_CERT_DIR, a list), as uv reads them: a hashed name
      // linking to the certificate beside a file holding none, with the environment's bundle.
      const directory = join(tls, "certs");
      mkdirSync(directory);
      writeFileSync(join(directory, "server.pem"), readFileSync(join(tls, "cert.pem")));
      symlinkSync("server.pem", join(directory, "0a1b2c3d.0"));
      writeFileSync(join(directory, "README"), "not a certificate\n");
      const directories = `${join(tls, "missing")}:${directory}`;
      const viaDirectory = await runSpiceAsync(base, {
        cacheDir: join(work.path, "cache-tls-14"),
        env: { ...bundles, SSL_CERT_DIR: directories },
      });
      assert.equal(viaDirectory.status, 0, viaDirectory.stderr);
      assert.match(viaDirectory.stderr, /warning: SSL_CERT_DIR names .*missing, which cannot be read/);
      const withBundle = await runSpiceAsync(base, {
        cacheDir: join(work.path, "cache-tls-15"),
        env: { ...bundles, SSL_CERT_FILE: join(tls, "other-cert.pem"), SSL_CERT_DIR: directory },
      });
      assert.equal(withBundle.status, 0, withBundle.stderr);
      // A bundle --cert names stands alone, as in pip.
      const certAlone = await runSpiceAsync([...base, "--cert", join(tls, "other-cert.pem")], {
        cacheDir: join(work.path, "cache-tls-16"),
        env: { ...bundles, SSL_CERT_DIR: directory },
      });
      assert.equal(certAlone.status, 1, certAlone.stderr);
      // requests takes a directory for its bundle, and so pip's --cert.
      const bundleDirectory = await runSpiceAsync(base, {
        cacheDir: join(work.path, "cache-tls-17"),
        env: { ...bundles, SSL_CERT_DIR: undefined, REQUESTS_CA_BUNDLE: directory },
      });
      assert.equal(bundleDirectory.status, 0, bundleDirectory.stderr);
      // uv's --system-certs (--native-tls, SPICE_SYSTEM_CERTS, pip's --use-feature truststore):
      // the system's CAs instead of Node's, which do not sign this server's either; a bundle the
      // environment names comes first.
      const unnamed = { ...bundles, SSL_CERT_DIR: undefined };
      for (const [args, env] of [
        [["--system-certs"], unnamed],
        [["--native-tls"], unnamed],
        [["--use-feature", "truststore"], unnamed],
        [[], { ...unnamed, SPICE_SYSTEM_CERTS: "true" }],
      ] as const) {
        const system = await runSpiceAsync([...base, "-v", ...args], {
          cacheDir: join(work.path, "cache-tls-19"),
          env,
        });
        assert.equal(system.status, 1, system.stderr);
        assert.match(system.stderr, /system-certs: the system's CA certificates \(from /);
        assert.match(system.stderr, /certificate is not trusted/);
      }
      const namedFirst = await runSpiceAsync([...base, "-v", "--system-certs"], {
        cacheDir: join(work.path, "cache-tls-20"),
        env: { ...unnamed, SSL_CERT_FILE: join(tls, "cert.pem") },
      });
      assert.equal(namedFirst.status, 0, namedFirst.stderr);
      assert.doesNotMatch(namedFirst.stderr, /system-certs:/);
      // A bundle holding no certificate is refused, as Python's ssl refuses it, before any request.
      const noCertificate = await runSpiceAsync([...base, "--cert", join(directory, "README")], {
        cacheDir: join(work.path, "cache-tls-18"),
      });
      assert.equal(noCertificate.status, 1);
      assert.match(
        noCertificate.stderr,
        /^error: Could not read the CA bundle .*README \(from --cert\)\n {2}caused by: it holds no PEM certificate/m,
      );
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it("shows the certificate --client-cert names to a server that asks for one", async () => {
    const tls = join(work.path, "tls-client");
    mkdirSync(tls);
    selfSigned(tls, "", "/CN=127.0.0.1");
    selfSigned(tls, "client-", "/CN=spice-client");
    // pip's --client-cert file holds the certificate and its private key.
    const clientPem = join(tls, "client.pem");
    writeFileSync(
      clientPem,
      Buffer.concat([readFileSync(join(tls, "client-cert.pem")), readFileSync(join(tls, "client-key.pem"))]),
    );
    const { front, secure } = await httpsFront({
      key: readFileSync(join(tls, "key.pem")),
      cert: readFileSync(join(tls, "cert.pem")),
      requestCert: true,
      rejectUnauthorized: true,
      ca: readFileSync(join(tls, "client-cert.pem")),
    });
    try {
      const env = venv();
      const args = ["install", "--dry-run", "-i", secure, "--cert", join(tls, "cert.pem"), "lib"];
      const refused = await runSpiceAsync(["pip", ...args, "--python", env.python], {
        cacheDir: join(work.path, "cache-client-1"),
      });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /error: Could not fetch https:\/\/127\.0\.0\.1/);
      const shown = await runSpiceAsync(
        ["pip", ...args, "--client-cert", clientPem, "--python", env.python],
        {
          cacheDir: join(work.path, "cache-client-2"),
        },
      );
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stderr, /\+ lib==1\.5/);
      const missing = await runSpiceAsync(
        ["pip", ...args, "--client-cert", join(tls, "missing.pem"), "--python", env.python],
        { cacheDir: join(work.path, "cache-client-3") },
      );
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /^error: Could not read the client certificate .*missing\.pem/m);
    } finally {
      await new Promise((resolve) => front.close(resolve));
    }
  });

  it("reads requirements files from http URLs, nested ones too, as pip does", async () => {
    const files: Record<string, string> = {
      "/reqs/top.txt": `--index-url ${index.url}\n-r nested/more.txt\napp\n`,
      "/reqs/nested/more.txt": "lib<1.5\n",
    };
    const server = createServer((request, response) => {
      const body = files[request.url ?? ""];
      response.writeHead(body === undefined ? 404 : 200, { "content-type": "text/plain" });
      response.end(body ?? "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      const env = venv();
      const result = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "--dry-run", "-r", `${base}/reqs/top.txt`],
        { cacheDir },
      );
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /Would install 2 packages\n \+ app==1\.0\n \+ lib==1\.0/);
      const pip = await runPipAsync([
        "--python",
        env.python,
        "install",
        "--dry-run",
        "-r",
        `${base}/reqs/top.txt`,
      ]);
      assert.match(pip.stdout, /Would install app-1\.0 lib-1\.0/);
      // Uninstalling by a file at a URL reads it the same way.
      const installed = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-r", `${base}/reqs/top.txt`],
        {
          cacheDir,
        },
      );
      assert.equal(installed.status, 0, installed.stderr);
      const removed = await runSpiceAsync(
        ["pip", "uninstall", "-y", "--python", env.python, "-r", `${base}/reqs/top.txt`],
        { cacheDir },
      );
      assert.equal(removed.status, 0, removed.stderr);
      assert.equal(freeze(env.python), "");
      const missing = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "--dry-run", "-r", `${base}/reqs/none.txt`],
        { cacheDir },
      );
      assert.equal(missing.status, 1);
      assert.match(
        missing.stderr,
        /error: Could not fetch requirements file http:\/\/127\.0\.0\.1:\d+\/reqs\/none\.txt/,
      );
      assert.match(missing.stderr, /HTTP 404/);
      // A local file that names a missing one: pip's words, and a hint about paths.
      const outer = join(work.path, "outer.txt");
      writeFileSync(outer, "-r nowhere.txt\n");
      const local = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "--dry-run", "-r", outer],
        {
          cacheDir,
        },
      );
      assert.equal(local.status, 1);
      assert.match(local.stderr, /error: Could not open requirements file: .*nowhere\.txt/);
      assert.match(local.stderr, /hint: Check that the file exists and is readable/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("takes the resolver's choices from the command line: --exclude-newer, --prefer-binary, --prerelease, --override, --resolution", async () => {
    // An index of its own: upload times come from the files' times.
    const files = join(work.path, "choices");
    mkdirSync(files);
    const at = (file: string, date: string) => utimesSync(file, new Date(date), new Date(date));
    at(buildWheel(files, simplePackage("timed", "1.0")), "2020-01-01T00:00:00Z");
    at(buildWheel(files, simplePackage("timed", "2.0")), "2030-01-01T00:00:00Z");
    buildWheel(files, simplePackage("binpref", "1.0"));
    buildSdist(files, "binpref", "2.0");
    buildWheel(files, simplePackage("prer", "1.0"));
    buildWheel(files, simplePackage("prer", "2.0b1"));
    buildWheel(files, simplePackage("needy", "1.0", { requires: ["timed<2"] }));
    const server = await startIndexServer({ directory: files });
    try {
      const env = venv();
      const overrides = join(work.path, "choices-overrides.txt");
      writeFileSync(overrides, "timed>=2\n");
      // uv's variables (as SPICE_*) too, for the options that have one.
      const dryRunWith = (variables: NodeJS.ProcessEnv, ...args: string[]) =>
        runSpiceAsync(["pip", "install", "--python", env.python, "--dry-run", "-i", server.url, ...args], {
          cacheDir,
          env: variables,
        });
      const dryRun = (...args: string[]) => dryRunWith({}, ...args);
      const chosenWith = async (variables: NodeJS.ProcessEnv, ...args: string[]) => {
        const result = await dryRunWith(variables, ...args);
        assert.equal(result.status, 0, `${args.join(" ")}: ${result.stderr}`);
        return [...result.stderr.matchAll(/^ \+ (\S+)$/gm)].map((match) => match[1]).join(" ");
      };
      const chosen = (...args: string[]) => chosenWith({}, ...args);
      /** A usage error (exit 2) that says `message`. */
      const refused = async (message: RegExp, ...args: string[]) => {
        const result = await dryRun(...args);
        assert.equal(result.status, 2, args.join(" "));
        assert.match(result.stderr, message);
      };
      assert.equal(await chosen("timed"), "timed==2.0");
      assert.equal(await chosen("timed", "--exclude-newer", "2025-01-01T00:00:00Z"), "timed==1.0");
      // What the cut-off left out is said, not "not found: check the name".
      const tooOld = await dryRun("timed", "--exclude-newer", "2019-01-01");
      assert.equal(tooOld.status, 1);
      assert.match(tooOld.stderr, /^hint: timed has files from after the --exclude-newer cut-off/m);
      assert.doesNotMatch(tooOld.stderr, /not found/);
      const undated = await dryRun("timed", "--exclude-newer", "2025-01-01", "--no-index", "-f", files);
      assert.equal(undated.status, 1);
      assert.match(undated.stderr, /^hint: timed has 2 files without an upload time, which --exclude-newer/m);
      assert.doesNotMatch(undated.stderr, /not found/);
      assert.equal(await chosen("binpref", "--no-deps"), "binpref==2.0");
      assert.equal(await chosen("binpref", "--prefer-binary"), "binpref==1.0");
      assert.equal(await chosen("prer"), "prer==1.0");
      assert.equal(await chosen("prer", "--prerelease", "allow"), "prer==2.0b1");
      // uv's --prerelease-package: one name's own policy.
      assert.equal(await chosen("prer", "--prerelease-package", "prer=allow"), "prer==2.0b1");
      assert.equal(
        await chosen("prer", "--prerelease", "allow", "--prerelease-package", "PRER=disallow"),
        "prer==1.0",
      );
      await refused(/--prerelease-package takes NAME=MODE/, "prer", "--prerelease-package", "prer=sometimes");
      assert.equal(await chosen("needy"), "needy==1.0 timed==1.0");
      assert.equal(await chosen("needy", "--override", overrides), "needy==1.0 timed==2.0");
      // uv's --excludes: a name its files give is left out whoever requires it, whatever its
      // line's version and marker say.
      const excludes = join(work.path, "choices-excludes.txt");
      writeFileSync(excludes, "Timed>=5 ; sys_platform == 'nowhere'\n");
      assert.equal(await chosen("needy", "--excludes", excludes), "needy==1.0");
      assert.equal(await chosen("needy", "prer", "--exclude", excludes), "needy==1.0 prer==1.0");
      // The same from uv's variables, as SPICE_*: files separated by spaces.
      const fromVariables = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "--dry-run", "-i", server.url, "needy", "prer"],
        { cacheDir, env: { SPICE_EXCLUDE: `${excludes} ${excludes}`, SPICE_OVERRIDE: overrides } },
      );
      assert.equal(fromVariables.status, 0, fromVariables.stderr);
      assert.match(fromVariables.stderr, /^ \+ needy==1\.0\n \+ prer==1\.0\n/m);
      const overridden = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "--dry-run", "-i", server.url, "needy"],
        { cacheDir, env: { SPICE_OVERRIDE: overrides } },
      );
      assert.match(overridden.stderr, / \+ timed==2\.0/);
      assert.equal(await chosen("timed", "--resolution", "lowest"), "timed==1.0");
      assert.equal(await chosen("prer", "--resolution", "lowest"), "prer==1.0");
      // uv's options for one package: a cut-off of its own, wheels only, no wheels.
      assert.equal(await chosen("timed", "--exclude-newer-package", "timed=2025-01-01"), "timed==1.0");
      assert.equal(
        await chosen("timed", "--exclude-newer", "2019-01-01", "--exclude-newer-package", "Timed=2035-01-01"),
        "timed==2.0",
      );
      // A span back from now, as uv takes it (timed 2.0's upload time lies ahead), and false for none.
      assert.equal(await chosen("timed", "--exclude-newer", "1 day"), "timed==1.0");
      assert.equal(await chosen("timed", "--exclude-newer", "P1D"), "timed==1.0");
      assert.equal(
        await chosen("timed", "--exclude-newer", "1 day", "--exclude-newer-package", "timed=false"),
        "timed==2.0",
      );
      await refused(
        /--exclude-newer takes a date .*, a span back from now \(7 days, P7D\) or false, not '1 month'/,
        "timed",
        "--exclude-newer",
        "1 month",
      );
      // uv's variables for these, as SPICE_*.
      assert.equal(await chosenWith({ SPICE_RESOLUTION: "lowest" }, "timed"), "timed==1.0");
      assert.equal(await chosenWith({ SPICE_EXCLUDE_NEWER: "2025-01-01" }, "timed"), "timed==1.0");
      assert.equal(await chosenWith({ SPICE_PRERELEASE: "allow" }, "prer"), "prer==2.0b1");
      assert.equal(await chosenWith({ SPICE_NO_BUILD: "1" }, "binpref"), "binpref==1.0");
      assert.equal(await chosenWith({ SPICE_NO_BUILD_PACKAGE: "other binpref" }, "binpref"), "binpref==1.0");
      assert.equal(await chosen("binpref", "--no-build"), "binpref==1.0");
      assert.equal(await chosen("binpref", "--no-build-package", "binpref"), "binpref==1.0");
      assert.equal(await chosen("binpref", "--no-build-package", "other"), "binpref==2.0");
      const onlySource = await dryRun("binpref<2", "--no-binary-package", "binpref");
      assert.equal(onlySource.status, 1, onlySource.stderr);
      await refused(/--exclude-newer-package takes NAME=DATE/, "timed", "--exclude-newer-package", "timed");
      // uv's --refresh-package: the pages of that name are asked for again however fresh they
      // are (this front says they keep ten minutes), the others' taken from the cache.
      const front = await cachingFront(server.url);
      try {
        const fresh = join(work.path, "cache-refresh-package");
        const pinned = async (...args: string[]) => {
          const result = await runSpiceAsync(
            [
              "pip",
              "install",
              "--python",
              env.python,
              "--dry-run",
              "-i",
              front.url,
              "timed",
              "prer",
              ...args,
            ],
            { cacheDir: fresh },
          );
          assert.equal(result.status, 0, result.stderr);
          return [...result.stderr.matchAll(/^ \+ (\S+)$/gm)].map((match) => match[1]).join(" ");
        };
        assert.equal(await pinned(), "prer==1.0 timed==2.0");
        buildWheel(files, simplePackage("timed", "3.0"));
        buildWheel(files, simplePackage("prer", "3.0"));
        // spice serve looks at its directory again at most once a second.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal(await pinned(), "prer==1.0 timed==2.0");
        // As uv: -P NAME implies --refresh-package NAME, and --upgrade implies --refresh.
        assert.equal(await pinned("--upgrade-package", "prer"), "prer==3.0 timed==2.0");
        assert.equal(await pinned("--refresh-package", "Timed"), "prer==3.0 timed==3.0");
        buildWheel(files, simplePackage("timed", "4.0"));
        await new Promise((resolve) => setTimeout(resolve, 1100));
        assert.equal(await pinned(), "prer==3.0 timed==3.0");
        assert.equal(await pinned("--upgrade"), "prer==3.0 timed==4.0");
      } finally {
        await new Promise((resolve) => front.server.close(resolve));
      }
    } finally {
      await server.close();
    }
  });

  it("reads plain-http indexes and find-links of other hosts only with --trusted-host, as pip", async () => {
    const env = venv();
    // 0.0.0.0 reaches this machine's server, but is not one of pip's secure origins (https,
    // file, localhost, 127.0.0.0/8, ::1).
    const elsewhere = index.url.replace("127.0.0.1", "0.0.0.0");
    const base = ["pip", "install", "--python", env.python, "--dry-run", "colors"];
    const ignored = await runSpiceAsync([...base, "-i", elsewhere], { cacheDir });
    assert.equal(ignored.status, 1);
    assert.match(
      ignored.stderr,
      /^warning: The repository located at 0\.0\.0\.0 is not a trusted or secure host and is being ignored\. .*'--trusted-host 0\.0\.0\.0'\.$/m,
    );
    const links = await runSpiceAsync(
      [...base, "--no-index", "-f", elsewhere.replace("/simple/", "/files/")],
      {
        cacheDir,
      },
    );
    assert.match(links.stderr, /The repository located at 0\.0\.0\.0 is not a trusted or secure host/);
    // Nowhere left to look, as with --no-index alone: the hint says so.
    for (const result of [ignored, links, await runSpiceAsync([...base, "--no-index"], { cacheDir })])
      assert.match(result.stderr, /^hint: There was no index and no --find-links location to look in/m);
    const port = new URL(elsewhere).port;
    for (const trusted of ["0.0.0.0", `0.0.0.0:${port}`]) {
      const read = await runSpiceAsync([...base, "-i", elsewhere, "--trusted-host", trusted], { cacheDir });
      assert.equal(read.status, 0, read.stderr);
      assert.match(read.stderr, /\+ colors==0\.3/);
      assert.doesNotMatch(read.stderr, /not a trusted or secure host/);
    }
    // This machine by name is as secure an origin as by address.
    const local = await runSpiceAsync([...base, "-i", index.url.replace("127.0.0.1", "localhost")], {
      cacheDir,
    });
    assert.equal(local.status, 0, local.stderr);
  });

  it("takes a name only from the first index that has it, extra indexes first (uv's order), unless told to merge", async () => {
    const env = venv();
    // The setup pip users know: the public index as --index-url, the private one as an extra.
    const base = ["pip", "install", "--python", env.python, "--dry-run", "-i", other.url];
    const safe = await runSpiceAsync([...base, "--extra-index-url", index.url, "internal"], { cacheDir });
    assert.equal(safe.status, 0, safe.stderr);
    assert.match(safe.stderr, /\+ internal==1\.0/);
    const merged = await runSpiceAsync(
      [...base, "--extra-index-url", index.url, "--index-strategy", "unsafe-best-match", "internal"],
      { cacheDir },
    );
    assert.match(merged.stderr, /\+ internal==9\.9/);
    // uv's unsafe-first-match: every index, each one's versions before the next one's.
    const firstMatch = (requirement: string) =>
      runSpiceAsync(
        [...base, "--extra-index-url", index.url, "--index-strategy", "unsafe-first-match", requirement],
        { cacheDir },
      );
    assert.match((await firstMatch("internal")).stderr, /\+ internal==1\.0/);
    assert.match((await firstMatch("internal>1")).stderr, /\+ internal==9\.9/);
    const onlyFirst = await runSpiceAsync([...base, "--extra-index-url", index.url, "internal>1"], {
      cacheDir,
    });
    assert.equal(onlyFirst.status, 1);
    // uv's spellings of the same: --default-index, and --index [NAME=]URL before it.
    const uvStyle = await runSpiceAsync(
      [
        "pip",
        "install",
        "--python",
        env.python,
        "--dry-run",
        "--default-index",
        other.url,
        "--index",
        `private=${index.url}`,
        "internal",
        "lib==1.0",
      ],
      { cacheDir },
    );
    assert.equal(uvStyle.status, 0, uvStyle.stderr);
    assert.match(uvStyle.stderr, /\+ internal==1\.0\n \+ lib==1\.0/);
    const fromVariables = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--dry-run", "internal"],
      { cacheDir, env: { SPICE_DEFAULT_INDEX: other.url, SPICE_INDEX: `private=${index.url}` } },
    );
    assert.equal(fromVariables.status, 0, fromVariables.stderr);
    assert.match(fromVariables.stderr, /\+ internal==1\.0/);
    const both = await runSpiceAsync([...base, "--default-index", index.url, "internal"], { cacheDir });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /--default-index and --index-url both name the default index/);
    // A requirements file's --extra-index-url adds to the command line's indexes, as with pip
    // (it had replaced them); its --index-url replaces them.
    const extraInFile = join(work.path, "extra-index.txt");
    writeFileSync(extraInFile, `--extra-index-url ${index.url}\ninternal\nlib==1.0\n`);
    const added = await runSpiceAsync([...base, "-r", extraInFile, "-v"], { cacheDir });
    assert.equal(added.status, 0, added.stderr);
    assert.match(added.stderr, /\+ internal==1\.0\n \+ lib==1\.0/);
    assert.match(added.stderr, new RegExp(`extra-index-url: ${index.url} \\(from a requirements file\\)`));
    assert.match(
      added.stderr,
      new RegExp(`indexes in the order a name is looked up .*: ${index.url}, ${other.url}\n`),
    );
    const replacing = join(work.path, "index-url.txt");
    writeFileSync(replacing, `-i ${other.url}\ninternal\n`);
    const replaced = await runSpiceAsync(
      [
        "pip",
        "install",
        "--python",
        env.python,
        "--dry-run",
        "--extra-index-url",
        index.url,
        "-r",
        replacing,
      ],
      { cacheDir },
    );
    assert.equal(replaced.status, 0, replaced.stderr);
    assert.match(replaced.stderr, /\+ internal==9\.9/);
  });

  it("fails clearly against servers that break HTTP, and never follows a redirect off http(s)", async () => {
    // Raw answers a test server sends whatever is asked: each must end in a clean error.
    const answers: Array<[string, string, RegExp]> = [
      ["no HTTP at all", "NOT HTTP AT ALL\r\n\r\n", /does not match the HTTP\/1\.1 protocol/],
      [
        "a bad chunk",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
        /Invalid character in chunk size/,
      ],
      [
        "a redirect to itself",
        "HTTP/1.1 302 Found\r\nLocation: /simple/lib/\r\nContent-Length: 0\r\n\r\n",
        /Too many redirects/,
      ],
      [
        "a redirect to a file",
        "HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n",
        /must start with `http:` or `https:`/,
      ],
      ["an unknown status", "HTTP/1.1 999 Weird\r\nContent-Length: 0\r\n\r\n", /answered HTTP 999/],
    ];
    const env = venv();
    for (const [label, answer, pattern] of answers) {
      const server = createNetServer((socket) => {
        socket.once("data", () => socket.end(answer));
        socket.on("error", () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      const result = await runSpiceAsync(
        [
          "pip",
          "install",
          "--python",
          env.python,
          "--retries",
          "0",
          "-i",
          `http://127.0.0.1:${port}/simple/`,
          "lib",
        ],
        { cacheDir: join(work.path, "cache-broken-http") },
      );
      server.close();
      assert.equal(result.status, 1, `${label}: ${result.stderr}`);
      assert.match(result.stderr, pattern, label);
      assert.doesNotMatch(result.stderr, /internal error|\n\s+at /, label);
    }
    assert.deepEqual(readdirSync(env.site), []);
  });

  it("refuses a malformed index page clearly, changing nothing", async () => {
    const env = venv();
    for (const path of ["/json/", "/html/", "/hostile/"]) {
      const result = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", `${brokenUrl}${path}`, "lib"],
        { cacheDir: join(work.path, "cache-broken") },
      );
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /error: The index page .* is malformed/);
      assert.doesNotMatch(result.stderr, /internal error|at .*\.ts:\d+/);
    }
    assert.deepEqual(readdirSync(env.site), []);
    const inconsistent = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", `${brokenUrl}/inconsistent/`, "lib"],
      { cacheDir: join(work.path, "cache-broken") },
    );
    assert.equal(inconsistent.status, 1, inconsistent.stderr);
    assert.match(
      inconsistent.stderr,
      /error: The metadata of lib-1\.0-py3-none-any\.whl says version 9\.9, not 1\.0/,
    );
    // Found by fuzzing: metadata that does not parse was a crash.
    const invalid = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", `${brokenUrl}/invalid-metadata/`, "lib"],
      { cacheDir: join(work.path, "cache-broken") },
    );
    assert.equal(invalid.status, 1, invalid.stderr);
    assert.match(
      invalid.stderr,
      /error: The metadata of lib-1\.0-py3-none-any\.whl is invalid\n {2}caused by: .*version/,
    );
    assert.doesNotMatch(invalid.stderr, /internal error/);
    assert.equal(existsSync(join(work.path, "escaped")), false);
    assert.equal(existsSync(join(work.path, "escaped.metadata")), false);
  });

  it("takes an index given as a path, as pip does, and refuses a malformed or missing one clearly", () => {
    const root = join(work.path, "path-index");
    mkdirSync(join(root, "simple", "lib"), { recursive: true });
    mkdirSync(join(root, "files"));
    const wheel = "lib-1.0-py3-none-any.whl";
    copyFileSync(join(main, wheel), join(root, "files", wheel));
    writeFileSync(join(root, "simple", "lib", "index.html"), `<a href="../../files/${wheel}">${wheel}</a>\n`);
    const env = venv();
    const install = (options: string[], cwd = work.path) =>
      runSpice(["pip", "install", "--python", env.python, "--dry-run", ...options, "lib"], { cacheDir, cwd });
    for (const [location, cwd] of [
      [join(root, "simple"), work.path],
      ["simple", root],
    ]) {
      const result = install(["-i", location], cwd);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, / \+ lib==1\.0/);
    }
    for (const [options, message] of [
      [["-i", "no-such-index"], /The index 'no-such-index' is neither a URL nor an existing directory/],
      [
        ["-i", "http://user:secret@[bad/simple"],
        /The index 'http:\/\/user:\*\*\*\*@\[bad\/simple' is not a valid URL/,
      ],
      [["-f", "http://[bad/"], /The find-links location 'http:\/\/\[bad\/' is not a valid URL/],
    ] as const) {
      const result = install([...options]);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /internal error|secret/);
    }
    // A requirements file at such a URL (found by the command-line fuzzer: an internal error).
    const file = install(["-r", "http://user:secret@[bad/requirements.txt"]);
    assert.equal(file.status, 1, file.stderr);
    assert.match(
      file.stderr,
      /error: Could not fetch http:\/\/user:\*\*\*\*@\[bad\/requirements\.txt\n {2}caused by: it is not a valid URL\n/,
    );
    assert.doesNotMatch(file.stderr, /internal error|secret/);
  });

  it("says a full disk or an unusable cache is what it is: no retries, no internal error, nothing installed", async () => {
    const directory = join(work.path, "big-files");
    mkdirSync(directory);
    // 400 KB that do not compress, and 400 KB that do: a download, then an unpacked file, too big.
    buildWheel(directory, {
      ...simplePackage("noise", "1.0"),
      files: { "noise/__init__.py": "", "noise/data.txt": randomBytes(300_000).toString("base64") },
    });
    buildWheel(directory, {
      ...simplePackage("zeros", "1.0"),
      files: { "zeros/__init__.py": "", "zeros/data.txt": "0".repeat(400_000) },
    });
    const big = await startIndexServer({ directory });
    try {
      const env = venv();
      for (const [name, message] of [
        [
          "noise",
          /error: Could not save noise-1\.0-py3-none-any\.whl into .*archives-v1\n {2}caused by: EFBIG/,
        ],
        [
          "zeros",
          /error: Could not unpack zeros-1\.0-py3-none-any\.whl into .*wheels-v5\n {2}caused by: EFBIG/,
        ],
      ] as const) {
        const result = await runSpiceAsync(["pip", "install", "--python", env.python, "-i", big.url, name], {
          cacheDir: join(work.path, `cache-limited-${name}`),
          fileSizeLimitKiB: 100,
        });
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, message);
        assert.doesNotMatch(result.stderr, /internal error|attempts/);
      }
      assert.deepEqual(readdirSync(env.site), []);
      // A cache directory that cannot be made: said before anything is fetched.
      const unusable = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", big.url, "zeros"],
        {
          cacheDir: join(env.site, "..", "..", "..", "pyvenv.cfg", "cache"),
        },
      );
      assert.equal(unusable.status, 1);
      assert.match(
        unusable.stderr,
        /error: spice's cache directory .*pyvenv\.cfg\/cache cannot be used\n {2}caused by: ENOTDIR/,
      );
      // What the commands write where the user says: a path through a file cannot be written.
      const blocked = join(env.root, "pyvenv.cfg");
      for (const [args, message] of [
        [
          ["pip", "compile", "-i", big.url, "-", "-o", join(blocked, "out.txt")],
          /Could not write .*out\.txt/,
        ],
        [
          ["pip", "download", "-i", big.url, "zeros", "-d", join(blocked, "wheels")],
          /Could not make the directory/,
        ],
        [
          [
            "pip",
            "install",
            "--dry-run",
            "--python",
            env.python,
            "-i",
            big.url,
            "zeros",
            "--report",
            join(blocked, "r.json"),
          ],
          /Could not write the report to/,
        ],
      ] as const) {
        const result = await runSpiceAsync([...args], { cacheDir });
        assert.equal(result.status, 1, result.stderr);
        assert.match(result.stderr, message);
        assert.match(result.stderr, /caused by: (ENOTDIR|EEXIST)/);
      }
      const clean = runSpice(["cache", "clean"], { cacheDir: join(env.root, "pyvenv.cfg", "cache") });
      assert.equal(clean.status, 1);
      assert.match(clean.stderr, /error: Could not remove spice's cache at .*\n {2}caused by: ENOTDIR/);
    } finally {
      await big.close();
    }
  });

  it("reads the index from pip's configuration, and says where it came from", async () => {
    const env = venv();
    const config = join(work.path, "pip.conf");
    writeFileSync(config, `[global]\nindex-url = ${other.url}\n\n[install]\nindex-url =\n    ${index.url}\n`);
    const fromConfig = await runSpiceAsync(
      ["-v", "pip", "install", "--python", env.python, "--dry-run", "internal"],
      {
        cacheDir,
        env: { PIP_CONFIG_FILE: config },
      },
    );
    assert.equal(fromConfig.status, 0, fromConfig.stderr);
    assert.match(fromConfig.stderr, /\+ internal==1\.0/);
    assert.match(fromConfig.stderr, new RegExp(`index-url: ${index.url} \\(from ${config} \\[install\\]\\)`));
    // PIP_INDEX_URL beats the file; SPICE_INDEX_URL beats both.
    const fromEnv = await runSpiceAsync(["pip", "install", "--python", env.python, "--dry-run", "internal"], {
      cacheDir,
      env: { PIP_CONFIG_FILE: config, PIP_INDEX_URL: other.url },
    });
    assert.match(fromEnv.stderr, /\+ internal==9\.9/);
    const fromSpice = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--dry-run", "internal"],
      {
        cacheDir,
        env: { PIP_CONFIG_FILE: config, PIP_INDEX_URL: other.url, SPICE_INDEX_URL: index.url },
      },
    );
    assert.match(fromSpice.stderr, /\+ internal==1\.0/);
    // Constraint files from the configuration apply, with the command line's, as in pip.
    const constraints = join(work.path, "configured-constraints.txt");
    writeFileSync(constraints, "lib<1.5\n");
    const constrained = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--dry-run", "-i", index.url, "app"],
      { cacheDir, env: { PIP_CONFIG_FILE: config, PIP_CONSTRAINT: constraints } },
    );
    assert.match(constrained.stderr, /\+ lib==1\.0/);
    const pip = await runPipAsync([
      "--python",
      env.python,
      "install",
      "--dry-run",
      "-i",
      index.url,
      "app",
      "-c",
      constraints,
    ]);
    assert.match(pip.stdout, /Would install app-1\.0 lib-1\.0/);
    // A list the command line extends: pip adds its values to the configuration's.
    const both = await runSpiceAsync(
      [
        "-v",
        "pip",
        "install",
        "--python",
        env.python,
        "--dry-run",
        "--extra-index-url",
        index.url,
        "internal",
      ],
      { cacheDir, env: { PIP_CONFIG_FILE: config, PIP_EXTRA_INDEX_URL: other.url } },
    );
    assert.match(
      both.stderr,
      new RegExp(
        `extra-index-url: ${other.url} ${index.url} \\(from PIP_EXTRA_INDEX_URL and command line\\)`,
      ),
    );
    // So do the options pip users set there.
    const noDeps = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--dry-run", "-i", index.url, "app"],
      { cacheDir, env: { PIP_CONFIG_FILE: config, PIP_NO_DEPS: "yes" } },
    );
    assert.match(noDeps.stderr, /Would install 1 package\n \+ app==1\.0\n/);
    const notBoolean = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--dry-run", "-i", index.url, "app"],
      { cacheDir, env: { PIP_CONFIG_FILE: config, PIP_NO_DEPS: "maybe" } },
    );
    assert.equal(notBoolean.status, 2);
    assert.match(notBoolean.stderr, /maybe \(from PIP_NO_DEPS\) is not a valid value for no-deps/);
    const target = join(work.path, "configured-target");
    const targeted = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "lib==1.0"],
      {
        cacheDir,
        env: { PIP_CONFIG_FILE: config, PIP_TARGET: target },
      },
    );
    assert.equal(targeted.status, 0, targeted.stderr);
    assert.ok(existsSync(join(target, "lib-1.0.dist-info", "METADATA")));
    // A file configparser refuses is refused, as pip refuses it, not read in part.
    const broken = join(work.path, "broken-pip.conf");
    writeFileSync(broken, `[global]\nindex-url = ${index.url}\ntrusted-host 127.0.0.1\n`);
    const refused = await runSpiceAsync(["pip", "install", "--python", env.python, "lib==1.0"], {
      cacheDir,
      env: { PIP_CONFIG_FILE: broken },
    });
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `^error: Could not load pip's configuration file ${broken}\n {2}caused by: line 3: 'trusted-host 127\\.0\\.0\\.1' is neither`,
        "m",
      ),
    );
    assert.deepEqual(readdirSync(env.site), []);
  });

  it("reads the pip.conf of the environment it acts on, however it was chosen, as pip run there does", async () => {
    // No other files: a home of its own, no global ones that set an index.
    const home = join(work.path, "site-config-home");
    mkdirSync(home);
    const isolated = { PIP_CONFIG_FILE: "", HOME: home, XDG_CONFIG_HOME: "", XDG_CONFIG_DIRS: home };
    const project = join(work.path, "site-config-project");
    mkdirSync(project);
    const venvRoot = join(project, ".venv");
    assert.equal(runSpice(["venv", venvRoot, "--python", "3.11"], { cacheDir }).status, 0);
    writeFileSync(join(venvRoot, "pip.conf"), `[global]\nindex-url = ${index.url}\n`);
    // A Python of no venv reads the file in its own prefix, named or found on PATH with --system.
    const plainPrefix = join(work.path, "site-config-plain");
    const plain = plainPython(plainPrefix);
    writeFileSync(join(plainPrefix, "pip.conf"), `[global]\nindex-url = ${index.url}\n`);
    const plainPath = `${dirname(plain)}:/usr/bin:/bin`;
    for (const [args, env, cwd, prefix] of [
      [["--python", join(venvRoot, "bin", "python")], { VIRTUAL_ENV: "" }, project, venvRoot],
      [["--python", venvRoot], { VIRTUAL_ENV: "" }, project, venvRoot],
      [[], { VIRTUAL_ENV: "" }, project, venvRoot], // the nearest .venv
      [[], { VIRTUAL_ENV: venvRoot }, project, venvRoot],
      [["--python", plain], { VIRTUAL_ENV: "" }, home, plainPrefix],
      [["--system"], { VIRTUAL_ENV: "", PATH: plainPath }, home, plainPrefix],
    ] as const) {
      const result = await runSpiceAsync(["-v", "pip", "install", ...args, "--dry-run", "internal"], {
        cacheDir,
        cwd,
        env: { ...isolated, ...env },
      });
      assert.equal(result.status, 0, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /\+ internal==1\.0/);
      assert.match(
        result.stderr,
        new RegExp(`index-url: ${index.url} \\(from ${prefix}/pip\\.conf \\[global\\]\\)`),
      );
    }
    // Another environment named on the command line brings its own file, not the active one's.
    const other = venv();
    const elsewhere = await runSpiceAsync(
      ["pip", "install", "--python", other.python, "--dry-run", "internal"],
      {
        cacheDir,
        cwd: project,
        env: { ...isolated, VIRTUAL_ENV: venvRoot },
      },
    );
    assert.equal(elsewhere.status, 1);
    assert.match(elsewhere.stderr, /Pass --index-url URL/);
    // pip config sees it as pip run with that interpreter does, and changes it by default.
    // The same variables for both (PIP_ ones are listed): none but what the test sets.
    const configEnv = { ...isolated, PIP_CONFIG_FILE: undefined, VIRTUAL_ENV: "" };
    const pip = (...args: string[]) =>
      spawnSync(PYTHON, ["-m", "pip", "--python", join(venvRoot, "bin", "python"), "config", ...args], {
        env: spiceEnvironment({ env: configEnv }),
        encoding: "utf8",
        cwd: project,
      });
    const spiceConfig = (...args: string[]) =>
      runSpice(["pip", "config", ...args], { cwd: project, env: configEnv });
    assert.equal(spiceConfig("list").stdout, pip("list").stdout);
    assert.equal(spiceConfig("list", "--site").stdout, pip("list", "--site").stdout);
    const set = spiceConfig("set", "global.timeout", "30");
    assert.equal(set.status, 0, set.stderr);
    assert.equal(set.stderr, `Writing to ${join(venvRoot, "pip.conf")}\n`);
    assert.match(pip("list").stdout, /^global\.timeout='30'$/m);
  });

  it("refuses in a constraints file what pip refuses there: extras, editables, unnamed requirements", () => {
    const env = venv();
    const project = join(work.path, "constrained-project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "constrained"\nversion = "1.0"\n');
    for (const [line, message] of [
      ["lib[extra]==1.0", "Constraints cannot have extras"],
      [`-e ${project}`, "Unnamed requirements are not allowed as constraints"],
      [
        "-e git+https://example.invalid/lib.git#egg=lib",
        "Editable requirements are not allowed as constraints",
      ],
      [project, "Unnamed requirements are not allowed as constraints"],
    ]) {
      const constraints = join(work.path, "bad-constraints.txt");
      writeFileSync(constraints, `${line}\n`);
      const result = runSpice(
        ["pip", "install", "--python", env.python, "--dry-run", "-i", index.url, "lib", "-c", constraints],
        { cacheDir },
      );
      assert.equal(result.status, 1, line);
      assert.match(result.stderr, new RegExp(`bad-constraints\\.txt:1: ${message}`), line);
    }
  });

  it("does not use a version whose Requires-Dist does not parse, and says why", () => {
    const links = join(work.path, "invalid-dependency");
    mkdirSync(links);
    buildWheel(links, simplePackage("shaky", "1.0", { requires: ["steady"] }));
    buildWheel(links, simplePackage("shaky", "2.0", { requires: ["steady (>=1.0"] }));
    buildWheel(
      links,
      simplePackage("shaky", "3.0", { requires: ["steady", "other (>=1 ; extra == 'docs'"] }),
    );
    buildWheel(links, simplePackage("steady", "1.0"));
    const env = venv();
    const install = (requirement: string) =>
      runSpice(
        ["pip", "install", "--python", env.python, "--dry-run", "--no-index", "-f", links, requirement],
        {
          cacheDir,
        },
      );
    // An invalid entry for an extra nobody asks for is no reason to refuse 3.0.
    assert.match(install("shaky").stderr, / \+ shaky==3\.0\n \+ steady==1\.0/);
    assert.match(install("shaky<3").stderr, / \+ shaky==1\.0\n/);
    const refused = install("shaky==2.0");
    assert.equal(refused.status, 1);
    assert.match(
      refused.stderr,
      /shaky==2\.0 cannot be used \(its metadata has an invalid Requires-Dist: 'steady \(>=1\.0'\)/,
    );
    assert.match(
      install("shaky[docs]==3.0").stderr,
      /invalid Requires-Dist: 'other \(>=1 ; extra == 'docs''/,
    );
  });

  it("explains a failed resolution with hints", async () => {
    const env = venv();
    const result = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "lib>=3", "--dry-run"],
      {
        cacheDir,
      },
    );
    assert.equal(result.status, 1);
    assert.match(result.stderr, /No solution found/);
    assert.match(result.stderr, /you require lib>=3, which no version of lib satisfies/);
    assert.match(result.stderr, /hint: lib has yanked versions \(2\.0\), usable only when pinned with ==/);
    // What is there, as pip's "(from versions: ...)" says; and a name the index does not have.
    assert.match(result.stderr, /\nhint: lib has 2 usable versions: 1\.5, 1\.0\n/);
    const missing = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "no-such-project", "--dry-run"],
      { cacheDir },
    );
    assert.equal(missing.status, 1);
    assert.match(
      missing.stderr,
      /hint: no-such-project was not found on the index or in the --find-links locations/,
    );
    assert.doesNotMatch(missing.stderr, /does not end in \/simple\//);
    // A server's root given for its index: every name is missing there, and the hint says where to look.
    const root = index.url.replace(/simple\/$/, "");
    const atRoot = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", root, "lib", "--dry-run"],
      { cacheDir },
    );
    assert.equal(atRoot.status, 1);
    assert.match(
      atRoot.stderr,
      new RegExp(
        `\nhint: The index URL ${root} does not end in /simple/: if it is the server's root, the index is likely at ${index.url}\n`,
      ),
    );
    const python = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "newer", "--dry-run"],
      { cacheDir },
    );
    assert.match(
      python.stderr,
      /hint: newer has versions for other Pythons: 2\.0 \(Requires-Python >=3\.99\)/,
    );
    // pip's --ignore-requires-python takes such versions, and warns of no upper bound either.
    for (const name of ["newer", "capped"]) {
      const args = ["-i", index.url, name, "--dry-run", "--ignore-requires-python"];
      const pip = await runPipAsync(["--python", env.python, "install", ...args]);
      assert.equal(pip.status, 0, pip.stderr);
      const ignored = await runSpiceAsync(["pip", "install", "--python", env.python, ...args], { cacheDir });
      assert.equal(ignored.status, 0, ignored.stderr);
      assert.match(ignored.stderr, new RegExp(`\\+ ${name}==[\\d.]+\\n`));
      assert.doesNotMatch(ignored.stderr, /Requires-Python/);
    }
    // A conflict takes two sentences, the second aligned under the first.
    const conflict = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "needsold", "lib==1.5", "--dry-run"],
      { cacheDir },
    );
    assert.equal(conflict.status, 1);
    assert.match(
      conflict.stderr,
      new RegExp(
        [
          "\\n {2}caused by: Because needsold==1\\.0 depends on lib<1\\.5 and you require needsold, lib==1\\.0 is required\\.",
          " {13}And because you require lib==1\\.5, your requirements cannot be satisfied\\.\\n",
        ].join("\\n"),
      ),
    );
    // Only the lower bound of Requires-Python counts, as in uv; the upper one is warned about.
    const capped = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "capped", "--dry-run"],
      { cacheDir },
    );
    assert.equal(capped.status, 0, capped.stderr);
    assert.match(
      capped.stderr,
      /warning: capped 1\.0 declares Requires-Python (<3\.9,>=3\.6|>=3\.6,<3\.9), which leaves out Python 3\.11\.\d+; spice reads only its lower bound, as uv does/,
    );
    const binary = await runSpiceAsync(
      [
        "pip",
        "install",
        "--python",
        env.python,
        "-i",
        index.url,
        "srconly",
        "--only-binary",
        ":all:",
        "--dry-run",
      ],
      { cacheDir },
    );
    assert.match(binary.stderr, /hint: srconly has 1 source distribution that --only-binary leaves out/);
    // Without --only-binary the sdist's static metadata resolves; installing it needs a build.
    const source = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "srconly"],
      { cacheDir },
    );
    assert.equal(source.status, 1);
    assert.match(source.stderr, /srconly 1\.0 is only available as a source distribution/);
  });

  it("refuses a project directory however it is named, saying it needs a build, and changes nothing", async () => {
    const env = venv();
    const project = join(work.path, "project-tree");
    mkdirSync(project);
    writeFileSync(join(project, "pyproject.toml"), '[project]\nname = "tree"\nversion = "1.0"\n');
    const listed = join(work.path, "tree-requirements.txt");
    writeFileSync(listed, `./project-tree\ntree @ ${pathToFileURL(project)}\n`);
    const inline = join(work.path, "tree-inline.txt");
    writeFileSync(inline, `tree @ ${pathToFileURL(project)}\n`);
    for (const [args, cwd] of [
      [["./project-tree"], work.path],
      [["."], project],
      [[`tree @ ${pathToFileURL(project)}`], work.path],
      [["-r", listed], work.path],
      [["-r", inline], work.path],
    ] as const) {
      const result = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, ...args],
        {
          cacheDir,
          cwd,
        },
      );
      assert.equal(result.status, 1, args.join(" "));
      assert.match(result.stderr, /is a project to build, and spice does not build yet/, args.join(" "));
      assert.match(result.stderr, /hint: Build a wheel/);
    }
    // pip wheel's -e (a project's wheel, built) is taken and answered the same way.
    const editableWheel = await runSpiceAsync(["pip", "wheel", "-e", "./project-tree", "-w", "wheels"], {
      cacheDir,
      cwd: work.path,
    });
    assert.equal(editableWheel.status, 1, editableWheel.stderr);
    assert.match(
      editableWheel.stderr,
      /error: \.\/project-tree is a project to build, and spice does not build yet/,
    );
    assert.ok(!existsSync(join(work.path, "wheels")));
    const plain = join(work.path, "not-a-project");
    mkdirSync(plain);
    const directory = await runSpiceAsync(["pip", "install", "--python", env.python, "./not-a-project"], {
      cacheDir,
      cwd: work.path,
    });
    assert.equal(directory.status, 1);
    assert.match(directory.stderr, /\.\/not-a-project is a directory, not a wheel or a project/);
    assert.deepEqual(readdirSync(env.site), []);
  });

  it("reads a script's inline metadata (PEP 723) as requirements: install, compile and uninstall -r script.py, as uv", async () => {
    const env = venv();
    const script = join(work.path, "tool.py");
    writeFileSync(
      script,
      '#!/usr/bin/env python3\n# /// script\n# requires-python = ">=3.9"\n# dependencies = [\n#   "app",\n#   "colors==0.3",\n# ]\n# ///\nimport app\n',
    );
    const installed = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", script],
      {
        cacheDir,
      },
    );
    assert.equal(installed.status, 0, installed.stderr);
    assert.equal(freeze(env.python), "app==1.0\ncolors==0.3\nlib==1.5\n");
    const compiled = await runSpiceAsync(
      ["pip", "compile", script, "-i", index.url, "--no-header", "--python", env.python],
      { cacheDir },
    );
    assert.equal(compiled.status, 0, compiled.stderr);
    assert.match(
      compiled.stdout,
      /^app==1\.0\n {4}# via -r .*tool\.py\ncolors==0\.3\n {4}# via -r .*tool\.py\n/m,
    );
    const removed = await runSpiceAsync(["pip", "uninstall", "--python", env.python, "-y", "-r", script]);
    assert.equal(removed.status, 0, removed.stderr);
    assert.equal(freeze(env.python), "lib==1.5\n");
    // A script without a block, or with a broken one, is said to be so; nothing is installed.
    const plain = join(work.path, "plain.py");
    writeFileSync(plain, "print('no metadata')\n");
    const broken = join(work.path, "broken.py");
    writeFileSync(broken, '# /// script\n# dependencies = ["app", 3]\n# ///\n');
    for (const [file, message] of [
      [plain, /error: .*plain\.py has no `# \/\/\/ script` block\nhint: .*PEP 723/],
      [broken, /error: .*broken\.py: dependencies\[1\] must be a string/],
    ] as const) {
      const refused = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, "-r", file],
        {
          cacheDir,
        },
      );
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, message);
    }
    assert.equal(freeze(env.python), "lib==1.5\n");
    // Its requires-python is the Python it runs on: another is refused, unless told to ignore it.
    const newer = join(work.path, "newer.py");
    writeFileSync(newer, '# /// script\n# requires-python = ">=3.12"\n# dependencies = ["colors"]\n# ///\n');
    const elsewhere = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "-i", index.url, "-r", newer],
      {
        cacheDir,
      },
    );
    assert.equal(elsewhere.status, 1);
    assert.match(
      elsewhere.stderr,
      /newer\.py runs on Python >=3\.12, and this resolution is for Python 3\.11\.\d+/,
    );
    const anyway = await runSpiceAsync(
      [
        "pip",
        "install",
        "--python",
        env.python,
        "-i",
        index.url,
        "--dry-run",
        "--ignore-requires-python",
        "-r",
        newer,
      ],
      { cacheDir },
    );
    assert.equal(anyway.status, 0, anyway.stderr);
    // A universal compile resolves for the Pythons it runs on, from its requires-python's bound.
    const universal = await runSpiceAsync(
      ["pip", "compile", newer, "--universal", "-i", index.url, "--no-annotate"],
      {
        cacheDir,
      },
    );
    assert.equal(universal.status, 0, universal.stderr);
    assert.match(universal.stdout, /^# \(resolved for every platform and Python >= 3\.12\)$/m);
    const older = join(work.path, "older.py");
    writeFileSync(older, '# /// script\n# requires-python = "<3.9"\n# dependencies = ["colors"]\n# ///\n');
    const nowhere = await runSpiceAsync(["pip", "compile", older, "--universal", "-i", index.url], {
      cacheDir,
    });
    assert.equal(nowhere.status, 2);
    assert.match(
      nowhere.stderr,
      /older\.py runs on Python <3\.9, which leaves no Python from 3\.11 on to resolve for/,
    );
  });

  it("refuses a VCS requirement however it comes, saying it needs a build, without credentials", async () => {
    const env = venv();
    const url = "git+https://me:secret@example.invalid/tree.git@v1";
    const listed = join(work.path, "vcs-requirements.txt");
    writeFileSync(listed, `${url}#egg=tree\n`);
    const project = join(work.path, "vcs-project");
    mkdirSync(project);
    writeFileSync(
      join(project, "pyproject.toml"),
      `[project]\nname = "p"\nversion = "1"\ndependencies = ["tree @ ${url}"]\n`,
    );
    // A wheel that depends on a checkout: found only while resolving.
    const files = join(work.path, "vcs-files");
    mkdirSync(files);
    // Spelled otherwise than its name: the hint finds it all the same.
    buildWheel(files, simplePackage("needsvcs", "1.0", { requires: [`Tree @ ${url}`] }));
    for (const args of [
      [`tree @ ${url}`],
      [`${url}#egg=tree`],
      ["-r", listed],
      ["-r", join(project, "pyproject.toml")],
      ["--no-index", "-f", files, "needsvcs", `tree @ ${url}`],
    ]) {
      const result = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, ...args],
        {
          cacheDir,
        },
      );
      assert.equal(result.status, 1, `${args.join(" ")}: ${result.stderr}`);
      assert.match(
        result.stderr,
        /git\+https:\/\/me:\*\*\*\*@example\.invalid\/tree\.git@v1.* is a git checkout to build/,
      );
      assert.doesNotMatch(result.stderr, /secret/);
    }
    // A dependency's URL is taken only when the user names it (as uv), else the version is unusable.
    const stray = await runSpiceAsync(
      ["pip", "install", "--python", env.python, "--no-index", "-f", files, "needsvcs"],
      { cacheDir },
    );
    assert.equal(stray.status, 1);
    assert.match(
      stray.stderr,
      /needsvcs==1\.0 depends on Tree @ git\+https:\/\/me:\*\*\*\*@example\.invalid\/tree\.git@v1 \(a URL that only your own requirements or constraints can name\)/,
    );
    assert.match(
      stray.stderr,
      /hint: A dependency asks for tree from a URL: to allow that, require `tree @ URL` yourself/,
    );
    assert.doesNotMatch(stray.stderr, /secret/);
    assert.deepEqual(readdirSync(env.site), []);
  });

  it("never prints a URL's password in a refusal of what was typed (found by fuzzing)", async () => {
    const env = venv();
    const badLine = join(work.path, "password-line.txt");
    writeFileSync(badLine, "foo @@ http://me:secret@example.invalid/x\n");
    const unhashed = join(work.path, "password-hashes.txt");
    writeFileSync(
      unhashed,
      `lib==1.0 --hash=sha256:${"0".repeat(64)}\nhttp://me:secret@127.0.0.1:9/six-1.0-py3-none-any.whl\n`,
    );
    for (const [status, args, message] of [
      [2, ["http://me:secret@[x/simple"], /http:\/\/me:\*\*\*\*@\[x\/simple is not a valid URL/],
      [2, ["foo @ ftp://me:secret@example.invalid/foo-1.0.tar.gz"], /only http\(s\) and file URLs/],
      [
        2,
        ["foo @@ http://me:secret@example.invalid/x"],
        /Invalid requirement: 'foo @@ http:\/\/me:\*\*\*\*@/,
      ],
      [2, ["-o=http://me:secret@example.invalid/"], /unexpected option '-o=http:\/\/me:\*\*\*\*@/],
      [2, ["--http://me:secret@example.invalid/"], /unexpected option '--http:\/\/me:\*\*\*\*@/],
      // A requirements file's line, as pip's parser words it, and hash-checking's account.
      [1, ["-r", badLine], /Invalid requirement: 'foo @@ http:\/\/me:\*\*\*\*@/],
      [
        1,
        ["-r", unhashed],
        /six==1\.0 @ http:\/\/me:\*\*\*\*@127\.0\.0\.1:9\/six-1\.0-py3-none-any\.whl has no --hash/,
      ],
    ] as const) {
      const result = await runSpiceAsync(
        ["pip", "install", "--python", env.python, "-i", index.url, ...args],
        {
          cacheDir,
        },
      );
      assert.equal(result.status, status, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /secret/);
    }
  });

  it("ends on Ctrl-C saying so, dies of the signal, and leaves the environment and no download behind", async () => {
    // An index whose wheel download stalls halfway: spice is interrupted while it waits.
    const wheel = readdirSync(main).find((name) => name.startsWith("lib-1.0-"))!;
    const data = readFileSync(join(main, wheel));
    let stalled: () => void = () => {};
    const server = createServer((request, response) => {
      if (request.url === "/simple/lib/") {
        response.writeHead(200, { "content-type": "text/html" });
        response.end(`<a href="/files/${wheel}#sha256=${sha256Hex(data)}">${wheel}</a>`);
      } else if (request.url === `/files/${wheel}`) {
        response.writeHead(200, { "content-length": String(data.length) });
        response.write(data.subarray(0, data.length >> 1), () => stalled());
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/simple/`;
    const temporary = join(work.path, "interrupted-tmp");
    mkdirSync(temporary);
    const ownCache = join(work.path, "interrupted-cache");
    try {
      const env = venv();
      for (const cacheOption of ["--no-cache", `--cache-dir=${ownCache}`]) {
        const child = spawn(
          process.execPath,
          [SPICE, "pip", "install", "--python", env.python, "--index-url", url, cacheOption, "lib==1.0"],
          { env: spiceEnvironment({ env: { TMPDIR: temporary } }) },
        );
        let stderr = "";
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
        });
        const reached = new Promise<void>((resolve) => {
          stalled = resolve;
        });
        const ended = new Promise<NodeJS.Signals | null>((resolve) =>
          child.on("close", (_status, signal) => resolve(signal)),
        );
        await reached;
        child.kill("SIGINT");
        // It dies of SIGINT (so a shell loop around it stops too), after saying what it left.
        assert.equal(await ended, "SIGINT", stderr);
        assert.match(
          stderr,
          /error: Interrupted by SIGINT \(Ctrl-C\): nothing was changed in the environment at .*venv-\d+\n$/,
        );
        assert.equal(freeze(env.python), "");
        assert.deepEqual(readdirSync(join(env.root, "lib", "python3.11")), ["site-packages"]);
        // The half download is gone: a --no-cache scratch directory, or the cache's partial file.
        assert.deepEqual(readdirSync(temporary), [], cacheOption);
        if (cacheOption !== "--no-cache")
          assert.deepEqual(
            readdirSync(join(ownCache, BUCKETS.archives)).filter((name) => name.startsWith(".tmp-")),
            [],
          );
      }
      // On a terminal (`script` gives it one), the download bars are cleared before the message.
      const pidFile = join(work.path, "interrupted.pid");
      const command = [
        process.execPath,
        SPICE,
        "pip",
        "install",
        "--python",
        env.python,
        "-i",
        url,
        "lib==1.0",
      ];
      const line = `echo $$ > '${pidFile}'; exec ${command.map((arg) => `'${arg}'`).join(" ")}`;
      const terminal = spawn("script", ["-qec", line, "/dev/null"], {
        env: spiceEnvironment({ cacheDir: join(work.path, "interrupted-tty-cache") }),
      });
      let shown = "";
      terminal.stdout.on("data", (chunk) => {
        shown += chunk;
      });
      const closed = new Promise((resolve) => terminal.on("close", resolve));
      await new Promise<void>((resolve) => {
        stalled = resolve;
      });
      // The bars are drawn at most every 80 ms: the last one is on screen by now.
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.kill(Number(readFileSync(pidFile, "utf8")), "SIGINT");
      await closed;
      assert.match(shown, /lib-1\.0-py3-none-any\.whl\r(\x1b\[\d+A)?\x1b\[Jerror: Interrupted by SIGINT/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
