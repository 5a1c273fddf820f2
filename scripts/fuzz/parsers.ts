// Fuzzes spice's readers of outside data in-process, without the CLI, so that a run takes
// thousands of cases a second: zip archives (real wheels of the mirror, or built ones), tar
// archives (built sdists), index pages (HTML and JSON), core metadata, requirements files, PEP 751
// locks, pyproject.toml, pip.conf, entry points, netrc and Cache-Control. A reader may refuse its
// input with its own error type; any other exception is a problem (a RangeError from a buffer read
// past its end was one: a crash, printed as an internal error). Found so far: see the commits that
// say "in-process fuzz".
//   node --import tsx scripts/fuzz/parsers.ts [SEED] [CASES]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { freshnessSeconds } from "../../src/index/freshness.ts";
import { parseNetrc } from "../../src/index/netrc.ts";
import { InvalidIndexPage, parseHtmlPage, parseJsonPage } from "../../src/index/simple-api.ts";
import { consoleScript, parseEntryPoints } from "../../src/install/entry-points.ts";
import { coreHeadersOf, readCoreMetadata } from "../../src/standards/core-metadata.ts";
import { metadataToJson } from "../../src/standards/metadata-json.ts";
import { parsePylock } from "../../src/standards/pylock.ts";
import { parsePyproject } from "../../src/standards/pyproject.ts";
import { readRequirementsFile } from "../../src/standards/requirements-txt.ts";
import { localFileHost } from "../../src/util/file-host.ts";
import { parseIni } from "../../src/util/ini.ts";
import { readTar, TarError } from "../../src/util/tar.ts";
import { createZip, ZipArchive, ZipError } from "../../src/util/zip.ts";
import { buildSdist, buildWheel, simplePackage } from "../../test/wheel-builder.ts";

let state = Number(process.argv[2] ?? 1);
const cases = Number(process.argv[3] ?? 2000);
const random = () => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state / 2147483648;
};
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
const work = mkdtempSync(join(tmpdir(), "spice-fuzz-parsers-"));

/** One to five edits: a piece inserted, or a stretch deleted. */
function mutate(text: string, pieces: readonly string[]): string {
  let result = text;
  for (let edit = 0; edit < 1 + Math.floor(random() * 5); edit++) {
    const at = Math.floor(random() * (result.length + 1));
    result =
      random() < 0.5
        ? result.slice(0, at) + pick(pieces) + result.slice(at)
        : result.slice(0, at) + result.slice(at + Math.floor(random() * 10));
  }
  return result;
}

/** One to four bytes changed, mostly near the end (where a zip keeps its directory). */
function damage(bytes: Buffer, nearEnd: boolean): Buffer {
  const data = Buffer.from(bytes);
  for (let flip = 0; flip < 1 + Math.floor(random() * 4); flip++) {
    const at =
      nearEnd && random() < 0.8
        ? data.length - 1 - Math.floor(random() * Math.min(data.length, 2000))
        : Math.floor(random() * data.length);
    data[at] = random() < 0.5 ? Math.floor(random() * 256) : pick([0, 0x20, 0x30, 0x7f, 0x80, 0xff]);
  }
  return random() < 0.1 ? data.subarray(0, Math.floor(random() * data.length)) : data;
}

const problems = new Map<string, number>();
function attempt(reader: string, run: () => unknown, refusals: readonly string[]): void {
  try {
    run();
  } catch (error) {
    const name = (error as Error).name;
    if (refusals.includes(name) || (error as { code?: unknown }).code !== undefined) return;
    const where = (error as Error).stack?.split("\n")[1]?.trim() ?? "";
    const key = `${reader}: ${name}: ${(error as Error).message.slice(0, 80)} ${where}`;
    problems.set(key, (problems.get(key) ?? 0) + 1);
  }
}

// Inputs: the mirror's wheels when this machine has them, else built ones.
const built = join(work, "built");
mkdirSync(built);
const wheels: Buffer[] = [];
const mirror = process.env.SPICE_FUZZ_WHEELS ?? "/opt/pypi/files";
try {
  for (const name of readdirSync(mirror)
    .filter((entry) => entry.endsWith(".whl"))
    .slice(0, 40)) {
    const bytes = readFileSync(join(mirror, name));
    if (bytes.length < 300_000) wheels.push(bytes);
  }
} catch {
  // no mirror here: the built wheels below serve
}
for (const [name, version] of [
  ["alpha", "1.0"],
  ["beta_pkg", "2.0.post1"],
]) {
  wheels.push(readFileSync(buildWheel(built, simplePackage(name, version, { requires: ["six>=1"] }))));
  wheels.push(createZip([{ name: `${name}/x.py`, data: Buffer.from("x = 1\n") }]));
}
const sdists = [
  buildSdist(built, "alpha", "1.0", ["beta>=1"]),
  buildSdist(built, "gamma_pkg", "2.0.post1", [], { extras: { x: ["six"] } }),
].map((path) => gunzipSync(readFileSync(path)));
const metadataTexts = wheels.flatMap((bytes) => {
  try {
    const archive = new ZipArchive(bytes);
    const entry = archive.entries.find((member) => member.name.endsWith(".dist-info/METADATA"));
    return entry ? [archive.read(entry).toString("utf8").slice(0, 6000)] : [];
  } catch {
    return [];
  }
});

const HTML = `<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1"><base href="https://x.example/a/"></head><body>
<a href="pkg-1.0-py3-none-any.whl#sha256=abcdef" data-requires-python="&gt;=3.8" data-core-metadata="sha256=12">pkg-1.0-py3-none-any.whl</a>
<a href="../b/pkg-0.9.tar.gz" data-yanked="bad &amp; old" data-dist-info-metadata>pkg-0.9.tar.gz</a></body></html>`;
const JSON_PAGE = JSON.stringify({
  meta: { "api-version": "1.1" },
  name: "pkg",
  versions: ["1.0"],
  files: [
    {
      filename: "pkg-1.0.tar.gz",
      url: "../../f/pkg-1.0.tar.gz",
      hashes: { sha256: "ab" },
      yanked: "x",
      "core-metadata": { sha256: "cd" },
      size: 10,
      "upload-time": "2024-01-01T00:00:00Z",
      "requires-python": ">=3",
    },
  ],
});
const PAGE_PIECES = [
  "<",
  ">",
  '"',
  "'",
  "&",
  "&#x110000;",
  "&#0;",
  "#",
  "%",
  "%ZZ",
  "[::1",
  "http://[",
  "=",
  " ",
  "\u0000",
  "{",
  "}",
  ",",
  "null",
  "true",
  "1e999",
  "[]",
];
const REQUIREMENTS = `# c\n-i https://x/simple\n--extra-index-url https://u:p@y/simple\nrequests[socks]>=2.31 ; python_version >= "3.8" \\\n    --hash=sha256:00\n-e ./x\nflask==3.0.* --config-settings=a=b\n./dist/pkg-1.0-py3-none-any.whl\n-r other.txt\n-c c.txt\nhttps://x/pkg-1.0.tar.gz#egg=pkg&subdirectory=a\n\${HOME}/x.whl\n--only-binary :all:\n`;
const REQUIREMENTS_PIECES = [
  "\\\n",
  "\n",
  " ",
  "\t",
  "-",
  "--",
  "=",
  "[",
  "]",
  ";",
  "#",
  "@",
  "==",
  "~=",
  ",",
  '"',
  "'",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: pip's ${VAR} in requirements files, as text
  "${X}",
  "%",
  "-r ",
  "-c ",
  "-e ",
  "--hash=",
  "file:",
  "://",
  "\u0000",
  "é",
  ":all:",
];
const PYLOCK = `lock-version = "1.0"\ncreated-by = "x"\nrequires-python = ">=3.8"\nenvironments = ["sys_platform == 'linux'"]\n[[packages]]\nname = "a"\nversion = "1.0"\nmarker = "python_version >= '3.8'"\n[[packages.wheels]]\nname = "a-1.0-py3-none-any.whl"\nurl = "https://x/a-1.0-py3-none-any.whl"\nhashes = { sha256 = "00" }\n[packages.sdist]\nurl = "https://x/a-1.0.tar.gz"\nhashes = {sha256 = "11"}\n`;
const PYPROJECT = `[project]\nname = "d"\nversion = "1"\ndependencies = ["six>=1"]\nrequires-python = ">=3.8"\nlicense = "MIT"\n[project.optional-dependencies]\nx = ["idna; extra == 'x'"]\n[dependency-groups]\ndev = ["attrs", {include-group = "lint"}]\nlint = ["six"]\n`;
const TOML_PIECES = [
  "[",
  "]",
  "=",
  '"',
  "'",
  "\n",
  "{",
  "}",
  ",",
  "#",
  "1",
  "true",
  "[[packages]]\n",
  "\u0000",
];
const METADATA_PIECES = [
  "\n",
  "\r\n",
  ":",
  " ",
  "\t",
  "Requires-Dist: ",
  "Requires-Dist: x ; extra == 'a' and",
  "Provides-Extra: ",
  "Name: ",
  "1.0",
  "\u0000",
  "é",
  "[",
  ";",
  "@",
  "==",
  "Metadata-Version: 3.0\n",
  "\n\n",
  "Dynamic: ",
  "License-Expression: MIT AND (",
];
const SMALL = {
  ini: "[global]\nindex-url = https://x/simple\nextra-index-url =\n    https://a\n    https://b\n[install]\nno-deps = yes\n; c\n",
  entryPoints: "[console_scripts]\nfoo = pkg.mod:main\nbar=pkg:obj.attr [extra]\n[gui_scripts]\ng = a.b:c\n",
  netrc:
    "machine x.example login me password p\ndefault login anon password a\nmacdef m\nline\n\nmachine y login \"q s\" password 'z'\n",
  cacheControl: 'max-age=600, no-cache="set-cookie", s-maxage=abc, max-age=-1',
};
const SMALL_PIECES = [
  "[",
  "]",
  "=",
  ":",
  "\n",
  " ",
  "\t",
  '"',
  "'",
  "#",
  ";",
  "\\",
  "\u0000",
  "max-age=",
  ",",
  "machine",
  "default",
  "macdef",
  "login",
  "password",
  "1e400",
  "-",
];

writeFileSync(join(work, "other.txt"), "six\n-r requirements.txt\n");
writeFileSync(join(work, "c.txt"), "urllib3<3\n");
const host = localFileHost(work, {});
for (let n = 0; n < cases; n++) {
  attempt("zip", () => {
    const archive = new ZipArchive(damage(pick(wheels), true));
    for (const entry of archive.entries) {
      try {
        archive.read(entry);
      } catch (error) {
        if (!(error instanceof ZipError)) throw error;
      }
    }
  }, ["ZipError"]);
  attempt("tar", () => readTar(damage(pick(sdists), false)), [TarError.name]);
  attempt(
    "html page",
    () => parseHtmlPage(mutate(HTML, PAGE_PIECES), "https://i.example/simple/pkg/", "pkg"),
    [InvalidIndexPage.name],
  );
  attempt(
    "json page",
    () => parseJsonPage(mutate(JSON_PAGE, PAGE_PIECES), "https://i.example/simple/pkg/", "pkg"),
    [InvalidIndexPage.name],
  );
  if (metadataTexts.length > 0) {
    const text = mutate(pick(metadataTexts), METADATA_PIECES);
    const refusals = [
      "InvalidMetadata",
      "InvalidRequirement",
      "InvalidSpecifier",
      "InvalidMarker",
      "InvalidVersion",
    ];
    attempt("core metadata", () => readCoreMetadata(text), refusals);
    attempt("core headers", () => coreHeadersOf(text), refusals);
    attempt("metadata json", () => metadataToJson(text, true), refusals);
  }
  writeFileSync(join(work, "requirements.txt"), mutate(REQUIREMENTS, REQUIREMENTS_PIECES));
  attempt("requirements file", () => readRequirementsFile("requirements.txt", host), ["RemoteFileNeeded"]);
  attempt("pylock", () => parsePylock(mutate(PYLOCK, TOML_PIECES)), ["InvalidPylock"]);
  attempt("pyproject", () => parsePyproject(mutate(PYPROJECT, TOML_PIECES)), ["InvalidPyproject"]);
  attempt("pip.conf", () => parseIni(mutate(SMALL.ini, SMALL_PIECES)), []);
  attempt("entry points", () => {
    for (const entry of parseEntryPoints(mutate(SMALL.entryPoints, SMALL_PIECES)))
      consoleScript(entry, "#!/usr/bin/python");
  }, ["InvalidEntryPoint"]);
  attempt("netrc", () => parseNetrc(mutate(SMALL.netrc, SMALL_PIECES)), ["NetrcError"]);
  attempt("cache-control", () => {
    const seconds = freshnessSeconds({ "cache-control": mutate(SMALL.cacheControl, SMALL_PIECES) });
    if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`a lifetime of ${seconds}`);
  }, []);
}
for (const [key, count] of problems) console.log(`[${count}] ${key}`);
console.log(`${cases} cases of each reader, ${problems.size} problems`);
process.exitCode = problems.size === 0 ? 0 : 1;
