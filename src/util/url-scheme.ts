const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** Whether `text` starts as a URL does (`scheme://`), not as a path (a requirement, a file). */
export function hasUrlScheme(text: string): boolean {
  return SCHEME.test(text);
}

/** The scheme `text` starts with as a URL does (`https`, lower case), or null for a path. */
export function urlScheme(text: string): string | null {
  return SCHEME.exec(text)?.[1].toLowerCase() ?? null;
}
