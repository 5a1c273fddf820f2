/** Whether `text` starts as a URL does (`scheme://`), not as a path (a requirement, a file). */
export function hasUrlScheme(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}
