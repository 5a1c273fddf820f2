// Resolving projects whose index pages hold thousands of files, as numpy's, pydantic-core's or
// grpcio's do on PyPI (a wheel per Python version and platform, for every release), pip 23.2.1 and
// spice side by side in one run:
//   npm run bench -- pages [--runs N]
// The corpus mirror has one release per project, so its pages are a few lines; these are made
// here: three projects of 60 releases, each with 40 wheels (five CPython versions, eight
// platforms) and an sdist, 2,460 files and about 1.2 MB of HTML per page, served by Python's
// http.server. Every release but the newest has only wheels for platforms; the newest has one
// real py3-none-any wheel (and its PEP 658 metadata file), the file both tools pick. Rows:
// `install --dry-run` of the three with empty caches, then with caches filled. Needs no mirror.

import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../src/util/hash.ts";
import { ZipArchive } from "../src/util/zip.ts";
import { buildWheel } from "../test/wheel-builder.ts";
import { cleanEnv, discard, run, SPICE_COMMAND, serveDirectory, systemPython, time } from "./common.ts";

const PROJECTS = ["wide-a", "wide-b", "wide-c"];
const PYTHONS = ["cp39", "cp310", "cp311", "cp312", "cp313"];
const PLATFORMS = [
  "manylinux_2_17_x86_64.manylinux2014_x86_64",
  "manylinux_2_17_aarch64.manylinux2014_aarch64",
  "musllinux_1_2_x86_64",
  "musllinux_1_2_aarch64",
  "macosx_10_13_x86_64",
  "macosx_11_0_arm64",
  "win_amd64",
  "win32",
];

/** Writes the index into `root`: simple/PROJECT/index.html and the one real file of each. */
function makeIndex(root: string): void {
  for (const project of PROJECTS) {
    const module = project.replace(/-/g, "_");
    const releases = Array.from({ length: 60 }, (_, index) => `1.${Math.floor(index / 10)}.${index % 10}`);
    const newest = releases[releases.length - 1];
    const links: string[] = [];
    const link = (filename: string, sha256: string, metadataSha256: string) =>
      `<a href="../../files/${filename}#sha256=${sha256}" data-requires-python="&gt;=3.9" data-dist-info-metadata="sha256=${metadataSha256}" data-core-metadata="sha256=${metadataSha256}">${filename}</a><br/>`;
    for (const release of releases.slice(0, -1)) {
      const metadata = `Metadata-Version: 2.1\nName: ${project}\nVersion: ${release}\n\n`;
      const names = [
        `${module}-${release}.tar.gz`,
        ...PYTHONS.flatMap((python) =>
          PLATFORMS.map((platform) => `${module}-${release}-${python}-${python}-${platform}.whl`),
        ),
      ];
      // Never fetched: their hashes stand for files that are not there.
      for (const name of names) links.push(link(name, sha256Hex(name), sha256Hex(metadata)));
    }
    const files = join(root, "files");
    mkdirSync(files, { recursive: true });
    const wheel = buildWheel(files, {
      name: project,
      version: newest,
      files: { [`${module}/__init__.py`]: `VERSION = "${newest}"\n` },
    });
    // Its PEP 658 metadata file is its METADATA, as an index extracts it.
    const archive = new ZipArchive(readFileSync(wheel));
    const metadata = archive.read(archive.get(`${module}-${newest}.dist-info/METADATA`)!);
    writeFileSync(`${wheel}.metadata`, metadata);
    links.push(link(wheel.slice(files.length + 1), sha256Hex(readFileSync(wheel)), sha256Hex(metadata)));
    const page = join(root, "simple", project, "index.html");
    mkdirSync(join(root, "simple", project), { recursive: true });
    writeFileSync(page, `<!DOCTYPE html><html><body>\n${links.join("\n")}\n</body></html>\n`);
    // A month old: a Last-Modified that old gives a heuristic lifetime of days, as PyPI's
    // max-age=600 does for ten minutes (pip asks again each time all the same).
    const old = Date.now() / 1000 - 30 * 86400;
    utimesSync(page, old, old);
  }
}

export async function benchPages(runs: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "spice-bench-pages-"));
  const root = join(work, "index");
  makeIndex(root);
  const server = await serveDirectory(root);
  const python = systemPython();
  const venv = join(work, "venv");
  run(python, ["-m", "venv", "--without-pip", venv], cleanEnv());
  const venvPython = join(venv, "bin", "python");
  const caches = { pip: join(work, "cache-pip"), spice: join(work, "cache-spice") };
  const env = (tool: "pip" | "spice") =>
    cleanEnv({ PIP_CACHE_DIR: caches[tool], SPICE_CACHE_DIR: caches[tool] });
  const args = ["install", "--dry-run", ...PROJECTS, "--index-url", server.url];
  const pip = () =>
    run(python, ["-m", "pip", "--python", venvPython, ...args, "--ignore-installed"], env("pip"));
  const spice = () => run(SPICE_COMMAND, ["pip", ...args, "--python", venvPython], env("spice"));
  console.log(
    `page benchmarks: pip 23.2.1 vs spice, ${PROJECTS.length} projects of 2,460 files a page on ${server.url}, median of ${runs} runs`,
  );
  const row = (name: string, pipSeconds: number, spiceSeconds: number) =>
    console.log(
      `${name.padEnd(40)} ${pipSeconds.toFixed(3).padStart(8)} ${spiceSeconds.toFixed(3).padStart(8)} ${`${(pipSeconds / spiceSeconds).toFixed(1)}x`.padStart(7)}`,
    );
  console.log(`${"".padEnd(40)} ${"pip s".padStart(8)} ${"spice s".padStart(8)} ${"ratio".padStart(7)}`);
  try {
    row(
      "resolve cold (install --dry-run)",
      time(runs, () => discard(caches.pip), pip),
      time(runs, () => discard(caches.spice), spice),
    );
    pip();
    spice();
    row(
      "resolve warm (install --dry-run)",
      time(runs, () => {}, pip),
      time(runs, () => {}, spice),
    );
  } finally {
    server.process.kill();
    discard(work);
  }
}
