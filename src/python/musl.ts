// Which musl an interpreter runs on (Alpine's, a distroless image's), found as packaging finds it
// for pip: the interpreter's ELF names musl's dynamic loader as its program interpreter, and that
// loader, run without arguments, prints its version. Without it an interpreter on musl would
// take no musllinux wheels, only `linux_*` and pure ones.

import { readElf } from "../util/elf.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";

/** The musl version (major, minor) the interpreter at `executable` runs on, or null (glibc, not Linux). */
export function muslVersionOf(executable: string): [number, number] | null {
  const loader = readElf(executable, true)?.interpreter;
  if (loader === undefined || loader === null || !loader.includes("musl")) return null;
  const run = nodeChildProcess().spawnSync(loader, [], {
    encoding: "utf8",
    stdio: ["ignore", "ignore", "pipe"],
    timeout: 5_000,
  });
  return parseMuslVersion(run.stderr ?? "");
}

/** The version in musl's loader's usage text: `musl libc (x86_64)`, then `Version 1.2.4`. */
export function parseMuslVersion(text: string): [number, number] | null {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length < 2 || !lines[0].startsWith("musl")) return null;
  const version = /^Version (\d+)\.(\d+)/.exec(lines[1]);
  return version === null ? null : [Number(version[1]), Number(version[2])];
}
