// Compares spice's reading of RECORD lines (src/install/record.ts) with Python's csv reader,
// which pip reads RECORD with, on random lines from record_oracle.py: each row's path, hash and
// size. Differences print one per line; the exit status is 1 when any.
//   node --import tsx scripts/differential/record.ts CASES.json

import { parseRecord } from "../../src/install/record.ts";
import { compareWithOracle } from "./oracle-cases.ts";

compareWithOracle<{ line: string; row: string[] }>("record", "csv", ({ line, row }) => ({
  input: line,
  expected: [row[0] ?? "", row[1] ?? "", row[2] ?? ""],
  got: parseRecord(line)[0],
}));
