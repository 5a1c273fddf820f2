// PEP 503 name normalization, core-metadata name validation and PEP 685 extra names.

export class InvalidName extends Error {
  override name = "InvalidName";
}

const VALID_NAME = /^(?:[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$/i;
// packaging's pattern verbatim: the look-ahead follows each character, so "1--1" counts as normalized.
const NORMALIZED_NAME = /^(?:[a-z0-9]|[a-z0-9](?:[a-z0-9-](?!--))*[a-z0-9])$/;

/** PEP 503: lower-case, runs of `-`, `_` and `.` become one `-`. */
export function canonicalizeName(name: string, validate = false): string {
  if (validate && !isValidName(name)) throw new InvalidName(`name is invalid: '${name}'`);
  // Python's str.lower() and JS toLowerCase() agree for the characters names can hold.
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** A valid distribution name (core metadata `Name`). */
export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** Is the name already in PEP 503 normal form? */
export function isNormalizedName(name: string): boolean {
  return NORMALIZED_NAME.test(name);
}

/** PEP 685: extras compare by their normalized name. */
export function normalizeExtra(extra: string): string {
  return canonicalizeName(extra);
}
