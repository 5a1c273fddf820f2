// Compares spice's reading of pip.conf files (src/util/ini.ts, strict as pip.conf is read) with
// Python's configparser, on random texts from ini_oracle.py: the sections and values, or the line
// of the error. Differences print one per case; the exit status is 1 when any.
//   node --import tsx scripts/differential/ini.ts CASES.json

import { readFileSync } from "node:fs";
import { IniSyntaxError, parseIni } from "../../src/util/ini.ts";

interface Case {
  text: string;
  expected: { ok?: Record<string, Record<string, string>>; error?: number };
}

function outcome(text: string): Case["expected"] {
  try {
    const sections = parseIni(text, true);
    return {
      ok: Object.fromEntries([...sections].map(([name, entries]) => [name, Object.fromEntries(entries)])),
    };
  } catch (error) {
    if (error instanceof IniSyntaxError) return { error: error.line };
    throw error;
  }
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8")) as Case[];
let differences = 0;
for (const { text, expected } of cases) {
  const got = outcome(text);
  if (JSON.stringify(got) === JSON.stringify(expected)) continue;
  differences++;
  console.log(
    `${JSON.stringify(text)}: configparser ${JSON.stringify(expected)}, spice ${JSON.stringify(got)}`,
  );
}
console.log(`ini: ${cases.length} cases, ${differences} different`);
process.exitCode = differences > 0 ? 1 : 0;
