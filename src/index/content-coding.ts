// Content codings of HTTP bodies (RFC 9110 section 8.4): spice asks for pages compressed and
// decodes whatever coding a server used, asked for or not.

import type { Readable } from "node:stream";
import { SpiceError } from "../util/error.ts";
import { nodeZlib } from "../util/lazy-builtins.ts";
import { redactUrl } from "../util/redact.ts";

export type ContentCoding = "gzip" | "deflate" | "br";

/** Content-Encoding's codings, in the order they were applied; an unknown one is an error. */
export function contentCodings(header: string | undefined, url: URL): ContentCoding[] {
  if (header === undefined) return [];
  const codings: ContentCoding[] = [];
  for (const item of header.split(",")) {
    const coding = item.trim().toLowerCase();
    if (coding === "" || coding === "identity") continue;
    if (coding === "gzip" || coding === "x-gzip") codings.push("gzip");
    else if (coding === "deflate" || coding === "br") codings.push(coding);
    else
      throw new SpiceError("E_HTTP", `Could not read ${redactUrl(url.toString())}`, {
        cause: `the server sent it in the content coding '${coding}', which spice cannot decode`,
        hint: "Configure the server to send gzip, deflate, br or no content coding",
      });
  }
  return codings;
}

/** `body` with its codings undone, last applied first. */
export function decodeBody(body: Buffer, codings: readonly ContentCoding[], url: URL): Buffer {
  const zlib = codings.length === 0 ? null : nodeZlib();
  let decoded = body;
  for (const coding of [...codings].reverse()) {
    try {
      if (coding === "gzip") decoded = zlib!.gunzipSync(decoded);
      else if (coding === "br") decoded = zlib!.brotliDecompressSync(decoded);
      // HTTP's deflate is zlib-wrapped; some servers send it raw.
      else
        decoded =
          decoded[0] !== undefined && (decoded[0] & 0x0f) === 8
            ? zlib!.inflateSync(decoded)
            : zlib!.inflateRawSync(decoded);
    } catch (error) {
      throw new SpiceError("E_HTTP", `Could not read ${redactUrl(url.toString())}`, {
        cause: `its ${coding} content coding does not decode: ${(error as Error).message}`,
        hint: "The server sent a damaged response; run again, or report it to the index's operator",
      });
    }
  }
  return decoded;
}

/**
 * Hands a streamed body's decoded bytes to `write` (synchronous) as they arrive. The body is read
 * in flowing mode and never pushed back on: a body paused when the server closes its connection
 * (`python -m http.server` closes after every response) ends the process in undici 6 and 7, with
 * an assertion no handler catches (undici issue 5360; fixed in undici 8, which needs Node 22), and
 * a `for await` reader lets it pause whenever the event loop is busy elsewhere. Nothing piles up
 * meanwhile: each chunk is written before the next is read.
 */
export function streamBody(
  body: Readable,
  codings: readonly ContentCoding[],
  write: (chunk: Buffer) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const streams: Readable[] = [body];
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      for (const stream of streams) stream.destroy();
      reject(error);
    };
    body.on("error", fail);
    const zlib = codings.length === 0 ? null : nodeZlib();
    let source: Readable = body;
    for (const coding of [...codings].reverse()) {
      const decoder =
        coding === "gzip"
          ? zlib!.createGunzip()
          : coding === "br"
            ? zlib!.createBrotliDecompress()
            : zlib!.createInflate();
      decoder.on("error", fail);
      streams.push(decoder);
      source.on("data", (chunk: Buffer) => decoder.write(chunk));
      source.on("end", () => decoder.end());
      source = decoder;
    }
    source.on("data", (chunk: Buffer) => {
      if (failed) return;
      try {
        write(chunk);
      } catch (error) {
        fail(error);
      }
    });
    source.on("end", () => {
      if (!failed) resolve();
    });
  });
}
