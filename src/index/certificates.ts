// The CA certificates a user names for TLS: a bundle file (--cert, pip's `cert`, SSL_CERT_FILE,
// REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), OpenSSL's certificate directories (SSL_CERT_DIR), or the
// system's store (--system-certs); and what a certificate the client does not trust is said as.
// Node passes over text that is no certificate without a word, so a file holding none would
// trust nothing and every connection fail with "self-signed certificate", where Python's ssl (and
// so pip) says the file is bad: a bundle without one is refused here. Each certificate is not
// parsed here to find bad ones: that took 20 ms for a system bundle of 144, on every run that
// goes to the network; Node reads them when it connects.

import { type Dirent, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { SpiceError } from "../util/error.ts";
import { nodeTls } from "../util/lazy-builtins.ts";
import { redactUrl } from "../util/redact.ts";

const PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/** The PEM certificates of a text, each as it is written there. */
export function certificatesIn(text: string): string[] {
  return Array.from(text.matchAll(PEM_BLOCK), ([certificate]) => certificate);
}

/**
 * A bundle file's text, which must hold a PEM certificate, as Python's ssl loads a `cafile`; or,
 * where it names a directory, the certificates there, as requests reads such a bundle.
 */
export function readCertificateBundle(path: string, source: string, hint: string): string[] {
  const failure = (cause: string) =>
    new SpiceError("E_CERT", `Could not read the CA bundle ${path} (from ${source})`, { cause, hint });
  let text: string;
  try {
    if (statSync(path).isDirectory()) {
      const texts = readCertificateDirectories(path, source, () => {});
      if (texts.length === 0) throw failure(`the directory holds no PEM certificate (${PEM_CERTIFICATE})`);
      return texts;
    }
    text = readFileSync(path, "latin1");
  } catch (error) {
    if (error instanceof SpiceError) throw error;
    throw failure((error as Error).message);
  }
  if (!text.includes(PEM_CERTIFICATE)) throw failure(`it holds no PEM certificate (${PEM_CERTIFICATE})`);
  return [text];
}

/**
 * The certificates in OpenSSL's certificate directories (SSL_CERT_DIR: directories separated by
 * colons), each once. As OpenSSL does, a file that holds none is passed over, and a directory
 * that cannot be read is said. OpenSSL's hashed names (`5ad8a5d6.0`) are links to files the
 * directory holds under their own names, which are read once, under those: reading a system's
 * directory twice over, and handing Node its certificates two or three times (a directory also
 * holds the bundle), cost about 50 ms of every run that went to the network.
 */
export function readCertificateDirectories(
  list: string,
  source: string,
  warn: (message: string) => void,
): string[] {
  const certificates = new Set<string>();
  for (const directory of list.split(":").filter((entry) => entry !== "")) {
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      warn(`${source} names ${directory}, which cannot be read: ${(error as Error).message}`);
      continue;
    }
    const names = new Set(entries.map((entry) => entry.name));
    for (const entry of entries) {
      const path = join(directory, entry.name);
      try {
        if (entry.isSymbolicLink()) {
          const target = readlinkSync(path);
          if (!target.includes("/") && target !== entry.name && names.has(target)) continue;
        } else if (!entry.isFile()) continue;
        const text = readFileSync(path, "latin1");
        for (const certificate of certificatesIn(text)) certificates.add(certificate);
      } catch {
        // a directory, a dangling link or an unreadable file, passed over as OpenSSL passes them
      }
    }
  }
  return [...certificates];
}

/**
 * Where Linux distributions keep the system's CA certificates (those `update-ca-certificates` and
 * `update-ca-trust` gather, a corporate CA among them), one bundle each: Debian and Ubuntu,
 * Fedora and RHEL, openSUSE, RHEL 7's extracted one, Alpine and the BSDs.
 */
export const SYSTEM_BUNDLES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/ca-bundle.pem",
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
  "/etc/ssl/cert.pem",
];

/**
 * The system's CA certificates, and where they came from; null when none are found. Node 22.15
 * and later read the system's store itself (the keychain on macOS, as OpenSSL finds it on
 * Linux); older ones have only their bundled roots, so the distribution's bundle is read.
 */
export function systemCertificates(): { certificates: string[]; source: string } | null {
  const tls = nodeTls() as { getCACertificates?: (type: "system") => string[] };
  const fromNode = tls.getCACertificates?.("system");
  if (fromNode !== undefined && fromNode.length > 0)
    return { certificates: fromNode, source: "the system's store" };
  return firstBundle(SYSTEM_BUNDLES);
}

/** The first of `paths` that is a file holding a PEM certificate, read. */
export function firstBundle(paths: readonly string[]): { certificates: string[]; source: string } | null {
  for (const path of paths) {
    try {
      const text = readFileSync(path, "latin1");
      if (text.includes(PEM_CERTIFICATE)) return { certificates: [text], source: path };
    } catch {
      // not this distribution's place
    }
  }
  return null;
}

/** OpenSSL's verification failures, as Node names them (`error.code`). */
const CERTIFICATE_FAILURES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
  "CERT_CHAIN_TOO_LONG",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

export function isCertificateFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && CERTIFICATE_FAILURES.has(code);
}

export function untrustedCertificate(url: URL, error: Error): SpiceError {
  const code = (error as { code?: string }).code;
  const dated = code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID";
  return new SpiceError(
    "E_HTTP",
    `Could not fetch ${redactUrl(url.toString())}: ${url.host}'s certificate is not trusted`,
    {
      cause: error.message,
      hint: dated
        ? `Check this machine's clock and the server's certificate, or skip the check for this host with --trusted-host ${url.host}`
        : `Name the CA that signed it with --cert FILE (or SSL_CERT_FILE, SSL_CERT_DIR; --system-certs when the system trusts it), or skip the check for this host with --trusted-host ${url.host}`,
    },
  );
}

/**
 * An https URL whose server answered in something other than TLS (OpenSSL's "wrong version
 * number"): most often a plain-HTTP server, an http:// URL written as https://. Asking again
 * gets the same answer, so it is not retried.
 */
export function isPlainHttpAnswer(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ERR_SSL_WRONG_VERSION_NUMBER";
}

export function plainHttpAnswer(url: URL, error: Error): SpiceError {
  return new SpiceError(
    "E_HTTP",
    `Could not fetch ${redactUrl(url.toString())}: ${url.host} does not answer in TLS`,
    {
      cause: `the server sent something other than a TLS handshake, as a plain-HTTP server does (${error.message.split(":").slice(4, 6).join(":").trim() || error.message.trim()})`,
      hint: `If ${url.host} serves plain HTTP, write the URL with http://; else check the port`,
    },
  );
}
