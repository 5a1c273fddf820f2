import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readCoreMetadata } from "../standards/core-metadata.ts";
import { parseRequirement } from "../standards/requirement.ts";
import { pipInstallationOrder, pipPinningOrder } from "./install-order.ts";
import type { ResolvedPackage } from "./resolve.ts";

/** Resolved packages from METADATA header lines: what the order reads of them. */
function resolution(documents: Record<string, string[]>): Map<string, ResolvedPackage> {
  return new Map(
    Object.entries(documents).map(([name, headers]) => [
      name,
      {
        metadata: readCoreMetadata(
          ["Metadata-Version: 2.1", `Name: ${name}`, "Version: 1.0", ...headers, ""].join("\n"),
        ),
      } as ResolvedPackage,
    ]),
  );
}

const markers = { python_version: "3.11", python_full_version: "3.11.7", sys_platform: "linux" };

function order(
  packages: Map<string, ResolvedPackage>,
  requirements: string[],
  dependencies = true,
): string[] {
  return pipInstallationOrder(packages, {
    requirements: requirements.map(parseRequirement),
    markers,
    dependencies,
    ignoreRequiresPython: false,
  });
}

describe("pip's installation order", () => {
  it("installs leaves first, round by round, counting extras and Requires-Python as pip's graph does", () => {
    const packages = resolution({
      app: [
        "Requires-Python: >=3.8",
        "Provides-Extra: fancy",
        "Requires-Dist: lib",
        'Requires-Dist: colors; extra == "fancy"',
        'Requires-Dist: winonly; sys_platform == "win32"',
      ],
      lib: [],
      colors: ["Requires-Python: >=3.7"],
    });
    // lib and the Python node are leaves; then app and colors (by name, descending).
    assert.deepEqual(order(packages, ["app[fancy]"]), ["lib", "colors", "app"]);
    // Without dependencies only Requires-Python counts: lib first, then the others by name.
    assert.deepEqual(order(packages, ["app", "lib", "colors"], false), ["lib", "colors", "app"]);
  });

  it("orders what a cycle keeps by its longest path from the root", () => {
    const packages = resolution({
      a: ["Requires-Dist: b", "Requires-Dist: c"],
      b: ["Requires-Dist: a"],
      c: [],
    });
    assert.deepEqual(order(packages, ["a"]), ["c", "b", "a"]);
  });

  it("installs what needs nothing else in reverse name order", () => {
    const packages = resolution({ x: ["Requires-Dist: y"], y: [], w: [] });
    assert.deepEqual(order(packages, ["x", "y", "w"], false), ["y", "x", "w"]);
  });

  it("pins as pip's resolver does: ==-pinned first, then by depth, the user's order, and name", () => {
    // Each expected order is the one pip 23.2.1's report listed for the same wheels.
    const documents: Record<string, string[]> = {
      a: ["Requires-Dist: b", "Requires-Dist: c"],
      b: ["Requires-Dist: a"],
      c: [],
      app: [
        "Requires-Python: >=3.8",
        "Provides-Extra: fancy",
        "Requires-Dist: lib",
        'Requires-Dist: colors; extra == "fancy"',
      ],
      lib: [],
      colors: ["Requires-Python: >=3.7"],
    };
    const pins = (requirements: string[], names: string[]) =>
      pipPinningOrder(resolution(Object.fromEntries(names.map((name) => [name, documents[name]]))), {
        requirements: requirements.map(parseRequirement),
        markers,
        dependencies: true,
        ignoreRequiresPython: false,
      });
    assert.deepEqual(pins(["app[fancy]"], ["app", "lib", "colors"]), ["app", "colors", "lib"]);
    assert.deepEqual(pins(["a"], ["a", "b", "c"]), ["a", "b", "c"]);
    assert.deepEqual(pins(["lib", "app", "c==1.0"], ["lib", "app", "c"]), ["c", "lib", "app"]);
    assert.deepEqual(pins(["colors", "app[fancy]", "b"], Object.keys(documents)), [
      "colors",
      "b",
      "a",
      "app",
      "lib",
      "c",
    ]);
  });
});
