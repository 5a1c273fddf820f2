import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mentions } from "./failure-hints.ts";

describe("mentions", () => {
  it("finds a project however the requirement naming it spells it", () => {
    const explanation =
      "Because you require requests and requests==2.34.2 depends on charset_normalizer<4,>=2, which has no available versions, your requirements cannot be satisfied.";
    assert.equal(mentions(explanation, "charset-normalizer"), true);
    assert.equal(mentions("you require Jinja2>=3", "jinja2"), true);
    assert.equal(mentions("you require zope.interface", "zope-interface"), true);
    assert.equal(mentions("you require a-b[x-y]", "a-b[x-y]"), true);
  });

  it("does not take a name for part of a longer one", () => {
    assert.equal(mentions("you require charset_normalizer_extra", "charset-normalizer"), false);
    assert.equal(mentions("you require requests-toolbelt>=1", "requests"), false);
    assert.equal(mentions("you require my.requests>=1", "requests"), false);
    assert.equal(mentions("you require charsetnormalizer", "charset-normalizer"), false);
  });
});
