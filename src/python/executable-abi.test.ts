import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { machine, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { sharedObjectNeeding } from "../../test/elf-builder.ts";
import { sysTags, type TagFacts } from "../standards/tags.ts";
import { machineName, readElf } from "../util/elf.ts";
import { executableAbiOf, muslVersionOf, parseMuslVersion } from "./executable-abi.ts";
import { inspectInterpreter, supportedTags } from "./interpreter.ts";

// The binary python3 runs (PATH may hold a pyenv shim, a script).
const python = realpathSync(
  execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" }).trim(),
);
const work = mkdtempSync(join(tmpdir(), "spice-musl-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** The bytes of an ELF executable header with one PT_INTERP program header naming `loader`. */
function elfNaming(loader: string, { bits = 64, little = true, machineNumber = 62, flags = 0 } = {}): Buffer {
  const headerSize = bits === 64 ? 64 : 52;
  const entrySize = bits === 64 ? 56 : 32;
  const name = Buffer.from(`${loader}\0`, "latin1");
  const file = Buffer.alloc(headerSize + entrySize + name.length);
  const u16 = (value: number, at: number) =>
    little ? file.writeUInt16LE(value, at) : file.writeUInt16BE(value, at);
  const u32 = (value: number, at: number) =>
    little ? file.writeUInt32LE(value, at) : file.writeUInt32BE(value, at);
  const word = (value: number, at: number) =>
    bits === 32
      ? u32(value, at)
      : little
        ? file.writeBigUInt64LE(BigInt(value), at)
        : file.writeBigUInt64BE(BigInt(value), at);
  file.write("\x7fELF", 0, "latin1");
  file[4] = bits === 64 ? 2 : 1;
  file[5] = little ? 1 : 2;
  file[6] = 1;
  u16(2, 16); // ET_EXEC
  u16(machineNumber, 18);
  u32(1, 20);
  word(headerSize, bits === 64 ? 32 : 28); // e_phoff
  u32(flags, bits === 64 ? 48 : 36); // e_flags
  u16(entrySize, bits === 64 ? 54 : 42);
  u16(1, bits === 64 ? 56 : 44);
  u32(3, headerSize); // PT_INTERP
  word(headerSize + entrySize, headerSize + (bits === 64 ? 8 : 4)); // p_offset
  word(name.length, headerSize + (bits === 64 ? 32 : 16)); // p_filesz
  name.copy(file, headerSize + entrySize);
  return file;
}

/** The tags of a CPython 3.12 on Linux x86_64, with `facts` changed. */
function linuxTags(facts: Partial<TagFacts>): string[] {
  return sysTags({
    implementationName: "cpython",
    pythonVersion: [3, 12],
    configVars: { Py_DEBUG: 0 },
    sysconfigPlatform: "linux-x86_64",
    platformSystem: "Linux",
    pointerBits: 64,
    ...facts,
  });
}

function written(name: string, bytes: Buffer | string, mode = 0o644): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  chmodSync(path, mode);
  return path;
}

describe("ELF headers", () => {
  it("give the machine and the loader of a real interpreter", () => {
    const elf = readElf(python, { interpreter: true });
    assert.ok(elf, `${python} is an ELF file`);
    assert.equal(machineName(elf.machine), machine());
    assert.match(elf.interpreter ?? "", /\/ld-linux[^/]*\.so\.\d$/);
    assert.equal(readElf(python)?.interpreter, null, "the loader is read only when asked for");
    const both = readElf(python, { interpreter: true, needed: true });
    assert.equal(both?.interpreter, elf.interpreter);
    assert.ok(both?.needed?.includes("libc.so.6"), `${python} needs glibc's libc: ${both?.needed}`);
  });

  it("read 32-bit and big-endian files, and refuse what is no ELF file", () => {
    const big = written(
      "big-endian",
      elfNaming("/lib/ld.so.1", { bits: 32, little: false, machineNumber: 22 }),
    );
    assert.deepEqual(readElf(big, { interpreter: true }), {
      bits: 32,
      littleEndian: false,
      machine: 22,
      flags: 0,
      interpreter: "/lib/ld.so.1",
      needed: null,
    });
    assert.equal(readElf(written("script", "#!/bin/sh\nexit 0\n")), null);
    assert.equal(readElf(written("short", "\x7fELF\x02\x01")), null);
    assert.equal(readElf(join(work, "missing")), null);
    assert.equal(readElf(work), null, "a directory");
    // A damaged header whose program headers point past the end: the header, without a loader.
    const damaged = elfNaming("/lib/ld-musl-x86_64.so.1");
    for (const offset of [1n << 40n, 1n << 63n]) {
      damaged.writeBigUInt64LE(offset, 32);
      assert.deepEqual(readElf(written("damaged", damaged), { interpreter: true }), {
        bits: 64,
        littleEndian: true,
        machine: 62,
        flags: 0,
        interpreter: null,
        needed: null,
      });
    }
  });
});

describe("musl detection", () => {
  it("runs the musl loader an interpreter names and reads its version", () => {
    // musl's loader, run without arguments, prints this usage text to stderr and exits 1.
    const loader = written(
      "ld-musl-x86_64.so.1",
      "#!/bin/sh\nprintf 'musl libc (x86_64)\\nVersion 1.2.4\\nDynamic Program Loader\\nUsage: %s [options] [--] pathname [args]\\n' \"$0\" >&2\nexit 1\n",
      0o755,
    );
    const version = muslVersionOf(written("python3.12", elfNaming(loader), 0o755));
    assert.deepEqual(version, [1, 2]);
    // ... and so the musllinux platforms pip would take, newest first, before linux_x86_64.
    const tags = linuxTags({ glibcVersion: null, muslVersion: version });
    assert.deepEqual(tags.slice(0, 4), [
      "cp312-cp312-musllinux_1_2_x86_64",
      "cp312-cp312-musllinux_1_1_x86_64",
      "cp312-cp312-musllinux_1_0_x86_64",
      "cp312-cp312-linux_x86_64",
    ]);
  });

  it("is part of an interpreter's inspection, and so of its supported tags", () => {
    const loader = written(
      "ld-musl-inspected.so.1",
      "#!/bin/sh\nprintf 'musl libc (x86_64)\\nVersion 1.2.3\\n' >&2\nexit 1\n",
      0o755,
    );
    const executable = written("python-on-musl", elfNaming(loader), 0o755);
    // The real interpreter's inspection, as one on musl prints it: no glibc, and its executable
    // the ELF file above.
    const onMusl = written(
      "python3-on-musl",
      `#!/bin/sh\n'${python}' "$@" | sed -e 's/"glibc_version":[^]]*]/"glibc_version":null/' -e 's|"executable":"[^"]*"|"executable":"${executable}"|'\n`,
      0o755,
    );
    const inspected = inspectInterpreter(onMusl, { cacheDir: join(work, "cache") });
    assert.deepEqual(inspected.facts.musl_version, [1, 2]);
    // From the cache too.
    assert.deepEqual(
      inspectInterpreter(onMusl, { cacheDir: join(work, "cache") }).facts.musl_version,
      [1, 2],
    );
    const tags = supportedTags(inspected);
    assert.ok(
      tags.some((tag) => tag.endsWith(`-musllinux_1_2_${machine()}`)),
      tags.slice(0, 5).join(" "),
    );
    assert.ok(!tags.some((tag) => tag.includes("manylinux")));
    assert.equal(inspectInterpreter(python, { cacheDir: null }).facts.musl_version, null);
  });

  it("finds none on glibc, or where the loader says no version", () => {
    assert.equal(muslVersionOf(python), null);
    const silent = written("ld-musl-silent.so.1", "#!/bin/sh\nexit 1\n", 0o755);
    assert.equal(muslVersionOf(written("python-silent", elfNaming(silent), 0o755)), null);
    assert.equal(muslVersionOf(written("python-gone", elfNaming(join(work, "ld-musl-gone.so.1")))), null);
    assert.equal(parseMuslVersion("glibc 2.36\nVersion 2.36\n"), null);
    assert.deepEqual(parseMuslVersion("\n  musl libc (aarch64)\n  Version 1.1.24\n"), [1, 1]);
    assert.equal(parseMuslVersion("musl libc (x86_64)\n"), null);
  });
});

describe("32-bit manylinux checks", () => {
  it("take manylinux armv7l wheels only on a hard-float ARM build, i686 ones only on an x86 build", () => {
    const abi = (name: string, options: Parameters<typeof elfNaming>[1]) =>
      executableAbiOf(written(name, elfNaming("/lib/ld-linux.so.3", options), 0o755));
    assert.deepEqual(abi("armhf", { bits: 32, machineNumber: 40, flags: 0x05000400 }), {
      armhf: true,
      i686: false,
    });
    assert.deepEqual(abi("armel", { bits: 32, machineNumber: 40, flags: 0x05000200 }), {
      armhf: false,
      i686: false,
    });
    assert.deepEqual(abi("i686", { bits: 32, machineNumber: 3 }), { armhf: false, i686: true });
    assert.deepEqual(executableAbiOf(python), { armhf: false, i686: false });
    assert.equal(executableAbiOf(written("not-elf", "#!/bin/sh\n")), null);
    const armTags = (executableAbi: { armhf: boolean; i686: boolean } | null) =>
      linuxTags({
        sysconfigPlatform: "linux-armv7l",
        pointerBits: 32,
        glibcVersion: [2, 31],
        executableAbi,
      }).filter((tag) => tag.startsWith("cp312-cp312-"));
    assert.deepEqual(armTags({ armhf: false, i686: false }), ["cp312-cp312-linux_armv7l"]);
    assert.equal(armTags({ armhf: true, i686: false })[0], "cp312-cp312-manylinux_2_31_armv7l");
    assert.equal(armTags(null)[0], "cp312-cp312-manylinux_2_31_armv7l", "unknown: taken, as before");
    // The inspection records it.
    assert.deepEqual(inspectInterpreter(python, { cacheDir: null }).facts.executable_abi, {
      armhf: false,
      i686: false,
    });
  });
});

describe("needed libraries", () => {
  it("are read from a shared object's dynamic section", () => {
    const lib = join(dirname(dirname(python)), "lib");
    const stdlib = readdirSync(lib).find((name) => /^python3\.\d+$/.test(name)) ?? "";
    const dynload = join(lib, stdlib, "lib-dynload");
    const ssl = readdirSync(dynload).find((name) => name.startsWith("_ssl."));
    assert.ok(ssl, `no _ssl module in ${dynload}`);
    assert.deepEqual(readElf(join(dynload, ssl), { needed: true })?.needed, [
      "libssl.so.3",
      "libcrypto.so.3",
      "libc.so.6",
    ]);
    const built = written("_speedups.so", sharedObjectNeeding(["libm.so.6", "libc.musl-x86_64.so.1"]));
    assert.deepEqual(readElf(built, { needed: true })?.needed, ["libm.so.6", "libc.musl-x86_64.so.1"]);
    assert.deepEqual(readElf(written("none.so", sharedObjectNeeding([])), { needed: true })?.needed, []);
    assert.equal(readElf(written("header-only.so", elfNaming("/lib/ld.so")), { needed: true })?.needed, null);
    assert.equal(readElf(written("text.so", "GROUP ( libc.so.6 )\n"), { needed: true }), null);
  });
});
