import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { SpiceError } from "../util/error.ts";
import {
  certificatesIn,
  firstBundle,
  readCertificateBundle,
  readCertificateDirectories,
} from "./certificates.ts";

const work = mkdtempSync(join(tmpdir(), "spice-certificates-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** A PEM block (its body need not be a real certificate: Node reads them when it connects). */
const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

describe("CA certificates named for TLS", () => {
  it("reads OpenSSL's directories: every file once, hashed links to their neighbours not again", () => {
    const first = join(work, "first");
    const second = join(work, "second");
    mkdirSync(first);
    mkdirSync(second);
    writeFileSync(join(first, "corporate.pem"), pem("AAAA"));
    symlinkSync("corporate.pem", join(first, "9d4b2e1f.0"));
    writeFileSync(join(first, "bundle.crt"), `# two\n${pem("AAAA")}${pem("BBBB")}`);
    writeFileSync(join(first, "README"), "no certificate here\n");
    symlinkSync("missing.pem", join(first, "dangling.0"));
    mkdirSync(join(first, "nested"));
    writeFileSync(join(second, "other.pem"), pem("CCCC"));
    symlinkSync(join(first, "corporate.pem"), join(second, "elsewhere.pem"));
    const warnings: string[] = [];
    const found = readCertificateDirectories(
      `${first}::${join(work, "absent")}:${second}`,
      "SSL_CERT_DIR",
      (message) => warnings.push(message),
    );
    assert.deepEqual(found.sort(), [pem("AAAA").trim(), pem("BBBB").trim(), pem("CCCC").trim()]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^SSL_CERT_DIR names .*absent, which cannot be read/);
  });

  it("refuses a bundle holding no certificate, and reads a directory named as a bundle", () => {
    const empty = join(work, "empty.pem");
    writeFileSync(empty, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assert.throws(
      () => readCertificateBundle(empty, "--cert", "a hint"),
      (error: SpiceError) =>
        error.code === "E_CERT" &&
        /^Could not read the CA bundle .*empty\.pem \(from --cert\)$/.test(error.message) &&
        /holds no PEM certificate/.test(error.details.cause ?? "") &&
        error.details.hint === "a hint",
    );
    assert.throws(
      () => readCertificateBundle(join(work, "absent.pem"), "SSL_CERT_FILE", "h"),
      (error: SpiceError) =>
        /\(from SSL_CERT_FILE\)$/.test(error.message) && /ENOENT/.test(error.details.cause ?? ""),
    );
    const bundle = join(work, "bundle.pem");
    writeFileSync(bundle, pem("DDDD"));
    assert.deepEqual(readCertificateBundle(bundle, "--cert", "h"), [pem("DDDD")]);
    const directory = join(work, "as-bundle");
    mkdirSync(directory);
    writeFileSync(join(directory, "ca.pem"), pem("EEEE"));
    assert.deepEqual(readCertificateBundle(directory, "REQUESTS_CA_BUNDLE", "h"), [pem("EEEE").trim()]);
    mkdirSync(join(work, "no-certificates"));
    assert.throws(
      () => readCertificateBundle(join(work, "no-certificates"), "--cert", "h"),
      (error: SpiceError) => /^the directory holds no PEM certificate/.test(error.details.cause ?? ""),
    );
  });

  it("finds the system's bundle in the first place a distribution keeps one", () => {
    const debian = join(work, "ca-certificates.crt");
    writeFileSync(debian, pem("FFFF"));
    const notPem = join(work, "der.crt");
    writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
    assert.deepEqual(firstBundle([join(work, "absent.crt"), notPem, debian]), {
      certificates: [pem("FFFF")],
      source: debian,
    });
    assert.equal(firstBundle([join(work, "absent.crt")]), null);
    assert.deepEqual(certificatesIn(`x${pem("A")}y${pem("B")}`), [pem("A").trim(), pem("B").trim()]);
  });
});
