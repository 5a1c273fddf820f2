// URLs as spice prints them: credentials never appear in a message or a log.

/** `https://user:secret@host/path` → `https://user:****@host/path` (a token alone: `****@`). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]*)@/i, (_, scheme: string, userInfo: string) => {
    const colon = userInfo.indexOf(":");
    return colon < 0 ? `${scheme}****@` : `${scheme}${userInfo.slice(0, colon)}:****@`;
  });
}

/** Replaces every URL with credentials inside free text. */
export function redactText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (url) => redactUrl(url));
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
