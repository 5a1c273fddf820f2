// Versions as packaging splits them for prefix matches (`==1.2.*`, and the prefix `~=` implies):
// its _version_split, _version_join and _pad_version, on the version's text, so that a match
// compares the same parts packaging compares.

import { tryParseVersion } from "./version.ts";

const PREFIX_PART = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/;

export function splitVersion(version: string): string[] {
  const bang = version.lastIndexOf("!");
  const epoch = bang < 0 ? "" : version.slice(0, bang);
  const rest = bang < 0 ? version : version.slice(bang + 1);
  const result = [epoch || "0"];
  for (const item of rest.split(".")) {
    const match = PREFIX_PART.exec(item);
    if (match) result.push(match[1], match[2]);
    else result.push(item);
  }
  return result;
}

export function joinVersion(parts: string[]): string {
  const [epoch, ...rest] = parts;
  return `${epoch}!${rest.join(".")}`;
}

export function isNotSuffix(segment: string): boolean {
  return !["dev", "a", "b", "rc", "post"].some((prefix) => segment.startsWith(prefix));
}

function isDigits(text: string): boolean {
  return /^[0-9]+$/.test(text);
}

export function numericPrefixLength(parts: string[]): number {
  let count = 0;
  for (const part of parts) {
    if (!isDigits(part)) break;
    count++;
  }
  return count;
}

export function leftPad(parts: string[], target: number): string[] {
  const numeric = numericPrefixLength(parts);
  const missing = target - numeric;
  if (missing <= 0) return parts;
  return [...parts.slice(0, numeric), ...new Array<string>(missing).fill("0"), ...parts.slice(numeric)];
}

export function canonicalNoStrip(text: string): string {
  const version = tryParseVersion(text);
  return version === null ? text : version.toString();
}
