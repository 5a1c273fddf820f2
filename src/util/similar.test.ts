import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closestWord, didYouMean } from "./similar.ts";

describe("closestWord", () => {
  const subcommands = ["install", "uninstall", "list", "freeze", "show", "check", "index", "inspect"];

  it("finds the word a typo meant: a letter missing, extra, wrong or two swapped", () => {
    assert.equal(closestWord("instal", subcommands), "install");
    assert.equal(closestWord("isntall", subcommands), "install");
    assert.equal(closestWord("lsit", subcommands), "list");
    assert.equal(closestWord("freez", subcommands), "freeze");
    assert.equal(closestWord("shwo", subcommands), "show");
    assert.equal(closestWord("unistall", subcommands), "uninstall");
    assert.equal(closestWord("upgarde-strategy", ["upgrade", "upgrade-strategy"]), "upgrade-strategy");
  });

  it("suggests nothing for a word far from all of them, or too short to tell", () => {
    assert.equal(closestWord("frobnicate", subcommands), null);
    assert.equal(closestWord("ls", subcommands), null);
    assert.equal(closestWord("x", ["y"]), null);
    assert.equal(closestWord("list", subcommands), null, "the word itself is no suggestion");
  });

  it("allows more edits in longer words, but only a few", () => {
    assert.equal(closestWord("lst", ["list"]), "list");
    assert.equal(closestWord("lxyt", ["list"]), null);
    assert.equal(closestWord("requirment", ["requirement"]), "requirement");
    assert.equal(closestWord("reqxxxxment", ["requirement"]), null);
  });

  it("words a hint", () => {
    assert.equal(
      didYouMean("instal", subcommands, (name) => `spice pip ${name}`),
      "Did you mean 'spice pip install'? ",
    );
    assert.equal(didYouMean("frobnicate", subcommands), "");
    assert.equal(didYouMean(undefined, subcommands), "");
  });
});
