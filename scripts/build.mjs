// Bundles the CLI into dist/cli.cjs: one CommonJS file with a source map, which the entry
// dist/spice.cjs (src/cli/entry.ts) runs through V8's code cache. Commands are reached through
// dynamic import(), which esbuild turns into lazily initialized modules inside the one file, so
// start-up runs only the code the command needs. undici, the largest dependency and needed only
// when a run goes to the network, is a second file (dist/undici.cjs) loaded on the first request,
// holding only the parts spice uses (scripts/undici-entry.cjs) and run from a code cache too.
//
// Measured (15 interleaved runs, warm caches): one file beat esbuild's code splitting by 4-17 ms
// on `pip --help`, a trivial resolve and the jupyter resolve, because resolving ~40 chunk files
// costs more than compiling one. The code cache then took about 20 ms off `spice pip list`.
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  sourcemap: true,
  minifySyntax: true,
  // Whitespace too (1.0 -> 0.8 MB): 17-19 ms less of every command that loads the CLI bundle,
  // even from its code cache (medians of 15 interleaved runs: `pip list` 136 -> 119 ms, a warm
  // resolve of the trio set 194 -> 175). Identifiers keep their names, so an internal error's
  // stack still names its functions; the source map gives the lines.
  minifyWhitespace: true,
  // Licence notices of bundled packages go to dist/NAME.LEGAL.txt beside each bundle: one of them
  // is not ASCII, which the bundles must be (see wrapper below).
  legalComments: "external",
  logLevel: "warning",
};

// In a CommonJS build, import.meta.url comes from __filename.
const moduleUrl = 'var __spiceModuleUrl = require("node:url").pathToFileURL(__filename).href;';
const commonjs = { format: "cjs", define: { "import.meta.url": "__spiceModuleUrl" } };
const shebang = "#!/usr/bin/env node";
// The files src/cli/entry.ts runs through vm.Script (the CLI bundles and undici) come wrapped as
// Node wraps a CommonJS module, and in ASCII (esbuild escapes the rest), so that the entry reads
// each as one Latin-1 string and compiles it as it is: reading it as UTF-8 and wrapping it there
// made three copies of the 0.8 MB text, 400 pages of memory touched for the first time per run,
// which this project's virtual machines charge for (about 6 ms).
const wrapper = {
  banner: "(function (exports, require, module, __filename, __dirname) {",
  footer: "\n})",
};

// A clean dist: no file of an earlier layout is left to load.
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

// The CLI, and the same for `spice venv` alone (dist/venv.cjs, 0.2 MB of the 0.55): the goal for
// a venv is Node's own start-up plus 25 ms, and reading and loading the whole bundle was about
// half of those 25 ms (measured: 8-9 ms of CPU, of which 2-5 ms is the size of the file). pip's
// inspection commands (list, freeze, show, check, tree, inspect) without the index have one too,
// dist/inspect.cjs (0.3 MB of the 0.8): a list's goal is a tenth of pip's, about 90 ms here, of
// which Node's own start takes 60-70.
const cli = (name, onlyCommand, onlyPipInspection = false) =>
  build({
    ...common,
    ...commonjs,
    entryPoints: { [name]: "src/cli/main.ts" },
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    banner: { js: `${wrapper.banner}${moduleUrl}` },
    footer: { js: wrapper.footer },
    define: {
      ...commonjs.define,
      SPICE_VERSION: JSON.stringify(version),
      // required relative to the bundle, so esbuild drops the unbundled import("undici") branch
      SPICE_UNDICI: JSON.stringify("./undici.cjs"),
      ...(onlyCommand === undefined ? {} : { SPICE_ONLY_COMMAND: JSON.stringify(onlyCommand) }),
      ...(onlyPipInspection ? { SPICE_ONLY_PIP_INSPECTION: "true" } : {}),
    },
    external: ["./undici.cjs"],
  });

await Promise.all([
  cli("cli"),
  cli("venv", "venv"),
  cli("inspect", "pip", true),
  // The entry twice: dist/spice.cjs, the `spice` command, because Node starts a CommonJS main
  // module without its ESM loader (measured: about 12 ms of CPU less per run), and
  // dist/spice.mjs for callers that name that file.
  ...[
    { extension: ".cjs", ...commonjs, banner: `${shebang}\n${moduleUrl}` },
    { extension: ".mjs", format: "esm", define: {}, banner: shebang },
  ].map(({ extension, format, define, banner }) =>
    build({
      ...common,
      format,
      entryPoints: { spice: "src/cli/entry.ts" },
      outdir: "dist",
      outExtension: { ".js": extension },
      sourcemap: false,
      banner: { js: banner },
      define: { ...define, SPICE_VERSION: JSON.stringify(version) },
    }),
  ),
  build({
    ...common,
    format: "cjs",
    entryPoints: { undici: "scripts/undici-entry.cjs" },
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    banner: { js: wrapper.banner },
    footer: { js: wrapper.footer },
  }),
]);

// Built-ins that cost start-up time are required on first use (src/util/lazy-builtins.ts); a plain
// import of one anywhere on a command's path loads it for every run of that command (an import of
// node:child_process cost each `pip install` about 5 ms before this check caught it).
const lazy = readFileSync(new URL("../src/util/lazy-builtins.ts", import.meta.url), "utf8");
const lazyBuiltins = [...lazy.matchAll(/onFirstUse<[^>]*>\("(node:[a-z_]+)"\)/g)].map((match) => match[1]);
for (const bundle of ["cli.cjs", "venv.cjs", "inspect.cjs", "undici.cjs"]) {
  const text = readFileSync(new URL(`../dist/${bundle}`, import.meta.url), "utf8");
  if (!text.startsWith(wrapper.banner) || !/^[\x00-\x7f]*$/.test(text)) {
    console.error(`dist/${bundle} is not wrapped, or not ASCII: src/cli/entry.ts reads it as Latin-1`);
    process.exit(1);
  }
  if (bundle === "undici.cjs") continue;
  const hoisted = lazyBuiltins.filter((id) => text.includes(`require("${id}")`));
  if (hoisted.length > 0) {
    console.error(`dist/${bundle} imports ${hoisted.join(", ")} directly: use src/util/lazy-builtins.ts`);
    process.exit(1);
  }
}

chmodSync(new URL("../dist/spice.cjs", import.meta.url), 0o755);
chmodSync(new URL("../dist/spice.mjs", import.meta.url), 0o755);
