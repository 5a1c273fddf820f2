import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { temporaryDirectory } from "../../test/helpers.ts";
import { distributionsIn } from "./installed.ts";

const work = temporaryDirectory();
after(() => work.remove());

/** A site directory holding one dist-info whose METADATA is `text`; the distribution read back. */
function installedWith(name: string, text: string) {
  const site = join(work.path, name);
  mkdirSync(join(site, `${name}-1.0.dist-info`), { recursive: true });
  writeFileSync(join(site, `${name}-1.0.dist-info`, "METADATA"), text);
  const [distribution] = distributionsIn(site);
  return distribution;
}

describe("installed distributions' metadata", () => {
  const description = `${"A long description, ünïcode too. ".repeat(2000)}\n`;

  it("reads a long document's headers first, and the rest when the whole is asked for", () => {
    for (const newline of ["\n", "\r\n", "\r"]) {
      const headers = ["Metadata-Version: 2.1", "Name: Long_Name", "Version: 1.0", "Requires-Dist: six"];
      const text = `${headers.join(newline)}${newline}${newline}${description}`;
      const distribution = installedWith(`long${newline.length}${newline.charCodeAt(0)}`, text);
      assert.equal(distribution.name, "Long_Name");
      assert.equal(distribution.rawVersion, "1.0");
      assert.equal(distribution.metadataText, text);
      assert.deepEqual(distribution.metadata.raw.requires_dist, ["six"]);
      assert.equal(distribution.metadata.raw.description, description);
    }
  });

  it("reads headers longer than its first read whole, and gives short documents back whole", () => {
    const classifiers = Array.from({ length: 800 }, (_, index) => `Classifier: Topic :: Number ${index}`);
    const long = `Metadata-Version: 2.1\n${classifiers.join("\n")}\nName: late\nVersion: 2.0\n\nbody\n`;
    const late = installedWith("late", long);
    assert.equal(late.name, "late");
    assert.equal(late.rawVersion, "2.0");
    assert.equal(late.metadataText, long);
    const short = "Metadata-Version: 2.1\nName: short\nVersion: 3.0\n\nbody\n";
    assert.equal(installedWith("short", short).metadataText, short);
  });
});
