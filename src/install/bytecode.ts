// Byte-compiling what an install placed (--compile): every module in one run of the
// environment's own interpreter, which writes the .pyc files its version reads.

import { dirname, join } from "node:path";
import type { Environment } from "../python/environment.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";

/** The tag in the environment's .pyc names (`cpython-311`). */
export function bytecodeTag(environment: Environment): string {
  const facts = environment.interpreter.facts;
  return `${facts.implementation_name}-${facts.version_info[0]}${facts.version_info[1]}`;
}

/** Where Python looks for a module's compiled form (PEP 3147). */
export function compiledPath(source: string, tag: string): string {
  const directory = dirname(source);
  const name = source.slice(directory.length + 1, -3);
  return join(directory, "__pycache__", `${name}.${tag}.pyc`);
}

// A module that does not compile (Python 2 syntax in a test file of some wheels) is skipped, as
// pip skips it: it fails on import, not on install.
const COMPILE_SCRIPT = `
import sys
# Not the py_compile.py of the directory spice runs in, which -c puts first on sys.path.
while "" in sys.path:
    sys.path.remove("")
import py_compile
failed = 0
for line in sys.stdin.read().splitlines():
    source, target = line.split("\\0")
    try:
        py_compile.compile(source, cfile=target, doraise=True)
    except Exception as error:
        failed += 1
        sys.stderr.write("cannot compile %s: %s\\n" % (source, error))
`;

/** Compiles each [source, target] pair with the environment's interpreter, in one process. */
export function compileModules(python: string, targets: ReadonlyArray<readonly [string, string]>): void {
  const result = nodeChildProcess().spawnSync(python, ["-E", "-c", COMPILE_SCRIPT], {
    input: targets.map(([source, target]) => `${source}\0${target}`).join("\n"),
    encoding: "utf8",
  });
  if (result.error) throw result.error;
}
