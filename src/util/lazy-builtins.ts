// Node built-ins that cost start-up time when loaded (crypto, zlib, child_process, http,
// worker_threads, tty, tls), required on first use instead of imported: an import is hoisted and
// loaded by every command, even those that never hash, inflate, spawn or print to a terminal
// (measured: several ms of `spice pip list`).

/**
 * A function that loads the built-in `id` on its first call and returns it from then on. Through
 * process.getBuiltinModule, not a require() from node:module's createRequire: loading node:module
 * loads Node's ES module loader and source map support too (1.2-2 ms of every command).
 */
function onFirstUse<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= process.getBuiltinModule(id) as T;
    return loaded;
  };
}

export const nodeCrypto = onFirstUse<typeof import("node:crypto")>("node:crypto");
export const nodeZlib = onFirstUse<typeof import("node:zlib")>("node:zlib");
export const nodeChildProcess = onFirstUse<typeof import("node:child_process")>("node:child_process");
export const nodeHttp = onFirstUse<typeof import("node:http")>("node:http");
export const nodeWorkerThreads = onFirstUse<typeof import("node:worker_threads")>("node:worker_threads");
export const nodeTty = onFirstUse<typeof import("node:tty")>("node:tty");
export const nodeTls = onFirstUse<typeof import("node:tls")>("node:tls");
export const nodeNet = onFirstUse<typeof import("node:net")>("node:net");
