import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { negotiate, parseHtmlPage, parseJsonPage, parseProjectPage, SIMPLE_JSON } from "./simple-api.ts";

describe("simple repository API pages", () => {
  it("read PEP 503 HTML: relative links, hash fragments, base href, yanked, metadata and requires-python", () => {
    const html = `<!DOCTYPE html><html><head><base href="https://files.example/root/"></head><body>
      <a href="pkg-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8" data-core-metadata="sha256=1234">pkg-1.0-py3-none-any.whl</a>
      <a href='../other/pkg-0.9.tar.gz' data-yanked>pkg-0.9.tar.gz</a>
      <a href="pkg-0.8.tar.gz" data-yanked="bad &amp; old" data-dist-info-metadata="true">pkg-0.8.tar.gz</a>
    </body></html>`;
    const page = parseHtmlPage(html, "https://index.example/simple/pkg/", "pkg");
    assert.deepEqual(
      page.files.map((file) => [
        file.filename,
        file.url,
        file.hashes,
        file.requiresPython,
        file.yanked,
        file.coreMetadata,
      ]),
      [
        [
          "pkg-1.0-py3-none-any.whl",
          "https://files.example/root/pkg-1.0-py3-none-any.whl",
          { sha256: "abcdef" },
          ">=3.8",
          null,
          { sha256: "1234" },
        ],
        ["pkg-0.9.tar.gz", "https://files.example/other/pkg-0.9.tar.gz", {}, null, "", false],
        ["pkg-0.8.tar.gz", "https://files.example/root/pkg-0.8.tar.gz", {}, null, "bad & old", {}],
      ],
    );
  });

  it("read PEP 691 JSON with PEP 700 fields, and refuse malformed pages", () => {
    const json = JSON.stringify({
      meta: { "api-version": "1.1" },
      name: "Pkg",
      versions: ["1.0"],
      files: [
        {
          filename: "pkg-1.0.tar.gz",
          url: "../../f/pkg-1.0.tar.gz",
          hashes: { sha256: "AB" },
          yanked: true,
          size: 10,
          "upload-time": "2024-01-01T00:00:00Z",
        },
      ],
    });
    const page = parseJsonPage(json, "https://index.example/simple/pkg/", "pkg");
    assert.equal(page.files[0].url, "https://index.example/f/pkg-1.0.tar.gz");
    assert.equal(page.files[0].yanked, "");
    assert.equal(page.files[0].size, 10);
    assert.deepEqual(page.versions, ["1.0"]);
    for (const bad of [
      "{",
      "[]",
      '{"files": 3}',
      '{"meta": {"api-version": "2.0"}, "files": []}',
      '{"files": [{"url": "x"}]}',
      // Found by fuzzing: a link WHATWG's parser refuses was a TypeError, and a crash.
      '{"files": [{"filename": "p-1.0.tar.gz", "url": "http://[::1/p-1.0.tar.gz"}]}',
    ]) {
      assert.throws(
        () => parseJsonPage(bad, "https://i.example/simple/p/", "p"),
        { name: "InvalidIndexPage" },
        bad,
      );
    }
    assert.throws(() => parseProjectPage("x", "application/pdf", "https://i.example/", "p"), {
      name: "InvalidIndexPage",
    });
  });

  it("read a character reference that names no character as U+FFFD, as Python's html.unescape (found by fuzzing)", () => {
    const html = `<a href="p-1.0.tar.gz" data-yanked="&#0;&#x110000;&#xD800;&#99999999;&#x41;">p-1.0.tar.gz</a>`;
    assert.equal(
      parseHtmlPage(html, "https://i.example/simple/p/", "p").files[0].yanked,
      "\ufffd\ufffd\ufffd\ufffdA",
    );
  });

  it("refuse a page of an API major version other than 1, in either format (PEP 629)", () => {
    const html = (version: string) =>
      `<html><head><meta name="pypi:repository-version" content="${version}"></head><body><a href="p-1.0.tar.gz">p</a></body></html>`;
    assert.equal(parseHtmlPage(html("1.0"), "https://i.example/simple/p/", "p").files.length, 1);
    assert.equal(parseHtmlPage(html("1.4"), "https://i.example/simple/p/", "p").files.length, 1);
    for (const version of ["2.0", "10.1", ""])
      assert.throws(() => parseHtmlPage(html(version), "https://i.example/simple/p/", "p"), {
        name: "InvalidIndexPage",
        message: new RegExp(`API version ${version};`),
      });
    assert.equal(
      parseJsonPage('{"meta": {"api-version": "1.4"}, "files": []}', "https://i.example/", "p").name,
      "p",
    );
    assert.throws(
      () => parseJsonPage('{"meta": {"api-version": "10.0"}, "files": []}', "https://i.example/", "p"),
      {
        name: "InvalidIndexPage",
      },
    );
  });

  it("read link names as Python's unquote does, and refuse links that are no URLs (found by fuzzing)", () => {
    const html = `<a href="/f/p-1.0%2Bx%FF.tar.gz">x</a><a href="/f/100%25-%ZZ.whl">y</a>`;
    assert.deepEqual(
      parseHtmlPage(html, "https://i.example/simple/p/", "p").files.map((file) => file.filename),
      ["p-1.0+x\ufffd.tar.gz", "100%-%ZZ.whl"],
    );
    for (const bad of [
      `<a href="http://[::1/p-1.0.tar.gz">p</a>`,
      `<base href="http://[::1"><a href="p">p</a>`,
    ]) {
      assert.throws(
        () => parseHtmlPage(bad, "https://i.example/simple/p/", "p"),
        { name: "InvalidIndexPage" },
        bad,
      );
    }
  });

  it("negotiate the representation by Accept quality", () => {
    assert.equal(negotiate(`${SIMPLE_JSON}, text/html;q=0.1`), "json");
    assert.equal(negotiate(`${SIMPLE_JSON};q=0.1, text/html`), "html");
    assert.equal(negotiate(undefined), "html");
    assert.equal(negotiate("image/png"), null);
  });
});
