import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizePath } from "./posix-path.ts";
import { pyShlexSplit } from "./python-string.ts";
import { readRequirementsFile } from "./requirements-txt.ts";
import type { RequirementsFileHost } from "./requirements-txt-host.ts";
import { preprocess } from "./requirements-txt-lines.ts";

function memoryHost(files: Record<string, string>, env: Record<string, string> = {}): RequirementsFileHost {
  const encoder = new TextEncoder();
  const normalize = (path: string) => normalizePath(path.startsWith("/root/") ? path.slice(6) : path);
  return {
    cwd: "/root",
    env,
    readFile(path) {
      const content = files[normalize(path)];
      if (content === undefined) throw new Error(`[Errno 2] No such file or directory: '${path}'`);
      return encoder.encode(content);
    },
    // A name ending in "/" stands for a directory.
    isDirectory: (path) => `${normalize(path)}/` in files,
    isFile: (path) => normalize(path) in files,
    exists: (path) => normalize(path) in files || `${normalize(path)}/` in files,
  };
}

describe("requirements.txt as pip reads it", () => {
  it("joins continuations, strips comments and expands variables", () => {
    const lines = preprocess("a \\\n  b # c\n#x \\\nd\n${PKG}\n${MISSING}\n", { PKG: "requests" });
    assert.deepEqual(lines, [
      [1, "a   b"],
      [4, "d"],
      [5, "requests"],
      [6, "${MISSING}"],
    ]);
  });

  it("splits options like shlex", () => {
    assert.deepEqual(pyShlexSplit(`--hash=sha256:'a b' -e "x\\"y"`), ["--hash=sha256:a b", "-e", 'x"y']);
    assert.equal(pyShlexSplit("--x 'open"), null);
  });

  it("reads requirements, nested files, options and per-line hashes", () => {
    const host = memoryHost({
      "requirements.txt":
        "--index-url https://a.example/simple\n-r sub/more.txt\nrequests>=2 --hash=sha256:abc\n--pre\n",
      "sub/more.txt": "-c ../constraints.txt\nflask[async]==3.0 ; python_version >= '3.8'\n",
      "constraints.txt": "werkzeug<4\n",
    });
    const result = readRequirementsFile("requirements.txt", host);
    assert.equal(result.error, null);
    assert.deepEqual(
      result.entries.map((entry) => [
        entry.parsed.file,
        entry.parsed.line,
        entry.installRequirement?.name,
        entry.parsed.constraint,
      ]),
      [
        ["sub/../constraints.txt", 1, "werkzeug", true],
        ["sub/more.txt", 2, "flask", false],
        ["requirements.txt", 3, "requests", false],
      ],
    );
    assert.deepEqual(result.entries[2].installRequirement?.hashOptions, { sha256: ["abc"] });
    assert.equal(result.entries[1].installRequirement?.markers, 'python_version >= "3.8"');
    assert.deepEqual(result.options?.indexUrls, ["https://a.example/simple"]);
    assert.equal(result.options?.pre, true);
  });

  it("accepts abbreviated long options and reports the first error with its stage", () => {
    const abbreviated = readRequirementsFile(
      "r.txt",
      memoryHost({ "r.txt": "--extra-ind https://x.example\n" }),
    );
    assert.deepEqual(abbreviated.options?.indexUrls, ["https://x.example"]);
    const badOption = readRequirementsFile("r.txt", memoryHost({ "r.txt": "ok\n--nope\n" }));
    assert.equal(badOption.error?.stage, "file");
    assert.equal(badOption.error?.type, "RequirementsFileParseError");
    // An option's own check raises pip's CommandError, which the file parser does not wrap.
    const binary = readRequirementsFile("r.txt", memoryHost({ "r.txt": "--no-binary --pre\n" }));
    assert.deepEqual([binary.error?.stage, binary.error?.type], ["file", "CommandError"]);
    const missing = readRequirementsFile("r.txt", memoryHost({ "r.txt": "-r missing.txt\n" }));
    assert.equal(missing.error?.type, "InstallationError");
    const badRequirement = readRequirementsFile(
      "r.txt",
      memoryHost({ "r.txt": "good\nthis is not valid\n" }),
    );
    assert.equal(badRequirement.error?.stage, "requirement");
    assert.equal(badRequirement.entries.length, 2);
    const loop = readRequirementsFile("r.txt", memoryHost({ "r.txt": "-r r.txt\n" }));
    assert.equal(loop.error?.type, "RecursionError");
  });

  // Each case below was found by comparing spice with pip 23.2.1 on mutated requirements files.
  it("meets Python's URL and path errors where pip does", () => {
    const read = (text: string, files: Record<string, string> = {}) =>
      readRequirementsFile("r.txt", memoryHost({ "r.txt": text, ...files }));
    const errorOf = (text: string, files: Record<string, string> = {}) => {
      const { error } = read(text, files);
      return error === null ? null : [error.stage, error.type];
    };
    // Python's urlsplit refuses an unbalanced bracket and a bracketed host that is no IPv6 address.
    assert.deepEqual(errorOf("https://]example.com/foo-1.0-py3-none-any.whl\n"), [
      "requirement",
      "ValueError",
    ]);
    assert.deepEqual(errorOf("foo @ https://[bar]/foo.tar.gz\n"), ["requirement", "ValueError"]);
    // packaging 21.3's grammar lets `===` take commas; its SpecifierSet then refuses the rest.
    assert.deepEqual(errorOf("pkg===1.0-SNA,PSHOT\n"), ["requirement", "InvalidSpecifier"]);
    // pip turns a file: link into a path at once, which fails for another host; so does a path
    // starting with `//`, which path_to_url makes a URL with a host.
    assert.deepEqual(errorOf("//example.com/foo-1.0.tar.gz\n"), ["requirement", "ValueError"]);
    assert.deepEqual(errorOf("file://server/pkgs/foo-1.0.tar.gz\n"), ["requirement", "ValueError"]);
    assert.equal(errorOf("file://localhost/pkgs/foo-1.0.tar.gz\n"), null);
    // A path-like egg name that is a directory: pip opens it to look inside.
    assert.deepEqual(errorOf("git+https://x/y.git#egg=./pkg\n", { "pkg/": "" }), [
      "requirement",
      "IsADirectoryError",
    ]);
    // Trusted hosts are kept as Python reads host and port from them; a bad one stops the file.
    const hosts = read("--trusted-host Example.COM:8080\n--trusted-host svn+https://svn.example.com\n");
    assert.deepEqual(hosts.options?.trustedHosts, ["example.com:8080", "svn+https"]);
    assert.deepEqual(errorOf("--trusted-host 10.0.0.1foo[bar]\n"), ["file", "ValueError"]);
    assert.deepEqual(errorOf("--trusted-host host:port\n"), ["file", "ValueError"]);
  });

  it("reads file: URLs as pip's LocalFSAdapter serves them", () => {
    const host = memoryHost({
      "r.txt": "-r file:///root/sub/more.txt\n",
      "sub/more.txt": "-r other%20one.txt\nfoo\n",
      "sub/other one.txt": "bar\n",
      "dir/": "",
    });
    const { entries, error } = readRequirementsFile("r.txt", host);
    assert.equal(error, null);
    // Nested files join as Python's urljoin does (a space stays as written).
    assert.deepEqual(
      entries.map((entry) => [entry.parsed.file, entry.parsed.requirement]),
      [
        ["file:///root/sub/other%20one.txt", "bar"],
        ["file:///root/sub/more.txt", "foo"],
      ],
    );
    const errorOf = (text: string) => {
      const result = readRequirementsFile("r.txt", memoryHost({ "r.txt": text, "dir/": "" }));
      return result.error === null ? null : result.error.type;
    };
    assert.equal(errorOf("-r file:///root/missing.txt\n"), "NetworkConnectionError");
    assert.equal(errorOf("-r file:///root/dir\n"), "IsADirectoryError");
    assert.equal(errorOf("-r file://server/r.txt\n"), "ValueError");
    assert.equal(errorOf("-r file://\n"), "NetworkConnectionError");
  });

  it("nests as deep as pip does, and fails where pip's files would", () => {
    const chain: Record<string, string> = { "f150.txt": "foo\n" };
    for (let i = 0; i < 150; i++) chain[`f${i}.txt`] = `-r f${i + 1}.txt\n`;
    const deep = readRequirementsFile("f0.txt", memoryHost(chain));
    assert.equal(deep.error, null);
    assert.equal(deep.entries[0].parsed.file, "f150.txt");
    const loop = readRequirementsFile("r.txt", memoryHost({ "r.txt": "-r r.txt\n" }));
    assert.equal(loop.error?.type, "RecursionError");
  });

  it("expands tabs in markers as pyparsing does", () => {
    const { entries } = readRequirementsFile("r.txt", memoryHost({ "r.txt": 'uvicorn; extra == "de\tv"\n' }));
    // The marker text `extra == "de` is 12 columns: the tab pads to 16.
    assert.equal(entries[0].installRequirement?.markers, 'extra == "de    v"');
  });
});
