import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseWheelFilename } from "./filename.ts";
import { parseMarker } from "./marker.ts";
import { MarkerSpace } from "./marker-space.ts";
import {
  consistentPlatforms,
  interpreterEnvironments,
  platformEnvironments,
  platformFacts,
  wheelEnvironments,
} from "./wheel-environments.ts";

const space = (text: string) => MarkerSpace.of(parseMarker(text).markers, "");
const runsOn = (filename: string, environment: string) =>
  wheelEnvironments(parseWheelFilename(filename)).overlaps(space(environment));

describe("where a wheel runs", () => {
  it("reads the operating system and machine from platform tags", () => {
    assert.equal(runsOn("a-1-py3-none-any.whl", "sys_platform == 'win32'"), true);
    assert.equal(runsOn("a-1-cp312-abi3-win_amd64.whl", "sys_platform == 'win32'"), true);
    assert.equal(runsOn("a-1-cp312-abi3-win_amd64.whl", "sys_platform == 'linux'"), false);
    assert.equal(
      runsOn("a-1-cp312-abi3-win_amd64.whl", "sys_platform == 'win32' and platform_machine == 'ARM64'"),
      false,
    );
    assert.equal(runsOn("a-1-py3-none-macosx_11_0_arm64.whl", "sys_platform == 'darwin'"), true);
    assert.equal(
      runsOn(
        "a-1-py3-none-macosx_10_9_universal2.whl",
        "platform_machine == 'x86_64' and sys_platform == 'darwin'",
      ),
      true,
    );
    assert.equal(runsOn("a-1-py3-none-macosx_11_0_arm64.whl", "platform_machine == 'x86_64'"), false);
    assert.equal(
      runsOn("a-1-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", "sys_platform == 'linux'"),
      true,
    );
    assert.equal(
      runsOn(
        "a-1-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        "sys_platform == 'linux' and platform_machine == 'x86_64'",
      ),
      false,
    );
    assert.equal(runsOn("a-1-py3-none-musllinux_1_1_x86_64.whl", "sys_platform == 'darwin'"), false);
    assert.equal(runsOn("a-1-py3-none-android_21_arm64_v8a.whl", "sys_platform == 'android'"), true);
    assert.equal(runsOn("a-1-py3-none-android_21_arm64_v8a.whl", "sys_platform == 'linux'"), false);
  });

  it("reads the Pythons from interpreter and ABI tags", () => {
    const python = (version: string) =>
      space(`python_full_version == '${version}' and implementation_name == 'cpython'`);
    assert.equal(interpreterEnvironments("cp311", "cp311").overlaps(python("3.11.4")), true);
    assert.equal(interpreterEnvironments("cp311", "cp311").overlaps(python("3.12.0")), false);
    assert.equal(interpreterEnvironments("cp311", "abi3").overlaps(python("3.13.1")), true);
    assert.equal(interpreterEnvironments("cp311", "abi3").overlaps(python("3.10.9")), false);
    assert.equal(interpreterEnvironments("py3", "none").overlaps(python("3.13.1")), true);
    assert.equal(interpreterEnvironments("py38", "none").overlaps(python("3.7.1")), false);
    assert.equal(interpreterEnvironments("py2", "none").overlaps(python("3.7.1")), false);
    assert.equal(interpreterEnvironments("pp310", "pypy310_pp73").overlaps(python("3.10.1")), false);
    assert.equal(interpreterEnvironments("ip27", "none").equals(MarkerSpace.everything), true);
    // A wheel runs where one of its tags does, each tag's Python with its platform.
    const wheel = parseWheelFilename("a-1-cp39-cp39-manylinux1_x86_64.whl");
    assert.equal(wheelEnvironments(wheel).overlaps(MarkerSpace.pythonFrom("3.11")), false);
    assert.equal(runsOn("a-1-py2.py3-none-any.whl", "python_version >= '3.13'"), true);
  });

  it("keeps only the environments a Python runs in, where sys_platform, platform_system and os_name agree", () => {
    const linux = consistentPlatforms(space("sys_platform == 'linux'"));
    assert.equal(linux.overlaps(space("platform_system == 'Darwin'")), false);
    assert.equal(linux.overlaps(space("os_name == 'nt'")), false);
    assert.equal(linux.within(space("platform_system == 'Linux' and os_name == 'posix'")), true);
    const windows = consistentPlatforms(space("platform_system == 'Windows'"));
    assert.equal(windows.within(space("sys_platform == 'win32'")), true);
    // A system it does not know keeps its environments, but not a known system's names.
    const other = consistentPlatforms(space("sys_platform == 'freebsd14'"));
    assert.equal(other.isEmpty(), false);
    assert.equal(other.overlaps(space("platform_system == 'Linux'")), false);
  });

  it("gives the markers a target named by a platform tag has", () => {
    assert.deepEqual(platformFacts("win_amd64"), {
      sys_platform: "win32",
      os_name: "nt",
      platform_system: "Windows",
      platform_machine: "AMD64",
    });
    assert.equal(platformFacts("manylinux_2_17_aarch64")?.platform_machine, "aarch64");
    assert.equal(platformFacts("macosx_10_9_universal2")?.platform_machine, "");
    // PEP 738 and PEP 730: Android and iOS are systems of their own.
    assert.equal(platformFacts("android_21_arm64_v8a")?.sys_platform, "android");
    assert.equal(platformFacts("ios_13_0_arm64_iphoneos")?.platform_system, "iOS");
    assert.equal(platformFacts("any"), null);
  });

  it("names no machine where Python reports another, and never rules out a tag it does not know", () => {
    // A 32-bit Python on 64-bit Windows or Linux reports the 64-bit machine.
    assert.equal(
      runsOn("a-1-py3-none-win32.whl", "sys_platform == 'win32' and platform_machine == 'AMD64'"),
      true,
    );
    assert.equal(runsOn("a-1-py3-none-manylinux1_i686.whl", "platform_machine == 'x86_64'"), true);
    assert.equal(runsOn("a-1-py3-none-manylinux1_i686.whl", "sys_platform == 'win32'"), false);
    assert.equal(platformEnvironments("plan9_amd64").equals(MarkerSpace.everything), true);
  });
});
