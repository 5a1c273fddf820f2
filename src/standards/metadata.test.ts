import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMetadataEmail, readCoreMetadata, validateMetadata } from "./metadata.ts";

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
  });
});
