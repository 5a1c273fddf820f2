// The simple repository API: a project's page as PEP 503 HTML or PEP 691 JSON, read into one
// shape with PEP 592 (yanked), PEP 658/714 (metadata files) and PEP 700 (versions, size,
// upload-time). Malformed pages are errors that say what is wrong, never a silently empty list.

import { canonicalizeName } from "../standards/name.ts";
import { pyUnquote } from "../standards/python-url.ts";

export class InvalidIndexPage extends Error {
  override name = "InvalidIndexPage";
}

export interface IndexFile {
  filename: string;
  /** Absolute URL, without the hash fragment. */
  url: string;
  /** Algorithm → hex digest (from the URL fragment or the JSON `hashes`). */
  hashes: Record<string, string>;
  requiresPython: string | null;
  /** The reason (possibly empty), or null when not yanked. */
  yanked: string | null;
  /** PEP 658/714: a `.metadata` file exists; its hashes when given. */
  coreMetadata: false | Record<string, string>;
  size: number | null;
  uploadTime: string | null;
  /**
   * A direct URL's `#subdirectory=` (pip's subdirectory_fragment), which says where a source
   * tree's project lies: a wheel has no use for it, but pip records it in direct_url.json.
   */
  subdirectory?: string;
}

/** An index entry known only by its name and URL (a local file, a direct URL). */
export function bareIndexFile(filename: string, url: string, hashes: Record<string, string> = {}): IndexFile {
  return {
    filename,
    url,
    hashes,
    requiresPython: null,
    yanked: null,
    coreMetadata: false,
    size: null,
    uploadTime: null,
  };
}

export interface ProjectPage {
  name: string;
  files: IndexFile[];
  /** PEP 700 `versions`, when the index gives them. */
  versions: string[] | null;
}

export const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";
export const SIMPLE_HTML = "application/vnd.pypi.simple.v1+html";
/** What spice asks for: JSON first, HTML as a fallback (PEP 691 content negotiation). */
export const ACCEPT_SIMPLE = `${SIMPLE_JSON}, ${SIMPLE_HTML};q=0.2, text/html;q=0.01`;

/** The hashes a link may give that pip checks, in the order pip 23.2 prefers one. */
export const LINK_HASHES = ["sha512", "sha384", "sha256", "sha224", "sha1", "md5"] as const;
const HASH_FRAGMENT = new RegExp(`^(${LINK_HASHES.join("|")})=([0-9a-fA-F]+)$`);

/** One hash of a file: `sha256` and its hex digest, say. */
export interface LinkHash {
  algorithm: string;
  digest: string;
}

/** The hash of `hashes` pip would name for the file: the first in its order, or null. */
export function preferredHash(hashes: Record<string, string>): LinkHash | null {
  for (const algorithm of LINK_HASHES) {
    const digest = hashes[algorithm];
    if (digest) return { algorithm, digest };
  }
  return null;
}

function hashFromFragment(url: string): [string, Record<string, string>] {
  const hash = url.indexOf("#");
  if (hash < 0) return [url, {}];
  const fragment = url.slice(hash + 1);
  const match = HASH_FRAGMENT.exec(fragment);
  return [url.slice(0, hash), match ? { [match[1]]: match[2].toLowerCase() } : {}];
}

function metadataHashes(value: string | null): false | Record<string, string> {
  if (value === null || value.toLowerCase() === "false") return false;
  const match = /^(\w+)=([0-9a-fA-F]+)$/.exec(value);
  return match ? { [match[1]]: match[2].toLowerCase() } : {};
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'" };

export function decodeEntities(text: string): string {
  // Most values hold no entity: no pattern to run over them (a page of 5,000 links has 20,000).
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return codePointText(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return codePointText(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/**
 * A numeric character reference's character; one that names no character (0, a surrogate, past
 * U+10FFFF) is U+FFFD, as HTML (and Python's html.unescape, which pip's parser uses) reads it,
 * where String.fromCodePoint throws (found by fuzzing).
 */
function codePointText(codePoint: number): string {
  const valid = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
  return valid ? String.fromCodePoint(codePoint) : "\ufffd";
}

function parseAttributes(text: string): Map<string, string | null> {
  const attributes = new Map<string, string | null>();
  const pattern = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of text.matchAll(pattern)) {
    const value = match[2] ?? match[3] ?? match[4];
    attributes.set(match[1].toLowerCase(), value === undefined ? null : decodeEntities(value));
  }
  return attributes;
}

/**
 * PEP 629: a page states its API version (HTML in `<meta name="pypi:repository-version">`, JSON
 * in `meta.api-version`), and a client must refuse a major version it does not know. A newer
 * minor version only adds to what 1.0 says, and is read as 1.x.
 */
function checkApiVersion(version: string, name: string): void {
  if (!/^1(\.\d+)?$/.test(version.trim()))
    throw new InvalidIndexPage(`the page of ${name} uses API version ${version}; spice reads 1.x`);
}

/** A PEP 503 page: every `<a>` is a file; `<base href>` moves relative links. */
export function parseHtmlPage(html: string, pageUrl: string, name: string): ProjectPage {
  for (const meta of html.matchAll(/<meta\s([^>]*)>/gi)) {
    const attributes = parseAttributes(meta[1]);
    if (attributes.get("name") === "pypi:repository-version")
      checkApiVersion(attributes.get("content") ?? "", name);
  }
  let base = pageUrl;
  const baseTag = /<base\s([^>]*)>/i.exec(html);
  if (baseTag) {
    const href = parseAttributes(baseTag[1]).get("href");
    if (href) base = absoluteLink(href, pageUrl, name).href;
  }
  const files: IndexFile[] = [];
  for (const match of html.matchAll(/<a\s([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const attributes = parseAttributes(match[1]);
    const href = attributes.get("href");
    if (!href) continue;
    const link = absoluteLink(href, base, name);
    const [url, hashes] = hashFromFragment(link.href);
    const path = link.pathname;
    const filename = pyUnquote(path.slice(path.lastIndexOf("/") + 1)) || decodeEntities(match[2].trim());
    const yanked = attributes.has("data-yanked") ? (attributes.get("data-yanked") ?? "") : null;
    const metadata = attributes.has("data-core-metadata")
      ? (attributes.get("data-core-metadata") ?? "true")
      : attributes.has("data-dist-info-metadata")
        ? (attributes.get("data-dist-info-metadata") ?? "true")
        : null;
    files.push({
      filename,
      url,
      hashes,
      requiresPython: attributes.get("data-requires-python") ?? null,
      yanked,
      coreMetadata: metadataHashes(metadata),
      size: null,
      uploadTime: null,
    });
  }
  return { name, files, versions: null };
}

/** A file's link made absolute; one that is no URL makes the page unreadable, not spice. */
function absoluteLink(href: string, base: string, name: string): URL {
  try {
    return new URL(href, base);
  } catch {
    throw new InvalidIndexPage(`the page of ${name} links to '${href}', which is not a URL`);
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidIndexPage(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** A PEP 691 JSON page. */
export function parseJsonPage(text: string, pageUrl: string, name: string): ProjectPage {
  let document: Record<string, unknown>;
  try {
    document = asObject(JSON.parse(text), `the page of ${name}`);
  } catch (error) {
    if (error instanceof InvalidIndexPage) throw error;
    throw new InvalidIndexPage(`the page of ${name} is not valid JSON: ${(error as Error).message}`);
  }
  const meta = document.meta === undefined ? {} : asObject(document.meta, "meta");
  checkApiVersion(String(meta["api-version"] ?? "1.0"), name);
  if (!Array.isArray(document.files)) throw new InvalidIndexPage(`the page of ${name} has no "files" list`);
  const files = document.files.map((entry, index): IndexFile => {
    const file = asObject(entry, `files[${index}]`);
    if (typeof file.filename !== "string" || typeof file.url !== "string") {
      throw new InvalidIndexPage(`files[${index}] of ${name} lacks a filename or url`);
    }
    const [url] = hashFromFragment(absoluteLink(file.url, pageUrl, name).href);
    const hashes: Record<string, string> = {};
    for (const [algorithm, digest] of Object.entries(
      file.hashes === undefined ? {} : asObject(file.hashes, `files[${index}].hashes`),
    )) {
      if (typeof digest !== "string") continue;
      // A digest names cache paths: anything but hex is a broken (or hostile) page.
      if (!/^[0-9a-fA-F]+$/.test(digest))
        throw new InvalidIndexPage(
          `files[${index}] of ${name} has a ${algorithm} hash that is not hexadecimal`,
        );
      hashes[algorithm] = digest.toLowerCase();
    }
    const yanked =
      file.yanked === undefined || file.yanked === false
        ? null
        : typeof file.yanked === "string"
          ? file.yanked
          : "";
    const metadataValue = file["core-metadata"] ?? file["dist-info-metadata"];
    let coreMetadata: false | Record<string, string> = false;
    if (metadataValue === true) coreMetadata = {};
    else if (typeof metadataValue === "object" && metadataValue !== null) {
      coreMetadata = Object.fromEntries(
        Object.entries(metadataValue as Record<string, unknown>).filter(
          ([, digest]) => typeof digest === "string",
        ),
      ) as Record<string, string>;
    }
    return {
      filename: file.filename,
      url,
      hashes,
      requiresPython:
        typeof file["requires-python"] === "string" ? (file["requires-python"] as string) : null,
      yanked,
      coreMetadata,
      size: typeof file.size === "number" ? file.size : null,
      uploadTime: typeof file["upload-time"] === "string" ? (file["upload-time"] as string) : null,
    };
  });
  const versions = Array.isArray(document.versions)
    ? document.versions.filter((v): v is string => typeof v === "string")
    : null;
  return {
    name: typeof document.name === "string" ? canonicalizeName(document.name) : name,
    files,
    versions,
  };
}

/** Parses a project page by its content type. */
export function parseProjectPage(
  body: string,
  contentType: string,
  pageUrl: string,
  name: string,
): ProjectPage {
  const type = contentType.split(";")[0].trim().toLowerCase();
  if (type === SIMPLE_JSON) return parseJsonPage(body, pageUrl, name);
  if (type === SIMPLE_HTML || type === "text/html" || type === "") return parseHtmlPage(body, pageUrl, name);
  throw new InvalidIndexPage(
    `the page of ${name} has content type '${contentType}', which is neither simple API HTML nor JSON`,
  );
}

/** Picks the representation a client asked for (PEP 691): JSON, HTML, or null for 406. */
export function negotiate(accept: string | undefined): "json" | "html" | null {
  if (!accept) return "html";
  let best: "json" | "html" | null = null;
  let bestQuality = 0;
  for (const part of accept.split(",")) {
    const [type, ...parameters] = part.trim().split(";");
    const quality = Number(
      parameters
        .map((p) => p.trim())
        .find((p) => p.startsWith("q="))
        ?.slice(2) ?? "1",
    );
    const mediaType = type.trim().toLowerCase();
    const kind =
      mediaType === SIMPLE_JSON
        ? "json"
        : mediaType === SIMPLE_HTML ||
            mediaType === "text/html" ||
            mediaType === "*/*" ||
            mediaType === "text/*"
          ? "html"
          : null;
    if (kind !== null && quality > bestQuality) {
      best = kind;
      bestQuality = quality;
    }
  }
  return best;
}
