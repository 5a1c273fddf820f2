// Ranges of PEP 440 versions: points between versions (after every local of V, after every post
// release of V), bounds, and their intersection, with packaging 26's ordering. Specifiers become
// ranges (specifierRanges, for specifier.ts) so that a set can be found unsatisfiable, and
// markers compare through them.

import type { Operator } from "./specifier.ts";
import { compareVersions, parseVersion, type Version, type VersionNumber } from "./version.ts";

export function addToNumber(value: VersionNumber, amount: number): VersionNumber {
  if (typeof value === "bigint") return value + BigInt(amount);
  const sum = value + amount;
  return Number.isSafeInteger(sum) ? sum : BigInt(value) + BigInt(amount);
}

/** Points between real versions: after every V+local (before V.post0), or after every V.postN. */
export const Boundary = { None: 0, AfterLocals: 1, AfterPosts: 2 } as const;
export type Boundary = (typeof Boundary)[keyof typeof Boundary];

export interface RangePoint {
  readonly version: Version;
  readonly boundary: Boundary;
}
/** `point === null` is -infinity for a lower bound and +infinity for an upper bound. */
export interface Bound {
  readonly point: RangePoint | null;
  readonly inclusive: boolean;
}
export type VersionRange = readonly [lower: Bound, upper: Bound];

export const NEG_INF: Bound = { point: null, inclusive: false };
export const POS_INF: Bound = { point: null, inclusive: false };
export const FULL_RANGE: VersionRange = [NEG_INF, POS_INF];

export function point(version: Version, boundary: Boundary = Boundary.None): RangePoint {
  return { version, boundary };
}

function sameRelease(a: readonly VersionNumber[], b: readonly VersionNumber[]): boolean {
  let endA = a.length;
  while (endA > 1 && a[endA - 1] === 0) endA--;
  let endB = b.length;
  while (endB > 1 && b[endB - 1] === 0) endB--;
  if (endA !== endB) return false;
  for (let i = 0; i < endA; i++) if (a[i] !== b[i]) return false;
  return true;
}

function samePre(a: Version["pre"], b: Version["pre"]): boolean {
  if (a === null || b === null) return a === b;
  return a[0] === b[0] && a[1] === b[1];
}

/** Does the boundary sort above `other` because `other` belongs to its family? */
function isFamily(boundary: RangePoint, other: Version): boolean {
  const v = boundary.version;
  if (!(other.epoch === v.epoch && sameRelease(other.release, v.release) && samePre(other.pre, v.pre))) {
    return false;
  }
  if (boundary.boundary === Boundary.AfterLocals) return other.post === v.post && other.dev === v.dev;
  return other.dev === v.dev || other.post !== null;
}

/** Total order of range points; a boundary never equals a real version. */
export function comparePoints(a: RangePoint, b: RangePoint): number {
  if (a.boundary === Boundary.None && b.boundary === Boundary.None)
    return compareVersions(a.version, b.version);
  if (a.boundary !== Boundary.None && b.boundary !== Boundary.None) {
    const byVersion = compareVersions(a.version, b.version);
    return byVersion !== 0 ? byVersion : a.boundary - b.boundary;
  }
  if (a.boundary !== Boundary.None) return boundaryBelow(a, b.version) ? -1 : 1;
  return boundaryBelow(b, a.version) ? 1 : -1;
}

function boundaryBelow(boundary: RangePoint, version: Version): boolean {
  return !isFamily(boundary, version) && compareVersions(boundary.version, version) < 0;
}

function lowerLess(a: Bound, b: Bound): boolean {
  if (a.point === null) return b.point !== null;
  if (b.point === null) return false;
  const order = comparePoints(a.point, b.point);
  if (order !== 0) return order < 0;
  return a.inclusive && !b.inclusive;
}

function upperLess(a: Bound, b: Bound): boolean {
  if (a.point === null) return false;
  if (b.point === null) return true;
  const order = comparePoints(a.point, b.point);
  if (order !== 0) return order < 0;
  return !a.inclusive && b.inclusive;
}

function rangeIsEmpty(lower: Bound, upper: Bound): boolean {
  if (lower.point === null || upper.point === null) return false;
  const order = comparePoints(lower.point, upper.point);
  if (order === 0) return !(lower.inclusive && upper.inclusive);
  return order > 0;
}

export function intersectRanges(
  left: readonly VersionRange[],
  right: readonly VersionRange[],
): VersionRange[] {
  const result: VersionRange[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const [leftLower, leftUpper] = left[i];
    const [rightLower, rightUpper] = right[j];
    const lower = lowerLess(leftLower, rightLower) ? rightLower : leftLower;
    const upper = upperLess(rightUpper, leftUpper) ? rightUpper : leftUpper;
    if (!rangeIsEmpty(lower, upper)) result.push([lower, upper]);
    if (upperLess(leftUpper, rightUpper)) i++;
    else j++;
  }
  return result;
}

function nearestNonPrerelease(at: RangePoint | null): Version | null {
  if (at === null) return null;
  const inner = at.version;
  if (at.boundary !== Boundary.None) {
    if (inner.isPrerelease) return inner.with({ pre: null, dev: null, local: null });
    return inner.with({ post: inner.post !== null ? addToNumber(inner.post, 1) : 0, local: null });
  }
  if (!inner.isPrerelease) return inner;
  return inner.with({ pre: null, dev: null, local: null });
}

export function onlyPrereleasesIn(ranges: readonly VersionRange[]): boolean {
  for (const [lower, upper] of ranges) {
    const nearest = nearestNonPrerelease(lower.point);
    if (nearest === null) return false;
    if (upper.point === null) return false;
    const order = comparePoints(point(nearest), upper.point);
    if (order < 0) return false;
    if (order === 0 && upper.inclusive) return false;
  }
  return true;
}

const MIN_VERSION = parseVersion("0.dev0");

function nextPrefixDev0(version: Version): Version {
  const release = [...version.release];
  release[release.length - 1] = addToNumber(release[release.length - 1], 1);
  return version.with({ release, pre: null, post: null, dev: 0, local: null });
}

/**
 * The versions `OPERATOR VERSION` admits, as ranges (what a specifier says of pre-releases is
 * the caller's to apply); `===` compares text, so it stands for every version here.
 */
export function specifierRanges(op: Operator, version: string): VersionRange[] {
  if (op === "===") return [FULL_RANGE];
  if (version.endsWith(".*")) {
    const base = parseVersion(version.slice(0, -2));
    const lower = base.with({ pre: null, post: null, dev: 0, local: null });
    const upper = nextPrefixDev0(base);
    if (op === "==")
      return [
        [
          { point: point(lower), inclusive: true },
          { point: point(upper), inclusive: false },
        ],
      ];
    return [
      [NEG_INF, { point: point(lower), inclusive: false }],
      [{ point: point(upper), inclusive: true }, POS_INF],
    ];
  }
  const v = parseVersion(version);
  switch (op) {
    case ">=":
      return [[{ point: point(v), inclusive: true }, POS_INF]];
    case "<=":
      return [[NEG_INF, { point: point(v, Boundary.AfterLocals), inclusive: true }]];
    case ">":
      if (v.dev !== null) {
        return [
          [{ point: point(v.with({ dev: addToNumber(v.dev, 1), local: null })), inclusive: true }, POS_INF],
        ];
      }
      if (v.post !== null) {
        return [
          [
            { point: point(v.with({ post: addToNumber(v.post, 1), dev: 0, local: null })), inclusive: true },
            POS_INF,
          ],
        ];
      }
      return [[{ point: point(v, Boundary.AfterPosts), inclusive: false }, POS_INF]];
    case "<": {
      const bound = v.isPrerelease ? v : v.with({ dev: 0, local: null });
      if (compareVersions(bound, MIN_VERSION) <= 0) return [];
      return [[NEG_INF, { point: point(bound), inclusive: false }]];
    }
    case "==":
    case "!=": {
      const hasLocal = version.includes("+");
      const upper = hasLocal ? point(v) : point(v, Boundary.AfterLocals);
      if (op === "==")
        return [
          [
            { point: point(v), inclusive: true },
            { point: upper, inclusive: true },
          ],
        ];
      return [
        [NEG_INF, { point: point(v), inclusive: false }],
        [{ point: upper, inclusive: false }, POS_INF],
      ];
    }
    case "~=": {
      const prefix = v.with({ release: v.release.slice(0, -1) });
      return [
        [
          { point: point(v), inclusive: true },
          { point: point(nextPrefixDev0(prefix)), inclusive: false },
        ],
      ];
    }
  }
}
