// The INI files Python's configparser reads, as Python tools write them: pip.conf, and the
// EXTERNALLY-MANAGED marker of PEP 668.

/** A line configparser refuses (pip then refuses the whole file), 1-based. */
export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * Sections of `key = value` or `key: value` lines, read as configparser reads them. Keys are
 * lower-cased. A line indented further than the last line that was not a continuation continues
 * the value above it, blank lines within it included (trailing ones are dropped), so a
 * multi-paragraph message reads as written. Whole-line `#` and `;` comments are skipped. With
 * `strict`, what configparser refuses throws IniSyntaxError: a key before any section, a section
 * or key given twice (both at once), a line that is neither (the first such, at the end); else
 * such lines are skipped.
 */
export function parseIni(text: string, strict = false): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  // configparser's [DEFAULT]: no section of its own, its values under every other section's.
  const defaults = new Map<string, string>();
  let current: Map<string, string> | null = null;
  // The key a deeper-indented line continues: kept past a line that does not parse, as configparser keeps it.
  let key: string | null = null;
  let indentLevel = 0;
  let blankLines = 0;
  let unparsed: IniSyntaxError | null = null;
  const refuse = (line: number, reason: string) => {
    if (strict) throw new IniSyntaxError(line, reason);
  };
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const rawLine = lines[index];
    const line = rawLine.trim();
    if (line === "") {
      if (key) blankLines++;
      continue;
    }
    if (line.startsWith("#") || line.startsWith(";")) continue;
    const indent = rawLine.length - rawLine.trimStart().length;
    if (current !== null && key && indent > indentLevel) {
      current.set(key, `${current.get(key)}${"\n".repeat(blankLines + 1)}${line}`);
      blankLines = 0;
      continue;
    }
    indentLevel = indent;
    blankLines = 0;
    // configparser's header pattern: up to the last `]`, whatever follows it (`[global] # x`).
    const section = /^\[(.+)\]/.exec(line);
    if (section) {
      const name = section[1];
      if (name === "DEFAULT") current = defaults;
      else {
        if (sections.has(name)) refuse(index + 1, `section '${name}' already exists`);
        current = sections.get(name) ?? new Map();
        sections.set(name, current);
      }
      key = null;
      continue;
    }
    if (current === null) {
      refuse(index + 1, "the file has no [section] header before it");
      continue;
    }
    const pair = /^(.*?)\s*[=:]\s*(.*)$/.exec(line);
    if (pair === null) {
      unparsed ??= new IniSyntaxError(index + 1, `'${line}' is neither a [section] nor a key = value line`);
      continue;
    }
    key = pair[1].toLowerCase();
    // A value without a key (`= x`) is a line configparser cannot parse, and yet remembers.
    if (key === "") unparsed ??= new IniSyntaxError(index + 1, `'${line}' has no key`);
    if (current.has(key)) refuse(index + 1, `option '${key}' is set twice in its section`);
    current.set(key, pair[2]);
  }
  if (strict && unparsed !== null) throw unparsed;
  if (defaults.size === 0) return sections;
  return new Map(
    [...sections].map(([name, entries]) => {
      const merged = new Map(defaults);
      for (const [entry, value] of entries) merged.set(entry, value);
      return [name, merged];
    }),
  );
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
