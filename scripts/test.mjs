// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 has no glob support
// in `node --test`). Two files at a time: the machine has two cores, and each test owns its temp dir.
// The spec reporter repeats every failure at the end, where a log's tail shows it.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

function find(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory())
      return entry.name === "fixtures" || entry.name === "node_modules" ? [] : find(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

const files = [...find("src"), ...find("test")].sort();
const filter = process.argv[2];
const selected = filter ? files.filter((file) => file.includes(filter)) : files;
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...selected],
  { stdio: "inherit" },
);
process.exitCode = result.status ?? 1;
