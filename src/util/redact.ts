// URLs as spice prints them: credentials never appear in a message or a log.

/**
 * `https://user:secret@host/path` → `https://user:****@host/path` (a token alone: `****@`). One
 * slash is enough: a URL taken for a path comes back from path.resolve as `/cwd/https:/user:...`.
 */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/?)([^/@\s]*)@/i, (_, scheme: string, userInfo: string) => {
    const colon = userInfo.indexOf(":");
    return colon < 0 ? `${scheme}****@` : `${scheme}${userInfo.slice(0, colon)}:****@`;
  });
}

/** Replaces every URL with credentials inside free text. */
export function redactText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/?[^\s'"<>]+/gi, (url) => redactUrl(url));
}

/**
 * A URL as PEP 610 lets direct_url.json (and pip's report) record it: without user-info, except
 * user-info made of environment variables (`${TOKEN}`, `${USER}:${PASSWORD}`), which holds no
 * secret itself. pip records the same (DirectUrl.redacted_url).
 */
export function recordableUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i.exec(url);
  if (match === null || /^\$\{[A-Za-z0-9_-]+\}(:\$\{[A-Za-z0-9_-]+\})?$/.test(match[2])) return url;
  return `${match[1]}${url.slice(match[0].length)}`;
}

/** A URL without its user-info, for files other people read (a compiled requirements file, a lock). */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url;
  }
}
