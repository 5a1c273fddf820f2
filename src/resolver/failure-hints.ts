// Hints under a failed resolution's explanation: what the sources had for the projects it names
// but left out (pre-releases, other Pythons and platforms, yanked releases, sdists or wheels the
// binary options refuse), what versions exist, and where a URL or a required environment got in
// the way. They are worked out only on a failure's path.

import type { Version } from "../standards/version.ts";
import { compareVersions } from "../standards/version.ts";
import { plural } from "../util/plural.ts";
import type { PrereleasePolicy } from "./candidates.ts";
import type { PackageEntry } from "./package-catalog.ts";

/** Ends the hint for a name that no source has. */
const NOT_FOUND_NOTE = "was not found on the index or in the --find-links locations";

/** Said of a dependency's URL requirement that the user's requirements do not name. */
export const STRAY_URL_NOTE = "a URL that only your own requirements or constraints can name";

/**
 * Whether a failure's explanation names the project `name` (normalized). Requirements appear in
 * it as their packages wrote them (`charset_normalizer<4,>=2`, `Jinja2>=3`), so any spelling whose
 * PEP 503 name is `name` counts.
 */
export function mentions(explanation: string, name: string): boolean {
  return new RegExp(`(^|[^a-z0-9_.-])${spellingsOf(name)}([^a-z0-9_.-]|$)`, "i").test(explanation);
}

/** A pattern (case-insensitive) for every spelling of a normalized name: `foo[-_.]+bar`. */
function spellingsOf(name: string): string {
  return name
    .split("-")
    .map((part) => part.replace(/[.[\]]/g, "\\$&"))
    .join("[-_.]+");
}

/**
 * Hints for a failure: pre-releases, other Pythons, yanked releases and files that were left out;
 * `otherPlatform` has the newest releases whose wheels are all for other tags (otherPlatformRelease)
 * and the most specific tag the target takes.
 */
export function failureHints(
  explanation: string,
  entries: ReadonlyMap<string, PackageEntry>,
  prereleases: PrereleasePolicy,
  otherPlatform: { releases: ReadonlyMap<string, { version: Version; tags: string[] }>; bestTag: string },
): { hints: string[]; notFound: string[] } {
  const hints: string[] = [];
  const notFound: string[] = [];
  for (const [name, entry] of entries) {
    if (!mentions(explanation, name)) continue;
    const { skipped } = entry;
    const pre = entry.candidates
      .filter((candidate) => candidate.version.isPrerelease)
      .map((candidate) => candidate.version.toString());
    if (prereleases !== "allow" && (pre.length > 0 || skipped.prereleases > 0))
      hints.push(
        `${name} has pre-releases${pre.length > 0 ? ` (${pre.slice(0, 3).join(", ")})` : ""}: a specifier naming one, or --pre, allows them`,
      );
    if (skipped.requiresPython.length > 0)
      hints.push(
        `${name} has versions for other Pythons: ${[...new Set(skipped.requiresPython)].slice(0, 3).join(", ")}`,
      );
    if (entry.yanked.size > 0)
      hints.push(
        `${name} has yanked versions (${[...entry.yanked].slice(0, 3).join(", ")}), usable only when pinned with ==`,
      );
    if (skipped.sdistOnly > 0)
      hints.push(
        `${name} has ${plural(skipped.sdistOnly, "source distribution")} that --only-binary leaves out`,
      );
    if (skipped.binaryRefused > 0)
      hints.push(`${name} has ${plural(skipped.binaryRefused, "wheel")} that --no-binary leaves out`);
    const release = otherPlatform.releases.get(name);
    if (release !== undefined) {
      const shown = release.tags.slice(0, 3).join(", ");
      const more = release.tags.length > 3 ? ` and ${release.tags.length - 3} more` : "";
      hints.push(
        `${name} ${release.version} has wheels only for other platforms or Pythons (${shown}${more}); the most specific tag this target takes is ${otherPlatform.bestTag}`,
      );
    } else if (skipped.incompatibleTags > 0)
      hints.push(
        `${name} has ${plural(skipped.incompatibleTags, "wheel")} only for other platforms or Pythons`,
      );
    if (skipped.noUploadTime > 0)
      hints.push(
        `${name} has ${plural(skipped.noUploadTime, "file")} without an upload time, which --exclude-newer leaves out (--find-links locations give none, nor do indexes without PEP 700's upload-time)`,
      );
    // Only when nothing older is usable, and not how many: the failure then reads the same as
    // newer files arrive (why uv says nothing of them).
    if (skipped.uploadedAfter > 0 && entry.candidates.length === 0)
      hints.push(`${name} has files from after the --exclude-newer cut-off, which it leaves out`);
    const leftOut =
      skipped.incompatibleTags +
      skipped.requiresPython.length +
      skipped.sdistOnly +
      skipped.binaryRefused +
      skipped.prereleases +
      skipped.noUploadTime +
      skipped.uploadedAfter;
    const spelled = spellingsOf(name);
    if (
      new RegExp(`(^|[^a-z0-9_.-])${spelled} @ `, "i").test(explanation) &&
      explanation.includes(STRAY_URL_NOTE)
    ) {
      hints.push(
        `A dependency asks for ${name} from a URL: to allow that, require \`${name} @ URL\` yourself (or as a constraint)`,
      );
    } else if (entry.candidates.length === 0 && leftOut === 0) {
      hints.push(`${name} ${NOT_FOUND_NOTE}: check the name and the index URL`);
      notFound.push(name);
    } else if (new RegExp(`no version of ${spelled}(?![a-z0-9_.-])`, "i").test(explanation)) {
      // What pip prints as "(from versions: ...)": the requirement may just be mistyped.
      const usable = entry.candidates
        .filter((candidate) => !candidate.yanked)
        .sort((a, b) => compareVersions(b.version, a.version));
      const newest = usable.slice(0, 5).map((candidate) => candidate.version.toString());
      // A constraint named in the explanation is what left them out.
      const constraint = new RegExp(`\\(with the constraint ${spelled}(?![a-z0-9_.-])`, "i");
      const constrained = constraint.test(explanation) ? ", before the constraints" : "";
      if (usable.length > 0)
        hints.push(
          `${name} has ${plural(usable.length, "usable version")}${usable.length > 5 ? ", the newest" : ""}${constrained}: ${newest.join(", ")}`,
        );
    }
  }
  return { hints, notFound };
}
