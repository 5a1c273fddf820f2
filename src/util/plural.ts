/** "1 package", "3 packages". */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/**
 * `a, b and c`, naming at most `limit` items: past that, `limit - 1` of them and how many more,
 * so that a message stays a line a reader takes in.
 */
export function someOf(items: readonly string[], limit: number): string {
  const shown =
    items.length > limit ? [...items.slice(0, limit - 1), `${items.length - limit + 1} more`] : items;
  return shown.length <= 1
    ? (shown[0] ?? "")
    : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}
