import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactText, redactUrl } from "./redact.ts";

describe("redactText", () => {
  it("hides the password of every URL in a message, and a token standing alone", () => {
    assert.equal(
      redactText("Could not fetch https://user:hunter2@index.example/simple/ (HTTP 401)"),
      "Could not fetch https://user:****@index.example/simple/ (HTTP 401)",
    );
    assert.equal(redactText("from 'https://token@host/x'"), "from 'https://****@host/x'");
    assert.equal(
      redactText("https://index.example/simple/ and file:///tmp/a@b"),
      "https://index.example/simple/ and file:///tmp/a@b",
    );
  });

  it("hides it where a URL was taken for a path and its slashes collapsed", () => {
    // What Node's error says of `spice pip hash http://user:secret@host/x` (found by fuzzing).
    assert.equal(
      redactText("ENOENT: no such file or directory, open '/work/http:/user:secret@[x/simple'"),
      "ENOENT: no such file or directory, open '/work/http:/user:****@[x/simple'",
    );
    assert.equal(redactUrl("http:/token@host/x"), "http:/****@host/x");
    assert.equal(redactText("/tmp/a:/b/c@d and C:/Users/me@host"), "/tmp/a:/b/c@d and C:/Users/me@host");
  });
});
