// Bundles the CLI into dist/spice.mjs: one file with a source map. Commands are reached through
// dynamic import(), which esbuild turns into lazily initialized modules inside the one file, so
// start-up runs only the code the command needs (V8 pre-parses the rest cheaply).
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

await build({
  entryPoints: { spice: "src/cli/main.ts" },
  // Chunks: modules reached only through import() (each command, undici) are compiled only
  // when a run needs them, which keeps start-up small as the CLI grows.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  sourcemap: true,
  minifySyntax: true,
  // undici is CommonJS and requires node: built-ins; an ESM bundle needs a real `require` for that.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __spiceCreateRequire } from "node:module";\nconst require = __spiceCreateRequire(import.meta.url);',
  },
  define: { SPICE_VERSION: JSON.stringify(version) },
  logLevel: "warning",
});
