// Installed wheels built for another Python or machine, whose compiled modules do not import
// here: a venv or site-packages copied from a build stage of another architecture or Python, a
// Lambda bundle built on a Mac, `pip install --platform ... --target`. The error Python gives is
// no help ("No module named 'pydantic_core._pydantic_core'", "cannot open shared object file").
// The WHEEL's tags say which platform a distribution was for, but some real wheels carry wrong
// tags (pip's own check, added in pip 24.2, met them), so a finding also needs a module Python
// cannot load: one whose file name is for another Python, whose ELF header is for another
// machine, or which needs the other C library (glibc's libc.so.6 on musl, musl's on glibc).

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { type InstalledDistribution, listedFiles } from "../install/installed.ts";
import { type Interpreter, libcName, supportedTags } from "../python/interpreter.ts";
import { parseTag, type Tag } from "../standards/tags.ts";
import { type ElfFile, machineName, readElf } from "../util/elf.ts";
import { someOf } from "../util/plural.ts";
import type { Finding } from "./findings.ts";

/** Distributions whose wheels were for another platform, and whose modules do not load here. */
export function compiledModuleFindings(
  distributions: readonly InstalledDistribution[],
  interpreter: Interpreter,
  spicePip: (words: string) => string,
): Finding[] {
  const findings: Finding[] = [];
  const suffixes = interpreter.facts.extension_suffixes;
  let supported: Set<Tag> | undefined;
  let ownElf: ElfFile | null | undefined;
  for (const dist of distributions) {
    if (dist.format !== "dist-info") continue;
    const modules = (listedFiles(dist) ?? []).filter((path) => path.endsWith(".so") || path.endsWith(".pyd"));
    if (modules.length === 0) continue;
    const tags = wheelTags(dist.path);
    if (tags.length === 0) continue;
    supported ??= new Set(supportedTags(interpreter));
    const taken = supported;
    if (tags.some((tag) => expanded(tag).some((each) => taken.has(each)))) continue;
    ownElf ??= readElf(interpreter.realPath);
    const elf = ownElf;
    const libc = libcName(interpreter);
    const unloadable = modules.flatMap((path) => {
      const why = whyUnloadable(path, suffixes, elf, libc);
      return why === null ? [] : [`${basename(path)} (${why})`];
    });
    if (unloadable.length === 0) continue;
    findings.push({
      severity: "error",
      code: "wheel-for-other-platform",
      message: `${dist.name} ${dist.displayVersion} was installed from a wheel for ${someOf(tags, 2)}, which this Python does not take, and cannot load ${someOf(unloadable, 5)}`,
      why: "importing it fails (No module named ..., or cannot open shared object file): it was installed for another Python or machine, copied from another image or architecture, or installed with --platform or --python-version",
      fix: `${spicePip(`install --reinstall --no-deps ${dist.name}==${dist.displayVersion}`)} (a wheel for this Python)`,
    });
  }
  return findings;
}

/** The WHEEL file's `Tag:` lines, read leniently (some wheels put a blank line before them). */
function wheelTags(distInfo: string): string[] {
  let text: string;
  try {
    text = readFileSync(`${distInfo}/WHEEL`, "utf8");
  } catch {
    return [];
  }
  return [...text.matchAll(/^Tag:[ \t]*(\S+-\S+-\S+)[ \t]*\r?$/gim)].map((match) => match[1]);
}

/** A compressed tag's tags; none when it is no tag. */
function expanded(tag: string): Tag[] {
  try {
    return [...parseTag(tag)];
  } catch {
    return [];
  }
}

/** Why Python cannot load the compiled module at `path`, or null when nothing says it cannot. */
function whyUnloadable(
  path: string,
  suffixes: readonly string[],
  ownElf: ElfFile | null,
  libc: "gnu" | "musl" | "none",
): string | null {
  const name = basename(path);
  // `_speedups.cpython-310-x86_64-linux-gnu.so`: Python looks only for its own suffixes.
  const dot = name.indexOf(".");
  const suffix = name.slice(dot);
  if (name.endsWith(".pyd") && !suffixes.includes(suffix)) return "a Windows module";
  if (/^\.(?:cpython-|cp\d|pypy\d|graalpy|abi\d)[^.]*\.so$/.test(suffix) && !suffixes.includes(suffix))
    return `its name is for ${suffix.slice(1, -".so".length)}`;
  if (ownElf === null) return null;
  const elf = readElf(path, { needed: libc !== "none" });
  if (elf === null) return "not an ELF file: built for another system";
  if (elf.machine !== ownElf.machine) return `built for ${machineName(elf.machine)}`;
  if (elf.bits !== ownElf.bits) return `built ${elf.bits}-bit`;
  // A venv copied between a Debian-based image and an Alpine one: the other C library.
  const needed = elf.needed ?? [];
  if (libc === "musl" && needed.includes("libc.so.6")) return "built for glibc: it needs libc.so.6";
  const musl = needed.find((library) => library.startsWith("libc.musl-"));
  if (libc === "gnu" && musl !== undefined) return `built for musl: it needs ${musl}`;
  return null;
}
