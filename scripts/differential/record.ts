// Compares spice's reading of RECORD lines (src/install/wheel-file.ts) with Python's csv reader,
// which pip reads RECORD with, on random lines from record_oracle.py: each row's path, hash and
// size. Differences print one per line; the exit status is 1 when any.
//   node --import tsx scripts/differential/record.ts CASES.json

import { readFileSync } from "node:fs";
import { parseRecord } from "../../src/install/wheel-file.ts";

const cases = JSON.parse(readFileSync(process.argv[2], "utf8")) as Array<{ line: string; row: string[] }>;
let differences = 0;
for (const { line, row } of cases) {
  const expected = [row[0] ?? "", row[1] ?? "", row[2] ?? ""];
  const got = parseRecord(line)[0];
  if (JSON.stringify(got) === JSON.stringify(expected)) continue;
  differences++;
  console.log(`${JSON.stringify(line)}: csv ${JSON.stringify(expected)}, spice ${JSON.stringify(got)}`);
}
console.log(`record: ${cases.length} cases, ${differences} different`);
process.exitCode = differences > 0 ? 1 : 0;
