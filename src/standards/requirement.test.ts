import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseLegacyRequirement } from "./legacy-requirement.ts";
import { parseRequirement, parseRequirementFully, type Requirement } from "./requirement.ts";

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

  it("reads the common shape by its fast path exactly as the full parser does", () => {
    const describe = (parse: (text: string) => Requirement, text: string) => {
      try {
        const requirement = parse(text);
        return {
          name: requirement.name,
          extras: requirement.extras,
          specifier: requirement.specifier.toString(),
          specs: requirement.specifier.specs.map((spec) => [
            spec.operator,
            spec.version,
            spec.explicitPrereleases,
          ]),
          arbitrary: requirement.specifier.hasArbitrary,
          url: requirement.url,
          marker: requirement.marker?.toString() ?? null,
          text: requirement.toString(),
        };
      } catch (error) {
        return { error: (error as Error).name };
      }
    };
    const inputs: string[] = [];
    const vectors = fileURLToPath(new URL("../../../shared/conformance/requirements.json", import.meta.url));
    assert.ok(existsSync(vectors), `the conformance vectors are expected at ${vectors}`);
    for (const vector of JSON.parse(readFileSync(vectors, "utf8")) as Array<{
      input: { requirement?: string };
    }>)
      if (typeof vector.input.requirement === "string") inputs.push(vector.input.requirement);
    // Generated near misses of the fast path's shape.
    const names = ["a", "Foo.Bar_baz-9", "foo_", "foo-", "1x", "x."];
    const extras = ["", "[x]", "[x, y]", "[x,y,x]", "[]", " [x]", "[x ,y]"];
    const clauses = [
      "",
      ">=1.0",
      ">=1.0,<2",
      ">=1.0, <2",
      "==1.0.*",
      "==1.0a1.*",
      "~=1",
      "~=1.2rc3",
      "!=2.0.post1.dev2",
      "<3.0.0b1",
      ">1.0+local",
      "===weird",
      ">=1.0 ,<2",
      "(>=1.0)",
      "> 1",
    ];
    const tails = ["", ";extra=='x'", ' ; python_version < "3.8"', "; os_name == 'nt' or", "\n", " ", ";"];
    for (const name of names)
      for (const extra of extras)
        for (const clause of clauses)
          for (const tail of tails) {
            inputs.push(`${name}${extra}${clause}${tail}`);
            inputs.push(`${name}${extra} ${clause}${tail}`);
          }
    for (const text of inputs)
      assert.deepEqual(describe(parseRequirement, text), describe(parseRequirementFully, text), text);
  });
});
