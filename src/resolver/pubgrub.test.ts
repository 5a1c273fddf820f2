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

  it("decides first a package whose versions keep conflicting with an earlier decision", async () => {
    // Fewest versions first decides a==2.0.0, and every b 2.0.x needs a==1.0.0: walking down them
    // all ends at b 1.0.0, which drags in too-old. After five undone decisions on b, b goes first.
    const b: Record<string, Record<string, string>> = { "1.0.0": { "too-old": ">=1" } };
    for (let patch = 0; patch <= 9; patch++) b[`2.0.${patch}`] = { a: "==1.0.0" };
    const universe = { a: { "1.0.0": {}, "2.0.0": {} }, b, "too-old": { "1.0.0": {} } };
    assert.deepEqual(await solve(universe, { a: ">=1", b: ">=1" }), { a: "1.0.0", b: "2.0.9" });
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

  /** The explanation `root` fails with over `universe`. */
  async function explanation(universe: Universe, root: Record<string, string>): Promise<string> {
    try {
      await solve(universe, root);
    } catch (error) {
      if (error instanceof SolveFailure) return error.explanation;
      throw error;
    }
    throw new Error("solved, but a failure was expected");
  }

  it("explains a linear failure as one chain, without line numbers", async () => {
    // pub's "Linear Error Reporting" example.
    const universe = {
      foo: { "1.0.0": { bar: "^2.0.0" } },
      bar: { "2.0.0": { baz: "^3.0.0" } },
      baz: { "1.0.0": {}, "3.0.0": {} },
    };
    assert.equal(
      await explanation(universe, { foo: "^1.0.0", baz: "^1.0.0" }),
      [
        "Because foo==1.0.0 depends on bar<3.0.0,>=2.0.0 and bar==2.0.0 depends on baz<4.0.0,>=3.0.0, foo depends on baz==3.0.0.",
        "And because you require foo<2.0.0,>=1.0.0 and baz<2.0.0,>=1.0.0, your requirements cannot be satisfied.",
      ].join("\n"),
    );
  });

  it("explains a branching failure in two chains, the first numbered where the end refers back to it", async () => {
    // pub's "Branching Error Reporting" example: each version of foo fails for its own reason.
    const universe = {
      foo: { "1.0.0": { a: "^1.0.0", b: "^1.0.0" }, "1.1.0": { x: "^1.0.0", y: "^1.0.0" } },
      a: { "1.0.0": { b: "^2.0.0" } },
      b: { "1.0.0": {}, "2.0.0": {} },
      x: { "1.0.0": { y: "^2.0.0" } },
      y: { "1.0.0": {}, "2.0.0": {} },
    };
    assert.equal(
      await explanation(universe, { foo: "^1.0.0" }),
      [
        "Because a==1.0.0 depends on b<3.0.0,>=2.0.0 and foo==1.0.0 depends on a<2.0.0,>=1.0.0, foo==1.0.0 depends on b==2.0.0.",
        "(1) And because foo==1.0.0 depends on b<2.0.0,>=1.0.0, foo==1.0.0 cannot be used.",
        "",
        "Because x==1.0.0 depends on y<3.0.0,>=2.0.0 and foo==1.1.0 depends on x<2.0.0,>=1.0.0, foo==1.1.0 depends on y==2.0.0.",
        "And because foo==1.1.0 depends on y<2.0.0,>=1.0.0, foo==1.1.0 cannot be used.",
        "And because foo==1.0.0 cannot be used (1), all versions of foo cannot be used.",
        "And because you require foo<2.0.0,>=1.0.0, your requirements cannot be satisfied.",
      ].join("\n"),
    );
  });

  it("says when no version satisfies a dependency, and names ranges by the versions around them", async () => {
    assert.equal(
      await explanation({ a: { "1.0": { b: ">=2.0" } }, b: { "1.0": {}, "1.5": {} } }, { a: "==1.0" }),
      "Because you require a==1.0 and a==1.0 depends on b>=2.0, which no version of b satisfies, your requirements cannot be satisfied.",
    );
    const universe = {
      a: { "1.0": { c: "<2" }, "2.0": { c: "<2" } },
      b: { "1.0": { c: ">=2" } },
      c: { "1.0": {}, "1.5": {}, "2.0": {}, "3.0": {} },
    };
    assert.equal(
      await explanation(universe, { a: ">=1", b: "==1.0" }),
      [
        "Because a==1.0 depends on c<2 and a==2.0 depends on c<2, all versions of a depend on c<2.0.",
        "And because b==1.0 depends on c>=2, b and all versions of a cannot be used together.",
        "And because you require a>=1 and b==1.0, your requirements cannot be satisfied.",
      ].join("\n"),
    );
  });

  it("explains every failure of 2,000 random universes to the end, referring back only to numbered lines", async () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    let failures = 0;
    let numbered = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const universe: Universe = {};
      const packages = 2 + Math.floor(random() * 6);
      for (let p = 0; p < packages; p++) {
        universe[`p${p}`] = {};
        const versions = 1 + Math.floor(random() * 4);
        for (let v = 1; v <= versions; v++) {
          const dependencies: Record<string, string> = {};
          for (let q = 0; q < packages; q++) {
            if (q === p || random() >= 0.35) continue;
            const low = 1 + Math.floor(random() * 4);
            dependencies[`p${q}`] = `>=${low}.0,<=${low + Math.floor(random() * 3)}.0`;
          }
          universe[`p${p}`][`${v}.0`] = dependencies;
        }
      }
      const root = { p0: `>=${1 + Math.floor(random() * 3)}.0`, p1: `>=${1 + Math.floor(random() * 3)}.0` };
      let text: string;
      try {
        await solve(universe, root);
        continue;
      } catch (error) {
        if (!(error instanceof SolveFailure)) throw error;
        text = error.explanation;
      }
      failures++;
      const lines = text.split("\n");
      assert.match(lines.at(-1)!, /your requirements cannot be satisfied\.$/, text);
      assert.doesNotMatch(text, /undefined|NaN|\[object/, text);
      const defined = new Set<string>();
      for (const line of lines) {
        const body = line.replace(/^\((\d+)\) /, "");
        for (const reference of body.matchAll(/\((\d+)\)/g))
          assert.ok(defined.has(reference[1]), `(${reference[1]}) before its line:\n${text}`);
        const number = /^\((\d+)\) /.exec(line)?.[1];
        if (number !== undefined) {
          defined.add(number);
          numbered++;
        }
      }
    }
    // The universes are such that most fail, and some need line numbers.
    assert.ok(failures > 1000 && numbered > 5, `${failures} failures, ${numbered} numbered lines`);
  });

  it("stops explaining a derivation thousands of steps deep, instead of overflowing the stack", async () => {
    // p0 -> p1 -> ... -> p2999 -> end==2, which does not exist, for both versions of each.
    const universe: Universe = { end: { "1": {} } };
    for (let i = 0; i < 3000; i++) {
      const next = i === 2999 ? "end" : `p${i + 1}`;
      universe[`p${i}`] = {
        "1": { [next]: next === "end" ? "==2" : "==1" },
        "2": { [next]: next === "end" ? "==2" : "==2" },
      };
    }
    const lines = (await explanation(universe, { p0: ">=1" })).split("\n");
    assert.ok(lines.length <= 201, `${lines.length} lines`);
    assert.match(lines[0], /^Earlier steps, left out here, show that /);
    assert.match(
      lines.at(-1)!,
      /p2999==2 depends on end==2, which no version of end satisfies, your requirements cannot be satisfied\.$/,
    );
  });

  it("reports a requirement no version satisfies", async () => {
    await assert.rejects(solve({ foo: { "1.0.0": {} } }, { foo: ">=2" }), SolveFailure);
    await assert.rejects(solve({}, { missing: ">=0" }), SolveFailure);
    assert.equal(
      await explanation({}, { missing: ">=0" }),
      "Because you require missing>=0, which has no available versions, your requirements cannot be satisfied.",
    );
  });
});
