// Runs packse resolver scenarios (../shared/scenarios/README.md): each scenario's packages become
// real wheels and sdists (names prefixed with the scenario's name so all share one index), one
// `spice serve` index serves them all, and spice's resolver runs against it over HTTP with the
// scenario's requirements, Python and options. Prints PASS/FAIL/SKIP per scenario, then
// `N passed, N failed`; exit 1 on any failure.
//
// Usage: node --import tsx scripts/scenarios.ts DIR [FILTER]
// SPICE_SCENARIO_DEBUG=1 prints each resolution error; SPICE_SCENARIO_MARKERS=1 prints each
// universal pin with its marker.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse } from "smol-toml";
import { FileFetcher } from "../src/index/file-fetcher.ts";
import { HttpClient } from "../src/index/http.ts";
import { PackageSource } from "../src/index/package-source.ts";
import { linuxTarget } from "../src/python/target.ts";
import { type ResolveOptions, resolve } from "../src/resolver/resolve.ts";
import { resolveUniversal } from "../src/resolver/universal.ts";
import { startIndexServer } from "../src/serve/server.ts";
import { parseMarker } from "../src/standards/marker.ts";
import { MarkerSpace } from "../src/standards/marker-space.ts";
import { canonicalizeName } from "../src/standards/name.ts";
import { parseRequirement, Requirement } from "../src/standards/requirement.ts";
import { SpiceError } from "../src/util/error.ts";
import { buildSdist, buildWheel } from "../test/wheel-builder.ts";

interface Release {
  requires?: string[];
  extras?: Record<string, string[]>;
  requires_python?: string;
  sdist?: boolean;
  wheel?: boolean;
  wheel_tags?: string[];
  yanked?: boolean;
}

interface Scenario {
  name: string;
  root?: { requires?: string[]; requires_python?: string };
  packages?: Record<string, { versions: Record<string, Release> }>;
  expected?: { satisfiable?: boolean; packages?: Record<string, string> };
  environment?: { python?: string };
  testgen?: { kind?: string; disable?: boolean };
  resolver_options?: {
    universal?: boolean;
    python?: string;
    python_platform?: string;
    prereleases?: string | boolean;
    resolution?: string;
    no_build?: string[];
    no_binary?: string[];
    required_environments?: string[];
  };
}

/**
 * Scenarios whose `[expected]` contradicts uv's own test of them, and uv's outcome, which spice
 * is held to instead (printed as DISPUTED; a different outcome still fails).
 */
const DISPUTED: Record<
  string,
  { evidence: string; satisfiable: boolean; packages?: Record<string, string> }
> = {
  // Its own description walks a fresh run to a solution (cleaver 1, foo 1 and 2, bar 1 and 2);
  // only a second run that prefers cleaver 1 from a lock conflicts. uv's lock_scenarios.rs test of
  // it (packse 0.3.58) expects success: "Resolved 6 packages" (those five and the project).
  "preferences-dependent-forking-conflicting": {
    evidence: "uv's own test of it resolves cleaver 1, foo 1 and 2, bar 1 and 2",
    satisfiable: true,
    packages: { cleaver: "1.0.0", foo: "1.0.0|2.0.0", bar: "1.0.0|2.0.0" },
  },
};

const INSTALLED_PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"];

function scenarioFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((entry) => {
      const path = join(directory, entry);
      if (statSync(path).isDirectory()) return scenarioFiles(path);
      return entry.endsWith(".toml") ? [path] : [];
    });
}

/** `requirement` with its project renamed to `prefix-name`. */
function prefixed(text: string, prefix: string): string {
  const requirement = parseRequirement(text);
  return new Requirement(
    `${prefix}-${requirement.name}`,
    requirement.extras,
    requirement.specifier,
    requirement.url,
    requirement.marker,
  ).toString();
}

function skipReason(scenario: Scenario): string | null {
  const options = scenario.resolver_options ?? {};
  if (options.python_platform && options.python_platform !== "x86_64-manylinux2014")
    return `resolving for platform ${options.python_platform} not implemented`;
  const python = scenario.environment?.python ?? "3.12";
  const [major, minor] = python.split(".");
  if (!INSTALLED_PYTHONS.includes(`${major}.${minor}`)) return `Python ${python} is not installed`;
  return null;
}

function buildDistributions(scenario: Scenario, directory: string, yanked: string[]): void {
  const prefix = scenario.name;
  for (const [rawName, project] of Object.entries(scenario.packages ?? {})) {
    const name = `${prefix}-${rawName}`;
    for (const [version, release] of Object.entries(project.versions ?? {})) {
      const requires = (release.requires ?? []).map((text) => prefixed(text, prefix));
      const extras = Object.fromEntries(
        Object.entries(release.extras ?? {}).map(([extra, list]) => [
          extra,
          list.map((text) => prefixed(text, prefix)),
        ]),
      );
      const requiresPython = release.requires_python ?? ">=3.12";
      const made: string[] = [];
      if (release.wheel !== false) {
        const tags =
          release.wheel_tags && release.wheel_tags.length > 0 ? release.wheel_tags : ["py3-none-any"];
        for (const tag of tags)
          made.push(buildWheel(directory, { name, version, requires, extras, requiresPython, tag }));
      }
      if (release.sdist !== false)
        made.push(buildSdist(directory, name, version, requires, { extras, requiresPython }));
      if (release.yanked) yanked.push(...made.map((path) => path.slice(path.lastIndexOf("/") + 1)));
    }
  }
}

/**
 * The environments a universal scenario resolves for: as `uv pip compile --universal`, Pythons
 * from the one it runs with; as `uv lock`, from the lower bound of the root's Requires-Python.
 */
function universeOf(scenario: Scenario): MarkerSpace {
  const python = scenario.resolver_options?.python ?? scenario.environment?.python ?? "3.12";
  if (scenario.testgen?.kind === "compile") return MarkerSpace.pythonFrom(python);
  const lower = /^>=\s*([\d.]+)/.exec(scenario.root?.requires_python ?? ">=3.12");
  return lower ? MarkerSpace.pythonFrom(lower[1]) : MarkerSpace.everything;
}

async function runScenario(scenario: Scenario, indexUrl: string, cacheRoot: string): Promise<string | null> {
  const prefix = scenario.name;
  const options = scenario.resolver_options ?? {};
  const python = options.python ?? scenario.environment?.python ?? "3.12";
  const target = linuxTarget(python);
  if (options.python_platform === "x86_64-manylinux2014")
    target.tags = target.tags.filter((tag) => !/manylinux_2_(1[89]|[2-9]\d)_/.test(tag));
  const http = new HttpClient({ cacheDirectory: null, retries: 0 });
  const packages = new PackageSource(http, { indexes: [indexUrl], findLinks: [], strategy: "first-index" });
  const fetcher = new FileFetcher(http, packages, null, join(cacheRoot, prefix));
  mkdirSync(join(cacheRoot, prefix), { recursive: true });
  const names = (list: string[] | undefined) =>
    new Set((list ?? []).map((name) => canonicalizeName(`${prefix}-${name}`)));
  let result: Map<string, string> | null = null;
  try {
    const resolveOptions: ResolveOptions = {
      source: fetcher,
      target,
      requirements: (scenario.root?.requires ?? []).map((text) => parseRequirement(prefixed(text, prefix))),
      prereleases: options.prereleases === true || options.prereleases === "allow" ? "allow" : "if-necessary",
      resolution: (options.resolution as "highest" | "lowest" | "lowest-direct" | undefined) ?? "highest",
      onlyBinary: names(options.no_build),
      noBinary: names(options.no_binary),
      requiredEnvironments: (options.required_environments ?? []).map((text) =>
        MarkerSpace.of(parseMarker(text).markers, ""),
      ),
    };
    if (options.universal || options.required_environments) {
      const resolution = await resolveUniversal(resolveOptions, universeOf(scenario));
      result = new Map();
      if (process.env.SPICE_SCENARIO_MARKERS)
        for (const { resolved, space } of resolution.pins)
          console.error(
            `  ${resolved.name.slice(prefix.length + 1)}==${resolved.version} ; ${space.toMarkerText(universeOf(scenario))}`,
          );
      for (const { resolved } of resolution.pins) {
        const versions = result.get(resolved.name);
        result.set(resolved.name, versions ? `${versions}|${resolved.version}` : resolved.version.toString());
      }
    } else {
      const resolution = await resolve(resolveOptions);
      result = new Map(
        [...resolution.packages].map(([name, resolved]) => [name, resolved.version.toString()]),
      );
    }
  } catch (error) {
    if (process.env.SPICE_SCENARIO_DEBUG) console.error(error);
    if (!(error instanceof SpiceError && error.code === "E_NO_SOLUTION")) {
      await http.close();
      return `error: ${(error as Error).message}${error instanceof SpiceError && error.cause ? ` (${error.cause})` : ""}`;
    }
  }
  await http.close();
  const expected = DISPUTED[scenario.name] ?? scenario.expected ?? {};
  const satisfiable = result !== null;
  if (satisfiable !== (expected.satisfiable ?? true))
    return `expected ${expected.satisfiable ? "a solution" : "no solution"}, got ${satisfiable ? JSON.stringify(Object.fromEntries(result!)) : "none"}`;
  // A scenario uv's generator skips ([testgen] disable) is tested there by hand, and its package
  // table may describe a lock that test edits (extras/lock-without-metadata lists packages no
  // resolution of its root reaches): only whether it resolves is held to.
  if (result !== null && expected.packages && !scenario.testgen?.disable) {
    const want = new Map(
      Object.entries(expected.packages).map(([name, version]) => [
        canonicalizeName(`${prefix}-${name}`),
        version,
      ]),
    );
    const describe = (map: Map<string, string>) =>
      [...map]
        .map(([name, version]) => `${name.slice(prefix.length + 1)}==${version}`)
        .sort()
        .join(", ");
    // A universal resolution may pin several versions of a name (`1.0|2.0`), where a scenario's
    // table has room for one: that one must be among them.
    const matches =
      want.size === result.size &&
      [...want].every(([name, version]) =>
        version.split("|").every((one) => result!.get(name)?.split("|").includes(one)),
      );
    if (!matches) return `expected ${describe(want)}, got ${describe(result)}`;
  }
  return null;
}

async function main(): Promise<number> {
  const [directory, filter] = process.argv.slice(2);
  if (!directory) {
    console.error("usage: npm run scenarios -- DIR [FILTER]");
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), "spice-scenarios-"));
  const dists = join(work, "dists");
  mkdirSync(dists);
  const scenarios: Array<{ file: string; scenario: Scenario; skip: string | null }> = [];
  const yanked: string[] = [];
  for (const file of scenarioFiles(directory)) {
    if (filter && !file.includes(filter)) continue;
    const scenario = parse(readFileSync(file, "utf8")) as unknown as Scenario;
    const skip = skipReason(scenario);
    scenarios.push({ file, scenario, skip });
    if (skip === null) buildDistributions(scenario, dists, yanked);
  }
  writeFileSync(join(dists, "yanked.txt"), yanked.map((name) => `${name} yanked by the scenario`).join("\n"));
  const server = await startIndexServer({ directory: dists, port: 0 });
  let passed = 0;
  let failed = 0;
  let disputed = 0;
  let skipped = 0;
  try {
    for (const { file, scenario, skip } of scenarios) {
      const label = relative(directory, file).replace(/\.toml$/, "");
      if (skip !== null) {
        skipped++;
        console.log(`SKIP ${label}: ${skip}`);
        continue;
      }
      const failure = await runScenario(scenario, server.url, join(work, "downloads"));
      const dispute = DISPUTED[scenario.name];
      if (failure === null && dispute) {
        disputed++;
        console.log(
          `DISPUTED ${label}: its [expected] says ${scenario.expected?.satisfiable === false ? "no solution" : "otherwise"}; ${dispute.evidence}, as spice does`,
        );
      } else if (failure === null) {
        passed++;
        console.log(`PASS ${label}`);
      } else {
        failed++;
        console.log(`FAIL ${label}: ${failure}`);
      }
    }
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
  console.log(`(${skipped} skipped, ${disputed} disputed)`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
