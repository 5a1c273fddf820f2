// The INI files Python's configparser reads, as Python tools write them: pip.conf, and the
// EXTERNALLY-MANAGED marker of PEP 668.

/**
 * Sections of `key = value` or `key: value` lines. Keys are lower-cased, as configparser does. An
 * indented line continues the value above it, blank lines within it included (trailing ones are
 * dropped), so a multi-paragraph message reads as written. Whole-line `#` and `;` comments are
 * skipped.
 */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  let blankLines = 0;
  for (const rawLine of text.split(/\r?\n/)) {
    if (rawLine.trim() === "") {
      if (lastKey !== null) blankLines++;
      continue;
    }
    if (/^\s*[#;]/.test(rawLine)) continue;
    if (/^\s/.test(rawLine) && current !== null && lastKey !== null) {
      current.set(lastKey, `${current.get(lastKey)}${"\n".repeat(blankLines + 1)}${rawLine.trim()}`);
      blankLines = 0;
      continue;
    }
    blankLines = 0;
    const section = /^\[([^\]]+)\]\s*$/.exec(rawLine);
    if (section) {
      current = sections.get(section[1].trim()) ?? new Map();
      sections.set(section[1].trim(), current);
      lastKey = null;
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(rawLine);
    if (pair && current !== null) {
      lastKey = pair[1].trim().toLowerCase();
      current.set(lastKey, pair[2].trim());
    } else {
      lastKey = null;
    }
  }
  return sections;
}

/**
 * Sections as configparser writes them back (pip config set rewrites its file so): `key = value`
 * lines under each `[section]`, a value's further lines indented with a tab, a blank line after
 * each section. Comments do not survive, as they do not with pip.
 */
export function formatIni(sections: ReadonlyMap<string, ReadonlyMap<string, string>>): string {
  let text = "";
  for (const [name, entries] of sections) {
    text += `[${name}]\n`;
    for (const [key, value] of entries) text += `${key} = ${value.replaceAll("\n", "\n\t")}\n`;
    text += "\n";
  }
  return text;
}
