// Benchmarks, each side by side with a peer in the same run, reported as ratios.
//   npm run bench -- versions   spice's PEP 440 vs @renovatebot/pep440: parse + sort, specifier contains
//   npm run bench -- startup    `spice --version` vs `node -e 0`
//   npm run bench -- install [SET...] [--runs N]   pip vs spice installing corpus sets (bench/install.ts)
//   npm run bench -- index [SET...] [--runs N]     pip vs spice from the mirror over HTTP (bench/index.ts)
//   npm run bench -- pages [--runs N]   pip vs spice resolving from index pages of thousands of files (bench/pages.ts)
//   --delete-between-runs  delete replaced trees before each run instead of moving them aside
//   --no-settle            skip the wait for earlier deletions to age (361 s on ext4 without a journal; bench/common.ts)
// Timings are medians of several rounds; only ratios taken in one run are comparable.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import * as renovate from "@renovatebot/pep440";
import { parseSpecifierSet } from "../src/standards/specifier.ts";
import {
  clearVersionCache,
  compareVersions,
  parseVersion,
  tryParseVersion,
} from "../src/standards/version.ts";
import { benchOptions, emptyTrash, mirrorRoot, settleDisk } from "./common.ts";
import { benchIndex } from "./index.ts";
import { benchInstall } from "./install.ts";
import { benchPages } from "./pages.ts";

const CONFORMANCE = fileURLToPath(new URL("../../shared/conformance/", import.meta.url));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(run: () => void, rounds: number): number {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function row(label: string, spice: number, peer: number, peerName: string): string {
  return `${label.padEnd(34)} spice ${spice.toFixed(1).padStart(8)} ms   ${peerName} ${peer.toFixed(1).padStart(8)} ms   ${(peer / spice).toFixed(1)}x`;
}

/** 100,000 realistic version strings: the vectors' real versions plus generated ones. */
function versionCorpus(): string[] {
  const harvested = new Set<string>();
  if (existsSync(`${CONFORMANCE}versions.json`)) {
    for (const c of JSON.parse(readFileSync(`${CONFORMANCE}versions.json`, "utf8"))) {
      if (c.expected.valid && c.input.version.length < 40) harvested.add(c.input.version.trim());
    }
    for (const c of JSON.parse(readFileSync(`${CONFORMANCE}version_order.json`, "utf8"))) {
      harvested.add(c.input.a);
      harvested.add(c.input.b);
    }
  }
  // Deterministic generator of the shapes real indexes hold.
  let seed = 42;
  const random = (n: number) => {
    // mulberry32: small, fast and well spread
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const suffixes = ["", "", "", "", "a1", "b2", "rc1", ".post1", ".dev0", "rc2", ".post2.dev1", "+local.1"];
  const corpus = [...harvested].filter(
    (text) => tryParseVersion(text) !== null && renovate.valid(text) !== null,
  );
  while (corpus.length < 100_000) {
    const parts = 2 + random(3);
    const release = Array.from({ length: parts }, (_, index) =>
      index === 0 ? random(60) : random(400),
    ).join(".");
    corpus.push(`${release}${suffixes[random(suffixes.length)]}`);
  }
  return corpus.slice(0, 100_000);
}

function benchVersions(): void {
  const corpus = versionCorpus();
  console.log(`versions: ${corpus.length} strings (${new Set(corpus).size} distinct), median of 5 rounds`);
  const spiceParse = time(() => {
    clearVersionCache();
    for (const text of corpus) parseVersion(text);
  }, 5);
  const peerParse = time(() => {
    for (const text of corpus) renovate.parse(text);
  }, 5);
  console.log(row("parse (cold cache)", spiceParse, peerParse, "renovate"));

  const spiceSort = time(() => {
    clearVersionCache();
    const parsed = corpus.map((text) => parseVersion(text));
    parsed.sort(compareVersions);
  }, 5);
  const peerSort = time(() => {
    [...corpus].sort(renovate.compare);
  }, 3);
  console.log(row("parse + sort", spiceSort, peerSort, "renovate"));

  const specifiers = [
    ">=1.0",
    ">=2.0,<3",
    "~=1.4",
    "==1.*",
    "!=1.5,>=1.0",
    ">1.0.post1",
    "<=3.2,>0.9",
    "~=2.2.0",
    "==2.*,!=2.3",
  ];
  const pairs = corpus
    .slice(0, 20_000)
    .map((version, index) => [specifiers[index % specifiers.length], version] as const);
  const spiceContains = time(() => {
    clearVersionCache();
    const sets = new Map(specifiers.map((text) => [text, parseSpecifierSet(text)]));
    for (const [spec, version] of pairs) sets.get(spec)!.contains(version);
  }, 5);
  const peerContains = time(() => {
    for (const [spec, version] of pairs) {
      try {
        renovate.satisfies(version, spec);
      } catch {
        // it throws on some valid inputs; count them as answered
      }
    }
  }, 5);
  console.log(row(`specifier contains (${pairs.length} pairs)`, spiceContains, peerContains, "renovate"));
}

function runCommand(command: string, args: string[], rounds: number): number {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    const result = spawnSync(command, args, { stdio: "ignore" });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function benchStartup(): void {
  const spice = fileURLToPath(new URL("../dist/spice.cjs", import.meta.url));
  const launcher = fileURLToPath(new URL("../bin/spice", import.meta.url));
  if (!existsSync(spice)) throw new Error("dist/spice.cjs is missing: run `npm run build` first");
  const rounds = 40;
  // Interleave to share the machine's noise between all three.
  const nodeSamples: number[] = [];
  const directSamples: number[] = [];
  const launcherSamples: number[] = [];
  for (let i = 0; i < 4; i++) {
    nodeSamples.push(runCommand(process.execPath, ["-e", "0"], rounds / 4));
    directSamples.push(runCommand(process.execPath, [spice, "--version"], rounds / 4));
    launcherSamples.push(runCommand(launcher, ["--version"], rounds / 4));
  }
  const node = median(nodeSamples);
  const direct = median(directSamples);
  const command = median(launcherSamples);
  console.log(`startup: median of ${rounds} runs each, interleaved`);
  console.log(`node -e 0                          ${node.toFixed(1)} ms`);
  console.log(
    `node dist/spice.cjs --version      ${direct.toFixed(1)} ms   ${(direct / node).toFixed(2)}x node (goal <= 1.3x)`,
  );
  console.log(
    `spice --version (bin/spice)        ${command.toFixed(1)} ms   ${(command / node).toFixed(2)}x node${
      process.env.NODE_EXTRA_CA_CERTS ? " (NODE_EXTRA_CA_CERTS is set: Node loads it while starting)" : ""
    }`,
  );
}

const which = process.argv[2] ?? "all";
const runsIndex = process.argv.indexOf("--runs");
const runs = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 3;
const sets = process.argv
  .slice(3)
  .filter((arg, index, all) => !arg.startsWith("--") && all[index - 1] !== "--runs");
benchOptions.deleteBetweenRuns = process.argv.includes("--delete-between-runs");
if (!["versions", "startup", "install", "index", "pages", "all"].includes(which)) {
  console.error(`unknown benchmark '${which}' (versions, startup, install, index, pages)`);
  process.exitCode = 2;
} else {
  if (which === "versions" || which === "all") benchVersions();
  if (which === "startup" || which === "all") benchStartup();
  // Without a mirror both say "skipped": nothing to settle for.
  if (
    ["install", "index", "all"].includes(which) &&
    !process.argv.includes("--no-settle") &&
    mirrorRoot() !== null
  )
    settleDisk();
  try {
    if (which === "install" || which === "all")
      benchInstall(sets.length > 0 ? sets : ["small", "trio", "jupyter"], runs);
    if (which === "index" || which === "all")
      await benchIndex(sets.length > 0 ? sets : ["trio", "jupyter"], runs);
    if (which === "pages" || which === "all") await benchPages(runs);
  } finally {
    emptyTrash();
  }
}
