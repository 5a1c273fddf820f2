// Content codings of HTTP bodies (RFC 9110 section 8.4): spice asks for pages compressed and
// decodes whatever coding a server used, asked for or not.

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

/** The stream of a body's decoded bytes. */
export function decodingStream(
  body: AsyncIterable<unknown> & NodeJS.ReadableStream,
  codings: readonly ContentCoding[],
) {
  let stream: NodeJS.ReadableStream = body;
  const zlib = codings.length === 0 ? null : nodeZlib();
  for (const coding of [...codings].reverse()) {
    const decoder =
      coding === "gzip"
        ? zlib!.createGunzip()
        : coding === "br"
          ? zlib!.createBrotliDecompress()
          : zlib!.createInflate();
    stream.on("error", (error) => decoder.destroy(error as Error));
    stream = stream.pipe(decoder);
  }
  return stream as AsyncIterable<unknown>;
}
