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
  it("agrees with evaluation on random markers: membership, and the text it prints, with and without a context", () => {
    // A fixed-seed generator over four variables' small domains: the same 200 markers each run,
    // each checked in all 216 environments those domains make.
    let seed = 11;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
    const platforms = ["linux", "win32", "darwin"];
    const versions = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"];
    const item = () => {
      const kind = random();
      if (kind < 0.3) return `sys_platform ${pick(["==", "!="])} '${pick(platforms)}'`;
      if (kind < 0.6) return `python_version ${pick(["<", "<=", "==", "!=", ">=", ">"])} '${pick(versions)}'`;
      if (kind < 0.75) return `platform_machine ${pick(["==", "!="])} '${pick(["x86_64", "aarch64"])}'`;
      if (kind < 0.85) return `implementation_name ${pick(["==", "!="])} '${pick(["cpython", "pypy"])}'`;
      return `python_full_version ${pick(["<", ">=", "=="])} '${pick(["3.11.4", "3.9.0", "3.12.1"])}'`;
    };
    const expression = (depth: number): string =>
      depth > 2 || random() < 0.35
        ? item()
        : `(${expression(depth + 1)} ${pick(["and", "or"])} ${expression(depth + 1)})`;
    const markerEnvironment = (platform: string, fullVersion: string) => ({
      sys_platform: platform,
      os_name: platform === "win32" ? "nt" : "posix",
      platform_system: platform === "linux" ? "Linux" : platform === "win32" ? "Windows" : "Darwin",
      python_full_version: fullVersion,
      python_version: fullVersion.split(".").slice(0, 2).join("."),
      implementation_version: fullVersion,
      platform_python_implementation: "CPython",
      platform_release: "",
      platform_version: "",
    });
    const environments = platforms.flatMap((platform) =>
      versions.flatMap((version) =>
        ["0", "1", "4"].flatMap((micro) =>
          ["x86_64", "aarch64"].flatMap((machine) =>
            ["cpython", "pypy"].map((implementation) => ({
              ...markerEnvironment(platform, `${version}.${micro}`),
              platform_machine: machine,
              implementation_name: implementation,
            })),
          ),
        ),
      ),
    );
    const pointOf = (environment: (typeof environments)[number]) =>
      space(
        `sys_platform == '${environment.sys_platform}' and python_full_version == '${environment.python_full_version}' and platform_machine == '${environment.platform_machine}' and implementation_name == '${environment.implementation_name}'`,
      );
    const context = MarkerSpace.pythonFrom("3.9");
    for (let n = 0; n < 200; n++) {
      const text = expression(0);
      const marker = parseMarker(text);
      const set = space(text);
      const printed = set.isEmpty() ? undefined : set.toMarkerText();
      const inContext = set.and(context).isEmpty() ? undefined : set.toMarkerText(context);
      for (const environment of environments) {
        const holds = marker.evaluate(environment);
        const label = `${text} at ${environment.sys_platform} ${environment.python_full_version} ${environment.platform_machine} ${environment.implementation_name}`;
        assert.equal(pointOf(environment).within(set), holds, label);
        if (printed !== undefined)
          assert.equal(
            printed === null || parseMarker(printed).evaluate(environment),
            holds,
            `${label}: ${printed}`,
          );
        if (inContext !== undefined && environment.python_version !== "3.8")
          assert.equal(
            inContext === null || parseMarker(inContext).evaluate(environment),
            holds,
            `${label} from 3.9: ${inContext}`,
          );
      }
    }
  });
});
