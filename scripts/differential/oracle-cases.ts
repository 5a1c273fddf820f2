// What the readers' differential scripts share (ini.ts, record.ts): the cases an oracle script
// wrote (a JSON array, the path in argv[2]), each compared with spice's reading of the same input.

import { readFileSync } from "node:fs";

/**
 * Compares `reading(item)`'s `got` with its `expected` (as JSON) for every case: prints each
 * difference as `INPUT: ORACLE EXPECTED, spice GOT`, then `LABEL: N cases, M different`, and
 * sets the exit status to 1 when any differ.
 */
export function compareWithOracle<Case>(
  label: string,
  oracle: string,
  reading: (item: Case) => { input: string; expected: unknown; got: unknown },
): void {
  const cases = JSON.parse(readFileSync(process.argv[2], "utf8")) as Case[];
  let differences = 0;
  for (const item of cases) {
    const { input, expected, got } = reading(item);
    if (JSON.stringify(got) === JSON.stringify(expected)) continue;
    differences++;
    console.log(
      `${JSON.stringify(input)}: ${oracle} ${JSON.stringify(expected)}, spice ${JSON.stringify(got)}`,
    );
  }
  console.log(`${label}: ${cases.length} cases, ${differences} different`);
  process.exitCode = differences > 0 ? 1 : 0;
}
