import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { indexFile } from "../index/test-fixtures.ts";
import { compatibleTags, cpythonTags, tagRanks } from "../standards/tags.ts";
import { compareVersions } from "../standards/version.ts";
import {
  type CandidatePolicy,
  otherPlatformRelease,
  otherPlatformWheels,
  selectCandidates,
} from "./candidates.ts";

const file = indexFile;

const platforms = ["manylinux_2_17_x86_64", "manylinux2014_x86_64", "linux_x86_64"];
const policy: CandidatePolicy = {
  tagRanks: tagRanks([
    ...cpythonTags([3, 12], ["cp312"], platforms),
    ...compatibleTags([3, 12], "cp312", platforms),
  ]),
  pythonVersion: "3.12.1",
  prereleases: "if-necessary",
  resolution: "highest",
  onlyBinary: new Set(),
  noBinary: new Set(),
};

describe("candidate selection", () => {
  it("tries versions with wheels first under --prefer-binary, and leaves out files newer than --exclude-newer", () => {
    const files = [
      file("pkg-2.0.tar.gz", { uploadTime: "2024-03-01T00:00:00Z" }),
      file("pkg-1.5-py3-none-any.whl", { uploadTime: "2024-02-01T00:00:00.000000Z" }),
      file("pkg-1.0-py3-none-any.whl", { uploadTime: "2024-01-01T00:00:00Z" }),
    ];
    const versions = (extra: Partial<CandidatePolicy>) =>
      selectCandidates("pkg", files, { ...policy, ...extra }).candidates.map((candidate) =>
        candidate.version.toString(),
      );
    assert.deepEqual(versions({}), ["2.0", "1.5", "1.0"]);
    assert.deepEqual(versions({ preferBinary: true }), ["1.5", "1.0", "2.0"]);
    assert.deepEqual(versions({ excludeNewer: "2024-02-01T00:00:00Z" }), ["1.5", "1.0"]);
    // A pre-release's wheel does not go before a final release's sdist: pre-releases stay last.
    const withPre = [file("pkg-1.0.tar.gz"), file("pkg-2.0b1-py3-none-any.whl")];
    assert.deepEqual(
      selectCandidates("pkg", withPre, { ...policy, preferBinary: true }).candidates.map((c) =>
        c.version.toString(),
      ),
      ["1.0", "2.0b1"],
    );
  });

  it("orders versions newest first, best wheel first, pre-releases and yanked last", () => {
    const files = [
      file("pkg-1.0.tar.gz"),
      file("pkg-1.0-py3-none-any.whl"),
      file("pkg-1.0-cp312-cp312-manylinux2014_x86_64.whl"),
      file("pkg-2.0-cp312-cp312-win_amd64.whl"),
      file("pkg-1.5-py3-none-any.whl", { requiresPython: ">=3.13" }),
      file("pkg-3.0a1-py3-none-any.whl"),
      file("pkg-1.2-py3-none-any.whl", { yanked: "broken" }),
      file("other-9.0-py3-none-any.whl"),
    ];
    const { candidates, skipped } = selectCandidates("pkg", files, policy);
    assert.deepEqual(
      candidates.map((candidate) => [
        candidate.version.toString(),
        candidate.files.map((f) => f.filename)[0],
        candidate.yanked,
      ]),
      [
        ["1.0", "pkg-1.0-cp312-cp312-manylinux2014_x86_64.whl", false],
        ["3.0a1", "pkg-3.0a1-py3-none-any.whl", false],
        ["1.2", "pkg-1.2-py3-none-any.whl", true],
      ],
    );
    assert.equal(skipped.incompatibleTags, 1);
    assert.deepEqual(skipped.requiresPython, ["1.5 (Requires-Python >=3.13)"]);
  });

  it("finds the newest release with wheels only for other tags, newer than any usable one, for a hint", () => {
    const files = [
      file("pkg-1.0-py3-none-any.whl"),
      file("pkg-2.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
      file("pkg-2.0-cp311-cp311-win_amd64.whl"),
      file("pkg-2.0-1build-cp311-cp311-win_amd64.whl"),
      file("pkg-1.5-cp313-cp313-win_amd64.whl"),
      file("pkg-3.0-cp313-cp313-win_amd64.whl", { requiresPython: ">=3.13" }),
      file("other-9.0-cp311-cp311-win_amd64.whl"),
    ];
    const release = otherPlatformRelease("pkg", files, policy);
    assert.equal(release?.version.toString(), "2.0");
    assert.deepEqual(release?.tags, [
      "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
      "cp311-cp311-win_amd64",
    ]);
    // A usable release as new, or newer: nothing to hint.
    const usable = [...files, file("pkg-2.0-cp312-cp312-manylinux2014_x86_64.whl")];
    assert.equal(otherPlatformRelease("pkg", usable, policy), null);
    assert.equal(otherPlatformRelease("missing", files, policy), null);
  });

  it("honours --only-binary, --no-binary, lowest resolution and disallowed pre-releases", () => {
    const files = [
      file("pkg-1.0.tar.gz"),
      file("pkg-2.0-py3-none-any.whl"),
      file("pkg-2.1b1-py3-none-any.whl"),
    ];
    const binaryOnly = selectCandidates("pkg", files, {
      ...policy,
      onlyBinary: new Set([":all:"]),
      prereleases: "disallow",
    });
    assert.deepEqual(
      binaryOnly.candidates.map((c) => c.version.toString()),
      ["2.0"],
    );
    const sourceOnly = selectCandidates("pkg", files, { ...policy, noBinary: new Set(["pkg"]) });
    assert.deepEqual(
      sourceOnly.candidates.map((c) => c.version.toString()),
      ["1.0"],
    );
    const lowest = selectCandidates("pkg", files, { ...policy, resolution: "lowest", prereleases: "allow" });
    assert.deepEqual(
      lowest.candidates.map((c) => c.version.toString()),
      ["1.0", "2.0", "2.1b1"],
    );
    // Lowest first, and a pre-release still only when no final release fits: it had come first.
    const lowestFinals = selectCandidates("pkg", files, { ...policy, resolution: "lowest" });
    assert.deepEqual(
      lowestFinals.candidates.map((c) => c.version.toString()),
      ["1.0", "2.0", "2.1b1"],
    );
  });

  it("chooses and counts the same from a page's form without other platforms' wheels as from all of it", () => {
    const files = [
      file("pkg-1.0.tar.gz"),
      file("pkg-1.0-cp312-cp312-manylinux2014_x86_64.whl"),
      file("pkg-1.0-cp312-cp312-win_amd64.whl"),
      file("pkg-1.0-cp311-cp311-manylinux2014_x86_64.whl"),
      file("pkg-2.0-cp313-cp313-manylinux2014_x86_64.whl", { requiresPython: ">=3.13" }),
      file("pkg-2.0-cp312-cp312-macosx_11_0_arm64.whl", { yanked: "broken" }),
      file("pkg-2.1b1-cp312-cp312-win_amd64.whl"),
      file("pkg-2.1b1-py3-none-any.whl"),
      file("other-9.0-cp39-cp39-win_amd64.whl"),
      file("pkg-3.0-1-cp312-cp312-win32.whl"),
    ];
    // Each policy, and the wheels it cannot use: win_amd64 twice, cp311, macosx and win32 (and for
    // Python 3.13, cp313 too: its Requires-Python admits it, so its tags decide).
    const policies: Array<[CandidatePolicy, number]> = [
      [policy, 5],
      [{ ...policy, noBinary: new Set(["pkg"]) }, 5],
      [{ ...policy, onlyBinary: new Set([":all:"]), prereleases: "disallow" }, 5],
      [{ ...policy, pythonVersion: "3.13.0", resolution: "lowest" }, 6],
    ];
    for (const [each, dropped] of policies) {
      const filter = otherPlatformWheels(each)!;
      const kept = files.filter((item) => !filter.drops(item, "pkg"));
      assert.equal(files.length - kept.length, dropped);
      assert.deepEqual(selectCandidates("pkg", kept, each, dropped), selectCandidates("pkg", files, each));
    }
    // The key stands for what the filter decides by: the tags and the Python version.
    const key = otherPlatformWheels(policy)!.key;
    assert.equal(otherPlatformWheels({ ...policy, noBinary: new Set([":all:"]) })!.key, key);
    assert.notEqual(otherPlatformWheels({ ...policy, pythonVersion: "3.12.2" })!.key, key);
    assert.notEqual(
      otherPlatformWheels({ ...policy, tagRanks: tagRanks(compatibleTags([3, 12], "cp312", platforms)) })!
        .key,
      key,
    );
    // Files newer than --exclude-newer are left out before their tags are looked at: no filter.
    assert.equal(otherPlatformWheels({ ...policy, excludeNewer: "2024-01-01T00:00:00Z" }), null);
  });
  it("keeps its order's rules on random file sets: yanked last, finals before pre-releases, versions in order", () => {
    // A small fixed-seed generator: the same 500 cases each run.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const versions = ["0.9", "1.0", "1.1rc1", "1.1", "2.0a1", "2.0", "2.1.dev1", "3.0b2", "3.0"];
    for (let n = 0; n < 500; n++) {
      const files = versions
        .filter(() => random() < 0.6)
        .flatMap((version) => [
          ...(random() < 0.7 ? [file(`pkg-${version}-py3-none-any.whl`)] : []),
          ...(random() < 0.5 ? [file(`pkg-${version}.tar.gz`)] : []),
        ])
        .map((entry) => (random() < 0.1 ? { ...entry, yanked: "" } : entry));
      const prereleases = (["if-necessary", "allow", "disallow"] as const)[Math.floor(random() * 3)];
      const resolution = random() < 0.5 ? ("lowest" as const) : ("highest" as const);
      const preferBinary = random() < 0.3;
      const { candidates } = selectCandidates("pkg", files, {
        ...policy,
        prereleases,
        resolution,
        preferBinary,
      });
      const label = JSON.stringify({
        prereleases,
        resolution,
        preferBinary,
        files: files.map((f) => f.filename),
      });
      const firstYanked = candidates.findIndex((candidate) => candidate.yanked);
      assert.ok(firstYanked < 0 || candidates.slice(firstYanked).every((c) => c.yanked), label);
      const live = candidates.filter((candidate) => !candidate.yanked);
      if (prereleases === "disallow") assert.ok(!live.some((c) => c.version.isPrerelease), label);
      if (prereleases === "if-necessary") {
        const firstPre = live.findIndex((candidate) => candidate.version.isPrerelease);
        assert.ok(firstPre < 0 || live.slice(firstPre).every((c) => c.version.isPrerelease), label);
      }
      const hasWheel = (candidate: (typeof live)[number]) =>
        candidate.files.some((f) => f.filename.endsWith(".whl"));
      for (const group of [true, false]) {
        for (const pre of [true, false]) {
          const part = live.filter(
            (c) =>
              (!preferBinary || hasWheel(c) === group) &&
              (prereleases === "allow" || c.version.isPrerelease === pre),
          );
          for (let i = 1; i < part.length; i++) {
            const order = compareVersions(part[i - 1].version, part[i].version);
            assert.ok(resolution === "lowest" ? order < 0 : order > 0, label);
          }
        }
      }
    }
  });
});
