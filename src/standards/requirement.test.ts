import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLegacyRequirement } from "./legacy-requirement.ts";
import { parseRequirement } from "./requirement.ts";

describe("PEP 508 requirements", () => {
  it("parses every part and prints canonically", () => {
    const requirement = parseRequirement("Requests [security , socks] (>=2.0, <3) ; python_version >= '3.8'");
    assert.equal(requirement.name, "Requests");
    assert.deepEqual(requirement.extras, ["security", "socks"]);
    assert.equal(requirement.specifier.toString(), "<3,>=2.0");
    assert.equal(requirement.toString(), 'Requests[security,socks]<3,>=2.0; python_version >= "3.8"');
    const url = parseRequirement("pkg @ https://example.com/pkg-1.0.tar.gz ; os_name == 'posix'");
    assert.equal(url.url, "https://example.com/pkg-1.0.tar.gz");
    assert.equal(url.toString(), 'pkg @ https://example.com/pkg-1.0.tar.gz ; os_name == "posix"');
  });

  it("follows packaging's tokenizer quirks", () => {
    assert.equal(parseRequirement("foo_").name, "foo_");
    assert.throws(() => parseRequirement("foo-"), { name: "InvalidRequirement" });
    assert.throws(() => parseRequirement("foo >=1.0.*"), { name: "InvalidRequirement" });
    assert.equal(parseRequirement("foo\n").name, "foo");
  });

  it("reads requirements as pip's packaging 21.3 does where it differs", () => {
    assert.equal(parseLegacyRequirement("pkg<=1.0+local").specifier, "<=1.0+local");
    assert.equal(parseLegacyRequirement("pkg; extra == 'Foo_Bar'").marker, 'extra == "Foo_Bar"');
    assert.throws(() => parseLegacyRequirement("foo_"), { name: "InvalidRequirement" });
  });
});
