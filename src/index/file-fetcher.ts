// Getting distribution files and their metadata: PEP 658/714 metadata files when the index has
// them, else the wheel's own METADATA (downloaded once and kept in the cache for the install),
// else an sdist's PKG-INFO when it is static (Metadata 2.2+, Requires-Dist not dynamic).
// Downloads stream to the cache and are checked against the index's hash on the way in.

import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUCKETS, type Cache } from "../cache/store.ts";
import { coreHeadersOf } from "../standards/core-metadata.ts";
import { parseMetadataEmail, type RawMetadata } from "../standards/metadata.ts";
import { SpiceError } from "../util/error.ts";
import { onCacheDisk, onDisk, writeFileAtomic } from "../util/fs.ts";
import { checkedText, fileDigestHex, sha256Hex, withDamageChecksum } from "../util/hash.ts";
import { whenInterrupted } from "../util/interrupt.ts";
import { nodeCrypto } from "../util/lazy-builtins.ts";
import { makeDirectories } from "../util/make-directories.ts";
import { redactUrl } from "../util/redact.ts";
import { readTar, TarError } from "../util/tar.ts";
import { findCentralDirectory, parseCentralDirectory, readMember, ZipError } from "../util/zip.ts";
import { type HttpClient, type HttpResponse, httpStatusHint } from "./http.ts";
import type { FileFilter, PackageSource, ProjectFileList } from "./package-source.ts";
import { type IndexFile, type LinkHash, preferredHash } from "./simple-api.ts";

const ARCHIVES_BUCKET = BUCKETS.archives;
/** How much of a wheel's end the first range request asks for (the directory is usually inside). */
const RANGE_TAIL_BYTES = 64 * 1024;
const METADATA_BUCKET = BUCKETS.metadata;

export interface FetchedArchive {
  path: string;
  sha256: string;
}

export interface FetchProgress {
  /** A download starts (size when known). */
  start(file: IndexFile): void;
  /** Its body begins, or begins again after a retry: `length` bytes when the server says. */
  begin(file: IndexFile, length: number | null): void;
  advance(file: IndexFile, bytes: number): void;
  finish(file: IndexFile): void;
}

/** A file whose size is not the one its index entry (or lock file) gives. */
function sizeMismatch(file: IndexFile, size: number): SpiceError {
  return new SpiceError("E_DOWNLOAD", `${file.filename} is ${size} bytes, but ${file.size} were expected`, {
    cause: "the index or lock file that names it gives another size",
    hint: "Nothing was installed. If the file was replaced on purpose, refresh the index or lock again",
  });
}

/**
 * The hash of an index's file that its download is checked against: the sha256 (computed anyway,
 * the cache's key), else the one pip prefers of those the index gives. pip takes a file when any
 * hash its link gives matches; an index gives more than one only in JSON, and then each of the
 * same file. Older indexes (Nexus, PyPI's own pages once) give md5 alone: checked too, as by pip.
 */
function indexDigest(hashes: Record<string, string>): LinkHash | null {
  return hashes.sha256 ? { algorithm: "sha256", digest: hashes.sha256 } : preferredHash(hashes);
}

function hashMismatch(file: IndexFile, expected: LinkHash, actual: string): SpiceError {
  return new SpiceError("E_HASH_MISMATCH", `The hash of ${file.filename} does not match`, {
    cause: `expected ${expected.algorithm}:${expected.digest}, got ${expected.algorithm}:${actual}`,
    hint: "The file changed on the index or in transit; if the index is trusted, refresh the pins (spice pip compile --generate-hashes)",
  });
}

/** The PKG-INFO of an sdist, when it states the dependencies statically. */
export function staticSdistMetadata(filename: string, bytes: Buffer): string {
  if (!/\.tar\.gz$/i.test(filename)) {
    throw new SpiceError("E_NEEDS_BUILD", `${filename} must be built to know its dependencies`, {
      hint: "Building source distributions arrives in a later version of spice; use a wheel, or --only-binary :all:",
    });
  }
  let members: ReturnType<typeof readTar>;
  try {
    members = readTar(bytes);
  } catch (error) {
    if (!(error instanceof TarError)) throw error;
    throw new SpiceError("E_INVALID_SDIST", `${filename} is not a readable source distribution`, {
      cause: error.message,
    });
  }
  const pkgInfo = members.find((member) => /^[^/]+\/PKG-INFO$/.test(member.name));
  if (!pkgInfo) {
    throw new SpiceError(
      "E_NEEDS_BUILD",
      `${filename} has no PKG-INFO, so it must be built to know its dependencies`,
    );
  }
  const text = pkgInfo.data.toString("utf8");
  const { raw } = parseMetadataEmail(text);
  const version = Number.parseFloat(String(raw.metadata_version ?? "1.0"));
  const dynamic = ((raw.dynamic as string[] | undefined) ?? []).map((field) => field.toLowerCase());
  if (version < 2.2 || dynamic.includes("requires-dist") || dynamic.includes("requires-python")) {
    throw new SpiceError("E_NEEDS_BUILD", `${filename} must be built to know its dependencies`, {
      cause:
        version < 2.2
          ? `its PKG-INFO is Metadata-Version ${raw.metadata_version}, which need not list them`
          : "its PKG-INFO declares them dynamic",
      hint: "Building source distributions arrives in a later version of spice; use a wheel, or --only-binary :all:",
    });
  }
  return text;
}

/**
 * Metadata kept in the cache, stored after a checksum of its text: null when it is not there, or
 * damaged (it is then extracted again).
 */
function readStoredMetadata(path: string): string | null {
  try {
    return checkedText(readFileSync(path));
  } catch {
    return null; // not extracted yet
  }
}

function storeMetadata(path: string, text: string): void {
  try {
    writeFileAtomic(path, withDamageChecksum(text));
  } catch {
    // an unwritable cache only costs speed
  }
}

/** Core headers as stored (an object of strings and lists of strings), or null when not that. */
function parsedHeaders(text: string): RawMetadata | null {
  try {
    const headers: unknown = JSON.parse(text);
    if (typeof headers !== "object" || headers === null || Array.isArray(headers)) return null;
    for (const value of Object.values(headers))
      if (
        typeof value !== "string" &&
        !(Array.isArray(value) && value.every((item) => typeof item === "string"))
      )
        return null;
    return headers as RawMetadata;
  } catch {
    return null;
  }
}

/**
 * A kept download's sha256, or null when it is not there: it may go between a look and the read
 * (a `spice cache clean` running beside this command), and is then fetched again.
 */
function keptDigest(path: string): string | null {
  try {
    return fileDigestHex("sha256", path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** A local wheel's METADATA, read through the zip directory without reading the whole file. */
function localWheelMetadata(file: IndexFile, path: string): string {
  let descriptor: number;
  try {
    descriptor = openSync(path, "r");
  } catch {
    throw new SpiceError("E_NO_SUCH_FILE", `${path} does not exist`);
  }
  try {
    const total = fstatSync(descriptor).size;
    const read = (start: number, end: number): Buffer => {
      const buffer = Buffer.alloc(Math.max(0, Math.min(end, total - 1) - start + 1));
      readSync(descriptor, buffer, 0, buffer.length, start);
      return buffer;
    };
    const tailStart = Math.max(0, total - RANGE_TAIL_BYTES);
    const tail = read(tailStart, total - 1);
    const directory = findCentralDirectory(tail, total);
    const entries = parseCentralDirectory(
      directory.offset >= tailStart
        ? tail.subarray(directory.offset - tailStart, directory.offset - tailStart + directory.size)
        : read(directory.offset, directory.offset + directory.size - 1),
      directory.count,
    );
    const entry = entries.find((member) => /^[^/]+\.dist-info\/METADATA$/.test(member.name));
    if (!entry) throw new SpiceError("E_INVALID_WHEEL", `${file.filename} has no .dist-info/METADATA`);
    const header = read(entry.localHeaderOffset, entry.localHeaderOffset + 29);
    if (header.length < 30) throw new ZipError(`${entry.name}: local header is damaged`);
    const length = 30 + header.readUInt16LE(26) + header.readUInt16LE(28) + entry.compressedSize;
    const bytes = read(entry.localHeaderOffset, entry.localHeaderOffset + length - 1);
    return readMember(bytes, entry, entry.localHeaderOffset).toString("utf8");
  } catch (error) {
    if (error instanceof ZipError)
      throw new SpiceError("E_INVALID_WHEEL", `${file.filename} is not a valid wheel: ${error.message}`);
    throw error;
  } finally {
    closeSync(descriptor);
  }
}

/** A file name from an index, checked to be one path component before anything is saved under it. */
function safeFileName(filename: string): string {
  if (filename === "" || filename === "." || filename === ".." || /[/\\\0]/.test(filename))
    throw new SpiceError("E_INDEX", `The index names a file '${filename}', which is not a plain file name`, {
      hint: "The index is broken or hostile: nothing was saved from it",
    });
  return filename;
}

export class FileFetcher {
  private readonly downloads = new Map<string, Promise<FetchedArchive>>();
  /** Metadata read by ranges, in flight or done, by URL. */
  private readonly rangeAttempts = new Map<string, Promise<string | null>>();
  /** Whole files a server sent in answer to a range request. */
  private readonly wholeFiles = new Map<string, FetchedArchive>();

  constructor(
    private readonly http: HttpClient,
    private readonly packages: PackageSource,
    private readonly cache: Cache | null,
    /** A directory for downloads when there is no cache. */
    private readonly scratch: string,
    /** Told of each download (a progress display); settable for the phase that downloads. */
    public progress: FetchProgress | null = null,
  ) {}

  /** Told of each wheel downloaded whole, from resolution on (an install unpacks it early). */
  onWheelDownloaded: ((archive: FetchedArchive, size: number) => void) | null = null;

  files(name: string, filter?: FileFilter): Promise<ProjectFileList> {
    return this.packages.files(name, filter);
  }

  /**
   * Where the cache keeps what it knows of the file with this sha256 (`ENTRY.metadata`, the
   * METADATA document; `ENTRY.core`, its core headers), or null.
   */
  private metadataEntry(file: IndexFile): string | null {
    if (this.cache === null) return null;
    // A local file's digest is known once spice has read it (installed or downloaded it).
    const digest =
      file.hashes.sha256 ||
      (file.url.startsWith("file:") ? this.cache.knownArchiveDigest(fileURLToPath(file.url)) : null);
    if (!digest) return null;
    return this.cache.entryPath(METADATA_BUCKET, digest);
  }

  /** The file's METADATA document. */
  async metadata(file: IndexFile): Promise<string> {
    const entry = this.metadataEntry(file);
    const stored = entry === null ? null : `${entry}.metadata`;
    if (stored !== null) {
      const text = readStoredMetadata(stored);
      if (text !== null) return text;
    }
    const text = await this.extractMetadata(file);
    if (stored !== null) storeMetadata(stored, text);
    return text;
  }

  /**
   * The headers of the file's METADATA that the resolver reads (coreHeadersOf), kept apart in
   * the cache: a warm resolve reads them, not the whole document.
   */
  async coreHeaders(file: IndexFile): Promise<RawMetadata> {
    const entry = this.metadataEntry(file);
    const stored = entry === null ? null : `${entry}.core`;
    if (stored !== null) {
      const text = readStoredMetadata(stored);
      const headers = text === null ? null : parsedHeaders(text);
      if (headers !== null) return headers;
    }
    const headers = coreHeadersOf(await this.metadata(file));
    if (stored !== null) storeMetadata(stored, JSON.stringify(headers));
    return headers;
  }

  private async extractMetadata(file: IndexFile): Promise<string> {
    if (file.coreMetadata !== false && !file.url.startsWith("file:")) {
      const response = await this.http.get(`${file.url}.metadata`);
      if (response.status === 200) {
        const expected = indexDigest(file.coreMetadata);
        const actual =
          expected === null
            ? null
            : nodeCrypto().createHash(expected.algorithm).update(response.body).digest("hex");
        if (expected !== null && actual !== expected.digest) {
          throw new SpiceError(
            "E_HASH_MISMATCH",
            `The metadata file of ${file.filename} does not match its hash`,
            {
              cause: `expected ${expected.algorithm}:${expected.digest}, got ${expected.algorithm}:${actual}`,
            },
          );
        }
        return response.body.toString("utf8");
      }
    }
    if (
      file.filename.endsWith(".whl") &&
      !file.url.startsWith("file:") &&
      !this.downloads.has(file.url) &&
      !this.wholeFiles.has(file.url)
    ) {
      const known = this.cachedPath(file);
      if (known === null || !existsSync(known)) {
        const attempt = this.metadataByRanges(file);
        // archive() waits for this: the answer may be the whole file, which is then not fetched again.
        this.rangeAttempts.set(file.url, attempt);
        const text = await attempt;
        if (text !== null) return text;
      }
    }
    if (file.filename.endsWith(".whl") && file.url.startsWith("file:")) {
      return localWheelMetadata(file, fileURLToPath(file.url));
    }
    const archive = await this.archive(file);
    // A downloaded wheel is read as a local one: its directory and METADATA, not all of it
    // (trio's 33 wheels from an index without metadata files: 22 MB read for 0.2 MB of metadata).
    if (file.filename.endsWith(".whl")) return localWheelMetadata(file, archive.path);
    const bytes = readFileSync(archive.path);
    return staticSdistMetadata(file.filename, bytes);
  }

  /**
   * A remote wheel's METADATA read with HTTP range requests: the archive's tail (end of central
   * directory, usually the whole directory too), then the one member. A server that ignores
   * ranges sends the whole wheel, which is then kept as the download. Null when neither works.
   */
  private async metadataByRanges(file: IndexFile): Promise<string | null> {
    // A server that ignores the range sends the whole wheel: it streams into the cache as the download.
    const { response: tail, archive } = await this.download(file, { range: `bytes=-${RANGE_TAIL_BYTES}` });
    if (archive !== null) {
      this.wholeFiles.set(file.url, archive);
      return null;
    }
    const total = Number(/\/(\d+)\s*$/.exec(tail.headers["content-range"] ?? "")?.[1] ?? Number.NaN);
    if (tail.status !== 206 || !Number.isFinite(total)) return null;
    const tailStart = total - tail.body.length;
    const range = async (start: number, end: number): Promise<Buffer> => {
      if (start >= tailStart) return tail.body.subarray(start - tailStart, end - tailStart + 1);
      const part = await this.http.fetch(file.url, { range: `bytes=${start}-${end}` });
      if (part.status !== 206)
        throw new ZipError(`the server answered a range request with HTTP ${part.status}`);
      return part.body;
    };
    try {
      const directory = findCentralDirectory(tail.body, total);
      const entries = parseCentralDirectory(
        await range(directory.offset, directory.offset + directory.size - 1),
        directory.count,
      );
      const entry = entries.find((member) => /^[^/]+\.dist-info\/METADATA$/.test(member.name));
      if (!entry) throw new SpiceError("E_INVALID_WHEEL", `${file.filename} has no .dist-info/METADATA`);
      // The local header's name and extra field come first; their lengths are not in the
      // directory, so ask for some slack and once more if the extra field is longer.
      const start = entry.localHeaderOffset;
      const guess = 30 + Buffer.byteLength(entry.name) + 1024 + entry.compressedSize;
      let bytes = await range(start, Math.min(total, start + guess) - 1);
      if (bytes.length >= 30) {
        const needed = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28) + entry.compressedSize;
        if (needed > bytes.length) bytes = await range(start, Math.min(total, start + needed) - 1);
      }
      return readMember(bytes, entry, start).toString("utf8");
    } catch (error) {
      if (error instanceof ZipError) {
        throw new SpiceError("E_INVALID_WHEEL", `${file.filename} is not a valid wheel: ${error.message}`);
      }
      throw error;
    }
  }

  /** The file on disk: a local file as it is, a remote one downloaded into the cache once. */
  archive(file: IndexFile): Promise<FetchedArchive> {
    let pending = this.downloads.get(file.url);
    if (pending === undefined) {
      const attempt = this.rangeAttempts.get(file.url);
      pending = attempt
        ? attempt.then(
            () => this.wholeFiles.get(file.url) ?? this.fetchArchive(file),
            () => this.fetchArchive(file),
          )
        : this.wholeFiles.has(file.url)
          ? Promise.resolve(this.wholeFiles.get(file.url)!)
          : this.fetchArchive(file);
      this.downloads.set(file.url, pending);
    }
    return pending;
  }

  /** Where a remote file with a known sha256 would be cached (it may not exist yet). */
  cachedPath(file: IndexFile): string | null {
    const digest = file.hashes.sha256;
    if (this.cache === null || !digest) return null;
    return join(this.cache.entryPath(ARCHIVES_BUCKET, digest), safeFileName(file.filename));
  }

  private async fetchArchive(file: IndexFile): Promise<FetchedArchive> {
    const expected = file.hashes.sha256 ?? null;
    if (file.url.startsWith("file:")) {
      const path = fileURLToPath(file.url);
      if (!existsSync(path)) throw new SpiceError("E_NO_SUCH_FILE", `${path} does not exist`);
      const compute = () => sha256Hex(readFileSync(path));
      const sha256 = this.cache === null ? compute() : this.cache.archiveDigest(path, compute);
      const given = indexDigest(file.hashes);
      if (given !== null) {
        const actual = given.algorithm === "sha256" ? sha256 : fileDigestHex(given.algorithm, path);
        if (actual !== given.digest) throw hashMismatch(file, given, actual);
      }
      if (file.size !== null) {
        const size = statSync(path).size;
        if (size !== file.size) throw sizeMismatch(file, size);
      }
      return { path, sha256 };
    }
    const known = this.cachedPath(file);
    // A kept download is checked before it is used (this runs only when its unpacked entry is
    // missing or damaged): one damaged on disk is fetched again, and replaced.
    if (known !== null && keptDigest(known) === expected) return { path: known, sha256: expected };
    const { response, archive } = await this.download(file, {});
    if (archive === null) {
      throw new SpiceError("E_DOWNLOAD", `Could not download ${file.filename}`, {
        cause: `${redactUrl(file.url)} answered HTTP ${response.status}`,
        hint: httpStatusHint(response.status),
      });
    }
    return archive;
  }

  /**
   * A GET of the file: a 200 streams into the cache (hash and size checked on the way) and
   * becomes the archive; any other answer (a 206 to a range request) is returned as it is.
   */
  private async download(
    file: IndexFile,
    headers: Record<string, string>,
  ): Promise<{ response: HttpResponse; archive: FetchedArchive | null }> {
    const expected = indexDigest(file.hashes);
    // The sha256 names the download in the cache; another hash the index gives is computed beside it.
    const other = expected === null || expected.algorithm === "sha256" ? null : expected.algorithm;
    const directory = this.cache === null ? this.scratch : this.cache.bucket(ARCHIVES_BUCKET);
    // A failure to write is the disk's, not the network's: a SpiceError, which fetch does not retry.
    const saving = `Could not save ${file.filename} into ${directory}`;
    onDisk(saving, () => makeDirectories(directory));
    const partial = join(directory, `.tmp-${process.pid}-${nodeCrypto().randomBytes(6).toString("hex")}`);
    let hash = nodeCrypto().createHash("sha256");
    let otherHash = other === null ? null : nodeCrypto().createHash(other);
    let descriptor: number | null = null;
    let size = 0;
    let kept = false;
    const forgetPartial = whenInterrupted(() => rmSync(partial, { force: true }));
    // The display current at the start also hears the end, even if it is swapped meanwhile.
    const progress = this.progress;
    progress?.start(file);
    try {
      const response = await this.http.fetch(file.url, headers, {
        reset: (length) => {
          hash = nodeCrypto().createHash("sha256");
          otherHash = other === null ? null : nodeCrypto().createHash(other);
          onDisk(saving, () => {
            if (descriptor === null) descriptor = openSync(partial, "w");
            else ftruncateSync(descriptor, 0);
          });
          size = 0;
          progress?.begin(file, length);
        },
        write: (chunk) => {
          hash.update(chunk);
          otherHash?.update(chunk);
          onDisk(saving, () => writeSync(descriptor!, chunk, 0, chunk.length, size));
          size += chunk.length;
          progress?.advance(file, chunk.length);
        },
      });
      if (descriptor !== null) {
        closeSync(descriptor);
        descriptor = null;
      }
      if (response.status !== 200) return { response, archive: null };
      const sha256 = hash.digest("hex");
      const actual = otherHash === null ? sha256 : otherHash.digest("hex");
      if (expected !== null && expected.digest !== actual) throw hashMismatch(file, expected, actual);
      if (file.size !== null && file.size !== size) throw sizeMismatch(file, size);
      const final =
        this.cache === null
          ? join(this.scratch, safeFileName(file.filename))
          : join(this.cache.entryPath(ARCHIVES_BUCKET, sha256), safeFileName(file.filename));
      onCacheDisk(saving, this.cache?.root ?? null, () => {
        makeDirectories(dirname(final));
        renameSync(partial, final);
      });
      kept = true;
      this.cache?.rememberArchiveDigest(final, sha256);
      const archive = { path: final, sha256 };
      if (file.filename.endsWith(".whl")) this.onWheelDownloaded?.(archive, size);
      return { response, archive };
    } finally {
      if (descriptor !== null) closeSync(descriptor);
      forgetPartial();
      if (!kept) rmSync(partial, { force: true });
      progress?.finish(file);
    }
  }
}
