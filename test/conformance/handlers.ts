// One handler per (vector file, kind): builds spice's answer in the vectors' `expected` shape and
// returns null when it matches, or a short description of the difference.

import { type MarkerContext, type MarkerEnvironment, parseMarker } from "../../src/standards/marker.ts";
import { canonicalizeName, isNormalizedName, isValidName } from "../../src/standards/name.ts";
import { parseRequirement, type Requirement } from "../../src/standards/requirement.ts";
import { parseSpecifierSet } from "../../src/standards/specifier.ts";
import {
  canonicalizeVersion,
  compareVersions,
  parseVersion,
  type VersionNumber,
} from "../../src/standards/version.ts";
import { METADATA_HANDLERS } from "./metadata-handlers.ts";
import { REQUIREMENTS_TXT_HANDLERS } from "./requirements-txt-handlers.ts";
import { TAG_HANDLERS } from "./tag-handlers.ts";

export interface Case {
  id: string;
  kind: string;
  source?: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}

export type Handler = (testCase: Case) => string | null;

/** Numbers as the vectors write them: JSON numbers when exact, decimal strings beyond 2^53. */
export function jsonNumber(value: VersionNumber): number | string {
  return typeof value === "bigint" ? value.toString() : value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => deepEqual(item, other[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) if (!deepEqual(left[key], right[key])) return false;
  return true;
}

/** A short diff: the keys whose values differ. */
export function compare(actual: unknown, expected: unknown): string | null {
  if (deepEqual(actual, expected)) return null;
  if (
    actual &&
    expected &&
    typeof actual === "object" &&
    typeof expected === "object" &&
    !Array.isArray(expected)
  ) {
    const parts: string[] = [];
    const left = actual as Record<string, unknown>;
    const right = expected as Record<string, unknown>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      if (!deepEqual(left[key], right[key])) {
        parts.push(`${key}: got ${JSON.stringify(left[key])}, want ${JSON.stringify(right[key])}`);
      }
    }
    return parts.join("; ");
  }
  return `got ${JSON.stringify(actual)}, want ${JSON.stringify(expected)}`;
}

/** Runs `produce`; an expected error passes when it throws, an unexpected throw is a failure. */
export function expectOutcome(testCase: Case, produce: () => unknown): string | null {
  const wantsError = testCase.expected.valid === false;
  let actual: unknown;
  try {
    actual = produce();
  } catch (error) {
    if (wantsError) return null;
    return `unexpected ${(error as Error).name}: ${(error as Error).message}`;
  }
  if (wantsError) return `expected ${String(testCase.expected.error)}, got ${JSON.stringify(actual)}`;
  return compare(actual, testCase.expected);
}

function versionParse(testCase: Case): string | null {
  return expectOutcome(testCase, () => {
    const version = parseVersion(testCase.input.version as string);
    return {
      valid: true,
      str: version.toString(),
      public: version.public,
      base_version: version.baseVersion,
      local: version.localLabel,
      epoch: jsonNumber(version.epoch),
      release: version.release.map(jsonNumber),
      pre: version.pre === null ? null : [version.pre[0], jsonNumber(version.pre[1])],
      post: version.post === null ? null : jsonNumber(version.post),
      dev: version.dev === null ? null : jsonNumber(version.dev),
      is_prerelease: version.isPrerelease,
      is_postrelease: version.isPostrelease,
      is_devrelease: version.isDevrelease,
      major: jsonNumber(version.major),
      minor: jsonNumber(version.minor),
      micro: jsonNumber(version.micro),
      canonical: canonicalizeVersion(version),
    };
  });
}

function versionCompare(testCase: Case): string | null {
  const a = parseVersion(testCase.input.a as string);
  const b = parseVersion(testCase.input.b as string);
  const forward = compareVersions(a, b);
  const backward = compareVersions(b, a);
  if (backward !== -forward) return `asymmetric: cmp(a,b)=${forward}, cmp(b,a)=${backward}`;
  return compare({ cmp: forward }, testCase.expected);
}

function specifierParse(testCase: Case): string | null {
  return expectOutcome(testCase, () => {
    const set = parseSpecifierSet(testCase.input.specifiers as string);
    return {
      valid: true,
      str: set.toString(),
      specs: set.specs.map((spec) => ({
        operator: spec.operator,
        version: spec.version,
        prereleases: spec.prereleases,
      })),
      prereleases: set.prereleases,
      is_unsatisfiable: set.isUnsatisfiable(),
    };
  });
}

function setFor(input: Record<string, unknown>) {
  const explicit = input.set_prereleases === undefined ? null : (input.set_prereleases as boolean | null);
  return parseSpecifierSet(input.specifiers as string, explicit);
}

function specifierContains(testCase: Case): string | null {
  const input = testCase.input;
  const result = setFor(input).contains(
    input.version as string,
    input.prereleases as boolean | null,
    (input.installed as boolean | undefined) ?? false,
  );
  return compare({ result }, testCase.expected);
}

function specifierFilter(testCase: Case): string | null {
  const input = testCase.input;
  const result = setFor(input).filter(input.versions as string[], input.prereleases as boolean | null);
  return compare({ result }, testCase.expected);
}

function markerParse(testCase: Case): string | null {
  return expectOutcome(testCase, () => ({
    valid: true,
    str: parseMarker(testCase.input.marker as string).toString(),
  }));
}

function markerEvaluate(testCase: Case): string | null {
  const input = testCase.input;
  const wantsError = "error" in testCase.expected;
  let result: boolean;
  try {
    result = parseMarker(input.marker as string).evaluate(
      input.environment as MarkerEnvironment,
      (input.context as MarkerContext | undefined) ?? "metadata",
    );
  } catch (error) {
    return wantsError ? null : `unexpected ${(error as Error).name}: ${(error as Error).message}`;
  }
  if (wantsError) return `expected ${String(testCase.expected.error)}, got ${result}`;
  return compare({ result }, testCase.expected);
}

/** A requirement in the shape of requirements.json's `expected`. */
export function requirementShape(requirement: Requirement) {
  return {
    valid: true as const,
    name: requirement.name,
    extras: [...requirement.extras].sort(),
    specifier: requirement.specifier.toString(),
    url: requirement.url,
    marker: requirement.marker === null ? null : requirement.marker.toString(),
    str: requirement.toString(),
  };
}

function requirementParse(testCase: Case): string | null {
  return expectOutcome(testCase, () =>
    requirementShape(parseRequirement(testCase.input.requirement as string)),
  );
}

function nameCanonicalize(testCase: Case): string | null {
  const name = testCase.input.name as string;
  return compare(
    { canonical: canonicalizeName(name), is_normalized: isNormalizedName(name), valid: isValidName(name) },
    testCase.expected,
  );
}

export const HANDLERS: Record<string, Record<string, Handler>> = {
  versions: { parse: versionParse },
  version_order: { compare: versionCompare },
  specifiers: { parse: specifierParse, contains: specifierContains, filter: specifierFilter },
  markers: { parse: markerParse, evaluate: markerEvaluate },
  requirements: { parse: requirementParse },
  names: { canonicalize: nameCanonicalize },
  tags: TAG_HANDLERS,
  metadata: METADATA_HANDLERS,
  "requirements-txt": REQUIREMENTS_TXT_HANDLERS,
};
