// The algebra under marker-space.ts: a term constrains each marker variable it names
// independently (a Python version to half-open intervals of versions encoded as integers, a
// string variable to a set of values or all but a set), and terms combine exactly.

type Interval = readonly [low: number, high: number];

export type Constraint =
  | { readonly kind: "in"; readonly values: ReadonlySet<string> }
  | { readonly kind: "notIn"; readonly values: ReadonlySet<string> }
  | { readonly kind: "range"; readonly intervals: readonly Interval[] };

export type Term = ReadonlyMap<string, Constraint>;

export const PYTHON = "python_full_version";
export const INFINITY = Number.POSITIVE_INFINITY;
export const STRING_VARIABLES = new Set([
  "implementation_name",
  "os_name",
  "platform_machine",
  "platform_python_implementation",
  "platform_system",
  "sys_platform",
  "platform_release",
  "platform_version",
  "implementation_version",
]);

// A Python version as one number, so intervals are of integers: X.Y.Z, then a suffix below
// 10,000 that orders its pre-releases (aN, bN, rcN) before the final release.
export const FINAL = 9_000;
export const PRE_BASE: Record<string, number> = { a: 1_000, b: 2_000, rc: 3_000 };

export function encodeVersion(major: number, minor: number, micro: number, suffix = FINAL): number {
  return ((major * 1_000 + minor) * 1_000 + micro) * 10_000 + suffix;
}

export function decodeVersion(value: number): { release: [number, number, number]; suffix: number } {
  const release = Math.floor(value / 10_000);
  return {
    release: [Math.floor(release / 1_000_000), Math.floor(release / 1_000) % 1_000, release % 1_000],
    suffix: value % 10_000,
  };
}

/** A Python version's release numbers and pre-release suffix, or null for anything else. */
export function parsePythonVersion(text: string): { release: number[]; suffix: number } | null {
  const match = /^(\d+(?:\.\d+){0,2})(?:(a|b|rc)(\d+))?$/.exec(text);
  if (match === null) return null;
  const release = match[1].split(".").map(Number);
  const number = match[3] === undefined ? 0 : Number(match[3]);
  if (release.some((part) => part >= 1000) || number >= 1000) return null;
  return { release, suffix: match[2] === undefined ? FINAL : PRE_BASE[match[2]] + number };
}

export const FLIPPED: Record<string, string> = {
  "<": ">",
  ">": "<",
  "<=": ">=",
  ">=": "<=",
  "==": "==",
  "!=": "!=",
};

/**
 * The intervals of python_full_version where `variable op value` holds, or null when the
 * comparison is not one of versions (a wildcard of another shape, `===`, a dev release).
 * `python_version` is X.Y, so each of its values stands for every X.Y.* (pre-releases too).
 */
export function pythonIntervals(variable: string, op: string, value: string): Interval[] | null {
  const wildcard = value.endsWith(".*");
  const parsed = parsePythonVersion(wildcard ? value.slice(0, -2) : value);
  if (parsed === null || (wildcard && parsed.suffix !== FINAL)) return null;
  const { release } = parsed;
  const [major, minor = 0, micro = 0] = release;
  // The first version after every version that shares the first `length` numbers.
  const prefixEnd = (length: number) =>
    length <= 1
      ? encodeVersion(major + 1, 0, 0, 0)
      : length === 2
        ? encodeVersion(major, minor + 1, 0, 0)
        : encodeVersion(major, minor, micro + 1, 0);
  const asPrefix = wildcard || variable === "python_version";
  const length = wildcard ? release.length : Math.min(release.length, 2);
  // PEP 440: `< 3.11` leaves out 3.11's pre-releases, `>= 3.11` starts at 3.11 itself, and
  // `<= 3.11` takes them; pre-releases of 3.11 are in neither `< 3.11` nor `>= 3.11`.
  const exact = encodeVersion(major, minor, micro, parsed.suffix);
  const start = asPrefix ? encodeVersion(major, minor, micro, 0) : exact;
  const below = asPrefix || parsed.suffix !== FINAL ? start : encodeVersion(major, minor, micro, 0);
  const end = asPrefix ? prefixEnd(length) : exact + 1;
  switch (op) {
    case "==":
      return [[start, end]];
    case "!=":
      return complementIntervals([[start, end]]);
    case ">=":
      return wildcard ? null : [[start, INFINITY]];
    case ">":
      return wildcard ? null : [[end, INFINITY]];
    case "<":
      return wildcard ? null : [[0, below]];
    case "<=":
      return wildcard ? null : [[0, end]];
    case "~=": {
      if (wildcard || release.length < 2) return null;
      const upper =
        release.length === 2 ? encodeVersion(major + 1, 0, 0, 0) : encodeVersion(major, minor + 1, 0, 0);
      return [[start, upper]];
    }
    default:
      return null;
  }
}

function complementIntervals(intervals: readonly Interval[]): Interval[] {
  const result: Interval[] = [];
  let position = 0;
  for (const [low, high] of intervals) {
    if (low > position) result.push([position, low]);
    position = high;
  }
  if (position < INFINITY) result.push([position, INFINITY]);
  return result;
}

function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const result: Interval[] = [];
  for (const [lowA, highA] of a)
    for (const [lowB, highB] of b) {
      const low = Math.max(lowA, lowB);
      const high = Math.min(highA, highB);
      if (low < high) result.push([low, high]);
    }
  return result.sort((x, y) => x[0] - y[0]);
}

function unionIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const sorted = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const result: Array<[number, number]> = [];
  for (const [low, high] of sorted) {
    const last = result[result.length - 1];
    if (last && low <= last[1]) last[1] = Math.max(last[1], high);
    else result.push([low, high]);
  }
  return result;
}

export function intersect(a: Constraint, b: Constraint): Constraint {
  if (a.kind === "range" || b.kind === "range") {
    if (a.kind !== "range" || b.kind !== "range") throw new Error("a variable is both a range and a string");
    return { kind: "range", intervals: intersectIntervals(a.intervals, b.intervals) };
  }
  if (a.kind === "in" && b.kind === "in")
    return { kind: "in", values: new Set([...a.values].filter((value) => b.values.has(value))) };
  if (a.kind === "notIn" && b.kind === "notIn")
    return { kind: "notIn", values: new Set([...a.values, ...b.values]) };
  const [included, excluded] = a.kind === "in" ? [a, b] : [b, a];
  return { kind: "in", values: new Set([...included.values].filter((value) => !excluded.values.has(value))) };
}

/** The union of two constraints on one variable. */
function unite(a: Constraint, b: Constraint): Constraint {
  if (a.kind === "range" || b.kind === "range") {
    if (a.kind !== "range" || b.kind !== "range") throw new Error("a variable is both a range and a string");
    return { kind: "range", intervals: unionIntervals(a.intervals, b.intervals) };
  }
  if (a.kind === "in" && b.kind === "in") return { kind: "in", values: new Set([...a.values, ...b.values]) };
  if (a.kind === "notIn" && b.kind === "notIn")
    return { kind: "notIn", values: new Set([...a.values].filter((value) => b.values.has(value))) };
  const [included, excluded] = a.kind === "in" ? [a, b] : [b, a];
  return {
    kind: "notIn",
    values: new Set([...excluded.values].filter((value) => !included.values.has(value))),
  };
}

export function complement(constraint: Constraint): Constraint {
  if (constraint.kind === "range")
    return { kind: "range", intervals: complementIntervals(constraint.intervals) };
  return { kind: constraint.kind === "in" ? "notIn" : "in", values: constraint.values };
}

function isEmptyConstraint(constraint: Constraint): boolean {
  return constraint.kind === "range"
    ? constraint.intervals.length === 0
    : constraint.kind === "in" && constraint.values.size === 0;
}

function isFullConstraint(constraint: Constraint): boolean {
  if (constraint.kind === "range") {
    const [first] = constraint.intervals;
    return constraint.intervals.length === 1 && first[0] <= 0 && first[1] === INFINITY;
  }
  return constraint.kind === "notIn" && constraint.values.size === 0;
}

function constraintWithin(inner: Constraint, outer: Constraint): boolean {
  return isEmptyConstraint(intersect(inner, complement(outer)));
}

export function sameConstraint(a: Constraint, b: Constraint): boolean {
  return constraintWithin(a, b) && constraintWithin(b, a);
}

export function andTerms(a: Term, b: Term): Term | null {
  const result = new Map(a);
  for (const [variable, constraint] of b) {
    const existing = result.get(variable);
    const combined = existing === undefined ? constraint : intersect(existing, constraint);
    if (isEmptyConstraint(combined)) return null;
    result.set(variable, combined);
  }
  return result;
}

function termWithin(inner: Term, outer: Term): boolean {
  for (const [variable, constraint] of outer) {
    const own = inner.get(variable);
    if (own === undefined ? !isFullConstraint(constraint) : !constraintWithin(own, constraint)) return false;
  }
  return true;
}

/** Terms that differ only in one variable's constraint become one term; covered terms go. */
export function tidy(terms: Term[]): Term[] {
  let current = terms.filter((term) => ![...term.values()].some(isEmptyConstraint));
  for (let changed = true; changed; ) {
    changed = false;
    current = current.filter(
      (term, index) =>
        !current.some(
          (other, at) => at !== index && termWithin(term, other) && (at < index || !termWithin(other, term)),
        ),
    );
    outer: for (let i = 0; i < current.length; i++)
      for (let j = i + 1; j < current.length; j++) {
        const merged = mergeTerms(current[i], current[j]);
        if (merged !== null) {
          current = [...current.slice(0, i), merged, ...current.slice(i + 1, j), ...current.slice(j + 1)];
          changed = true;
          break outer;
        }
      }
  }
  return current;
}

function mergeTerms(a: Term, b: Term): Term | null {
  const variables = new Set([...a.keys(), ...b.keys()]);
  let differing: string | null = null;
  for (const variable of variables) {
    const left = a.get(variable);
    const right = b.get(variable);
    if (left !== undefined && right !== undefined && sameConstraint(left, right)) continue;
    if (differing !== null) return null;
    differing = variable;
  }
  if (differing === null) return a;
  const left = a.get(differing);
  const right = b.get(differing);
  if (left === undefined || right === undefined) return null; // one side is wider: tidy's cover check
  const result = new Map(a);
  const united = unite(left, right);
  if (isFullConstraint(united)) result.delete(differing);
  else result.set(differing, united);
  return result;
}
