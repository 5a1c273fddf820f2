import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemeFor } from "./environment.ts";
import type { InterpreterFacts } from "./interpreter.ts";

const placeholder = "/@spice-base@";
const layout = (purelib: string, scripts: string) => ({
  purelib: `${placeholder}/${purelib}`,
  platlib: `${placeholder}/${purelib}`,
  scripts: `${placeholder}/${scripts}`,
  data: placeholder,
});

describe("install schemes", () => {
  it("give --prefix the layout the interpreter prefers for a prefix, as pip does (Debian's posix_local)", () => {
    const facts = {
      version_info: [3, 11, 2, "final", 0],
      scheme_placeholder: placeholder,
      scheme_posix_prefix: layout("lib/python3.11/site-packages", "bin"),
      scheme_venv: layout("lib/python3.11/site-packages", "bin"),
      scheme_prefix: layout("local/lib/python3.11/dist-packages", "local/bin"),
    } as unknown as InterpreterFacts;
    assert.equal(schemeFor(facts, "/opt/x", false).purelib, "/opt/x/local/lib/python3.11/dist-packages");
    assert.equal(schemeFor(facts, "/opt/x", false).scripts, "/opt/x/local/bin");
    // A venv gets the venv scheme; an inspection from before scheme_prefix, posix_prefix.
    assert.equal(schemeFor(facts, "/opt/v", true).purelib, "/opt/v/lib/python3.11/site-packages");
    const older = { ...facts, scheme_prefix: undefined } as unknown as InterpreterFacts;
    assert.equal(schemeFor(older, "/opt/x", false).purelib, "/opt/x/lib/python3.11/site-packages");
  });
});
