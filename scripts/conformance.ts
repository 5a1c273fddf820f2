// Runs every conformance vector file in a directory (format: ../shared/conformance/README.md) against
// spice's standards core. Prints one line per file, the ids of failures with a short diff, and ends
// with "N passed, N failed". Exits 1 when a failure is not in the reviewed deviations list.

import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { type Case, HANDLERS } from "../test/conformance/handlers.ts";

interface Deviation {
  id: string;
  reason: string;
}

function main(): number {
  const started = performance.now();
  const directory = resolve(process.argv[2] ?? "../shared/conformance");
  const deviationsPath = fileURLToPath(new URL("../test/conformance/deviations.json", import.meta.url));
  const deviations = new Map<string, string>(
    (JSON.parse(readFileSync(deviationsPath, "utf8")) as Deviation[]).map((d) => [d.id, d.reason]),
  );
  const files = readdirSync(directory)
    .filter((name) => name.endsWith(".json") && name !== "manifest.json")
    .sort();
  if (files.length === 0) {
    console.error(`error: no vector files (*.json) in ${directory}`);
    return 1;
  }
  let passed = 0;
  let failed = 0;
  let unexpected = 0;
  const reports: string[] = [];
  for (const file of files) {
    const cases = JSON.parse(readFileSync(join(directory, file), "utf8")) as Case[];
    let filePassed = 0;
    let fileFailed = 0;
    for (const testCase of cases) {
      const handler = HANDLERS[file.replace(/\.json$/, "")]?.[testCase.kind];
      let problem: string | null;
      if (handler === undefined) problem = `no handler for kind '${testCase.kind}' in ${file}`;
      else {
        try {
          problem = handler(testCase);
        } catch (error) {
          problem = `threw ${(error as Error).stack ?? error}`;
        }
      }
      if (problem === null) {
        filePassed++;
        continue;
      }
      fileFailed++;
      if (!deviations.has(testCase.id)) unexpected++;
      if (fileFailed <= 25)
        reports.push(`  FAIL ${testCase.id} (${testCase.kind}): ${problem.slice(0, 800)}`);
    }
    passed += filePassed;
    failed += fileFailed;
    console.log(`${file}: ${filePassed} passed, ${fileFailed} failed`);
  }
  for (const report of reports) console.log(report);
  if (reports.length < failed)
    console.log(`  ... and ${failed - reports.length} more failures (25 shown per file)`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`conformance: ${directory} in ${seconds}s (${deviations.size} reviewed deviations)`);
  console.log(`${passed} passed, ${failed} failed`);
  return unexpected > 0 ? 1 : 0;
}

process.exitCode = main();
