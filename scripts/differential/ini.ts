// Compares spice's reading of pip.conf files (src/util/ini.ts, strict as pip.conf is read) with
// Python's configparser, on random texts from ini_oracle.py: the sections and values, or the line
// of the error. Differences print one per case; the exit status is 1 when any.
//   node --import tsx scripts/differential/ini.ts CASES.json

import { IniSyntaxError, parseIni } from "../../src/util/ini.ts";
import { compareWithOracle } from "./oracle-cases.ts";

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

compareWithOracle<Case>("ini", "configparser", ({ text, expected }) => ({
  input: text,
  expected,
  got: outcome(text),
}));
