// What an interpreter's executable says of the wheels it can load, read from its ELF header as
// packaging reads it for pip: the musl it runs on (Alpine's, a distroless image's), whose loader
// the header names as its program interpreter and which prints its version when run without
// arguments (without it, an interpreter on musl would take no musllinux wheels, only `linux_*` and
// pure ones); and, before 32-bit ARM or x86 manylinux wheels are offered, whether it is a
// hard-float ARM or an x86 build.

import { readElf } from "../util/elf.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";

/** The musl version (major, minor) the interpreter at `executable` runs on, or null (glibc, not Linux). */
export function muslVersionOf(executable: string): [number, number] | null {
  const loader = readElf(executable, { interpreter: true })?.interpreter;
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

const EM_386 = 3;
const EM_ARM = 40;
const EF_ARM_ABIMASK = 0xff000000;
const EF_ARM_ABI_VER5 = 0x05000000;
const EF_ARM_ABI_FLOAT_HARD = 0x400;

/**
 * packaging's checks of the interpreter's ELF header before it offers manylinux wheels for armv7l
 * (a hard-float ARM EABI5 build: armel's soft-float Python cannot load them) or i686 (a 32-bit x86
 * build); null when the executable is no ELF file.
 */
export function executableAbiOf(executable: string): { armhf: boolean; i686: boolean } | null {
  const elf = executable === "" ? null : readElf(executable);
  if (elf === null) return null;
  const little32 = elf.bits === 32 && elf.littleEndian;
  return {
    armhf:
      little32 &&
      elf.machine === EM_ARM &&
      (elf.flags & EF_ARM_ABIMASK) >>> 0 === EF_ARM_ABI_VER5 &&
      (elf.flags & EF_ARM_ABI_FLOAT_HARD) === EF_ARM_ABI_FLOAT_HARD,
    i686: little32 && elf.machine === EM_386,
  };
}
