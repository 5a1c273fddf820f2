// How long a stored response may answer without the network, as RFC 9111 says (max-age,
// Expires, or the heuristic for responses that only carry Last-Modified), and how an entry the
// server confirmed (304) is kept.

import { utimesSync } from "node:fs";
import { type CachedResponse, writeCachedResponse } from "./page-cache.ts";

/** Cache-Control max-age in seconds, 0 for no-cache/no-store, null when absent. */
export function maxAge(cacheControl: string | undefined): number | null {
  if (!cacheControl) return null;
  if (/no-store|no-cache/i.test(cacheControl)) return 0;
  const match = /max-age=(\d+)/i.exec(cacheControl);
  return match ? Number(match[1]) : null;
}

/** The longest a response is used without revalidation when only Last-Modified vouches for it. */
const HEURISTIC_LIMIT_SECONDS = 600;

/**
 * How long a stored response stays fresh (RFC 9111 section 4.2.1): max-age, else Expires, else
 * the heuristic of section 4.2.2 (a tenth of the time since Last-Modified, here at most ten
 * minutes, as PyPI's own max-age), which lets plain static servers be cached too.
 */
export function freshnessSeconds(headers: Record<string, string>): number {
  const explicit = maxAge(headers["cache-control"]);
  if (explicit !== null) return explicit;
  const date = headers.date ? Date.parse(headers.date) : Number.NaN;
  if (headers.expires) {
    const expires = Date.parse(headers.expires);
    return Number.isNaN(expires) || Number.isNaN(date) ? 0 : Math.max(0, (expires - date) / 1000);
  }
  if (headers["last-modified"]) {
    const modified = Date.parse(headers["last-modified"]);
    if (Number.isNaN(modified) || Number.isNaN(date)) return 0;
    return Math.min(Math.max(0, (date - modified) / 10_000), HEURISTIC_LIMIT_SECONDS);
  }
  return 0;
}

/**
 * Stores a revalidated entry: rewritten when the 304 changed what it says, else only touched (its
 * mtime is when it was stored), where rewriting a page of 30 MB took longer than fetching it.
 * Touching keeps the old Date, which shortens a heuristic lifetime, never lengthens one; an
 * Expires lifetime is counted from the Date, so such an entry is rewritten with the new one.
 */
export function storeRevalidated(
  path: string,
  entry: CachedResponse,
  changed: boolean,
  date: string | undefined,
): void {
  if (!changed && (entry.headers.expires === undefined || maxAge(entry.headers["cache-control"]) !== null)) {
    try {
      const now = entry.storedAt / 1000;
      utimesSync(path, now, now);
      return;
    } catch {
      // gone since it was read: written again below
    }
  }
  if (date !== undefined) entry.headers.date = date;
  writeCachedResponse(path, entry);
}
