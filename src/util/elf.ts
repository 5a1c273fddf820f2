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
  /** The libraries it needs (DT_NEEDED), if asked for; null when it has no dynamic section. */
  needed: string[] | null;
}

/** The parts of an ELF file past its header to read as well: each costs a few more reads. */
export interface ElfParts {
  interpreter?: boolean;
  needed?: boolean;
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

/** An open ELF file's header fields and readers for the rest, by its class and byte order. */
interface ElfReader {
  elf: ElfFile;
  header: Buffer;
  read(position: number, length: number): Buffer | null;
  u16(buffer: Buffer, at: number): number;
  u32(buffer: Buffer, at: number): number;
  /** A 32-bit file's 4-byte field, a 64-bit file's 8-byte one. */
  word(buffer: Buffer, at: number): number;
}

function elfReader(descriptor: number): ElfReader | null {
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
    bits === 32 ? u32(buffer, at) : Number(little ? buffer.readBigUInt64LE(at) : buffer.readBigUInt64BE(at));
  const elf: ElfFile = {
    bits,
    littleEndian: little,
    machine: u16(header, 18),
    flags: u32(header, bits === 32 ? 36 : 48),
    interpreter: null,
    needed: null,
  };
  return { elf, header, read, u16, u32, word };
}

/**
 * Reads the header of the ELF file at `path` and the `parts` asked for, through one descriptor;
 * null when it is no ELF file, or cannot be read.
 */
export function readElf(path: string, parts: ElfParts = {}): ElfFile | null {
  return readFileWith(path, (descriptor) => {
    const reader = elfReader(descriptor);
    if (reader === null) return null;
    if (parts.interpreter) reader.elf.interpreter = programInterpreter(reader);
    if (parts.needed) reader.elf.needed = neededLibraries(reader);
    return reader.elf;
  });
}

/** The loader an executable names in its PT_INTERP program header, if any. */
function programInterpreter({ elf, header, read, u16, u32, word }: ElfReader): string | null {
  const bits = elf.bits;
  const programHeaders = word(header, bits === 32 ? 28 : 32);
  const entrySize = u16(header, bits === 32 ? 42 : 54);
  const count = u16(header, bits === 32 ? 44 : 56);
  if (count > MAX_PROGRAM_HEADERS || entrySize < (bits === 32 ? 32 : 56)) return null;
  for (let index = 0; index < count; index++) {
    const entry = read(programHeaders + index * entrySize, entrySize);
    if (entry === null) return null;
    if (u32(entry, 0) !== PT_INTERP) continue;
    const offset = word(entry, bits === 32 ? 4 : 8);
    const size = word(entry, bits === 32 ? 16 : 32);
    if (size === 0 || size > MAX_INTERPRETER_BYTES) return null;
    return read(offset, size)?.toString("latin1").replace(/\0.*$/s, "") ?? null;
  }
  return null;
}

const SHT_DYNAMIC = 6;
const DT_NEEDED = 1;
/** Section headers and dynamic entries past these are no shared library a wheel ships. */
const MAX_SECTIONS = 4096;
const MAX_DYNAMIC_BYTES = 1 << 20;

/**
 * The libraries a shared object needs (its DT_NEEDED entries: `libc.so.6` is glibc's C library,
 * `libc.musl-x86_64.so.1` musl's), read through its section headers; null when it has no dynamic
 * section there.
 */
function neededLibraries({ elf, header, read, u16, u32, word }: ElfReader): string[] | null {
  const bits = elf.bits;
  const sections = word(header, bits === 32 ? 32 : 40);
  const entrySize = u16(header, bits === 32 ? 46 : 58);
  const count = u16(header, bits === 32 ? 48 : 60);
  if (sections === 0 || count > MAX_SECTIONS || entrySize < (bits === 32 ? 40 : 64)) return null;
  const section = (index: number) => {
    const entry = index < count ? read(sections + index * entrySize, entrySize) : null;
    return entry === null
      ? null
      : {
          type: u32(entry, 4),
          offset: word(entry, bits === 32 ? 16 : 24),
          size: word(entry, bits === 32 ? 20 : 32),
          link: u32(entry, bits === 32 ? 24 : 40),
        };
  };
  for (let index = 0; index < count; index++) {
    const dynamic = section(index);
    if (dynamic === null) return null;
    if (dynamic.type !== SHT_DYNAMIC) continue;
    const strings = section(dynamic.link);
    if (strings === null || dynamic.size > MAX_DYNAMIC_BYTES || strings.size > MAX_DYNAMIC_BYTES) return null;
    const entries = read(dynamic.offset, dynamic.size);
    const table = read(strings.offset, strings.size);
    if (entries === null || table === null) return null;
    const step = bits === 32 ? 8 : 16;
    const needed: string[] = [];
    for (let at = 0; at + step <= entries.length; at += step) {
      const tag = word(entries, at);
      if (tag === 0) break; // DT_NULL
      if (tag !== DT_NEEDED) continue;
      const start = word(entries, at + step / 2);
      const end = table.indexOf(0, start);
      if (start < table.length && end > start) needed.push(table.toString("latin1", start, end));
    }
    return needed;
  }
  return null;
}
