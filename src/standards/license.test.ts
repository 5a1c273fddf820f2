import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalizeLicenseExpression } from "./license.ts";

describe("PEP 639 license expressions", () => {
  it("normalizes case and spacing", () => {
    assert.equal(
      canonicalizeLicenseExpression("mit and (apache-2.0 or bsd-2-clause)"),
      "MIT AND (Apache-2.0 OR BSD-2-Clause)",
    );
    assert.equal(
      canonicalizeLicenseExpression("gpl-2.0-or-later with classpath-exception-2.0"),
      "GPL-2.0-or-later WITH Classpath-exception-2.0",
    );
    assert.equal(canonicalizeLicenseExpression("LicenseRef-Mine"), "LicenseRef-Mine");
  });

  it("rejects unknown licenses and bad syntax", () => {
    for (const text of ["", "(mit", "mit and", "mit ()", "Use-it-after-midnight", "mit with nothing"]) {
      assert.throws(() => canonicalizeLicenseExpression(text), { name: "InvalidLicenseExpression" }, text);
    }
  });
});
