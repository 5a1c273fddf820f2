import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSpecifierSet } from "../standards/specifier.ts";
import { compareVersions, parseVersion } from "../standards/version.ts";
import { SolveFailure, Solver, type SolverProvider } from "./pubgrub.ts";

type Universe = Record<string, Record<string, Record<string, string>>>;

/** `^1.0.0` in PubGrub's examples is `>=1.0.0,<2.0.0`. */
function range(text: string): string {
  const caret = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(text);
  return caret ? `>=${caret[1]}.${caret[2]}.${caret[3]},<${Number(caret[1]) + 1}.0.0` : text;
}

function dependency(name: string, text: string) {
  const spec = parseSpecifierSet(range(text));
  return {
    name,
    requirement: `${name}${spec}`,
    allowed: (versions: string[]) =>
      versions.flatMap((version, index) => (spec.contains(version, true) ? [index] : [])),
  };
}

async function solve(universe: Universe, root: Record<string, string>): Promise<Record<string, string>> {
  const provider: SolverProvider = {
    versions: (name) =>
      Object.keys(universe[name] ?? {}).sort((a, b) => compareVersions(parseVersion(b), parseVersion(a))),
    dependencies: (name, version) =>
      Object.entries(universe[name][version]).map(([dep, text]) => dependency(dep, text)),
  };
  const solver = new Solver(
    provider,
    Object.entries(root).map(([name, text]) => dependency(name, text)),
  );
  return Object.fromEntries([...(await solver.solve())].sort());
}

describe("PubGrub", () => {
  it("solves without conflicts", async () => {
    const universe = { foo: { "1.0.0": { bar: "^1.0.0" } }, bar: { "1.0.0": {}, "2.0.0": {} } };
    assert.deepEqual(await solve(universe, { foo: "^1.0.0" }), { bar: "1.0.0", foo: "1.0.0" });
  });

  it("avoids a conflict during decision making", async () => {
    const universe = {
      foo: { "1.1.0": { bar: "^2.0.0" }, "1.0.0": {} },
      bar: { "1.0.0": {}, "1.1.0": {}, "2.0.0": {} },
    };
    assert.deepEqual(await solve(universe, { foo: "^1.0.0", bar: "^1.0.0" }), { bar: "1.1.0", foo: "1.0.0" });
  });

  it("resolves a conflict by learning an incompatibility", async () => {
    const universe = {
      foo: { "2.0.0": { bar: "^1.0.0" }, "1.0.0": {} },
      bar: { "1.0.0": { foo: "^1.0.0" } },
    };
    assert.deepEqual(await solve(universe, { foo: ">=1.0.0" }), { foo: "1.0.0" });
  });

  it("backjumps over a partial satisfier", async () => {
    const universe = {
      foo: { "1.1.0": { left: "^1.0.0", right: "^1.0.0" }, "1.0.0": {} },
      left: { "1.0.0": { shared: ">=1.0.0" } },
      right: { "1.0.0": { shared: "<2.0.0" } },
      shared: { "2.0.0": {}, "1.0.0": { target: "^1.0.0" } },
      target: { "2.0.0": {}, "1.0.0": {} },
    };
    assert.deepEqual(await solve(universe, { foo: "^1.0.0", target: "^2.0.0" }), {
      foo: "1.0.0",
      target: "2.0.0",
    });
  });

  it("fails with an explanation when nothing fits", async () => {
    const universe = {
      foo: { "1.0.0": { bar: "^2.0.0" } },
      bar: { "2.0.0": { baz: "^3.0.0" } },
      baz: { "1.0.0": {}, "3.0.0": {} },
    };
    await assert.rejects(solve(universe, { foo: "^1.0.0", baz: "^1.0.0" }), (error: unknown) => {
      assert.ok(error instanceof SolveFailure);
      assert.match(error.explanation, /Because/);
      assert.match(error.explanation, /foo==1\.0\.0 depends on bar/);
      return true;
    });
  });

  it("reports a requirement no version satisfies", async () => {
    await assert.rejects(solve({ foo: { "1.0.0": {} } }, { foo: ">=2" }), SolveFailure);
    await assert.rejects(solve({}, { missing: ">=0" }), SolveFailure);
  });
});
