import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseLegacyRequirement } from "./legacy-requirement.ts";

describe("parseLegacyRequirement", () => {
  it("reads plain pins as the full grammar does (108 of them)", () => {
    const names = ["a", "A", "flask", "Flask", "zope.interface", "a_b-c", "x1", "ruamel.yaml.clib", "a--b"];
    const versions = [
      "0",
      "1",
      "1.0",
      "3.1.3",
      "2024.10.21.16",
      "10.0.0.0.1",
      "1.3.0.post0",
      "2.0rc1",
      "1.0a1",
      "1.0b2",
      "1.0.dev3",
      "1.0b2.post1.dev4",
    ];
    for (const name of names) {
      for (const version of versions) {
        const text = `${name}==${version}`;
        // A leading space takes the full grammar, which skips it.
        assert.deepEqual(parseLegacyRequirement(text), parseLegacyRequirement(` ${text}`), text);
      }
    }
  });

  it("leaves anything else to the full grammar", () => {
    assert.deepEqual(parseLegacyRequirement("a==1.0-rc.1"), {
      name: "a",
      extras: [],
      specifier: "==1.0-rc.1",
      url: null,
      marker: null,
    });
    assert.equal(parseLegacyRequirement("a==1.0; python_version > '3'").marker, 'python_version > "3"');
    assert.equal(parseLegacyRequirement("a[x]==1").extras.join(), "x");
    // packaging 21.3 took any non-space text after == as a legacy version.
    assert.equal(parseLegacyRequirement("a==1.0..").specifier, "==1.0..");
    assert.throws(() => parseLegacyRequirement("-a==1"), /Parse error/);
    assert.throws(() => parseLegacyRequirement("a==1 ;"), /Parse error/);
  });
});
