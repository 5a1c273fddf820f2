// The moments --exclude-newer and --exclude-newer-package take, as uv reads them: an RFC 3339
// time or a date (2024-01-31, midnight UTC), or a span back from now, so that a setting made once
// keeps a package's newest releases out for a while (a "cooldown" against a poisoned upload):
// `7 days`, `24 hours`, `1 week 2 days`, or ISO 8601's `P7D`, `PT24H`. Months and years are no
// spans here, as in uv: their length varies.

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
  w: 604800,
  week: 604800,
  weeks: 604800,
};

const FRIENDLY_PART = /(\d+)\s*([a-z]+)/gy;
const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds in a span written `7 days`, `1 week, 2 days` or `P7D`; null when `text` is none. */
export function spanSeconds(text: string): number | null {
  const iso = ISO_DURATION.exec(text);
  if (iso !== null && /\d/.test(text) && !text.toUpperCase().endsWith("T")) {
    const [weeks, days, hours, minutes, seconds] = iso.slice(1).map((part) => Number(part ?? 0));
    return weeks * 604800 + days * 86400 + hours * 3600 + minutes * 60 + seconds;
  }
  const words = text.trim().toLowerCase().replace(/,\s*/g, " ");
  if (words === "") return null;
  let total = 0;
  FRIENDLY_PART.lastIndex = 0;
  while (FRIENDLY_PART.lastIndex < words.length) {
    const part = FRIENDLY_PART.exec(words);
    if (part === null) return null;
    const unit = UNIT_SECONDS[part[2]];
    if (unit === undefined) return null;
    total += Number(part[1]) * unit;
    while (words[FRIENDLY_PART.lastIndex] === " ") FRIENDLY_PART.lastIndex++;
  }
  return total;
}

/**
 * The moment `text` names (ISO form), null for `false` (no cut-off, as uv takes it), or undefined
 * when it names none.
 */
export function parseCutOff(text: string, now: number = Date.now()): string | null | undefined {
  if (text.trim().toLowerCase() === "false") return null;
  const span = spanSeconds(text);
  if (span !== null) return new Date(now - span * 1000).toISOString();
  // A date or time, but not a bare number, which Date.parse would take as a year.
  if (/^\s*\d+\s*$/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
