// The INI files Python's configparser reads, as Python tools write them: pip.conf, and the
// EXTERNALLY-MANAGED marker of PEP 668.

/** A line configparser refuses (pip then refuses the whole file), 1-based. */
export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * Sections of `key = value` or `key: value` lines. Keys are lower-cased, as configparser does. An
 * indented line continues the value above it, blank lines within it included (trailing ones are
 * dropped), so a multi-paragraph message reads as written. Whole-line `#` and `;` comments are
 * skipped. With `strict`, what configparser refuses throws IniSyntaxError: a key before any
 * section, a line that is neither, a section or key given twice; else such lines are skipped.
 */
export function parseIni(text: string, strict = false): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  let lastKey: string | null = null;
  // How far the last key's line is indented: only a line indented further continues its value.
  let keyIndent = 0;
  let blankLines = 0;
  const refuse = (line: number, reason: string) => {
    if (strict) throw new IniSyntaxError(line, reason);
  };
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const rawLine = lines[index];
    if (rawLine.trim() === "") {
      if (lastKey !== null) blankLines++;
      continue;
    }
    if (/^\s*[#;]/.test(rawLine)) continue;
    const indent = rawLine.length - rawLine.trimStart().length;
    if (indent > keyIndent && current !== null && lastKey !== null) {
      current.set(lastKey, `${current.get(lastKey)}${"\n".repeat(blankLines + 1)}${rawLine.trim()}`);
      blankLines = 0;
      continue;
    }
    blankLines = 0;
    // configparser's header pattern: up to the last `]`, whatever follows it (`[global] # x`).
    const section = /^\[(.+)\]/.exec(rawLine.trim());
    if (section) {
      const name = section[1];
      if (sections.has(name)) refuse(index + 1, `section '${name}' already exists`);
      current = sections.get(name) ?? new Map();
      sections.set(name, current);
      lastKey = null;
      continue;
    }
    if (current === null) refuse(index + 1, "the file has no [section] header before it");
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(rawLine);
    if (pair && current !== null) {
      lastKey = pair[1].trim().toLowerCase();
      keyIndent = indent;
      if (current.has(lastKey)) refuse(index + 1, `option '${lastKey}' is set twice in its section`);
      current.set(lastKey, pair[2].trim());
    } else {
      refuse(index + 1, `'${rawLine.trim()}' is neither a [section] nor a key = value line`);
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
