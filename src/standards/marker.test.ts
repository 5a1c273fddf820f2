import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { markerAnd, markerOr, parseMarker } from "./marker.ts";
import { linux311 } from "./test-fixtures.ts";

describe("markers", () => {
  it("prints canonically", () => {
    // A parenthesized single comparison prints without its parentheses, as packaging prints it.
    assert.equal(
      parseMarker("os.name=='posix'and(python_version>'3')").toString(),
      'os_name == "posix" and python_version > "3"',
    );
    assert.equal(
      parseMarker("(os_name=='a' or os_name=='b') and extra=='x'").toString(),
      '(os_name == "a" or os_name == "b") and extra == "x"',
    );
    assert.equal(parseMarker("extra == 'Foo_Bar'").toString(), 'extra == "foo-bar"');
  });

  it("evaluates with PEP 440 or string comparison as packaging does", () => {
    assert.equal(parseMarker('python_version >= "3.8"').evaluate(linux311), true);
    assert.equal(parseMarker('"3.12" <= python_version').evaluate(linux311), false);
    assert.equal(parseMarker('platform_machine > "a"').evaluate(linux311), false);
    assert.equal(parseMarker('"linux" in sys_platform').evaluate(linux311), true);
    assert.throws(() => parseMarker('sys_platform ~= "linux"').evaluate(linux311), {
      name: "UndefinedComparison",
    });
  });

  it("honours the evaluation contexts", () => {
    assert.equal(parseMarker('extra == "test"').evaluate({ ...linux311, extra: "Test" }), true);
    assert.equal(parseMarker('extra == "test"').evaluate(linux311, "metadata"), false);
    assert.throws(() => parseMarker('extra == "test"').evaluate(linux311, "requirement"));
    assert.equal(
      parseMarker('"dev" in dependency_groups').evaluate(
        { ...linux311, dependency_groups: ["Dev"] },
        "lock_file",
      ),
      true,
    );
  });

  it("reads Python string literals", () => {
    assert.equal(parseMarker("os_name == '\\x41'").toString(), 'os_name == "A"');
    assert.throws(() => parseMarker("os_name == 'a\\'"), { name: "InvalidMarker" });
  });

  it("combines markers", () => {
    const a = parseMarker('python_version < "3.9"');
    const b = parseMarker('sys_platform == "win32"');
    assert.equal(markerAnd(a, b)?.toString(), 'python_version < "3.9" and sys_platform == "win32"');
    assert.equal(markerOr(a, b)?.toString(), 'python_version < "3.9" or sys_platform == "win32"');
    assert.equal(markerOr(a, null), null);
  });
});
