// `spice serve`: a package index over HTTP from a directory of wheels and sdists. PEP 503 HTML and
// PEP 691 JSON by content negotiation, PEP 658 metadata files (extracted from each wheel once),
// sha256 hashes, data-requires-python, PEP 592 yanked files listed in yanked.txt, PEP 700 fields,
// and byte ranges on files (so clients can read a wheel's METADATA without downloading it).

import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { join } from "node:path";
import { negotiate, SIMPLE_HTML, SIMPLE_JSON } from "../index/simple-api.ts";
import { tryParseSdistFilename, tryParseWheelFilename } from "../standards/filename.ts";
import { parseMetadataEmail } from "../standards/metadata.ts";
import { canonicalizeName } from "../standards/name.ts";
import { pyUnquote } from "../standards/python-url.ts";
import { compareVersions, parseVersion } from "../standards/version.ts";
import { sha256Hex } from "../util/hash.ts";
import { nodeHttp } from "../util/lazy-builtins.ts";
import { readTar } from "../util/tar.ts";
import { ZipArchive } from "../util/zip.ts";

export interface ServedFile {
  filename: string;
  path: string;
  project: string;
  version: string;
  size: number;
  uploadTime: string;
  yanked: string | null;
  /** Filled on first use. */
  sha256?: string;
  metadata?: Buffer | null;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function readYanked(directory: string): Map<string, string> {
  const yanked = new Map<string, string>();
  const path = join(directory, "yanked.txt");
  if (!existsSync(path)) return yanked;
  for (const line of readFileSync(path, "utf8").split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const space = trimmed.search(/\s/);
    yanked.set(space < 0 ? trimmed : trimmed.slice(0, space), space < 0 ? "" : trimmed.slice(space).trim());
  }
  return yanked;
}

/** The files of `directory`, by project. Files with unparseable names are left out. */
export function scanDistributions(directory: string): Map<string, ServedFile[]> {
  const yanked = readYanked(directory);
  const projects = new Map<string, ServedFile[]>();
  for (const filename of readdirSync(directory).sort()) {
    const parsed = tryParseWheelFilename(filename) ?? tryParseSdistFilename(filename);
    if (parsed === null) continue;
    const path = join(directory, filename);
    // A symlink is served as what it points to; a dangling one, or a directory, is no file.
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined || !stat.isFile()) continue;
    const file: ServedFile = {
      filename,
      path,
      project: parsed.name,
      version: parsed.version.toString(),
      size: stat.size,
      uploadTime: new Date(stat.mtimeMs).toISOString().replace(/\.\d+Z$/, ".000000Z"),
      yanked: yanked.get(filename) ?? null,
    };
    const list = projects.get(parsed.name) ?? [];
    list.push(file);
    projects.set(parsed.name, list);
  }
  return projects;
}

function fileSha256(file: ServedFile): string {
  file.sha256 ??= sha256Hex(readFileSync(file.path));
  return file.sha256;
}

/** METADATA of a wheel (PEP 658), or PKG-INFO of an sdist; null when unreadable. */
function fileMetadata(file: ServedFile): Buffer | null {
  if (file.metadata !== undefined) return file.metadata;
  try {
    if (file.filename.endsWith(".whl")) {
      const archive = new ZipArchive(readFileSync(file.path));
      const entry = archive.entries.find((member) => /^[^/]+\.dist-info\/METADATA$/.test(member.name));
      file.metadata = entry ? archive.read(entry) : null;
    } else {
      const member = readTar(readFileSync(file.path)).find((item) => /^[^/]+\/PKG-INFO$/.test(item.name));
      file.metadata = member ? member.data : null;
    }
  } catch {
    file.metadata = null;
  }
  return file.metadata;
}

function requiresPython(file: ServedFile): string | null {
  const metadata = fileMetadata(file);
  if (metadata === null) return null;
  const value = parseMetadataEmail(metadata.toString("utf8")).raw.requires_python;
  return typeof value === "string" ? value : null;
}

export interface IndexServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export interface ServeOptions {
  directory: string;
  host?: string;
  port?: number;
}

export async function startIndexServer(options: ServeOptions): Promise<IndexServer> {
  const host = options.host ?? "127.0.0.1";
  let projects = scanDistributions(options.directory);
  let scannedAt = Date.now();
  const refresh = () => {
    // Pick up files added while serving, at most once a second.
    if (Date.now() - scannedAt > 1000) {
      const old = new Map([...projects.values()].flat().map((file) => [file.path, file]));
      projects = scanDistributions(options.directory);
      for (const file of [...projects.values()].flat()) {
        const known = old.get(file.path);
        if (known && known.size === file.size) {
          file.sha256 = known.sha256;
          file.metadata = known.metadata;
        }
      }
      scannedAt = Date.now();
    }
  };

  const server = nodeHttp().createServer((request, response) => {
    try {
      refresh();
      handle(request, response);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(`internal error: ${(error as Error).message}\n`);
    }
  });

  function handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = pyUnquote(url.pathname);
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" });
      response.end();
      return;
    }
    if (path === "/" || path === "/simple") {
      response.writeHead(301, { location: "/simple/" });
      response.end();
      return;
    }
    if (path === "/simple/") {
      sendIndex(request, response);
      return;
    }
    const project = /^\/simple\/([^/]+)\/?$/.exec(path);
    if (project) {
      const canonical = canonicalizeName(project[1]);
      if (project[1] !== canonical || !path.endsWith("/")) {
        response.writeHead(301, { location: `/simple/${canonical}/` });
        response.end();
        return;
      }
      sendProject(canonical, request, response);
      return;
    }
    const fileMatch = /^\/files\/([^/]+)$/.exec(path);
    if (fileMatch) {
      const name = fileMatch[1];
      const all = [...projects.values()].flat();
      if (name.endsWith(".metadata")) {
        const file = all.find((candidate) => candidate.filename === name.slice(0, -".metadata".length));
        const metadata = file ? fileMetadata(file) : null;
        if (metadata === null) {
          notFound(response);
          return;
        }
        response.writeHead(200, {
          "content-type": "text/plain; charset=utf-8",
          "content-length": metadata.length,
        });
        response.end(request.method === "HEAD" ? undefined : metadata);
        return;
      }
      const file = all.find((candidate) => candidate.filename === name);
      if (!file) {
        notFound(response);
        return;
      }
      sendFile(file, request, response);
      return;
    }
    notFound(response);
  }

  function notFound(response: ServerResponse): void {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found\n");
  }

  function sendIndex(request: IncomingMessage, response: ServerResponse): void {
    const kind = negotiate(request.headers.accept);
    if (kind === null) {
      response.writeHead(406);
      response.end();
      return;
    }
    const names = [...projects.keys()].sort();
    if (kind === "json") {
      const body = JSON.stringify({
        meta: { "api-version": "1.1" },
        projects: names.map((name) => ({ name })),
      });
      sendPage(request, response, SIMPLE_JSON, body);
      return;
    }
    const links = names.map((name) => `    <a href="/simple/${name}/">${name}</a><br/>`).join("\n");
    sendPage(
      request,
      response,
      `${SIMPLE_HTML}; charset=utf-8`,
      `<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.1"><title>Simple index</title></head>\n  <body>\n${links}\n  </body>\n</html>\n`,
    );
  }

  function sendProject(name: string, request: IncomingMessage, response: ServerResponse): void {
    const files = projects.get(name);
    if (!files) {
      notFound(response);
      return;
    }
    const kind = negotiate(request.headers.accept);
    if (kind === null) {
      response.writeHead(406);
      response.end();
      return;
    }
    const versions = [...new Set(files.map((file) => file.version))].sort((a, b) =>
      compareVersions(parseVersion(a), parseVersion(b)),
    );
    if (kind === "json") {
      const body = JSON.stringify({
        meta: { "api-version": "1.1" },
        name,
        versions,
        files: files.map((file) => {
          const metadata = fileMetadata(file);
          const entry: Record<string, unknown> = {
            filename: file.filename,
            url: `../../files/${encodeURIComponent(file.filename)}`,
            hashes: { sha256: fileSha256(file) },
            size: file.size,
            "upload-time": file.uploadTime,
          };
          const python = requiresPython(file);
          if (python !== null) entry["requires-python"] = python;
          if (file.yanked !== null) entry.yanked = file.yanked === "" ? true : file.yanked;
          if (metadata !== null && file.filename.endsWith(".whl")) {
            entry["core-metadata"] = { sha256: sha256Hex(metadata) };
            entry["dist-info-metadata"] = { sha256: sha256Hex(metadata) };
          }
          return entry;
        }),
      });
      sendPage(request, response, SIMPLE_JSON, body);
      return;
    }
    const links = files.map((file) => {
      const attributes = [
        `href="../../files/${encodeURIComponent(file.filename)}#sha256=${fileSha256(file)}"`,
      ];
      const python = requiresPython(file);
      if (python !== null) attributes.push(`data-requires-python="${escapeHtml(python)}"`);
      if (file.yanked !== null) attributes.push(`data-yanked="${escapeHtml(file.yanked)}"`);
      const metadata = fileMetadata(file);
      if (metadata !== null && file.filename.endsWith(".whl")) {
        const digest = `sha256=${sha256Hex(metadata)}`;
        attributes.push(`data-core-metadata="${digest}"`, `data-dist-info-metadata="${digest}"`);
      }
      return `    <a ${attributes.join(" ")}>${escapeHtml(file.filename)}</a><br/>`;
    });
    sendPage(
      request,
      response,
      `${SIMPLE_HTML}; charset=utf-8`,
      `<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.1"><title>Links for ${name}</title></head>\n  <body>\n    <h1>Links for ${name}</h1>\n${links.join("\n")}\n  </body>\n</html>\n`,
    );
  }

  /**
   * A page with an ETag of its bytes: a client that has this page gets 304 Not Modified, and
   * keeps what it made of it (spice its parsed file lists, pip its HTTP cache entry).
   */
  function sendPage(request: IncomingMessage, response: ServerResponse, type: string, body: string): void {
    const etag = `"${sha256Hex(body).slice(0, 32)}"`;
    const headers = { "content-type": type, vary: "Accept", etag };
    // If-None-Match compares weakly (RFC 9110 section 13.1.2): W/ aside, the same tag matches.
    const asked = (request.headers["if-none-match"] ?? "")
      .split(",")
      .map((tag) => tag.trim().replace(/^W\//, ""));
    if (asked.includes(etag) || asked.includes("*")) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
    response.writeHead(200, headers);
    response.end(body);
  }

  function sendFile(file: ServedFile, request: IncomingMessage, response: ServerResponse): void {
    const size = file.size;
    const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? "");
    const headers: Record<string, string | number> = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
    };
    if (range && (range[1] !== "" || range[2] !== "")) {
      let start = range[1] === "" ? size - Number(range[2]) : Number(range[1]);
      let end = range[1] === "" ? size - 1 : range[2] === "" ? size - 1 : Number(range[2]);
      start = Math.max(0, start);
      end = Math.min(end, size - 1);
      if (start > end) {
        response.writeHead(416, { "content-range": `bytes */${size}` });
        response.end();
        return;
      }
      response.writeHead(206, {
        ...headers,
        "content-range": `bytes ${start}-${end}/${size}`,
        "content-length": end - start + 1,
      });
      if (request.method === "HEAD") {
        response.end();
        return;
      }
      createReadStream(file.path, { start, end }).pipe(response);
      return;
    }
    response.writeHead(200, { ...headers, "content-length": size });
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    createReadStream(file.path).pipe(response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/simple/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
