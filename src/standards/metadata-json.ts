// Core metadata in the JSON form pip shows it (PEP 566's, as pip 23.2.1's metadata/_json.py
// makes it): the `metadata` of `--report` and of `pip inspect`.

import { addHeader, importlibHeaderValue, parseEmailHeaders } from "./email-headers.ts";
import { pySplitWhitespace, pyStrip } from "./python-string.ts";

// The fields pip 23.2.1 puts in an installation report's `metadata`, and whether each may repeat
// (its metadata/_json.py, after PEP 566's JSON form). Later fields (License-Expression, ...) are
// not among them.
const REPORT_FIELDS: ReadonlyArray<readonly [string, boolean]> = [
  ["Metadata-Version", false],
  ["Name", false],
  ["Version", false],
  ["Dynamic", true],
  ["Platform", true],
  ["Supported-Platform", true],
  ["Summary", false],
  ["Description", false],
  ["Description-Content-Type", false],
  ["Keywords", false],
  ["Home-page", false],
  ["Download-URL", false],
  ["Author", false],
  ["Author-email", false],
  ["Maintainer", false],
  ["Maintainer-email", false],
  ["License", false],
  ["Classifier", true],
  ["Requires-Dist", true],
  ["Requires-Python", false],
  ["Requires-External", true],
  ["Project-URL", true],
  ["Provides-Extra", true],
  ["Provides-Dist", true],
  ["Obsoletes-Dist", true],
];

/**
 * METADATA as pip's installation report (`--report`) shows it: lower-case keys with `_`, the
 * first value of a single field, every value of a repeatable one, Keywords split on commas (or
 * whitespace), and a non-empty body as `description`.
 *
 * `viaImportlib`: pip reads metadata through importlib.metadata on Python 3.11 and later, whose
 * message adapter dedents folded header values and adds the body as a last Description header,
 * which moves `description` to that field's place among the keys. `added` are headers pip adds
 * to what the file says (an .egg-info's requires.txt).
 */
export function metadataToJson(
  text: string,
  viaImportlib: boolean,
  added: ReadonlyArray<[string, string]> = [],
): Record<string, string | string[]> {
  const parsed = parseEmailHeaders(text);
  const body = parsed.body;
  let headers = parsed.headers;
  if (viaImportlib) {
    headers = headers.map(([name, value]): [string, string] => [name, importlibHeaderValue(value)]);
    if (body !== "") headers.push(["Description", body]);
  }
  headers = [...headers, ...added];
  const byName = new Map<string, string[]>();
  for (const [name, value] of headers) addHeader(byName, name.toLowerCase(), value);
  const result: Record<string, string | string[]> = {};
  for (const [field, multiple] of REPORT_FIELDS) {
    const values = byName.get(field.toLowerCase());
    if (values === undefined) continue;
    const key = field.toLowerCase().replaceAll("-", "_");
    if (multiple) result[key] = values;
    else if (key === "keywords")
      result[key] = values[0].includes(",")
        ? values[0].split(",").map(pyStrip)
        : pySplitWhitespace(values[0]);
    else result[key] = values[0];
  }
  if (body !== "") result.description = body;
  return result;
}
