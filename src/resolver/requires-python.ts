// Requires-Python as the resolver reads it: its lower bounds only, as uv does.
//
// Why: an upper bound on Requires-Python (`<4`, `<3.12`, `<=3.8`) is almost always a guess about
// Pythons that did not exist when the release was made, not a known incompatibility; pip honours
// it by falling back to ever older releases of the project (often years old), or fails. uv reads
// only the lower bound, and the resolver scenarios this project is held to (uv's packse suite,
// `requires_python/python-less-than-current`) expect that. A chosen release whose upper bound
// excludes the target Python is installed with a warning that says so (resolve.ts).

import { parseMarker } from "../standards/marker.ts";
import { MarkerSpace } from "../standards/marker-space.ts";
import { parseSpecifierSet, Specifier, SpecifierSet } from "../standards/specifier.ts";

/**
 * The lower bounds of a Requires-Python: `>=`, `>` and `===` kept, `==3.8.*`, `==3.8` and `~=3.8`
 * read as `>=3.8`, and `<`, `<=` and `!=` dropped.
 */
export function lowerBounds(specifiers: SpecifierSet): SpecifierSet {
  const kept: Specifier[] = [];
  for (const spec of specifiers.specs) {
    if (spec.operator === ">=" || spec.operator === ">" || spec.operator === "===") kept.push(spec);
    else if (spec.operator === "==" || spec.operator === "~=")
      kept.push(new Specifier(">=", spec.version.replace(/\.\*$/, "").replace(/\+.*$/, "")));
  }
  return new SpecifierSet(kept);
}

/** Whether `specifiers` admit `pythonVersion` by their lower bounds (lowerBounds). */
export function admitsPython(specifiers: SpecifierSet, pythonVersion: string): boolean {
  return lowerBounds(specifiers).contains(pythonVersion, true);
}

const admittedByText = new Map<string, boolean>();

/**
 * admitsPython for a Requires-Python as an index page gives it, remembered by its text: a
 * project's files mostly repeat one. One that does not parse admits every Python, as pip ignores it.
 */
export function textAdmitsPython(text: string, pythonVersion: string): boolean {
  const key = `${pythonVersion} ${text}`;
  let admitted = admittedByText.get(key);
  if (admitted === undefined) {
    try {
      admitted = admitsPython(parseSpecifierSet(text), pythonVersion);
    } catch {
      admitted = true;
    }
    admittedByText.set(key, admitted);
  }
  return admitted;
}

/**
 * The Pythons version specifiers admit, as marker space: `>=3.12` read as `python_version >=
 * '3.12'` (which pins' markers then print so), anything else on python_full_version.
 */
export function pythonsAdmitted(specs: readonly Specifier[]): MarkerSpace {
  const marker = specs
    .map((spec) =>
      spec.operator === ">=" && /^\d+\.\d+$/.test(spec.version)
        ? `python_version >= '${spec.version}'`
        : `python_full_version ${spec.operator} '${spec.version}'`,
    )
    .join(" and ");
  return marker === "" ? MarkerSpace.everything : MarkerSpace.of(parseMarker(marker).markers, "");
}
