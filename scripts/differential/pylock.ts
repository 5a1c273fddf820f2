// Compares spice's reading of PEP 751 lock files and its choice of what they install
// (src/standards/pylock.ts) with packaging 26.2's Pylock.from_dict and Pylock.select, on random
// locks from pylock_oracle.py. Differences print one per line; the exit status is 1 when any.
//   node --import tsx scripts/differential/pylock.ts CASES.json

import { readFileSync } from "node:fs";
import { InvalidPylock, parsePylock, selectFromPylock } from "../../src/standards/pylock.ts";
import { tagRanks } from "../../src/standards/tags.ts";

interface Case {
  text: string;
  environment: Record<string, string>;
  tags: string[];
  extras: string[];
  groups: string[] | null;
  expected: { error?: "read" | "select"; message?: string; selected?: string[] };
}

/** What spice makes of a case, in the oracle's terms. */
function outcome(item: Case): { error?: "read" | "select"; message?: string; selected?: string[] } {
  let lock: ReturnType<typeof parsePylock>;
  try {
    lock = parsePylock(item.text);
  } catch (error) {
    if (error instanceof InvalidPylock) return { error: "read", message: error.message };
    throw error;
  }
  try {
    const target = {
      markers: item.environment,
      pythonVersion: item.environment.python_full_version,
      tagRanks: tagRanks(item.tags),
    };
    const chosen = selectFromPylock(lock, target, { extras: item.extras, groups: item.groups ?? undefined });
    const kinds = { vcs: "PackageVcs", directory: "PackageDirectory", archive: "PackageArchive" } as const;
    return {
      selected: chosen.map((choice) =>
        choice.kind === "wheel" || choice.kind === "sdist"
          ? `${choice.package.name} ${choice.file.filename}`
          : `${choice.package.name} ${kinds[choice.kind]}`,
      ),
    };
  } catch (error) {
    if (error instanceof InvalidPylock) return { error: "select", message: error.message };
    throw error;
  }
}

/**
 * Differences on purpose: spice refuses an extra or a dependency group the lock does not list
 * (packaging selects nothing for it), and a boolean where an integer belongs (Python's bool is an
 * int, so packaging reads `size = true` as 1).
 */
function deliberate(got: Case["expected"], expected: Case["expected"]): boolean {
  if (got.error === "select" && /offers no (extra|dependency group)/.test(got.message ?? "")) return true;
  return (
    got.error === "read" &&
    expected.error !== "read" &&
    /must be an integer, not a boolean/.test(got.message ?? "")
  );
}

const cases = JSON.parse(readFileSync(process.argv[2], "utf8")) as Case[];
let differences = 0;
let known = 0;
for (const [index, item] of cases.entries()) {
  const got = outcome(item);
  const expected = item.expected;
  const same =
    got.error !== undefined || expected.error !== undefined
      ? got.error === expected.error
      : JSON.stringify(got.selected) === JSON.stringify(expected.selected);
  if (same) continue;
  if (deliberate(got, expected)) {
    known++;
    continue;
  }
  differences++;
  console.log(
    `case ${index}: spice ${JSON.stringify(got)}; packaging ${JSON.stringify(expected)}\n${item.text}`,
  );
}
console.log(
  `pylock: ${cases.length - differences - known} agree, ${known} differ on purpose, ${differences} differ`,
);
process.exitCode = differences > 0 ? 1 : 0;
