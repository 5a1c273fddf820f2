import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { firstPositional, type OptionSpec, parseArgs, withoutOptions } from "./args.ts";

const specs: OptionSpec[] = [
  { name: "quiet", short: "q", help: "" },
  { name: "upgrade", short: "U", help: "" },
  { name: "upgrade-package", short: "P", value: "name", multiple: true, help: "" },
  { name: "output-file", short: "o", value: "file", help: "" },
  { name: "generate-hashes", help: "" },
];
const dropped = new Set(["quiet", "upgrade", "upgrade-package"]);

describe("withoutOptions", () => {
  it("leaves out the named options with their values, however they are written", () => {
    const argv = ["pip", "compile", "-q", "in.txt", "--upgrade", "-P", "six", "--upgrade-package=idna"];
    assert.deepEqual(withoutOptions(argv, specs, dropped), ["pip", "compile", "in.txt"]);
    assert.deepEqual(withoutOptions(["-Psix", "--generate-hashes"], specs, dropped), ["--generate-hashes"]);
  });

  it("keeps the rest of a group of short options, and its value", () => {
    assert.deepEqual(withoutOptions(["-qUo", "out.txt", "in"], specs, dropped), ["-o", "out.txt", "in"]);
    assert.deepEqual(withoutOptions(["-qoout.txt"], specs, dropped), ["-oout.txt"]);
    // A value that looks like a dropped option is the kept option's value.
    assert.deepEqual(withoutOptions(["-o", "-q", "--output-file", "--upgrade"], specs, dropped), [
      "-o",
      "-q",
      "--output-file",
      "--upgrade",
    ]);
  });

  it("reads pip's abbreviations when asked, and leaves everything after -- alone", () => {
    assert.deepEqual(withoutOptions(["--upgrade-p", "six", "in"], specs, dropped, { abbreviations: true }), [
      "in",
    ]);
    assert.deepEqual(withoutOptions(["--", "-q", "--upgrade"], specs, dropped), ["--", "-q", "--upgrade"]);
  });

  it("reads words as parseArgs and firstPositional read them", () => {
    const argv = ["-qoout.txt", "-Po", "-U", "--upgrade-p", "six", "in.txt", "--", "-q"];
    const parsed = parseArgs(argv, specs, { abbreviations: true });
    assert.deepEqual(Object.fromEntries(parsed.options), {
      quiet: true,
      "output-file": ["out.txt"],
      "upgrade-package": ["o", "six"],
      upgrade: true,
    });
    assert.deepEqual(parsed.positionals, ["in.txt", "-q"]);
    assert.equal(firstPositional(argv, specs, { abbreviations: true }), 5);
    assert.deepEqual(withoutOptions(argv, specs, dropped, { abbreviations: true }), [
      "-oout.txt",
      "in.txt",
      "--",
      "-q",
    ]);
    // Unknown options: errors for parseArgs, words without a value for the other two.
    assert.throws(() => parseArgs(["-qx"], specs), /unexpected option '-x' in '-qx'/);
    assert.throws(() => parseArgs(["--upgrade=1"], specs), /option '--upgrade' takes no value/);
    assert.throws(() => parseArgs(["-qo"], specs), /option '-o' needs a value \(file\)/);
    assert.equal(firstPositional(["--unknown", "x", "-zqo", "y", "z"], specs), 1);
    assert.equal(firstPositional(["-zqo", "y", "z"], specs), 2);
    assert.deepEqual(withoutOptions(["-zqo", "y", "--what", "z"], specs, dropped), [
      "-zo",
      "y",
      "--what",
      "z",
    ]);
  });
});
