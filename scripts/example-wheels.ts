// Builds the demo's example wheels (an app with a console script that depends on a library,
// with an extra and a marker) from the sources in examples/packages, into the given directory.
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWheel } from "../test/wheel-builder.ts";

const sources = fileURLToPath(new URL("../examples/packages/", import.meta.url));
const target = process.argv[2];
if (!target) throw new Error("usage: example-wheels.ts DIR");
mkdirSync(target, { recursive: true });

function files(root: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else result[relative(root, path)] = readFileSync(path, "utf8");
    }
  };
  walk(root);
  return result;
}

buildWheel(target, {
  name: "spicelib",
  version: "1.2.0",
  files: files(join(sources, "spicelib")),
  summary: "A small library for the spice demo",
});
buildWheel(target, {
  name: "spicecolor",
  version: "0.1.0",
  files: files(join(sources, "spicecolor")),
  summary: "Colours for the spice demo (the app's `color` extra)",
});
buildWheel(target, {
  name: "spiceapp",
  version: "0.3.0",
  files: files(join(sources, "spiceapp")),
  summary: "A small app with a console script for the spice demo",
  requires: ["spicelib>=1.0", 'tomli>=1; python_version < "3.11"'],
  extras: { color: ["spicecolor>=0.1"] },
  consoleScripts: { spiceapp: "spiceapp.cli:main" },
});
console.log(readdirSync(target).sort().join("\n"));
