import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { readCoreMetadata } from "./core-metadata.ts";
import { firstEmailHeader, parseEmailHeaders } from "./email-headers.ts";
import { parseMetadataEmail, validateMetadata } from "./metadata.ts";
import { metadataToJson } from "./metadata-json.ts";
import { linux311 } from "./test-fixtures.ts";

const document = [
  "Metadata-Version: 2.1",
  "Name: demo",
  "Version: 1.0",
  "Summary: A demo",
  "Requires-Dist: requests>=2",
  'Requires-Dist: pytest; extra == "test"',
  "Provides-Extra: test",
  "Keywords: a, b",
  "Project-URL: Home, https://example.com",
  "Description: first line",
  "        second line",
  "",
  "The body.",
].join("\n");

/** What a Python script prints as JSON when given `input` as JSON on stdin: Python is the oracle. */
function pythonJson(script: string, input: unknown): unknown {
  return JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(input) }).toString());
}

describe("core metadata", () => {
  it("parses the email format as Python's email parser does", () => {
    const { raw, unparsed } = parseMetadataEmail(document);
    assert.deepEqual(raw.keywords, ["a", "b"]);
    assert.deepEqual(raw.project_urls, { Home: "https://example.com" });
    // A Description header and a body: both become unparsed, as packaging reports it.
    assert.deepEqual(unparsed.description, ["first line\n        second line", "The body."]);
  });

  it("validates strictly, naming each field", () => {
    const { raw, unparsed } = parseMetadataEmail(
      "Metadata-Version: 2.1\nName: demo\nVersion: one\nLicense-File: LICENSE\n",
    );
    const result = validateMetadata(raw, unparsed);
    assert.equal(result.errorGroup, "invalid or unparsed metadata");
    assert.deepEqual(result.errors.map((error) => error.field).sort(), ["license-file", "version"]);
  });

  it("reads leniently for installers", () => {
    const metadata = readCoreMetadata(
      `${document.split("\n").slice(0, 7).join("\n")}\nRequires-Python: >=3.8\nLicense-File: LICENSE\n`,
    );
    assert.equal(metadata.name, "demo");
    assert.equal(metadata.requiresDist.length, 2);
    assert.equal(metadata.requiresPython?.toString(), ">=3.8");
    const full = readCoreMetadata(document);
    assert.equal(full.text, document);
    assert.deepEqual(full.providesExtra, ["test"]);
    assert.equal(full.summary, "A demo");
  });

  it("reads headers, bodies and single headers exactly as Python's email parser", () => {
    const cases = [
      document,
      "Name: a\r\nVersion: 1\r\n\r\nbody\r\n",
      "Name: a\rVersion:\t 2\r\rbody",
      "From someone\nName: first\nName: second\nVersion: 1\n",
      "Name: a\nFrom the end\nbody line\n",
      "Name: a\nFrom the end\n  continued\nbody line\n",
      " orphan continuation\nName: x\n",
      ": nameless\n  its continuation\nName: y\nVersion: 3",
      "Name: folded\n  over\n\ttwo lines\nVersion: 4\n\n",
      `${"X".repeat(120)}: long header name\nName: z\n`,
      "Version: 5\nnot a header\nName: hidden\n",
      "",
      "Name:\n",
    ];
    const script = [
      "import email.parser, json, sys",
      "out = []",
      "for text in json.load(sys.stdin):",
      "    message = email.parser.Parser().parsestr(text)",
      "    out.append({'headers': [[k, v] for k, v in message.items()], 'body': message.get_payload(),",
      "                'name': message['Name'], 'version': message['version']})",
      "print(json.dumps(out))",
    ].join("\n");
    const expected = pythonJson(script, cases) as object[];
    cases.forEach((text, index) => {
      const { headers, body } = parseEmailHeaders(text);
      assert.deepEqual(
        { headers, body, name: firstEmailHeader(text, "Name"), version: firstEmailHeader(text, "VERSION") },
        expected[index],
        JSON.stringify(text),
      );
    });
  });

  it("leaves out exactly the Requires-Dist entries marked for other extras", () => {
    const entries = [
      "plain>=1",
      'docs-tool; extra == "docs"',
      "test-tool ; extra=='Test_Suite' ",
      'both; extra == "docs" or extra == "test-suite"',
      'windows-only; sys_platform == "win32"',
      "versioned; extra == '1.0'",
      "escaped; extra == 'do\\x63s'",
      'url-dep @ https://example.com/a;b.whl ; extra == "docs"',
      "broken>=; extra == 'docs'",
      "not valid at all",
    ];
    const metadata = readCoreMetadata(
      [
        "Metadata-Version: 2.1",
        "Name: demo",
        "Version: 1.0",
        ...entries.map((entry) => `Requires-Dist: ${entry}`),
      ].join("\n"),
    );
    assert.equal(metadata.requiresDist.length, 8);
    for (const extra of [null, "docs", "test-suite", "1.0", "other"]) {
      const kept = metadata.requirementsFor(extra);
      // Whatever is left out could not apply; whatever could apply is kept, in order.
      const applies = metadata.requiresDist.filter(
        (requirement) =>
          requirement.marker === null || requirement.marker.evaluate({ ...linux311, extra: extra ?? "" }),
      );
      assert.deepEqual(
        applies.map(String),
        kept.filter((requirement) => applies.includes(requirement)).map(String),
        String(extra),
      );
      for (const requirement of metadata.requiresDist)
        if (!kept.includes(requirement))
          assert.ok(!applies.includes(requirement), `${requirement} for ${extra}`);
    }
    assert.deepEqual(metadata.requirementsFor(null).map(String), [
      "plain>=1",
      'both; extra == "docs" or extra == "test-suite"',
      'windows-only; sys_platform == "win32"',
      'versioned; extra == "1-0"',
      'escaped; extra == "docs"',
    ]);
  });

  it("converts metadata for installation reports exactly as pip 23.2.1 does", () => {
    const cases = [
      document,
      "Metadata-Version: 2.1\nName: a\nVersion: 1\nKeywords: one two  three\nLicense: line one\n    line two\n\t  \n    line three\n",
      "Metadata-Version: 2.1\r\nName: b\r\nVersion: 2\r\nClassifier: X\r\nClassifier: Y\r\n\r\nBody\r\n",
      "Metadata-Version: 2.4\nName: c\nVersion: 3\nLicense-Expression: MIT\nPlatform: any\nDynamic: Requires-Dist\n",
      "Name: d\nSummary: s\nSummary: t\nDescription: header text\n",
    ];
    const script = [
      "import email.parser, json, sys",
      "from importlib.metadata import _adapters",
      "from pip._internal.metadata._json import msg_to_json",
      "out = []",
      "for text in json.load(sys.stdin):",
      "    plain = email.parser.FeedParser()",
      "    plain.feed(text)",
      "    out.append([msg_to_json(_adapters.Message(email.message_from_string(text))), msg_to_json(plain.close())])",
      "print(json.dumps(out))",
    ].join("\n");
    const expected = pythonJson(script, cases) as Array<[object, object]>;
    cases.forEach((text, index) => {
      // Key order matters too: pip's report is read as JSON text by some tools.
      assert.equal(JSON.stringify(metadataToJson(text, true)), JSON.stringify(expected[index][0]), text);
      assert.equal(JSON.stringify(metadataToJson(text, false)), JSON.stringify(expected[index][1]), text);
    });
  });

  it("picks out selected headers exactly as the full walk does, on any document", () => {
    const only = new Set(["name", "version", "requires-dist", "summary", "provides-extra"]);
    const fields = ["name", "version", "requires_dist", "summary", "provides_extra"] as const;
    const agree = (text: string) => {
      const selected = parseMetadataEmail(text, only).raw;
      const full = parseMetadataEmail(text).raw;
      for (const field of fields)
        assert.deepEqual(selected[field], full[field], `${field} of ${JSON.stringify(text)}`);
    };
    for (const text of [
      document,
      "Name: a\nrequires-dist: x\nREQUIRES-DIST: y\n  folded\n\tagain\nVersion: 1\n\nbody\nName: not a header\n",
      " orphan\nName: a\nVersion:\n\n",
      "From someone\nName: a\n\n",
      "Name: a\nSummary: one\u2028Name: b\n\n",
      "Name: a\r\nVersion: 1\r\n\r\n",
      "Name: a\nVersion: 1",
      "Name: a\nnot a header\nVersion: 2\n\n",
      "Name:   spaced  \nSummary:\t tabbed\n   \n\n",
    ])
      agree(text);
    // And on random documents: lines of headers (wanted or not, any case), continuations, blank
    // lines, envelope lines and stray text, with the odd \r or U+2028.
    const names = ["Name", "version", "Requires-Dist", "SUMMARY", "Provides-Extra", "Classifier", "X-Odd"];
    const values = ["", " a", "\tb c", "  d:e ", " x y", " 1.0", " f\u2028Name: g", " h\r"];
    let seed = 7;
    const next = (limit: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >>> 16) % limit;
    };
    for (let round = 0; round < 3000; round++) {
      const lines: string[] = [];
      const count = next(12);
      for (let index = 0; index < count; index++) {
        const kind = next(20);
        if (kind < 14)
          lines.push(`${names[next(names.length)]}:${values[next(20) < 2 ? 6 + next(2) : next(6)]}`);
        else if (kind < 17) lines.push(`${next(2) ? " " : "\t"}continued${values[next(6)]}`);
        else if (kind < 19) lines.push("");
        else if (kind === 19 && next(2)) lines.push("From somebody");
        else lines.push("stray text");
      }
      const text = lines.join(next(8) === 0 ? "\r\n" : "\n") + (next(3) ? "\n\nbody\n" : "");
      agree(text);
    }
  });
});
