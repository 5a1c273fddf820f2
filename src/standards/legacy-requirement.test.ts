import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parseLegacyRequirement } from "./legacy-requirement.ts";

describe("parseLegacyRequirement", () => {
  it("reads plain names, pins and single bounds as the full grammar does (765 of them)", () => {
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
    const operators = ["==", "!=", "<=", ">=", "<", ">", "~="];
    let count = 0;
    const outcome = (text: string) => {
      try {
        return parseLegacyRequirement(text);
      } catch (error) {
        return (error as Error).name;
      }
    };
    // A leading space takes the full grammar, which skips it (`~=1` fails both ways).
    const check = (text: string) => {
      assert.deepEqual(outcome(text), outcome(` ${text}`), text);
      count++;
    };
    for (const name of names) {
      check(name);
      for (const version of versions) for (const operator of operators) check(`${name}${operator}${version}`);
    }
    assert.equal(count, 765);
    assert.throws(() => parseLegacyRequirement("a~=1"), /Parse error/);
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

  // A name of one long run of letters once took time exponential in its length (the identifier
  // regex could split the run in every way before giving up): 28 letters took 3 s, 40 would take
  // hours. A regex cannot be interrupted, so the cases run in a child process with a time limit.
  it("reads long names without backtracking", () => {
    const long = "a".repeat(64);
    const cases = [
      long,
      `${long}>=1`,
      `${long}!`,
      "a.b3b2ac5b9e29e1b161e5c1fa7425e7b2ac5b9e29e1b161e5c1fa7425e7",
    ];
    const script = `
      import { parseLegacyRequirement } from ${JSON.stringify(new URL("./legacy-requirement.ts", import.meta.url).href)};
      for (const text of ${JSON.stringify(cases)}) {
        try { console.log(parseLegacyRequirement(text).name.length); } catch { console.log("invalid"); }
      }`;
    const child = spawnSync(process.execPath, [...process.execArgv, "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(child.signal, null, "parsing did not finish in 30 s");
    assert.deepEqual(child.stdout.trim().split("\n"), ["64", "64", "invalid", "60"]);
  });
});
