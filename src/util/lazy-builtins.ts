// Node built-ins that cost start-up time when loaded (crypto, zlib, child_process, http,
// worker_threads), required on
// first use instead of imported: a bundled ESM import is hoisted and loaded by every command,
// even those that never hash, inflate or spawn (measured: several ms of `spice pip list`).

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

let crypto: typeof import("node:crypto") | undefined;
let zlib: typeof import("node:zlib") | undefined;
let childProcess: typeof import("node:child_process") | undefined;
let http: typeof import("node:http") | undefined;
let workerThreads: typeof import("node:worker_threads") | undefined;
let tty: typeof import("node:tty") | undefined;
let tls: typeof import("node:tls") | undefined;

export function nodeCrypto(): typeof import("node:crypto") {
  crypto ??= require("node:crypto") as typeof import("node:crypto");
  return crypto;
}

export function nodeZlib(): typeof import("node:zlib") {
  zlib ??= require("node:zlib") as typeof import("node:zlib");
  return zlib;
}

export function nodeChildProcess(): typeof import("node:child_process") {
  childProcess ??= require("node:child_process") as typeof import("node:child_process");
  return childProcess;
}

export function nodeHttp(): typeof import("node:http") {
  http ??= require("node:http") as typeof import("node:http");
  return http;
}

export function nodeWorkerThreads(): typeof import("node:worker_threads") {
  workerThreads ??= require("node:worker_threads") as typeof import("node:worker_threads");
  return workerThreads;
}

export function nodeTty(): typeof import("node:tty") {
  tty ??= require("node:tty") as typeof import("node:tty");
  return tty;
}

export function nodeTls(): typeof import("node:tls") {
  tls ??= require("node:tls") as typeof import("node:tls");
  return tls;
}
