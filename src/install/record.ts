// RECORD (PEP 376/627), read: for opening wheels and for reading installed distributions, which
// pip's inspection commands do without the rest of the installer (dist/inspect.cjs).

/**
 * RECORD rows: path, hash, size, read as pip reads them (Python's csv reader over the file's
 * lines): a quote opens a quoted field only at a field's start (`a"b` is those three characters),
 * `""` inside one is a quote, and what follows its closing quote joins the field.
 */
export function parseRecord(text: string): Array<[string, string, string]> {
  const rows: Array<[string, string, string]> = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    // Nearly every line has no quote: its fields are what lies between the commas (a cold
    // install of the jupyter set reads 15,000 lines; character by character took 60 ms).
    if (!line.includes('"')) {
      const first = line.indexOf(",");
      const second = first < 0 ? -1 : line.indexOf(",", first + 1);
      const third = second < 0 ? -1 : line.indexOf(",", second + 1);
      rows.push(
        first < 0
          ? [line, "", ""]
          : [
              line.slice(0, first),
              second < 0 ? line.slice(first + 1) : line.slice(first + 1, second),
              second < 0 ? "" : line.slice(second + 1, third < 0 ? undefined : third),
            ],
      );
      continue;
    }
    const fields: string[] = [];
    let field = "";
    let state: "start" | "plain" | "quoted" | "quote in quoted" = "start";
    for (const char of line) {
      if (state === "quoted") {
        if (char === '"') state = "quote in quoted";
        else field += char;
      } else if (state === "quote in quoted" && char === '"') {
        field += '"';
        state = "quoted";
      } else if (char === ",") {
        fields.push(field);
        field = "";
        state = "start";
      } else if (state === "start" && char === '"') {
        state = "quoted";
      } else {
        field += char;
        state = "plain";
      }
    }
    fields.push(field);
    rows.push([fields[0] ?? "", fields[1] ?? "", fields[2] ?? ""]);
  }
  return rows;
}
