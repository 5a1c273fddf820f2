// Sets of marker environments, for universal resolution: a PEP 508 marker read as the set of
// environments where it holds, with the set operations a forking resolver asks for (and, or,
// not, "is it empty", "is it everything") and a printer back to marker text.
//
// Written here because no library does this in JavaScript. A set is a union of terms
// (marker-terms.ts); a term constrains each variable it names independently: a Python version to half-open intervals,
// a string variable to a set of values (or all but a set), anything else (`in`, string
// ordering, unparseable versions) to an opaque true/false atom. `python_version` is read as a
// range of `python_full_version`, so `python_version == '3.10'` and `python_full_version >=
// '3.10.1'` overlap, as they do for real interpreters.

import type { MarkerItem, MarkerList } from "./marker.ts";
import {
  andTerms,
  type Constraint,
  complement,
  decodeVersion,
  encodeVersion,
  FINAL,
  FLIPPED,
  INFINITY,
  intersect,
  PRE_BASE,
  PYTHON,
  parsePythonVersion,
  pythonIntervals,
  STRING_VARIABLES,
  sameConstraint,
  type Term,
  tidy,
} from "./marker-terms.ts";

export class MarkerSpace {
  private constructor(private readonly terms: readonly Term[]) {}

  static readonly everything = new MarkerSpace([new Map()]);
  static readonly nothing = new MarkerSpace([]);

  /** Python versions from `version` (X.Y or X.Y.Z) on. */
  static pythonFrom(version: string): MarkerSpace {
    const parsed = parsePythonVersion(version);
    if (parsed === null) throw new Error(`not a Python version: ${version}`);
    const [major, minor = 0, micro = 0] = parsed.release;
    // As Requires-Python `>=3.12`: from 3.12.0 itself, its pre-releases left out (PEP 440).
    const start = encodeVersion(major, minor, micro, parsed.suffix);
    return new MarkerSpace([new Map([[PYTHON, { kind: "range", intervals: [[start, INFINITY]] }]])]);
  }

  /**
   * Where `markers` holds; `extra` is known (the package asked for with that extra, or ""), so
   * items on `extra` are true or false here.
   */
  static of(markers: MarkerList, extra: string): MarkerSpace {
    let result = MarkerSpace.nothing;
    let group = MarkerSpace.everything;
    for (const entry of markers) {
      if (entry === "or") {
        result = result.or(group);
        group = MarkerSpace.everything;
      } else if (entry !== "and") {
        const part = Array.isArray(entry)
          ? MarkerSpace.of(entry as MarkerList, extra)
          : MarkerSpace.ofItem(entry as MarkerItem, extra);
        group = group.and(part);
      }
    }
    return result.or(group);
  }

  private static ofItem(item: MarkerItem, extra: string): MarkerSpace {
    const onLeft = item.lhs.kind === "variable";
    const variable = onLeft ? item.lhs : item.rhs;
    const other = onLeft ? item.rhs : item.lhs;
    const opaque = () => {
      const side = (operand: MarkerItem["lhs"]) =>
        operand.kind === "variable" ? operand.name : `'${operand.value.replace(/'/g, '"')}'`;
      const key = `atom:${side(item.lhs)}\u0000${item.op}\u0000${side(item.rhs)}`;
      return new MarkerSpace([new Map([[key, { kind: "in", values: new Set(["true"]) }]])]);
    };
    if (variable.kind !== "variable" || other.kind !== "value") return opaque();
    const name = variable.name;
    const value = other.value;
    if (name === "extra" || name === "extras" || name === "dependency_groups") {
      if (name !== "extra") return opaque();
      if (item.op === "==") return value === extra ? MarkerSpace.everything : MarkerSpace.nothing;
      if (item.op === "!=") return value !== extra ? MarkerSpace.everything : MarkerSpace.nothing;
      return opaque();
    }
    const op = onLeft ? item.op : FLIPPED[item.op];
    if (name === "python_version" || name === "python_full_version") {
      const intervals = op === undefined ? null : pythonIntervals(name, op, value);
      if (intervals === null) return opaque();
      return new MarkerSpace([new Map([[PYTHON, { kind: "range", intervals }]])]);
    }
    if (STRING_VARIABLES.has(name) && (op === "==" || op === "!=")) {
      const values = new Set([value]);
      return new MarkerSpace([new Map([[name, { kind: op === "==" ? "in" : "notIn", values }]])]);
    }
    return opaque();
  }

  and(other: MarkerSpace): MarkerSpace {
    if (this.terms.length === 0 || other.terms.length === 0) return MarkerSpace.nothing;
    const terms: Term[] = [];
    for (const left of this.terms)
      for (const right of other.terms) {
        const term = andTerms(left, right);
        if (term !== null) terms.push(term);
      }
    return new MarkerSpace(tidy(terms));
  }

  or(other: MarkerSpace): MarkerSpace {
    if (this.terms.length === 0) return other;
    if (other.terms.length === 0) return this;
    return new MarkerSpace(tidy([...this.terms, ...other.terms]));
  }

  not(): MarkerSpace {
    let result = MarkerSpace.everything;
    for (const term of this.terms) {
      const negated: Term[] = [...term].map(
        ([variable, constraint]) => new Map([[variable, complement(constraint)]]),
      );
      result = result.and(new MarkerSpace(negated));
      if (result.isEmpty()) break;
    }
    return result;
  }

  isEmpty(): boolean {
    return this.terms.length === 0;
  }

  /** Whether every environment of `this` is in `other`. */
  within(other: MarkerSpace): boolean {
    return this.and(other.not()).isEmpty();
  }

  overlaps(other: MarkerSpace): boolean {
    return !this.and(other).isEmpty();
  }

  equals(other: MarkerSpace): boolean {
    return this.within(other) && other.within(this);
  }

  /** The lowest Python version this set admits, as X.Y.Z (null: none, or no Python is named). */
  lowestPython(): string | null {
    let lowest = INFINITY;
    for (const term of this.terms) {
      const constraint = term.get(PYTHON);
      lowest = Math.min(
        lowest,
        constraint?.kind === "range" ? (constraint.intervals[0]?.[0] ?? INFINITY) : 0,
      );
    }
    if (lowest === INFINITY || lowest === 0) return null;
    return versionText(lowest, true);
  }

  /**
   * This set's terms, each without every condition it can drop and stay within `room` (this set
   * and what may be added to it freely), then those another term covers left out: the same set in
   * fewer words. Merging terms two at a time (tidy) misses a union such as `(machine != 'x86_64'
   * and linux) or (python < 3.13 and linux) or (python >= 3.13 and machine == 'x86_64' and linux)`,
   * which is `linux`.
   */
  private widenedTerms(room: MarkerSpace): Term[] {
    const widened = this.terms.map((term) => {
      let current = term;
      // What markers usually name is kept where a choice remains: os_name and platform_system
      // go before sys_platform, and Python last.
      const kept = (variable: string) => (variable === PYTHON ? 2 : variable === "sys_platform" ? 1 : 0);
      for (const variable of [...term.keys()].sort((a, b) => kept(a) - kept(b))) {
        const without = new Map(current);
        without.delete(variable);
        if (new MarkerSpace([without]).within(room)) current = without;
      }
      // A Python range's lower bound goes where `room` has what is below it (the Pythons not
      // supported): `python_version >= '3.11' and python_version < '3.13'` is `< '3.13'` there.
      const python = current.get(PYTHON);
      if (python?.kind === "range" && python.intervals.length > 0 && python.intervals[0][0] > 0) {
        const [[, high], ...rest] = python.intervals;
        const lowered = new Map(current).set(PYTHON, { kind: "range", intervals: [[0, high], ...rest] });
        if (new MarkerSpace([lowered]).within(room)) current = lowered;
      }
      return current;
    });
    return tidy(widened);
  }

  /**
   * Marker text for this set where `context` is known to hold (the Python versions a project
   * supports): what `context` implies is left out; null when that is everything.
   */
  toMarkerText(context: MarkerSpace = MarkerSpace.everything): string | null {
    if (context.within(this)) return null;
    if (this.terms.length === 0) throw new Error("an empty set of environments has no marker text");
    const contextPython = context.terms.length === 1 ? context.terms[0].get(PYTHON) : undefined;
    const floor = contextPython?.kind === "range" ? (contextPython.intervals[0]?.[0] ?? 0) : 0;
    const terms = this.widenedTerms(this.or(context.not())).map((term) => {
      const python = term.get(PYTHON);
      if (python === undefined || contextPython === undefined) return term;
      // Only the bounds the context does not already give.
      const clipped = intersect(python, contextPython);
      const result = new Map(term);
      if (sameConstraint(clipped, contextPython)) result.delete(PYTHON);
      else result.set(PYTHON, clipped);
      return result;
    });
    const texts = tidy(terms).map((term) => {
      const parts = [...term]
        .sort(([a], [b]) => (a === PYTHON ? -1 : b === PYTHON ? 1 : a < b ? -1 : a > b ? 1 : 0))
        .map(([variable, constraint]) => constraintText(variable, constraint, floor))
        // Leaving out an item that has no text widens the set: the package is listed in more
        // environments, never in fewer.
        .filter((text): text is string => text !== null);
      // "and" binds tighter than "or": an "or" inside a longer term keeps its parentheses.
      const joined = parts
        .map((part) => (parts.length > 1 && part.includes(" or ") ? `(${part})` : part))
        .join(" and ");
      return { text: joined, count: parts.length };
    });
    if (texts.some(({ count }) => count === 0)) return null;
    if (texts.length === 1) return texts[0].text;
    // Sorted, so that the same set prints alike however it was built.
    return texts
      .map(({ text, count }) => (count > 1 ? `(${text})` : text))
      .sort()
      .join(" or ");
  }
}

function versionText(value: number, full = false): string {
  const { release, suffix } = decodeVersion(value);
  const [major, minor, micro] = release;
  const base = micro === 0 && !full ? `${major}.${minor}` : `${major}.${minor}.${micro}`;
  if (suffix === 0 || suffix >= FINAL) return base;
  const kind = suffix >= PRE_BASE.rc ? "rc" : suffix >= PRE_BASE.b ? "b" : "a";
  return `${base}${kind}${suffix - PRE_BASE[kind]}`;
}

/** `X.Y` when [low, high) is every release of that X.Y (3.13.0 to before 3.14.0), else null. */
function oneMinorVersion(low: number, high: number): string | null {
  const from = decodeVersion(low);
  const to = decodeVersion(high);
  if (from.suffix !== 0 || to.suffix !== 0 || from.release[2] !== 0 || to.release[2] !== 0) return null;
  if (to.release[0] !== from.release[0] || to.release[1] !== from.release[1] + 1) return null;
  return `${from.release[0]}.${from.release[1]}`;
}

/** `python_version >= '3.10'` where the bound starts an X.Y, else python_full_version. */
function boundText(op: ">=" | "<", value: number): string {
  const { release, suffix } = decodeVersion(value);
  if (suffix === 0 && release[2] === 0) return `python_version ${op} '${versionText(value)}'`;
  // Just after a release: `< V` + 1 is `<= V`, `>= V` + 1 is `> V`.
  if (suffix === FINAL + 1)
    return `python_full_version ${op === "<" ? "<=" : ">"} '${versionText(value - 1, true)}'`;
  return `python_full_version ${op} '${versionText(value, true)}'`;
}

const OPPOSITE: Record<string, string> = {
  "==": "!=",
  "!=": "==",
  "<": ">=",
  ">=": "<",
  ">": "<=",
  "<=": ">",
  in: "not in",
  "not in": "in",
};

/** Marker text of one constraint; null for a negated `~=`/`===` item, which has no text. */
function constraintText(variable: string, constraint: Constraint, floor: number): string | null {
  if (constraint.kind === "range") {
    const pieces = constraint.intervals.map(([low, high]) => {
      const single = low > floor ? oneMinorVersion(low, high) : null;
      if (single !== null) return `python_version == '${single}'`;
      const bounds: string[] = [];
      if (low > floor) bounds.push(boundText(">=", low));
      if (high !== INFINITY) bounds.push(boundText("<", high));
      return bounds.join(" and ");
    });
    if (pieces.length === 1) return pieces[0];
    return pieces.map((piece) => (piece.includes(" and ") ? `(${piece})` : piece)).join(" or ");
  }
  if (variable.startsWith("atom:")) {
    const [lhs, op, rhs] = variable.slice(5).split("\u0000");
    if (constraint.kind === "in") return `${lhs} ${op} ${rhs}`;
    // PEP 508 has no "not": the item with the opposite operator (~= and === have none).
    const opposite = OPPOSITE[op];
    return opposite === undefined ? null : `${lhs} ${opposite} ${rhs}`;
  }
  const values = [...constraint.values].sort();
  const op = constraint.kind === "in" ? "==" : "!=";
  const items = values.map((value) => `${variable} ${op} '${value}'`);
  return items.join(constraint.kind === "in" ? " or " : " and ");
}
