// Builds real wheel files for tests, from a name, a version, files and dependencies, with knobs
// for the malformed and malicious wheels the installer must refuse.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { recordHash } from "../src/util/hash.ts";
import { createZip, type ZipInput } from "../src/util/zip.ts";

export interface WheelSpec {
  name: string;
  version: string;
  /** Files relative to the wheel root (package code, .data entries). */
  files?: Record<string, string | Uint8Array>;
  requires?: string[];
  extras?: Record<string, string[]>;
  requiresPython?: string;
  consoleScripts?: Record<string, string>;
  tag?: string;
  rootIsPurelib?: boolean;
  summary?: string;
  license?: string;
  /** More METADATA header lines, and a body (the long description). */
  headers?: string[];
  description?: string;
  wheelVersion?: string;
  /** Change the archive after RECORD is computed, for malformed wheels. */
  tamper?: (members: ZipInput[]) => ZipInput[];
  /** Name of the .dist-info directory (defaults to the right one). */
  distInfoName?: string;
  filename?: string;
}

/** `requirement` limited to `extra`, keeping its own marker. */
export function forExtra(requirement: string, extra: string): string {
  const semicolon = requirement.indexOf(";");
  if (semicolon < 0) return `${requirement}; extra == "${extra}"`;
  return `${requirement.slice(0, semicolon).trim()}; (${requirement.slice(semicolon + 1).trim()}) and extra == "${extra}"`;
}

export function distInfoDirectory(name: string, version: string): string {
  return `${name.replace(/[-_.]+/g, "_")}-${version}.dist-info`;
}

export function buildWheel(directory: string, spec: WheelSpec): string {
  const distInfo = spec.distInfoName ?? distInfoDirectory(spec.name, spec.version);
  const metadata = [
    "Metadata-Version: 2.1",
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Summary: ${spec.summary ?? `The ${spec.name} test package`}`,
    "Home-page: https://example.invalid/",
    "Author: Spice Tests",
    "Author-email: tests@example.invalid",
    `License: ${spec.license ?? "MIT"}`,
    ...(spec.requiresPython ? [`Requires-Python: ${spec.requiresPython}`] : []),
    ...(spec.requires ?? []).map((requirement) => `Requires-Dist: ${requirement}`),
    ...Object.entries(spec.extras ?? {}).flatMap(([extra, requirements]) => [
      `Provides-Extra: ${extra}`,
      ...requirements.map((requirement) => `Requires-Dist: ${forExtra(requirement, extra)}`),
    ]),
    ...(spec.headers ?? []),
    "",
    spec.description ?? "",
  ].join("\n");
  const tag = spec.tag ?? "py3-none-any";
  const wheel = `Wheel-Version: ${spec.wheelVersion ?? "1.0"}\nGenerator: spice-tests\nRoot-Is-Purelib: ${spec.rootIsPurelib ?? true}\nTag: ${tag}\n\n`;
  const members: ZipInput[] = Object.entries(spec.files ?? {}).map(([name, data]) => ({ name, data }));
  members.push({ name: `${distInfo}/METADATA`, data: metadata }, { name: `${distInfo}/WHEEL`, data: wheel });
  if (spec.consoleScripts) {
    const lines = Object.entries(spec.consoleScripts).map(([name, target]) => `${name} = ${target}`);
    members.push({ name: `${distInfo}/entry_points.txt`, data: `[console_scripts]\n${lines.join("\n")}\n` });
  }
  const record = members.map(
    (member) => `${member.name},${recordHash(member.data)},${Buffer.byteLength(member.data)}`,
  );
  record.push(`${distInfo}/RECORD,,`);
  members.push({ name: `${distInfo}/RECORD`, data: `${record.join("\n")}\n` });
  const final = spec.tamper ? spec.tamper(members) : members;
  const filename = spec.filename ?? `${spec.name.replace(/[-_.]+/g, "_")}-${spec.version}-${tag}.whl`;
  const path = join(directory, filename);
  writeFileSync(path, createZip(final));
  return path;
}

/** A pure-Python package `name` with a module, a console script and a data script. */
export function simplePackage(name: string, version: string, extra: Partial<WheelSpec> = {}): WheelSpec {
  const module = name.replace(/[-.]/g, "_");
  return {
    name,
    version,
    files: {
      [`${module}/__init__.py`]: `VERSION = "${version}"\n\ndef main():\n    print("${name} ${version} says hello")\n`,
      [`${module}/data.txt`]: "some data\n",
      [`${module}-${version}.data/scripts/${module}-tool`]:
        "#!python\nimport sys\nprint('tool', sys.executable)\n",
    },
    consoleScripts: { [`${name}-hello`]: `${module}:main` },
    ...extra,
  };
}

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, "utf8");
  header.write("0000644\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}

/** A source distribution with a static PKG-INFO (Metadata 2.2) and a pyproject.toml. */
export function buildSdist(
  directory: string,
  name: string,
  version: string,
  requires: string[] = [],
  more: { extras?: Record<string, string[]>; requiresPython?: string } = {},
): string {
  const stem = `${name.replace(/[-_.]+/g, "_")}-${version}`;
  const pkgInfo = [
    `Metadata-Version: 2.2`,
    `Name: ${name}`,
    `Version: ${version}`,
    ...(more.requiresPython ? [`Requires-Python: ${more.requiresPython}`] : []),
    ...requires.map((r) => `Requires-Dist: ${r}`),
    ...Object.entries(more.extras ?? {}).flatMap(([extra, list]) => [
      `Provides-Extra: ${extra}`,
      ...list.map((r) => `Requires-Dist: ${forExtra(r, extra)}`),
    ]),
    "",
    "",
  ].join("\n");
  const files: Array<[string, string]> = [
    [`${stem}/PKG-INFO`, pkgInfo],
    [`${stem}/pyproject.toml`, `[project]\nname = "${name}"\nversion = "${version}"\n`],
  ];
  const blocks: Buffer[] = [];
  for (const [path, content] of files) {
    const data = Buffer.from(content);
    blocks.push(tarHeader(path, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const path = join(directory, `${stem}.tar.gz`);
  writeFileSync(path, gzipSync(Buffer.concat(blocks)));
  return path;
}
