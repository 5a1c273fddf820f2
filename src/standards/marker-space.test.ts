import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseMarker } from "./marker.ts";
import { MarkerSpace } from "./marker-space.ts";

const space = (text: string, extra = "") => MarkerSpace.of(parseMarker(text).markers, extra);
const fromPython312 = MarkerSpace.pythonFrom("3.12");
const text = (set: MarkerSpace) => set.toMarkerText(fromPython312);

describe("marker environments as sets", () => {
  it("knows which markers can hold together", () => {
    assert.equal(space("sys_platform == 'linux'").overlaps(space("sys_platform == 'darwin'")), false);
    assert.equal(space("sys_platform == 'linux'").overlaps(space("sys_platform != 'darwin'")), true);
    assert.equal(space("os_name == 'nt' and os_name != 'nt'").isEmpty(), true);
    // python_version is X.Y: 3.10 includes 3.10.1, so these overlap; 3.9's pre-release is before 3.10.
    assert.equal(space("python_version == '3.10'").overlaps(space("python_full_version >= '3.10.1'")), true);
    assert.equal(space("python_full_version == '3.9b1'").overlaps(MarkerSpace.pythonFrom("3.10")), false);
    assert.equal(space("python_version > '3.10'").overlaps(space("python_full_version < '3.11.0'")), false);
    assert.equal(space("python_version <= '3.10'").within(space("python_full_version < '3.11'")), true);
    assert.equal(space("python_version ~= '3.10'").within(space("python_version >= '3.10'")), true);
    assert.equal(space("'3.10' <= python_version").equals(space("python_version >= '3.10'")), true);
    // Whether a marker can hold on some Python from a version on.
    assert.equal(space('python_version < "3.9"').overlaps(MarkerSpace.pythonFrom("3.10")), false);
    assert.equal(space('python_version < "3.9"').overlaps(MarkerSpace.pythonFrom("3.8")), true);
    assert.equal(
      space('python_version < "3.9" or sys_platform == "win32"').overlaps(MarkerSpace.pythonFrom("3.12")),
      true,
    );
    assert.equal(space('python_full_version < "3.10.2"').overlaps(MarkerSpace.pythonFrom("3.10.1")), true);
    // A marker and its complement cover everything.
    const linux = space("sys_platform == 'linux' and python_version < '3.13'");
    assert.equal(MarkerSpace.everything.within(linux.or(linux.not())), true);
    assert.equal(linux.and(linux.not()).isEmpty(), true);
  });

  it("reads the extra as known, and other comparisons as opaque conditions", () => {
    assert.equal(space("extra == 'x' and os_name == 'nt'", "x").equals(space("os_name == 'nt'")), true);
    assert.equal(space("extra == 'x' and os_name == 'nt'", "").isEmpty(), true);
    const inLinux = space("'linux' in sys_platform");
    assert.equal(inLinux.overlaps(inLinux.not()), false);
    assert.equal(inLinux.overlaps(space("sys_platform == 'darwin'")), true);
  });

  it("prints what holds, leaving out what the supported Pythons imply", () => {
    assert.equal(text(space("sys_platform == 'linux'").not()), "sys_platform != 'linux'");
    assert.equal(
      text(space("sys_platform == 'linux' or sys_platform == 'darwin'")),
      "sys_platform == 'darwin' or sys_platform == 'linux'",
    );
    assert.equal(text(space("python_version >= '3.13'")), "python_version >= '3.13'");
    assert.equal(
      text(space("python_version >= '3.13' and python_version < '3.14'")),
      "python_version == '3.13'",
    );
    assert.equal(
      text(space("python_version == '3.13' and os_name == 'nt'")),
      "python_version == '3.13' and os_name == 'nt'",
    );
    assert.equal(text(space("python_version >= '3.11'")), null);
    assert.equal(text(space("python_full_version >= '3.12.1'")), "python_full_version >= '3.12.1'");
    assert.equal(text(space("python_full_version <= '3.12.3'")), "python_full_version <= '3.12.3'");
    // Parts that differ in one condition merge; a covered part goes.
    assert.equal(
      text(
        space(
          "(sys_platform == 'linux' and python_version < '3.13') or (sys_platform == 'linux' and python_version >= '3.13') or (sys_platform == 'linux' and os_name == 'posix')",
        ),
      ),
      "sys_platform == 'linux'",
    );
    assert.equal(
      text(space("(python_version >= '3.13' and sys_platform == 'win32') or os_name == 'nt'")),
      "(python_version >= '3.13' and sys_platform == 'win32') or os_name == 'nt'",
    );
    assert.equal(text(space("'linux' in sys_platform").not()), "'linux' not in sys_platform");
    // Three parts no two of which merge, whose union is one condition (uv's fork-marker-restrict-context).
    assert.equal(
      text(
        space(
          "(platform_machine != 'x86_64' and sys_platform == 'linux') or (python_version < '3.13' and sys_platform == 'linux') or (python_version >= '3.13' and platform_machine == 'x86_64' and sys_platform == 'linux')",
        ),
      ),
      "sys_platform == 'linux'",
    );
    // What the supported Pythons rule out may be added: below 3.12 nothing needs saying.
    assert.equal(
      text(space("python_version < '3.11' or (python_version >= '3.11' and os_name == 'nt')")),
      "os_name == 'nt'",
    );
    assert.equal(
      MarkerSpace.of(parseMarker("python_version >= '3.8'").markers, "")
        .and(MarkerSpace.pythonFrom("3.10"))
        .lowestPython(),
      "3.10.0",
    );
  });
});
