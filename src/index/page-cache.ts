// The HTTP client's cache entries: one file per response, holding what a later run needs to
// answer from it without the network, and the forms callers derived from its body (a parsed file
// list), so that a warm run reads a page's parsed form, not its body.
//
// Layout: a first line, `spice-http-4 SUM TOC`, where TOC lists the sections that follow with
// their checksums and lengths (`head:SUM:LENGTH`, `form:SUM:LENGTH:KEY` for each derived form,
// most recently made first, `body:SUM:LENGTH`) and SUM is the checksum of TOC; then the head, a
// JSON line (URL, status, headers, time stored); each form, as JSON; then the body as it came.
// A run reads the first line and the head, then only the form it asks for; the body only when
// it has no such form. Why sections: a page of 5,000 wheels (numpy's kind) is megabytes, of
// which the wheels one interpreter can use are a fiftieth: the resolver keeps a form of just
// those (package-source.ts), and reading all of a page's forms, or its body, would cost most of
// what that form saves. Every section is checked on every read (about a millisecond a megabyte):
// a damaged one is not used (a damaged head or body is no entry, and the page is fetched again),
// where a flipped byte in a file list would otherwise name a wrong hash or file.

import { fstatSync, readSync } from "node:fs";
import { readFileWith, writeFileAtomic } from "../util/fs.ts";
import { damageChecksum } from "../util/hash.ts";

const FORMAT = "spice-http-4";
/** The first read of an entry: most pages are smaller, and then it is the only read. */
const FIRST_READ = 64 * 1024;
/** Forms kept per entry, most recently made first: one per target a resolver asked for, and more. */
const MAX_FORMS = 4;
/** A form's key: printable, without spaces (it ends its TOC item). */
const FORM_KEY = /^[\x21-\x7e]+$/;

export interface CachedResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  storedAt: number;
  /** Null when it was not read: the caller's form was there. */
  body: Buffer | null;
  /** Forms derived from the body, most recently made first. */
  forms: DerivedForm[];
}

export interface DerivedForm {
  key: string;
  /** The form, when it was read (or made) in this run. */
  value?: unknown;
  /** Its JSON bytes, when read or written in this run. */
  text?: Buffer;
}

/** The entry's form under `key`, when this run holds its value (read or made). */
export function heldForm(entry: CachedResponse, key: string): DerivedForm | undefined {
  return entry.forms.find((form) => form.key === key && "value" in form);
}

/** Whether this run holds the form itself (read or made), not only its key. */
function isRead(form: DerivedForm): boolean {
  return form.text !== undefined || "value" in form;
}

interface Section {
  sum: string;
  length: number;
  key?: string;
}

/** What is wanted of an entry: a form by key (its body only when that form is not there), or all of it. */
export type Wanted = { form: string | null } | "everything";

/** Bytes [start, end) of the file, reusing `first` (bytes [0, first.length), read already). */
function readRange(descriptor: number, first: Buffer, start: number, end: number): Buffer {
  if (end <= first.length) return first.subarray(start, end);
  const data = Buffer.allocUnsafe(end - start);
  let read = start < first.length ? first.copy(data, 0, start) : 0;
  while (read < data.length) {
    const count = readSync(descriptor, data, read, data.length - read, start + read);
    if (count === 0) break;
    read += count;
  }
  return data.subarray(0, read);
}

/** The sections the first line lists, or null when it is not this format's or is damaged. */
function tableOfContents(line: string): { head: Section; forms: Section[]; body: Section } | null {
  const space = line.indexOf(" ");
  const second = line.indexOf(" ", space + 1);
  if (line.slice(0, space) !== FORMAT || second < 0) return null;
  const toc = line.slice(second + 1);
  if (damageChecksum(toc) !== line.slice(space + 1, second)) return null;
  let head: Section | null = null;
  let body: Section | null = null;
  const forms: Section[] = [];
  for (const item of toc.split(" ")) {
    const [kind, sum, lengthText, ...rest] = item.split(":");
    const length = Number(lengthText);
    if (!Number.isSafeInteger(length) || length < 0) return null;
    if (kind === "head" && head === null && rest.length === 0) head = { sum, length };
    else if (kind === "body" && body === null && rest.length === 0) body = { sum, length };
    else if (kind === "form" && rest.length > 0) forms.push({ sum, length, key: rest.join(":") });
    else return null;
  }
  return head === null || body === null ? null : { head, forms, body };
}

/**
 * The entry at `path`, or null when there is none or its head or (when read) body is damaged.
 * With a form's key, the body is read only when that form is not there; a damaged form is left
 * out, as if it had never been made.
 */
export function readCachedResponse(path: string, wanted: Wanted): CachedResponse | null {
  return readFileWith(path, (descriptor) => {
    // As readFileSync, keeping the file's mtime: a 304 renews an entry by touching it.
    const stat = fstatSync(descriptor);
    const first = readRange(descriptor, Buffer.alloc(0), 0, Math.min(stat.size, FIRST_READ));
    const newline = first.indexOf(10);
    const sections = newline < 0 ? null : tableOfContents(first.toString("latin1", 0, newline));
    if (sections === null) return null;
    let at = newline + 1;
    const place = (section: Section) => {
      const start = at;
      at += section.length;
      return { ...section, start };
    };
    const head = place(sections.head);
    const forms = sections.forms.map(place);
    const body = place(sections.body);
    if (at !== stat.size) return null;
    const checked = (section: { sum: string; start: number; length: number }) => {
      const bytes = readRange(descriptor, first, section.start, section.start + section.length);
      return bytes.length === section.length && damageChecksum(bytes) === section.sum ? bytes : null;
    };
    const headBytes = checked(head);
    if (headBytes === null) return null;
    const entry = JSON.parse(headBytes.toString("utf8")) as Omit<CachedResponse, "body" | "forms">;
    const result: CachedResponse = {
      url: entry.url,
      status: entry.status,
      headers: entry.headers,
      storedAt: Math.max(entry.storedAt, stat.mtimeMs),
      body: null,
      forms: [],
    };
    const wantedForm = wanted === "everything" ? null : wanted.form;
    const found = wantedForm === null ? undefined : forms.find((form) => form.key === wantedForm);
    const readForm = (form: (typeof forms)[number]) => {
      const text = checked(form);
      if (text !== null)
        result.forms.push({ key: form.key!, value: JSON.parse(text.toString("utf8")), text });
    };
    if (found !== undefined) {
      // The others stay unread: their keys are known, in order, for writing the entry again.
      for (const form of forms) {
        if (form === found) readForm(form);
        else result.forms.push({ key: form.key! });
      }
      if (result.forms.some((form) => "value" in form)) return result;
    }
    // The body is needed: read with every form, which a new form is written beside.
    result.forms = [];
    for (const form of forms) readForm(form);
    result.body = checked(body);
    return result.body === null ? null : result;
  });
}

/**
 * Writes `entry`, its forms capped at MAX_FORMS. Whatever this run did not read (the body, other
 * forms) is taken from the entry it replaces when that holds the same body; without the body
 * (damaged since the head was read) the old entry stays, and a run that needs the body finds it
 * damaged and fetches the page again.
 */
export function writeCachedResponse(path: string, entry: CachedResponse): void {
  let { body, forms } = entry;
  if (body === null || !forms.every(isRead)) {
    const old = readCachedResponse(path, "everything");
    if (old === null || (body !== null && !old.body!.equals(body))) {
      if (body === null) return;
      forms = forms.filter(isRead);
    } else {
      body = old.body;
      forms = forms.flatMap((form) =>
        isRead(form) ? [form] : old.forms.filter((stored) => stored.key === form.key),
      );
    }
  }
  const texts = forms
    .filter((form) => FORM_KEY.test(form.key))
    .slice(0, MAX_FORMS)
    .map((form) => ({ key: form.key, text: form.text ?? Buffer.from(JSON.stringify(form.value ?? null)) }));
  const head = Buffer.from(
    `${JSON.stringify({ url: entry.url, status: entry.status, headers: entry.headers, storedAt: entry.storedAt })}\n`,
  );
  const toc = [
    `head:${damageChecksum(head)}:${head.length}`,
    ...texts.map(({ key, text }) => `form:${damageChecksum(text)}:${text.length}:${key}`),
    `body:${damageChecksum(body!)}:${body!.length}`,
  ].join(" ");
  const line = Buffer.from(`${FORMAT} ${damageChecksum(toc)} ${toc}\n`, "latin1");
  try {
    writeFileAtomic(path, Buffer.concat([line, head, ...texts.map(({ text }) => text), body!]));
  } catch {
    // an unwritable cache only costs speed
  }
}
