import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { externallyManagedMessage } from "./select.ts";

describe("PEP 668 markers", () => {
  const marker =
    "[externally-managed]\nError = Use apt.\n\n  Or a venv.\nError-de_DE = Nimm apt.\nError-fr = Utilisez apt.\n";

  it("give their Error message, in the user's language where they have it", () => {
    assert.equal(externallyManagedMessage(marker, {}), "Use apt.\n\nOr a venv.");
    assert.equal(externallyManagedMessage(marker, { LANG: "de_DE.UTF-8" }), "Nimm apt.");
    assert.equal(externallyManagedMessage(marker, { LANG: "fr_CA.UTF-8" }), "Utilisez apt.");
    assert.equal(
      externallyManagedMessage(marker, { LC_ALL: "C", LANG: "de_DE.UTF-8" }),
      "Use apt.\n\nOr a venv.",
    );
    assert.equal(
      externallyManagedMessage(marker, { LC_MESSAGES: "es_ES", LANG: "de_DE" }),
      "Use apt.\n\nOr a venv.",
    );
  });

  it("give nothing when the marker has no message, so that the caller says it in its words", () => {
    assert.equal(externallyManagedMessage("", {}), null);
    assert.equal(externallyManagedMessage("[externally-managed]\n", {}), null);
    assert.equal(externallyManagedMessage("not an ini file at all", {}), null);
  });
});
