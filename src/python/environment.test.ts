import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deriveVenvFacts, schemeFor } from "./environment.ts";
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

describe("a venv's facts", () => {
  it("leave out every site directory of its base, as Python does (Debian's /usr/lib/python3/dist-packages too)", () => {
    // Debian's python3 as its site module leaves sys.path: its scheme's site directory, and two more.
    const base = {
      version_info: [3, 11, 2, "final", 0],
      scheme_placeholder: placeholder,
      scheme_venv: layout("lib/python3.11/site-packages", "bin"),
      paths: {
        purelib: "/usr/local/lib/python3.11/dist-packages",
        platlib: "/usr/local/lib/python3.11/dist-packages",
      },
      user_site: "/root/.local/lib/python3.11/site-packages",
      sys_path: [
        "",
        "/usr/lib/python311.zip",
        "/usr/lib/python3.11",
        "/usr/lib/python3.11/lib-dynload",
        "/root/.local/lib/python3.11/site-packages",
        "/usr/local/lib/python3.11/dist-packages",
        "/usr/lib/python3/dist-packages",
        "/usr/lib/python3.11/dist-packages",
      ],
    } as unknown as InterpreterFacts;
    const stdlib = ["/usr/lib/python311.zip", "/usr/lib/python3.11", "/usr/lib/python3.11/lib-dynload"];
    const own = "/srv/venv/lib/python3.11/site-packages";
    // What `python3 -m venv` made of it prints for sys.path (but '').
    assert.deepEqual(deriveVenvFacts(base, "/srv/venv", false).sys_path, [...stdlib, own]);
    assert.deepEqual(deriveVenvFacts(base, "/srv/venv", true).sys_path, [
      ...stdlib,
      own,
      "/usr/local/lib/python3.11/dist-packages",
      "/usr/lib/python3/dist-packages",
      "/usr/lib/python3.11/dist-packages",
    ]);
  });
});
