/**
 * Python's strtobool, as pip reads a yes-or-no setting: true for y, yes, t, true, on, 1; false
 * for n, no, f, false, off, 0 (any case, around whitespace); null for anything else.
 */
export function strtobool(text: string): boolean | null {
  const word = text.trim().toLowerCase();
  if (["y", "yes", "t", "true", "on", "1"].includes(word)) return true;
  if (["n", "no", "f", "false", "off", "0"].includes(word)) return false;
  return null;
}
