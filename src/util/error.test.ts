import assert from "node:assert/strict";
import { linkSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { temporaryDirectory } from "../../test/helpers.ts";
import { fileSystemFailure } from "./error.ts";

const work = temporaryDirectory("spice-error-");
after(() => work.remove());

/** What a real call fails with. */
function failureOf(step: () => void): unknown {
  try {
    step();
  } catch (error) {
    return error;
  }
  throw new Error("it did not fail");
}

describe("fileSystemFailure", () => {
  it("says a file in the way of a directory is that, and only for mkdir", () => {
    const file = join(work.path, "a-file");
    writeFileSync(file, "");
    const made = fileSystemFailure(
      "Could not make it",
      failureOf(() => mkdirSync(file)),
    );
    assert.match(made?.details.hint ?? "", /^A file is where a directory is needed/);
    const below = fileSystemFailure(
      "Could not make it",
      failureOf(() => mkdirSync(join(file, "below"))),
    );
    assert.match(below?.details.hint ?? "", /^A part of the path is a file where a directory is needed/);
    // link's EEXIST is another matter: no such hint.
    const linked = fileSystemFailure(
      "Could not link it",
      failureOf(() => linkSync(file, file)),
    );
    assert.equal(linked?.details.hint, undefined);
    assert.equal(fileSystemFailure("Could not", new Error("plain")), null);
  });
});
