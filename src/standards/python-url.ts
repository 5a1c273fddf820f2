// Python's `urllib.parse` as pip 23.2 meets it (CPython 3.11): `urlsplit`, `urlparse`,
// `urlunparse`, and a netloc's hostname and port. pip builds every link of a requirements file,
// and packaging 21.3 checks every `name @ url`, with these functions; where they raise ValueError
// (an unbalanced `[`, a bracketed host that is no IPv6 address, a port that is no number), pip
// stops, so spice must find the same inputs bad. WHATWG's URL parser (Node's `URL`) accepts and
// rejects different inputs, so it cannot stand in.

/** Python's ValueError from URL parsing. */
export class PyValueError extends Error {
  override name = "ValueError";
}

export interface PySplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

const SCHEME_CHAR = /^[A-Za-z0-9+.-]$/;
const C0_OR_SPACE = /^[\u0000-\u0020]+/;

/** `urllib.parse.urlsplit(url, scheme)`: throws PyValueError where Python raises ValueError. */
export function pyUrlsplit(input: string, defaultScheme = ""): PySplitUrl {
  let url = input.replace(C0_OR_SPACE, "").replace(/[\t\r\n]/g, "");
  let scheme = defaultScheme;
  let netloc = "";
  let query = "";
  let fragment = "";
  const colon = url.indexOf(":");
  if (colon > 0 && /^[A-Za-z]/.test(url) && [...url.slice(0, colon)].every((c) => SCHEME_CHAR.test(c))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  if (url.startsWith("//")) {
    const end = url.slice(2).search(/[/?#]/);
    netloc = end < 0 ? url.slice(2) : url.slice(2, end + 2);
    url = end < 0 ? "" : url.slice(end + 2);
    const open = netloc.includes("[");
    const close = netloc.includes("]");
    if (open !== close) throw new PyValueError("Invalid IPv6 URL");
    if (open) checkBracketedHost(netloc.slice(netloc.indexOf("[") + 1).split("]")[0]);
  }
  const hash = url.indexOf("#");
  if (hash >= 0) {
    fragment = url.slice(hash + 1);
    url = url.slice(0, hash);
  }
  const question = url.indexOf("?");
  if (question >= 0) {
    query = url.slice(question + 1);
    url = url.slice(0, question);
  }
  checkNetloc(netloc);
  return { scheme, netloc, path: url, query, fragment };
}

const USES_PARAMS = new Set([
  "",
  "ftp",
  "hdl",
  "prospero",
  "http",
  "imap",
  "https",
  "shttp",
  "rtsp",
  "rtsps",
  "rtspu",
  "sip",
  "sips",
  "mms",
  "sftp",
  "tel",
]);
const USES_NETLOC = new Set([
  "",
  "ftp",
  "http",
  "gopher",
  "nntp",
  "telnet",
  "imap",
  "wais",
  "file",
  "mms",
  "https",
  "shttp",
  "snews",
  "prospero",
  "rtsp",
  "rtsps",
  "rtspu",
  "rsync",
  "svn",
  "svn+ssh",
  "sftp",
  "nfs",
  "git",
  "git+ssh",
  "ws",
  "wss",
]);

export interface PyParsedUrl extends PySplitUrl {
  params: string;
}

/** `urllib.parse.urlparse(url, scheme)`: urlsplit, then `;params` off the last path segment. */
export function pyUrlparse(url: string, defaultScheme = ""): PyParsedUrl {
  const split = pyUrlsplit(url, defaultScheme);
  let params = "";
  if (USES_PARAMS.has(split.scheme) && split.path.includes(";")) {
    const path = split.path;
    const semicolon = path.includes("/") ? path.indexOf(";", path.lastIndexOf("/")) : path.indexOf(";");
    if (semicolon >= 0) {
      params = path.slice(semicolon + 1);
      split.path = path.slice(0, semicolon);
    }
  }
  return { ...split, params };
}

/** `urllib.parse.urlunparse(parts)`. */
export function pyUrlunparse(parts: PyParsedUrl): string {
  let result = parts.params ? `${parts.path};${parts.params}` : parts.path;
  if (parts.netloc || (parts.scheme && USES_NETLOC.has(parts.scheme) && !result.startsWith("//"))) {
    if (result && !result.startsWith("/")) result = `/${result}`;
    result = `//${parts.netloc}${result}`;
  }
  if (parts.scheme) result = `${parts.scheme}:${result}`;
  if (parts.query) result = `${result}?${parts.query}`;
  if (parts.fragment) result = `${result}#${parts.fragment}`;
  return result;
}

const USES_RELATIVE = new Set([
  "",
  "ftp",
  "http",
  "gopher",
  "nntp",
  "imap",
  "wais",
  "file",
  "https",
  "shttp",
  "mms",
  "prospero",
  "rtsp",
  "rtsps",
  "rtspu",
  "sftp",
  "svn",
  "svn+ssh",
  "ws",
  "wss",
]);

/** `urllib.parse.urljoin(base, url)`: pip's way to a nested requirements file under a URL. */
/**
 * `urllib.parse.unquote`: each run of %XX escapes is decoded as UTF-8, an invalid sequence becoming
 * U+FFFD; anything else (a stray `%` included) stays as written. Never throws, unlike
 * decodeURIComponent, so it is the one to use on text from an index page, a URL or a user.
 */
export function pyUnquote(text: string): string {
  if (!text.includes("%")) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let index = 0; index < bytes.length; index++)
      bytes[index] = Number.parseInt(run.slice(index * 3 + 1, index * 3 + 3), 16);
    return UTF8_REPLACING.decode(bytes);
  });
}

const UTF8_REPLACING = new TextDecoder("utf-8");

export function pyUrljoin(base: string, url: string): string {
  if (!base) return url;
  if (!url) return base;
  const b = pyUrlparse(base);
  const u = pyUrlparse(url, b.scheme);
  if (u.scheme !== b.scheme || !USES_RELATIVE.has(u.scheme)) return url;
  if (USES_NETLOC.has(u.scheme)) {
    if (u.netloc) return pyUrlunparse(u);
    u.netloc = b.netloc;
  }
  if (!u.path && !u.params) {
    return pyUrlunparse({ ...u, path: b.path, params: b.params, query: u.query || b.query });
  }
  const baseParts = b.path.split("/");
  if (baseParts[baseParts.length - 1] !== "") baseParts.pop();
  let segments: string[];
  if (u.path.startsWith("/")) segments = u.path.split("/");
  else {
    segments = [...baseParts, ...u.path.split("/")];
    if (segments.length > 2)
      segments = [segments[0], ...segments.slice(1, -1).filter(Boolean), segments[segments.length - 1]];
  }
  const resolved: string[] = [];
  for (const segment of segments) {
    if (segment === "..") resolved.pop();
    else if (segment !== ".") resolved.push(segment);
  }
  const last = segments[segments.length - 1];
  if (last === "." || last === "..") resolved.push("");
  return pyUrlunparse({ ...u, path: resolved.join("/") || "/" });
}

/** A netloc's `(hostname, port)` as `urlparse("https://" + netloc)` gives them (pip's parse_netloc). */
export function pyNetlocHostPort(netloc: string): { hostname: string | null; port: number | null } {
  // build_url_from_netloc: a bare IPv6 address gets its brackets first.
  const wrapped =
    (netloc.match(/:/g)?.length ?? 0) >= 2 && !netloc.includes("@") && !netloc.includes("[")
      ? `[${netloc}]`
      : netloc;
  const hostInfo = pyUrlsplit(`https://${wrapped}`).netloc.split("@").pop()!;
  let hostname: string;
  let port: string;
  const open = hostInfo.indexOf("[");
  if (open >= 0) {
    const bracketed = hostInfo.slice(open + 1);
    const close = bracketed.indexOf("]");
    hostname = close < 0 ? bracketed : bracketed.slice(0, close);
    const after = close < 0 ? "" : bracketed.slice(close + 1);
    port = after.includes(":") ? after.slice(after.indexOf(":") + 1) : "";
  } else {
    const colon = hostInfo.indexOf(":");
    hostname = colon < 0 ? hostInfo : hostInfo.slice(0, colon);
    port = colon < 0 ? "" : hostInfo.slice(colon + 1);
  }
  let portNumber: number | null = null;
  if (port !== "") {
    if (!/^[0-9]+$/.test(port))
      throw new PyValueError(`Port could not be cast to integer value as '${port}'`);
    portNumber = Number(port);
    if (portNumber > 65535) throw new PyValueError("Port out of range 0-65535");
  }
  if (hostname === "") return { hostname: null, port: portNumber };
  // A scoped IPv6 address keeps its zone's case.
  const percent = hostname.indexOf("%");
  const lowered =
    percent < 0 ? hostname.toLowerCase() : hostname.slice(0, percent).toLowerCase() + hostname.slice(percent);
  return { hostname: lowered, port: portNumber };
}

/** pip's build_netloc: the host and port written back (an IPv6 host in brackets when a port follows). */
export function buildNetloc(hostname: string, port: number | null): string {
  if (port === null) return hostname;
  return `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

function checkBracketedHost(host: string): void {
  if (host.startsWith("v")) {
    if (!/^v[a-fA-F0-9]+\.[^\n]+$/.test(host)) throw new PyValueError("IPvFuture address is invalid");
    return;
  }
  if (isIPv4Address(host)) throw new PyValueError("An IPv4 address cannot be in brackets");
  if (!isIPv6Address(host)) throw new PyValueError(`'${host}' does not appear to be an IPv4 or IPv6 address`);
}

/** Python 3.11's `_checknetloc`: no character may turn into URL syntax under NFKC. */
function checkNetloc(netloc: string): void {
  if (netloc === "" || /^[\u0000-\u007f]*$/.test(netloc)) return;
  const plain = netloc.replace(/[@:#?]/g, "");
  const normalized = plain.normalize("NFKC");
  if (plain === normalized) return;
  if (/[/?#@:]/.test(normalized))
    throw new PyValueError(`netloc '${netloc}' contains invalid characters under NFKC normalization`);
}

/** `ipaddress.IPv4Address(text)` succeeds: four decimal octets, no leading zeros, none over 255. */
export function isIPv4Address(text: string): boolean {
  const octets = text.split(".");
  return (
    octets.length === 4 &&
    octets.every(
      (octet) => /^[0-9]{1,3}$/.test(octet) && (octet === "0" || octet[0] !== "0") && Number(octet) <= 255,
    )
  );
}

/** `ipaddress.IPv6Address(text)` succeeds (a `%zone` suffix allowed, an IPv4 tail too). */
export function isIPv6Address(text: string): boolean {
  if (text.includes("/")) return false;
  const percent = text.indexOf("%");
  if (percent >= 0) {
    const zone = text.slice(percent + 1);
    if (zone === "" || zone.includes("%")) return false;
  }
  const address = percent < 0 ? text : text.slice(0, percent);
  if (address === "") return false;
  const parts = address.split(":");
  if (parts.length < 3) return false;
  if (parts[parts.length - 1].includes(".")) {
    if (!isIPv4Address(parts.pop()!)) return false;
    parts.push("0", "0"); // two hextets stand for the IPv4 address
  }
  if (parts.length > 9) return false;
  let skip = -1;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] !== "") continue;
    if (skip >= 0) return false;
    skip = i;
  }
  let high: number;
  let low: number;
  if (skip >= 0) {
    high = skip;
    low = parts.length - skip - 1;
    if (parts[0] === "" && --high !== 0) return false;
    if (parts[parts.length - 1] === "" && --low !== 0) return false;
    if (8 - (high + low) < 1) return false;
  } else {
    if (parts.length !== 8 || parts[0] === "" || parts[parts.length - 1] === "") return false;
    high = parts.length;
    low = 0;
  }
  const hextets = [...parts.slice(0, high), ...parts.slice(parts.length - low)];
  return hextets.every((hextet) => /^[0-9a-fA-F]{1,4}$/.test(hextet));
}
