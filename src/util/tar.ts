// Reading members of (gzipped) tar archives: ustar names, GNU long names and pax `path` records.
// Enough to read an sdist's PKG-INFO without unpacking it.

import { nodeZlib } from "./lazy-builtins.ts";

export class TarError extends Error {
  override name = "TarError";
}

export interface TarMember {
  name: string;
  type: string;
  data: Buffer;
}

function readString(block: Buffer, offset: number, length: number): string {
  const end = block.indexOf(0, offset);
  return block.toString("utf8", offset, end >= 0 && end < offset + length ? end : offset + length);
}

function readOctal(block: Buffer, offset: number, length: number): number {
  const text = readString(block, offset, length).trim();
  return text === "" ? 0 : Number.parseInt(text, 8);
}

/** Every regular file of a tar (gunzipped when it starts with the gzip magic). */
export function readTar(archive: Buffer): TarMember[] {
  let data = archive;
  if (archive[0] === 0x1f && archive[1] === 0x8b) {
    try {
      data = nodeZlib().gunzipSync(archive);
    } catch (error) {
      throw new TarError(`cannot gunzip: ${(error as Error).message}`);
    }
  }
  const members: TarMember[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = readOctal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = readString(header, 345, 155);
    let name = readString(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const start = offset + 512;
    const body = data.subarray(start, start + size);
    if (body.length < size) throw new TarError(`member ${name} is truncated`);
    offset = start + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = body.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    if (type === "x") {
      const path = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"));
      if (path) longName = path[1];
      continue;
    }
    if (type === "g") continue;
    if (longName !== null) {
      name = longName;
      longName = null;
    }
    if (type === "0" || type === "\0" || type === "7") members.push({ name, type, data: body });
  }
  return members;
}
