// Builds the smallest ELF shared object spice's ELF reader takes: a 64-bit little-endian header,
// a dynamic section naming the libraries it needs, and the section headers that find it. For
// tests of modules built for another C library, which no compiler here makes.

/** A shared object for `machine` (e_machine; 62 is x86-64) whose DT_NEEDED entries are `needed`. */
export function sharedObjectNeeding(needed: readonly string[], machine = 62): Buffer {
  const strings = Buffer.from(`\0${needed.map((name) => `${name}\0`).join("")}`, "latin1");
  const align = (offset: number) => Math.ceil(offset / 8) * 8;
  const stringsAt = 64;
  const dynamicAt = align(stringsAt + strings.length);
  const dynamicSize = (needed.length + 1) * 16;
  const sectionsAt = align(dynamicAt + dynamicSize);
  const file = Buffer.alloc(sectionsAt + 3 * 64);
  file.write("\x7fELF", 0, "latin1");
  file[4] = 2; // 64-bit
  file[5] = 1; // little-endian
  file[6] = 1;
  file.writeUInt16LE(3, 16); // ET_DYN
  file.writeUInt16LE(machine, 18);
  file.writeUInt32LE(1, 20);
  file.writeBigUInt64LE(BigInt(sectionsAt), 40); // e_shoff
  file.writeUInt16LE(64, 52); // e_ehsize
  file.writeUInt16LE(64, 58); // e_shentsize
  file.writeUInt16LE(3, 60); // e_shnum
  strings.copy(file, stringsAt);
  let nameAt = 1;
  needed.forEach((name, index) => {
    file.writeBigUInt64LE(1n, dynamicAt + index * 16); // DT_NEEDED
    file.writeBigUInt64LE(BigInt(nameAt), dynamicAt + index * 16 + 8);
    nameAt += Buffer.byteLength(name, "latin1") + 1;
  });
  const section = (index: number, type: number, offset: number, size: number, link: number) => {
    const at = sectionsAt + index * 64;
    file.writeUInt32LE(type, at + 4);
    file.writeBigUInt64LE(BigInt(offset), at + 24);
    file.writeBigUInt64LE(BigInt(size), at + 32);
    file.writeUInt32LE(link, at + 40);
  };
  section(1, 3, stringsAt, strings.length, 0); // SHT_STRTAB: .dynstr
  section(2, 6, dynamicAt, dynamicSize, 1); // SHT_DYNAMIC, its strings in section 1
  return file;
}
