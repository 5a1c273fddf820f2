import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse as parseToml } from "smol-toml";
import { InvalidPylock, isPylockFileName, parsePylock, selectFromPylock } from "./pylock.ts";
import { writePylock } from "./pylock-writer.ts";
import { tagRanks } from "./tags.ts";

/** The specification's own example, trimmed to what selection reads. */
const EXAMPLE = `
lock-version = '1.0'
environments = ["sys_platform == 'win32'", "sys_platform == 'linux'"]
requires-python = '>=3.11'
extras = ['fancy']
dependency-groups = ['test']
created-by = 'mousebender'

[[packages]]
name = 'attrs'
version = '25.1.0'
requires-python = '>=3.8'
wheels = [
  {name = 'attrs-25.1.0-py3-none-any.whl', upload-time = 2025-01-25T11:30:10.164985+00:00, url = 'https://example.org/attrs-25.1.0-py3-none-any.whl', size = 63152, hashes = {sha256 = 'C75A69'}},
]
[[packages.attestation-identities]]
environment = 'release-pypi'
kind = 'GitHub'

[[packages]]
name = 'numpy'
version = '2.2.3'
requires-python = '>=3.10'
wheels = [
  {name = 'numpy-2.2.3-cp311-cp311-win_amd64.whl', url = 'https://example.org/numpy-2.2.3-cp311-cp311-win_amd64.whl', hashes = {sha256 = '83'}},
  {name = 'numpy-2.2.3-py3-none-any.whl', url = 'https://example.org/numpy-2.2.3-py3-none-any.whl', hashes = {sha256 = '11'}},
  {name = 'numpy-2.2.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', url = 'https://example.org/n.whl', hashes = {sha256 = '3b'}},
]

[[packages]]
name = 'colorama'
version = '0.4.6'
marker = "sys_platform == 'win32'"
wheels = [{url = 'https://example.org/colorama-0.4.6-py2.py3-none-any.whl', hashes = {sha256 = '44'}}]

[[packages]]
name = 'pytest'
version = '8.0.0'
marker = "'test' in dependency_groups"
sdist = {path = 'sdists/pytest-8.0.0.tar.gz', hashes = {sha256 = '55'}}

[[packages]]
name = 'rich'
version = '13.0.0'
marker = "'fancy' in extras"
wheels = [{url = 'https://example.org/rich-13.0.0-py3-none-any.whl', hashes = {sha256 = '66'}}]

[tool.mousebender]
command = ['lock']
`;

const LINUX = {
  markers: {
    sys_platform: "linux",
    platform_machine: "x86_64",
    python_version: "3.11",
    python_full_version: "3.11.7",
    implementation_name: "cpython",
    os_name: "posix",
    platform_system: "Linux",
    platform_release: "",
    platform_version: "",
    platform_python_implementation: "CPython",
    implementation_version: "3.11.7",
  },
  pythonVersion: "3.11.7",
  tagRanks: tagRanks([
    "cp311-cp311-manylinux_2_17_x86_64",
    "cp311-cp311-manylinux2014_x86_64",
    "cp311-abi3-manylinux_2_17_x86_64",
    "py3-none-any",
    "py2.py3-none-any",
  ]),
};

function choices(text: string, requested = {}, target = LINUX) {
  return selectFromPylock(parsePylock(text), target, requested).map((choice) =>
    "file" in choice
      ? `${choice.package.name} ${choice.kind} ${choice.file.filename}`
      : `${choice.package.name} ${choice.kind}`,
  );
}

function invalid(text: string, keyPath: string, reason: RegExp): void {
  assert.throws(
    () => parsePylock(text),
    (error) => error instanceof InvalidPylock && error.keyPath === keyPath && reason.test(error.reason),
  );
}

const HEAD = `lock-version = "1.0"\ncreated-by = "test"\n`;

describe("pylock.toml (PEP 751)", () => {
  it("knows a lock file by its name", () => {
    for (const name of ["pylock.toml", "pylock.dev.toml", "dir/pylock.toml", "https://host/x/pylock.ci.toml"])
      assert.ok(isPylockFileName(name), name);
    for (const name of ["pylock.a.b.toml", "Pylock.toml", "pylock..toml", "lock.toml", "pylock.toml.bak"])
      assert.ok(!isPylockFileName(name), name);
  });

  it("reads the specification's example: names, versions, file names from URLs, hashes in lower case, UTC times", () => {
    const lock = parsePylock(EXAMPLE);
    assert.equal(lock.createdBy, "mousebender");
    assert.equal(lock.requiresPython?.toString(), ">=3.11");
    assert.equal(lock.packages.length, 5);
    const attrs = lock.packages[0];
    assert.equal(attrs.version?.toString(), "25.1.0");
    assert.deepEqual(attrs.wheels[0].hashes, { sha256: "c75a69" });
    assert.equal(attrs.wheels[0].size, 63152);
    assert.equal(attrs.wheels[0].uploadTime, "2025-01-25T11:30:10.164Z");
    assert.equal(lock.packages[2].wheels[0].filename, "colorama-0.4.6-py2.py3-none-any.whl");
    assert.equal(lock.packages[3].sdist?.filename, "pytest-8.0.0.tar.gz");
  });

  it("chooses per environment: the best wheel by tag, markers with extras and dependency groups", () => {
    assert.deepEqual(choices(EXAMPLE), [
      "attrs wheel attrs-25.1.0-py3-none-any.whl",
      "numpy wheel numpy-2.2.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ]);
    assert.deepEqual(choices(EXAMPLE, { extras: ["fancy"], groups: ["test"] }).slice(2), [
      "pytest sdist pytest-8.0.0.tar.gz",
      "rich wheel rich-13.0.0-py3-none-any.whl",
    ]);
    const windows = {
      ...LINUX,
      markers: { ...LINUX.markers, sys_platform: "win32" },
      tagRanks: tagRanks(["cp311-cp311-win_amd64", "py3-none-any", "py2.py3-none-any"]),
    };
    assert.deepEqual(choices(EXAMPLE, {}, windows), [
      "attrs wheel attrs-25.1.0-py3-none-any.whl",
      "numpy wheel numpy-2.2.3-cp311-cp311-win_amd64.whl",
      "colorama wheel colorama-0.4.6-py2.py3-none-any.whl",
    ]);
  });

  it("uses the default groups unless groups are named", () => {
    const text = `${HEAD}default-groups = ["main"]\ndependency-groups = ["dev"]\n
[[packages]]\nname = "a"\nmarker = "'main' in dependency_groups"\nwheels = [{url = "https://h/a-1-py3-none-any.whl", hashes = {sha256 = "1"}}]
[[packages]]\nname = "b"\nmarker = "'dev' in dependency_groups"\nwheels = [{url = "https://h/b-1-py3-none-any.whl", hashes = {sha256 = "2"}}]\n`;
    assert.deepEqual(choices(text), ["a wheel a-1-py3-none-any.whl"]);
    assert.deepEqual(choices(text, { groups: ["main", "dev"] }), [
      "a wheel a-1-py3-none-any.whl",
      "b wheel b-1-py3-none-any.whl",
    ]);
    assert.throws(
      () => choices(text, { groups: ["docs"] }),
      /offers no dependency group "docs" \(it lists dev\)/,
    );
    assert.throws(() => choices(text, { extras: ["x"] }), /offers no extra "x" \(it lists none\)/);
  });

  it("refuses a lock that does not fit the target, or is ambiguous for it", () => {
    assert.throws(
      () => choices(EXAMPLE, {}, { ...LINUX, markers: { ...LINUX.markers, sys_platform: "darwin" } }),
      /none of the lock file's environments/,
    );
    assert.throws(
      () => choices(EXAMPLE, {}, { ...LINUX, pythonVersion: "3.10.4" }),
      /for Python >=3\.11, and the target is Python 3\.10\.4/,
    );
    const twice = `${HEAD}
[[packages]]\nname = "a"\nversion = "1"\nwheels = [{url = "https://h/a-1-py3-none-any.whl", hashes = {sha256 = "1"}}]
[[packages]]\nname = "a"\nversion = "2"\nwheels = [{url = "https://h/a-2-py3-none-any.whl", hashes = {sha256 = "2"}}]\n`;
    assert.throws(() => choices(twice), /packages\[1\]: more than one entry for a applies/);
    const apart = twice.replace('version = "2"', 'version = "2"\nmarker = "sys_platform == \'win32\'"');
    assert.deepEqual(choices(apart), ["a wheel a-1-py3-none-any.whl"]);
    const oldPython = `${HEAD}[[packages]]\nname = "a"\nrequires-python = "<3"\nwheels = [{url = "https://h/a-1-py3-none-any.whl", hashes = {sha256 = "1"}}]\n`;
    assert.throws(() => choices(oldPython), /packages\[0\]: a requires Python <3/);
    const windowsOnly = `${HEAD}[[packages]]\nname = "a"\nwheels = [{url = "https://h/a-1-cp311-cp311-win_amd64.whl", hashes = {sha256 = "1"}}]\n`;
    assert.throws(
      () => choices(windowsOnly),
      /no wheel of a in the lock file suits this environment \(a-1-cp311-cp311-win_amd64\.whl\)/,
    );
    assert.deepEqual(
      choices(
        windowsOnly.replace(
          "wheels =",
          'sdist = {url = "https://h/a-1.tar.gz", hashes = {sha256 = "2"}}\nwheels =',
        ),
      ),
      ["a sdist a-1.tar.gz"],
    );
  });

  it("checks every rule of the format, naming the key", () => {
    invalid('created-by = "x"\npackages = []\n', "lock-version", /is required/);
    invalid(
      'lock-version = "2.0"\ncreated-by = "x"\npackages = []\n',
      "lock-version",
      /2\.0 is not supported/,
    );
    invalid('lock-version = "1.0"\npackages = []\n', "created-by", /is required/);
    invalid(HEAD, "packages", /is required/);
    invalid(`${HEAD}packages = [1]\n`, "packages[0]", /must be a table, not a number/);
    invalid(`${HEAD}[[packages]]\nname = "Foo_Bar"\n`, "packages[0].name", /not a normalized name/);
    invalid(`${HEAD}[[packages]]\nname = "a"\n`, "packages[0]", /names no source/);
    invalid(
      `${HEAD}[[packages]]\nname = "a"\nversion = "x y"\narchive = {url = "u", hashes = {md5 = "1"}}\n`,
      "packages[0].version",
      /is not valid/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\nmarker = "os_name =="\narchive = {url = "u", hashes = {md5 = "1"}}\n`,
      "packages[0].marker",
      /is not valid/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\narchive = {url = "u", hashes = {}}\n`,
      "packages[0].archive.hashes",
      /at least one hash/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\narchive = {hashes = {sha256 = "1"}}\n`,
      "packages[0].archive",
      /needs a url or a path/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\narchive = {url = "u", size = 1.5, hashes = {sha256 = "1"}}\n`,
      "packages[0].archive.size",
      /must be an integer, not a number/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\narchive = {url = "u", upload-time = "today", hashes = {sha256 = "1"}}\n`,
      "packages[0].archive.upload-time",
      /must be a date-time, not a string/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\narchive = {url = "u", upload-time = 2025-01-01, hashes = {sha256 = "1"}}\n`,
      "packages[0].archive.upload-time",
      /must be a date-time, not a date/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\narchive = {url = "u", upload-time = 10:00:00, hashes = {sha256 = "1"}}\n`,
      "packages[0].archive.upload-time",
      /must be a date-time, not a time/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\nwheels = [{url = "https://h/a-1-py3-none-any.whl", hashes = {sha256 = "1"}}, {url = "https://h/b-1-py3-none-any.whl", hashes = {sha256 = "1"}}]\n`,
      "packages[0].wheels[1]",
      /b-1-py3-none-any\.whl is not a file of a$/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\nversion = "1.0"\nsdist = {url = "https://h/a-2.tar.gz", hashes = {sha256 = "1"}}\n`,
      "packages[0].sdist",
      /a-2\.tar\.gz is not a file of a 1\.0/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\nwheels = [{url = "https://h/a.whl", hashes = {sha256 = "1"}}]\n`,
      "packages[0].wheels[0]",
      /not a valid wheel file name/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\nwheels = [{url = "https://h/a-1-py3-none-any.whl", hashes = {sha256 = "1"}}]\ndirectory = {path = "."}\n`,
      "packages[0]",
      /together with a vcs, directory or archive/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\nvcs = {type = "git", url = "u"}\n`,
      "packages[0].vcs.commit-id",
      /is required/,
    );
    invalid(
      `${HEAD}[[packages]]\nname = "a"\ndirectory = {path = "."}\narchive = {url = "u", hashes = {sha256 = "1"}}\n`,
      "packages[0]",
      /more than one of vcs, directory and archive/,
    );
    invalid('lock-version = "1.0"\ncreated-by = [\n', "", /invalid TOML at line/);
  });

  it("reads a newer minor version, with a warning", () => {
    const warnings: string[] = [];
    parsePylock('lock-version = "1.1"\ncreated-by = "x"\npackages = []\n', (message) =>
      warnings.push(message),
    );
    assert.deepEqual(warnings, ["lock-version 1.1 is newer than the 1.0 spice knows; reading it as 1.0"]);
  });

  it("writes a lock that reads back the same, in the specification's key order", () => {
    const text = writePylock(
      {
        requiresPython: ">=3.11",
        createdBy: "spice",
        packages: [
          {
            name: "zeta",
            version: "1.0",
            requiresPython: null,
            dependencies: [],
            index: null,
            archive: {
              filename: "zeta-1.0-py3-none-any.whl",
              url: null,
              path: "wheels/zeta-1.0-py3-none-any.whl",
              size: 10,
              uploadTime: null,
              hashes: { sha256: "ab" },
              subdirectory: "sub",
            },
            sdist: null,
            wheels: [],
          },
          {
            name: "alpha",
            version: "2.0",
            requiresPython: ">=3.8",
            dependencies: ["zeta", "beta", "zeta"],
            index: "https://host/simple/",
            archive: null,
            sdist: {
              filename: "alpha-2.0.tar.gz",
              url: 'https://host/files/alpha-2.0.tar.gz?x="q"\u007f',
              path: null,
              size: null,
              uploadTime: "2025-01-25T13:30:10+02:00",
              hashes: { sha256: "cd", "sha3.256": "ef" },
            },
            wheels: [
              {
                filename: "alpha-2.0-py3-none-any.whl",
                url: "https://host/files/alpha-2.0-py3-none-any.whl",
                path: null,
                size: 5,
                uploadTime: "2025-01-25T11:30:10.164985Z",
                hashes: { sha256: "01" },
              },
            ],
          },
        ],
      },
      ["# made by a test", "two\nlines"],
    );
    assert.equal(
      text,
      [
        "# made by a test",
        "# two lines",
        'lock-version = "1.0"',
        'requires-python = ">=3.11"',
        'created-by = "spice"',
        "",
        "[[packages]]",
        'name = "alpha"',
        'version = "2.0"',
        'requires-python = ">=3.8"',
        'dependencies = [{ name = "beta" }, { name = "zeta" }]',
        'index = "https://host/simple/"',
        'sdist = { upload-time = 2025-01-25T11:30:10.000Z, url = "https://host/files/alpha-2.0.tar.gz?x=\\"q\\"\\u007f", hashes = { sha256 = "cd", "sha3.256" = "ef" } }',
        "wheels = [",
        '  { upload-time = 2025-01-25T11:30:10.164985Z, url = "https://host/files/alpha-2.0-py3-none-any.whl", size = 5, hashes = { sha256 = "01" } },',
        "]",
        "",
        "[[packages]]",
        'name = "zeta"',
        'version = "1.0"',
        'archive = { path = "wheels/zeta-1.0-py3-none-any.whl", size = 10, hashes = { sha256 = "ab" }, subdirectory = "sub" }',
        "",
      ].join("\n"),
    );
    // Any TOML reader takes it, and spice reads back what it wrote.
    assert.equal((parseToml(text) as { packages: unknown[] }).packages.length, 2);
    const lock = parsePylock(text);
    assert.equal(lock.packages[0].sdist?.url, 'https://host/files/alpha-2.0.tar.gz?x="q"\u007f');
    assert.equal(lock.packages[0].sdist?.filename, "alpha-2.0.tar.gz");
    assert.equal(lock.packages[1].archive?.filename, "zeta-1.0-py3-none-any.whl");
    assert.equal(lock.packages[1].archive?.subdirectory, "sub");
  });
});
