// V8 code caches of the CLI bundle, one file per command (src/cli/entry.ts runs the bundle with
// them), each closed by a checksum of its bytes that is checked before V8 sees them.
//
// Why a checksum of our own: V8 checks a cache's version, flags and source length, not its bytes.
// Flipping one to three bits of a `pip install` cache failed the run in 59 of 150 cases: 47
// crashes (SIGSEGV, SIGTRAP) and 12 errors, some misleading (`No Python interpreter at ...:
// statSync is not a function`); in 15 the next run failed again, and so on until the cache was
// cleaned (an earlier guard only caught a crash while V8 read the cache). V8's own check
// (`--verify-snapshot-checksum`) costs 2-3 ms per run (loading node:v8 to set it, or checking
// Node's start-up snapshot too), as does hashing half a megabyte in JavaScript, which runs in
// V8's interpreter this early. The checksum here runs as a 164-byte WebAssembly module: about
// 1 ms, most of it WebAssembly's set-up.

import {
  closeSync,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { makeDirectories } from "../util/make-directories.ts";

/** The cache bucket of code caches (src/cache/store.ts lists it with the others). */
export const CODE_CACHE_BUCKET = "code-v2";

/** The directory beside the bundles that holds their code caches when it can be written. */
export const BESIDE_BUNDLE = "code-cache";

/**
 * The trailer: which kinds of run the cache holds the functions of (a 32-bit mask, see
 * runKindsMask in src/cli/entry.ts), four zero bytes, and the 64-bit checksum of every byte
 * before it; little-endian.
 */
const TRAILER_BYTES = 16;
const CHECKSUM_BYTES = 8;

/**
 * The module below, from this text (assembled with wabt's wat2wasm): the bytes [0, end), end a
 * multiple of 16, mixed into four 32-bit lanes, each `state = (state ^ word) * 0x01000193`, then
 * `state ^= state >>> 15`, and folded to 64 bits. Both steps are one-to-one, so a change of one
 * word always changes the sum; the shift carries high bits down, where a multiplication alone
 * would let two flips of a word's top bit cancel.
 *
 *   (module
 *     (memory (export "memory") 1)
 *     (func (export "checksum") (param $end i32) (param $seed i32) (result i64)
 *       (local $at i32) (local $state v128)
 *       (local.set $state (v128.xor (i32x4.splat (local.get $seed))
 *         (v128.const i32x4 0x811c9dc5 0x9e3779b9 0x85ebca6b 0xc2b2ae35)))
 *       (block $done
 *         (loop $next
 *           (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
 *           (local.set $state (i32x4.mul (v128.xor (local.get $state) (v128.load (local.get $at)))
 *             (v128.const i32x4 0x01000193 0x01000193 0x01000193 0x01000193)))
 *           (local.set $state (v128.xor (local.get $state) (i32x4.shr_u (local.get $state) (i32.const 15))))
 *           (local.set $at (i32.add (local.get $at) (i32.const 16)))
 *           (br $next)))
 *       (i64.xor (i64x2.extract_lane 0 (local.get $state)) (i64x2.extract_lane 1 (local.get $state)))))
 *
 * code-cache.test.ts holds it to the same rule written in JavaScript.
 */
const CHECKSUM_MODULE =
  "AGFzbQEAAAABBwFgAn9/AX4DAgEABQMBAAEHFQIGbWVtb3J5AgAIY2hlY2tzdW0AAApxAW8CAX8BeyAB/RH9DMWdHIG5eTeea8rrhTWussL9USEDAkADQCACIABPDQEgAyAC/QAEAP1R/QyTAQABkwEAAZMBAAGTAQAB/bUBIQMgAyADQQ/9rQH9USEDIAJBEGohAgwACwsgA/0dACAD/R0BhQs=";

// The part of WebAssembly used here: TypeScript declares it only in its DOM libraries.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: unknown;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}

interface Checksummer {
  memory: WebAssembly.Memory;
  checksum(end: number, seed: number): bigint;
}

let checksummer: Checksummer | undefined;

/** The module's memory, grown to hold `size` bytes and the zeros that round them up to 16. */
function memoryFor(size: number): Checksummer {
  if (checksummer === undefined) {
    const module = new WebAssembly.Module(Buffer.from(CHECKSUM_MODULE, "base64"));
    checksummer = new WebAssembly.Instance(module).exports as unknown as Checksummer;
  }
  const pages = Math.ceil((size + 16) / 65536);
  const have = checksummer.memory.buffer.byteLength / 65536;
  if (pages > have) checksummer.memory.grow(pages - have);
  return checksummer;
}

/** The checksum of the first `length` bytes of the module's memory (the rest up to 16 zeroed). */
function checksumInMemory(instance: Checksummer, length: number): bigint {
  const end = (length + 15) & ~15;
  new Uint8Array(instance.memory.buffer, length, end - length).fill(0);
  return instance.checksum(end, length);
}

/** The checksum of `data`, as the trailer holds it. Exported for the tests. */
export function codeCacheChecksum(data: Uint8Array): bigint {
  const instance = memoryFor(data.length);
  new Uint8Array(instance.memory.buffer).set(data);
  return checksumInMemory(instance, data.length);
}

/** Reads from the start of the file into `bytes` until they are full or the file ends; the count. */
function readFully(descriptor: number, bytes: Uint8Array): number {
  let read = 0;
  while (read < bytes.length) {
    const count = readSync(descriptor, bytes, read, bytes.length - read, read);
    if (count === 0) break;
    read += count;
  }
  return read;
}

/**
 * A file's bytes as a Latin-1 string, read through the checksum module's memory: the bundle's
 * source, read just before its code cache (readCodeCache), which then lands in the same pages.
 * A buffer of its own was 0.8 MB of memory touched for the first time, which costs on this
 * project's virtual machines (bin/spice): 100 page faults fewer per command. Throws as
 * readFileSync does.
 */
export function readLatin1(file: string): string {
  const descriptor = openSync(file, "r");
  try {
    const size = fstatSync(descriptor).size;
    const memory = memoryFor(size).memory.buffer;
    const read = readFully(descriptor, new Uint8Array(memory, 0, size));
    return Buffer.from(memory, 0, read).toString("latin1");
  } finally {
    closeSync(descriptor);
  }
}

export interface CodeCache {
  /** V8's data: a view of the checksum module's memory, good until the next read or write here. */
  data: Uint8Array;
  /** The kinds of run whose functions it holds (a mask the caller defines). */
  runKinds: number;
}

/**
 * A code cache file's V8 data, or undefined when there is none or its bytes are not as they
 * were written (the file is then removed, and the caller's run writes it again). Never throws: a
 * cache only saves time.
 */
export function readCodeCache(file: string): CodeCache | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(file, "r");
  } catch {
    return undefined; // not cached yet
  }
  try {
    const size = fstatSync(descriptor).size;
    if (size <= TRAILER_BYTES || size > 256 * 1024 * 1024) throw new Error("not a code cache");
    // Read straight into the module's memory: no copy of half a megabyte.
    const instance = memoryFor(size);
    const bytes = new Uint8Array(instance.memory.buffer, 0, size);
    if (readFully(descriptor, bytes) < size) throw new Error("the file got shorter");
    const length = size - TRAILER_BYTES;
    const trailer = Buffer.from(bytes.buffer, length, TRAILER_BYTES);
    const stored = trailer.readBigInt64LE(TRAILER_BYTES - CHECKSUM_BYTES);
    if (checksumInMemory(instance, size - CHECKSUM_BYTES) !== stored) throw new Error("checksum mismatch");
    return { data: bytes.subarray(0, length), runKinds: trailer.readUInt32LE(0) };
  } catch {
    try {
      unlinkSync(file);
    } catch {
      // a read-only cache, or removed meanwhile
    }
    return undefined;
  } finally {
    closeSync(descriptor);
  }
}

/** A temporary file older than this was left by a run that ended while writing it. */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;

function modifiedBefore(path: string, time: number): boolean {
  return (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? time) < time;
}

/**
 * Writes a code cache with its checksum, atomically; the first save for a new bundle drops the
 * caches of older ones. Never throws: it says whether the file was written (a read-only or full
 * cache means the next run compiles again).
 */
export function writeCodeCache(file: string, data: Uint8Array, runKinds: number): boolean {
  try {
    const directory = dirname(file);
    const bucket = dirname(directory);
    if (makeDirectories(directory)) {
      // Older bundles' caches go, and what a run killed while writing left (beside the bundles,
      // `spice cache prune` does not look); another run's file being written stays.
      const abandoned = Date.now() - ABANDONED_AFTER_MS;
      for (const entry of readdirSync(bucket)) {
        const path = join(bucket, entry);
        if (entry.startsWith(".tmp-") ? modifiedBefore(path, abandoned) : entry !== basename(directory))
          rmSync(path, { recursive: true, force: true });
      }
    }
    const bytes = Buffer.alloc(data.length + TRAILER_BYTES);
    bytes.set(data);
    bytes.writeUInt32LE(runKinds >>> 0, data.length);
    const checked = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
    bytes.writeBigInt64LE(codeCacheChecksum(checked), checked.length);
    // Staged beside the bundles' directories, where `spice cache prune` finds leftovers.
    const temporary = join(bucket, `.tmp-${basename(file)}-${process.pid}`);
    writeFileSync(temporary, bytes);
    renameSync(temporary, file);
    return true;
  } catch {
    // A read-only or full cache: the next run compiles again.
    return false;
  }
}
