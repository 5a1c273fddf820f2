// Which credentials go with a request, found as pip finds them (and a keyring as pip and uv ask
// it), each sent to its own host only.

import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pyUnquote } from "../standards/python-url.ts";
import { withoutCredentials } from "../util/redact.ts";
import type { KeyringLookup } from "./keyring.ts";
import { NetrcError, type NetrcLogin, parseNetrc } from "./netrc.ts";

export type Credentials = NetrcLogin;

export interface CredentialSources {
  /** Path of a netrc file (default ~/.netrc, else ~/_netrc); null for none. */
  netrc?: string | null;
  /** Passwords from a keyring, for URLs whose username is known. */
  keyring?: KeyringLookup | null;
  /** The index URLs, credentials and all. */
  indexUrls?: readonly string[];
  /** Where warnings go (a netrc file that cannot be read, an unreadable extra certificate file). */
  warn?: (message: string) => void;
}

/** The length of the longest run of whole directories (ending in "/") two paths begin with. */
function sharedDirectories(first: string, second: string): number {
  let length = 0;
  while (length < first.length && length < second.length && first[length] === second[length]) length++;
  return first.lastIndexOf("/", length - 1) + 1;
}

export class CredentialFinder {
  private netrc: Map<string, Credentials> | undefined;

  constructor(private readonly options: CredentialSources) {}

  /**
   * The credentials a request to `url` carries, looked for as pip does: the URL's own; its
   * index's (the index URL on the same host whose path it shares most of); ~/.netrc's for the
   * host (for the user the URL names, if it names one); the keyring's, when a username is
   * known; those an earlier request to the host carried (an index page's files may be absolute
   * URLs without them). Whatever is found is kept for the host, and sent to that host only.
   */
  for(url: URL): Credentials | null {
    let username = url.username === "" ? null : pyUnquote(url.username);
    if (username !== null && url.password !== "")
      return this.remember(url, { username, password: pyUnquote(url.password) });
    const index = this.indexFor(url);
    if (index !== null && index.username !== "") {
      if (index.password !== "")
        return this.remember(url, {
          username: pyUnquote(index.username),
          password: pyUnquote(index.password),
        });
      username ??= pyUnquote(index.username);
    }
    // A netrc entry for another user than the URL names is not this URL's.
    const fromNetrc = this.netrcFor(url);
    if (fromNetrc !== null && (username === null || username === fromNetrc.username))
      return this.remember(url, fromNetrc);
    if (username !== null && this.options.keyring) {
      // The service a keyring knows an index by: its URL without user-info.
      const service = index === null ? null : withoutCredentials(index.href);
      const password =
        (service === null ? null : this.options.keyring(service, username)) ??
        this.options.keyring(url.host, username);
      if (password !== null) return this.remember(url, { username, password });
    }
    const known = this.hostCredentials.get(url.host);
    if (known !== undefined && (username === null || username === known.username)) return known;
    return username === null ? null : this.remember(url, { username, password: "" });
  }

  /** Credentials that went to a host, for its URLs that carry none (pip's per-host memory). */
  private readonly hostCredentials = new Map<string, Credentials>();

  private remember(url: URL, credentials: Credentials): Credentials {
    this.hostCredentials.set(url.host, credentials);
    return credentials;
  }

  private netrcFor(url: URL): Credentials | null {
    this.netrc ??= this.readNetrc();
    return this.netrc.get(url.hostname) ?? this.netrc.get("*") ?? null;
  }

  /** The netrc file's logins: NETRC's file, else ~/.netrc or ~/_netrc, as requests finds it. */
  private readNetrc(): Map<string, Credentials> {
    const given = this.options.netrc;
    const path =
      given === undefined
        ? [".netrc", "_netrc"].map((name) => join(homedir(), name)).find((candidate) => existsSync(candidate))
        : given;
    if (path === null || path === undefined) return new Map();
    try {
      return parseNetrc(readFileSync(path, "utf8"));
    } catch (error) {
      if (error instanceof NetrcError)
        this.options.warn?.(`${path} is not read, so no credentials come from it: ${error.message}`);
      else if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        this.options.warn?.(`${path} cannot be read: ${(error as Error).message}`);
      return new Map();
    }
  }

  private parsedIndexes: URL[] | undefined;

  /** The index URL on `url`'s host whose path `url` shares the most directories of, or null. */
  private indexFor(url: URL): URL | null {
    this.parsedIndexes ??= (this.options.indexUrls ?? []).flatMap((index) =>
      URL.canParse(index) ? [new URL(index.endsWith("/") ? index : `${index}/`)] : [],
    );
    let best: URL | null = null;
    let bestShared = -1;
    for (const index of this.parsedIndexes) {
      if (index.host !== url.host || index.protocol !== url.protocol) continue;
      const shared = sharedDirectories(index.pathname, url.pathname);
      if (shared > bestShared) {
        best = index;
        bestShared = shared;
      }
    }
    return best;
  }
}
