// PEP 639 license expressions: validation against the SPDX list and normalization of case and
// spacing, with packaging 26's rules (LicenseRef-* kept as written, `+` suffixes, `WITH` exceptions).

import { pySplitWhitespace } from "./python-string.ts";
import { SPDX_EXCEPTION_IDS, SPDX_LICENSE_IDS } from "./spdx-ids.ts";

export class InvalidLicenseExpression extends Error {
  override name = "InvalidLicenseExpression";
}

let licenses: Map<string, string> | undefined;
let exceptions: Map<string, string> | undefined;

function byLowerCase(ids: readonly string[]): Map<string, string> {
  return new Map(ids.map((id) => [id.toLowerCase(), id]));
}

const OPERATORS = new Set(["or", "and", "with", "(", ")"]);
const LICENSE_REF = /^[A-Za-z0-9.-]*$/;

/** Normalizes a license expression (`mit or apache-2.0` → `MIT OR Apache-2.0`), or throws. */
export function canonicalizeLicenseExpression(raw: string): string {
  const invalid = () => new InvalidLicenseExpression(`Invalid license expression: '${raw}'`);
  if (!raw) throw invalid();
  licenses ??= byLowerCase(SPDX_LICENSE_IDS);
  exceptions ??= byLowerCase(SPDX_EXCEPTION_IDS);
  const padded = raw.replaceAll("(", " ( ").replaceAll(")", " ) ");
  const licenseRefs = new Map<string, string>();
  for (const ref of pySplitWhitespace(padded)) {
    if (ref.toLowerCase().startsWith("licenseref-"))
      licenseRefs.set(ref.toLowerCase(), `LicenseRef-${ref.slice(11)}`);
  }
  const tokens = pySplitWhitespace(padded.toLowerCase());
  // The grammar: operands joined by and/or/with, in balanced parentheses.
  const shape: string[] = [];
  for (const token of tokens) {
    if (!OPERATORS.has(token)) shape.push("operand");
    else if (token === "with") shape.push("or");
    else if (
      (token === "(" && shape.length > 0 && !["or", "and", "("].includes(shape[shape.length - 1])) ||
      (token === ")" && shape.length > 0 && shape[shape.length - 1] === "(")
    ) {
      throw invalid();
    } else shape.push(token);
  }
  if (!isWellFormed(shape)) throw invalid();

  const normalized: string[] = [];
  for (const token of tokens) {
    if (OPERATORS.has(token)) {
      normalized.push(token.toUpperCase());
      continue;
    }
    if (normalized.length > 0 && normalized[normalized.length - 1] === "WITH") {
      const exception = exceptions.get(token);
      if (exception === undefined)
        throw new InvalidLicenseExpression(`Unknown license exception: '${token}'`);
      normalized.push(exception);
      continue;
    }
    const plus = token.endsWith("+");
    const base = plus ? token.slice(0, -1) : token;
    const suffix = plus ? "+" : "";
    if (base.startsWith("licenseref-")) {
      if (!LICENSE_REF.test(base)) throw new InvalidLicenseExpression(`Invalid licenseref: '${base}'`);
      normalized.push(`${licenseRefs.get(base)}${suffix}`);
    } else {
      const id = licenses.get(base);
      if (id === undefined) throw new InvalidLicenseExpression(`Unknown license: '${base}'`);
      normalized.push(`${id}${suffix}`);
    }
  }
  return normalized.join(" ").replaceAll("( ", "(").replaceAll(" )", ")");
}

/** expression := term (("and"|"or") term)*, term := operand | "(" expression ")" */
function isWellFormed(shape: readonly string[]): boolean {
  let pos = 0;
  const term = (): boolean => {
    if (shape[pos] === "operand") {
      pos++;
      return true;
    }
    if (shape[pos] === "(") {
      pos++;
      if (!expression() || shape[pos] !== ")") return false;
      pos++;
      return true;
    }
    return false;
  };
  const expression = (): boolean => {
    if (!term()) return false;
    while (shape[pos] === "and" || shape[pos] === "or") {
      pos++;
      if (!term()) return false;
    }
    return true;
  };
  return expression() && pos === shape.length;
}
