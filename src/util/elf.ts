// Just enough of an ELF file's header to say which machine it was built for and which dynamic
// loader it asks for (its PT_INTERP): that loader's path tells a musl system from a glibc one, as
// packaging's musllinux detection reads it; the machine tells a compiled module built for another
// architecture. Node has no ELF reader, and no library is worth taking for two fields.

import { readSync } from "node:fs";
import { readFileWith } from "./fs.ts";

export interface ElfFile {
  /** 32 or 64 (EI_CLASS). */
  bits: 32 | 64;
  /** Whether the file's data is little-endian (EI_DATA). */
  littleEndian: boolean;
  /** e_machine: 62 is x86-64, 183 AArch64, 3 i386, ... (see machineName). */
  machine: number;
  /** e_flags: processor-specific (ARM's ABI version and float ABI). */
  flags: number;
  /** The program interpreter (PT_INTERP) an executable names, if asked for and present. */
  interpreter: string | null;
}

const PT_INTERP = 3;
/** Program headers past this many are no ELF file a Python would be (a damaged or hostile file). */
const MAX_PROGRAM_HEADERS = 256;
const MAX_INTERPRETER_BYTES = 4096;

const MACHINE_NAMES: Record<number, string> = {
  3: "i386",
  8: "mips",
  20: "ppc",
  21: "ppc64",
  22: "s390x",
  40: "arm",
  62: "x86_64",
  183: "aarch64",
  243: "riscv64",
  258: "loongarch64",
};

/** The architecture an e_machine number names, as `uname -m` spells it. */
export function machineName(machine: number): string {
  return MACHINE_NAMES[machine] ?? `machine ${machine}`;
}

/**
 * Reads the header of the ELF file at `path` (and its PT_INTERP when `withInterpreter`); null when
 * it is no ELF file, or cannot be read.
 */
export function readElf(path: string, withInterpreter = false): ElfFile | null {
  return readFileWith(path, (descriptor) => {
    const read = (position: number, length: number): Buffer | null => {
      if (!Number.isSafeInteger(position)) return null; // a damaged offset: past any file
      const buffer = Buffer.alloc(length);
      return readSync(descriptor, buffer, 0, length, position) === length ? buffer : null;
    };
    // The header: 52 bytes in a 32-bit file, 64 in a 64-bit one.
    const header = Buffer.alloc(64);
    const headerBytes = readSync(descriptor, header, 0, 64, 0);
    if (headerBytes < 52 || header.readUInt32BE(0) !== 0x7f454c46) return null;
    const bits = header[4] === 1 ? 32 : header[4] === 2 && headerBytes === 64 ? 64 : null;
    const little = header[5] === 1 ? true : header[5] === 2 ? false : null;
    if (bits === null || little === null) return null;
    const u16 = (buffer: Buffer, at: number) => (little ? buffer.readUInt16LE(at) : buffer.readUInt16BE(at));
    const u32 = (buffer: Buffer, at: number) => (little ? buffer.readUInt32LE(at) : buffer.readUInt32BE(at));
    // Offsets past 2^53 are no file on a disk: Number() of a 64-bit field is exact below that.
    const word = (buffer: Buffer, at: number) =>
      bits === 32
        ? u32(buffer, at)
        : Number(little ? buffer.readBigUInt64LE(at) : buffer.readBigUInt64BE(at));
    const elf: ElfFile = {
      bits,
      littleEndian: little,
      machine: u16(header, 18),
      flags: u32(header, bits === 32 ? 36 : 48),
      interpreter: null,
    };
    if (!withInterpreter) return elf;
    const programHeaders = word(header, bits === 32 ? 28 : 32);
    const entrySize = u16(header, bits === 32 ? 42 : 54);
    const count = u16(header, bits === 32 ? 44 : 56);
    if (count > MAX_PROGRAM_HEADERS || entrySize < (bits === 32 ? 32 : 56)) return elf;
    for (let index = 0; index < count; index++) {
      const entry = read(programHeaders + index * entrySize, entrySize);
      if (entry === null) break;
      if (u32(entry, 0) !== PT_INTERP) continue;
      const offset = word(entry, bits === 32 ? 4 : 8);
      const size = word(entry, bits === 32 ? 16 : 32);
      if (size === 0 || size > MAX_INTERPRETER_BYTES) break;
      const name = read(offset, size);
      if (name !== null) elf.interpreter = name.toString("latin1").replace(/\0.*$/s, "");
      break;
    }
    return elf;
  });
}
