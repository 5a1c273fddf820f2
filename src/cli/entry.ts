// spice's entry point, bundled alone as dist/spice.cjs (and dist/spice.mjs). `--version` is
// answered here; everything else runs the CLI bundle (dist/cli.cjs) from V8's code cache.
//
// Why: compiling the 0.5 MB bundle cost about 12 ms of every run (a third of `spice pip list`'s own
// time), and the functions a command calls are compiled again on each run. Node 20 has no
// module.enableCompileCache(), so the bundle is a CommonJS script run through vm.Script with
// `cachedData`: the bytecode of the functions a command used, saved after its first run (and
// after the first run of each other kind, see runCommonJs), one file per command, beside the bundles (`dist/code-cache/`) or else in spice's cache (`code-v2/`; see
// codeCachePlaces; src/cache/code-cache.ts also checks each file's bytes). V8 checks each cache
// against the source and the flags and rejects a stale one; the file name also carries the
// bundle's version, size and mtime. Nothing here may fail a run: a missing, unreadable, damaged
// or rejected cache only costs the compile.
//
// Built-ins come from process.getBuiltinModule(), which skips the ESM wrappers that `import`
// statements for node: modules build.

import {
  BESIDE_BUNDLE,
  CODE_CACHE_BUCKET,
  type CodeCache,
  readCodeCache,
  readLatin1,
  writeCodeCache,
} from "../cache/code-cache.ts";
import { cacheRoot, cacheTurnedOff } from "../util/cache-dir.ts";

declare const SPICE_VERSION: string;

const fs = process.getBuiltinModule("node:fs");
const path = process.getBuiltinModule("node:path");

// bin/spice moves NODE_EXTRA_CA_CERTS aside so that Node does not load it while starting; it goes
// back for the processes spice starts, and src/index/http.ts adds it to spice's own connections.
const movedExtraCerts = process.env.SPICE_NODE_EXTRA_CA_CERTS;
if (movedExtraCerts !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = movedExtraCerts;
  delete process.env.SPICE_NODE_EXTRA_CA_CERTS;
}

// bin/spice says when SIGHUP came ignored (`nohup spice ...`): Node set it back to its default
// while starting, and a terminal's hang-up would end the command. A listener that does nothing
// keeps it ignored; the interrupt handler (src/util/interrupt.ts) then leaves SIGHUP alone.
if (process.env.SPICE_SIGHUP_IGNORED === "1") process.on("SIGHUP", () => {});

/** The subcommands of pip, python and debug, for commandKey (defined before runBundle runs). */
const SUBCOMMANDS = new Set([
  ...["install", "uninstall", "compile", "sync", "download", "wheel", "list", "freeze", "show"],
  ...["check", "tree", "inspect", "hash", "index", "find", "requirements", "versions"],
]);

/** pip's subcommands that read the environment alone: dist/inspect.cjs holds them (bundleOf). */
const INSPECTION = new Set(["list", "freeze", "show", "check", "tree", "inspect"]);

const args = process.argv.slice(2);
// A worker thread (install/parallel-unpack.ts) is started with `--spice-worker` and then the
// arguments of the command that started it: it runs that command's bundle from that command's
// code cache (a worker compiling the bundle afresh spent 30 ms of a cold install's CPU on it),
// and leaves the saving of that cache to the command.
const inWorker = args[0] === "--spice-worker";
const commandArgs = inWorker ? args.slice(1) : args;
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  printVersion();
} else {
  runBundle();
}

/** `spice --version`, written as the CLI writes (src/cli/output.ts): a closed pipe is no error. */
function printVersion(): void {
  try {
    fs.writeSync(1, `spice ${SPICE_VERSION}\n`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EPIPE") return;
    try {
      fs.writeSync(
        2,
        `error: Could not write to standard output\n  caused by: ${(error as Error).message}\n`,
      );
    } catch {
      // nowhere left to say it
    }
    process.exitCode = 1;
  }
}

function runBundle(): void {
  const { fileURLToPath } = process.getBuiltinModule("node:url");
  const directory = path.dirname(fileURLToPath(import.meta.url));
  const cli = path.join(directory, "cli.cjs");
  const bundle = inWorker ? "cli.cjs" : bundleOf(commandArgs);
  const filename = path.join(directory, bundle);
  const places = codeCachePlaces(cli, cacheKeyIn(bundle, commandKey()));
  const usedNetwork = () => undiciExports !== undefined;
  // undici, the bundle's one external file (loaded on the first request), runs from a code cache
  // of its own beside the command's, shared by all commands: about 6 ms of its 25 ms load.
  let undiciExports: unknown;
  const undici = (): unknown =>
    (undiciExports ??= runCommonJs(
      path.join(directory, "undici.cjs"),
      places.map((file) => path.join(path.dirname(file), "undici.cjs.bin")),
      null,
      !inWorker,
      usedNetwork,
    ));
  runCommonJs(
    filename,
    places,
    (id) => (id === "./undici.cjs" ? undici() : undefined),
    !inWorker,
    usedNetwork,
  );
}

/**
 * The words from the first that is not a global option taking no value (or one with its value
 * after `=`): the command's name, where nothing before it may take it as a value (`--cache-dir X`
 * takes the next word, and so may its abbreviations); else an option, which names no command.
 */
function fromCommand(args: readonly string[]): readonly string[] {
  let index = 0;
  while (
    index < args.length &&
    /^(-[qv]+|--(quiet|verbose|no-color|no-progress|no-cache(-dir)?)|--[a-z-]+=.*)$/.test(args[index])
  )
    index++;
  return args.slice(index);
}

/**
 * The code cache's name for a command run from `bundle`: a cache is of one bundle, and a command
 * that has one of its own may run from the whole CLI (`pip list --outdated`, `spice --cache-dir
 * DIR venv`), with a cache of that bundle's name beside.
 */
function cacheKeyIn(bundle: string, key: string | null): string | null {
  const usual =
    key === "venv"
      ? "venv.cjs"
      : key?.startsWith("pip-") && INSPECTION.has(key.slice(4))
        ? "inspect.cjs"
        : "cli.cjs";
  return key === null || bundle === usual ? key : `${key}-${bundle.slice(0, -".cjs".length)}`;
}

/**
 * The bundle a command runs from: `spice venv` and pip's inspection commands have bundles of their
 * own, less than half the size (scripts/build.mjs); the rest, the whole CLI. The inspection
 * commands run the whole CLI when an option could be --outdated or --uptodate (optparse takes
 * `--out`, and `-lo` is `-l -o`), which reach the index.
 */
function bundleOf(args: readonly string[]): string {
  const words = fromCommand(args);
  const [command, subcommand] = words;
  if (command === "venv") return "venv.cjs";
  if (command !== "pip" || !INSPECTION.has(subcommand)) return "cli.cjs";
  const end = words.indexOf("--");
  const options = end < 0 ? words : words.slice(0, end);
  return options.some((arg) => /^--[ou]|^-[^-]*[ou]/.test(arg)) ? "cli.cjs" : "inspect.cjs";
}

/**
 * Runs a CommonJS file as Node's loader would, compiled with the first code cache found in
 * `cacheFiles`, and returns its exports. The cache is saved at exit in the first of them that
 * can be written when there was none (or V8 rejected it), and again after each run of a kind it
 * has not seen (runKindsMask): a cache holds only the functions the runs that saved it compiled,
 * and a warm install from a cache made by a cold one compiled the functions only warm runs call
 * on every run (about 20 ms of a warm resolve of the jupyter set, a sixth of it). `intercept`
 * answers the require() calls it knows.
 */
function runCommonJs(
  filename: string,
  cacheFiles: string[],
  intercept: ((id: string) => unknown) | null,
  saveCache: boolean,
  usedNetwork: () => boolean,
): unknown {
  const vm = process.getBuiltinModule("node:vm");
  // Wrapped and in ASCII already (scripts/build.mjs): compiled as read, with no copy made. Read
  // before the code cache, whose bytes then take the same memory.
  const source = readLatin1(filename);
  let cached: CodeCache | undefined;
  for (const file of cacheFiles) {
    cached = readCodeCache(file);
    if (cached !== undefined) break;
  }
  // The bundles make no dynamic import(): a script compiled here could only do that through vm's
  // experimental module API.
  const script = new vm.Script(source, { filename, cachedData: cached?.data });
  const seenKinds = cached === undefined || script.cachedDataRejected === true ? 0 : cached.runKinds;
  if (saveCache && cacheFiles.length > 0) {
    // Saved at exit, so that it holds every function this command compiled; not after a usage
    // error (exit status 2), so that a mistyped command or subcommand leaves no file behind.
    process.once("exit", (code) => {
      const kind = runKindsMask(usedNetwork());
      if (code === 2 || (seenKinds & kind) !== 0) return;
      // V8 serializes every function compiled in this process, those the cache brought too.
      const data = script.createCachedData();
      cacheFiles.some((file) => writeCodeCache(file, data, seenKinds | kind));
    });
  }
  // The bundles require built-ins and undici alone (scripts/build.mjs bundles the rest): served
  // without node:module's createRequire, whose loading costs 1.2-2 ms (it loads Node's ES module
  // loader and source map support); anything else still goes through it.
  let nodeRequire: NodeJS.Require | undefined;
  const require = (id: string): unknown =>
    intercept?.(id) ??
    process.getBuiltinModule(id) ??
    (nodeRequire ??= process.getBuiltinModule("node:module").createRequire(filename))(id);
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, filename, path.dirname(filename));
  return module.exports;
}

/**
 * Where this command's code cache may live, in the order tried: beside the bundles (as Python
 * keeps __pycache__ beside its modules, so that a new or emptied package cache, a cold install,
 * still runs compiled code: 347 -> 257 ms for the small set's cold install from the mirror), then
 * in spice's cache, for an installation the user cannot write. None when the cache is off
 * (`--no-cache`). The bundles are built together: the main one's identity stands for all (each
 * key is run from one bundle only).
 */
function codeCachePlaces(bundle: string, key: string | null): string[] {
  if (key === null) return [];
  let explicitRoot: string | undefined;
  for (let index = 0; index < commandArgs.length; index++) {
    const arg = commandArgs[index];
    if (arg === "--no-cache" || arg === "--no-cache-dir") return [];
    if (arg === "--cache-dir") explicitRoot = commandArgs[index + 1];
    else if (arg.startsWith("--cache-dir=")) explicitRoot = arg.slice("--cache-dir=".length);
  }
  let identity: string;
  try {
    const stat = fs.statSync(bundle);
    identity = `${SPICE_VERSION}-${stat.size}-${Math.trunc(stat.mtimeMs)}`;
  } catch {
    return [];
  }
  // V8 rejects a cache made under other flags (bin/spice passes one): a file per set of flags, so
  // that `node dist/spice.cjs` (the tests) and bin/spice do not overwrite each other's.
  const flags = process.execArgv
    .join(" ")
    .replace(/[^A-Za-z0-9=.]+/g, "-")
    .replace(/^-+/, "");
  const file = path.join(identity, flags === "" ? `${key}.bin` : `${key}.${flags.slice(0, 80)}.bin`);
  const beside = path.join(path.dirname(bundle), BESIDE_BUNDLE, file);
  let cacheOff: boolean;
  try {
    cacheOff = explicitRoot === undefined && cacheTurnedOff(process.env, commandArgs.includes("--isolated"));
  } catch {
    cacheOff = true; // a value the command will refuse
  }
  return cacheOff
    ? [beside]
    : [beside, path.join(cacheRoot(explicitRoot, process.env), CODE_CACHE_BUCKET, file)];
}

/**
 * Which command runs, as a file name: the command and, for commands with subcommands, the
 * subcommand. What is no such word shares one file; a word that is no command ends in a usage
 * error, after which no cache is saved (runCommonJs). Null for no cache.
 */
function commandKey(): string | null {
  const words = commandArgs.filter((arg) => !arg.startsWith("-"));
  const [command, ...rest] = words;
  if (command === undefined || !/^[a-z]{2,12}$/.test(command)) return "other";
  // `spice cache clean` must not leave a cache behind; the cache commands are not worth one.
  if (command === "cache") return null;
  const hasSubcommands = command === "pip" || command === "python" || command === "debug";
  // The first word that names a subcommand: an option's value may come before it
  // (`spice pip --python env install`), and must not name a file of its own.
  const subcommand = rest.find((word) => SUBCOMMANDS.has(word));
  return hasSubcommands && subcommand !== undefined ? `${command}-${subcommand}` : command;
}

/**
 * Built-ins whose loading marks a kind of run: a cold install inflates (zlib) on worker threads,
 * a first run inspects Python (child_process), a warm one loads none of them.
 */
const RUN_KIND_MODULES = ["NativeModule zlib", "NativeModule worker_threads", "NativeModule child_process"];

/**
 * This run's kind as one bit of a 16-bit mask: whether it used the network and which of
 * RUN_KIND_MODULES it loaded (process.moduleLoadList names every built-in loaded so far).
 */
function runKindsMask(usedNetwork: boolean): number {
  const loaded = (process as unknown as { moduleLoadList?: readonly string[] }).moduleLoadList ?? [];
  let index = usedNetwork ? 1 : 0;
  RUN_KIND_MODULES.forEach((name, bit) => {
    if (loaded.includes(name)) index |= 2 << bit;
  });
  return 1 << index;
}
