import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePylock } from "../standards/pylock.ts";
import { SpiceError } from "../util/error.ts";
import { type LockInput, resolutionFromLock } from "./pylock.ts";

const TARGET = {
  markers: { sys_platform: "linux", python_full_version: "3.11.7", python_version: "3.11" },
  tags: ["cp311-cp311-manylinux_2_17_x86_64", "py3-none-any"],
  pythonVersion: "3.11.7",
};

function lockAt(base: string, packages: string): LockInput {
  return {
    location: "pylock.toml",
    base,
    lock: parsePylock(`lock-version = "1.0"\ncreated-by = "test"\n${packages}`),
  };
}

describe("installing from a lock file", () => {
  it("takes each selected file as the installer's: paths beside the lock, hashes to check, archives as direct references", () => {
    const input = lockAt(
      "/srv/project/pylock.toml",
      `[[packages]]\nname = "a"\nversion = "1"\nwheels = [{path = "wheels/a-1.0-py3-none-any.whl", size = 3, hashes = {sha256 = "AB", md5 = "cd"}}]
[[packages]]\nname = "b"\narchive = {url = "https://host/b-2.0-py3-none-any.whl", hashes = {sha256 = "ef"}, subdirectory = "sub"}\n`,
    );
    const { resolution, hashes } = resolutionFromLock(input, TARGET, { extras: [] });
    const a = resolution.packages.get("a")!;
    assert.equal(a.file?.url, "file:///srv/project/wheels/a-1.0-py3-none-any.whl");
    assert.equal(a.file?.size, 3);
    assert.equal(a.version.toString(), "1");
    assert.equal(a.direct, false);
    assert.ok(a.requested);
    assert.deepEqual([...hashes.get("a")!].sort(), ["md5:cd", "sha256:ab"]);
    const b = resolution.packages.get("b")!;
    assert.equal(b.direct, true);
    assert.equal(b.version.toString(), "2.0");
    // Recorded in direct_url.json, as pip records a URL's #subdirectory=.
    assert.equal(b.file?.subdirectory, "sub");
  });

  it("refuses an archive that is another project's, a path outside a fetched lock's location, and what needs a build", () => {
    const refused = (input: LockInput, message: RegExp) =>
      assert.throws(
        () => resolutionFromLock(input, TARGET, { extras: [] }),
        (error) =>
          error instanceof SpiceError && message.test(`${error.message} ${error.details.cause ?? ""}`),
      );
    refused(
      lockAt(
        "/p/pylock.toml",
        `[[packages]]\nname = "a"\nversion = "2"\narchive = {url = "https://h/a-1.0-py3-none-any.whl", hashes = {sha256 = "1"}}\n`,
      ),
      /the archive a-1\.0-py3-none-any\.whl is not a 2/,
    );
    refused(
      lockAt(
        "/p/pylock.toml",
        `[[packages]]\nname = "a"\narchive = {url = "https://h/other-1.0-py3-none-any.whl", hashes = {sha256 = "1"}}\n`,
      ),
      /the archive other-1\.0-py3-none-any\.whl is not a/,
    );
    for (const path of ["/etc/x-1.0-py3-none-any.whl", "//elsewhere/x-1.0-py3-none-any.whl"])
      refused(
        lockAt(
          "https://host/locks/pylock.toml",
          `[[packages]]\nname = "x"\nwheels = [{path = "${path}", hashes = {sha256 = "1"}}]\n`,
        ),
        /names a path outside its own location/,
      );
    refused(
      lockAt("/p/pylock.toml", `[[packages]]\nname = "d"\ndirectory = {path = "src/d"}\n`),
      /installs d from a directory \(src\/d\), which must be built/,
    );
  });
});
