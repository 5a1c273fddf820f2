import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requiresTxtRequirements } from "./egg-info.ts";

describe("requiresTxtRequirements", () => {
  it("converts setuptools' requires.txt sections as importlib.metadata does", () => {
    const text = [
      "requests>=2",
      "six",
      "",
      "[socks]",
      "PySocks!=1.5.7",
      "",
      '[:python_version < "3.8"]',
      "importlib-metadata",
      "",
      '[security:sys_platform == "win32"]',
      'pywin32; os_name == "nt"',
      "pkg @ https://example.com/pkg.whl",
    ].join("\n");
    // What Python 3.11's importlib.metadata.Distribution._deps_from_requires_text gives.
    assert.deepEqual(requiresTxtRequirements(text), [
      "requests>=2",
      "six",
      'PySocks!=1.5.7; extra == "socks"',
      'importlib-metadata; python_version < "3.8"',
      'pywin32; os_name == "nt"; (sys_platform == "win32") and extra == "security"',
      'pkg @ https://example.com/pkg.whl ; (sys_platform == "win32") and extra == "security"',
    ]);
  });
});
