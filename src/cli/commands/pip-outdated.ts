// `spice pip list --outdated / --uptodate` and `spice pip index versions`: what the index offers
// for installed distributions. Its own module, loaded only for these, so that plain `list` does
// not load the index client and the resolver.

import { type InstalledDistribution, installedDistributions, searchPath } from "../../install/installed.ts";
import type { Environment } from "../../python/environment.ts";
import { foreignTarget, type ResolveTarget, targetOf } from "../../python/target.ts";
import { type CandidatePolicy, otherPlatformWheels, selectCandidates } from "../../resolver/candidates.ts";
import { canonicalizeName } from "../../standards/name.ts";
import { pythonJsonDumps, pythonJsonString } from "../../standards/python-string.ts";
import { emptyFinderOptions } from "../../standards/requirements-txt-options.ts";
import { tagRanks } from "../../standards/tags.ts";
import { compareVersions, type Version } from "../../standards/version.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { flag, type ParsedArgs } from "../args.ts";
import { environmentIfAny } from "../environment-options.ts";
import { indexSettings, openSources } from "../index-settings.ts";
import type { CommandContext } from "../main.ts";
import type { LatestRelease } from "../pip-format.ts";

import { foreignTargetOptions } from "../resolver-flags.ts";

/** Which of the index's files pip's list and index commands count: those this target can use. */
function indexPolicy(target: ResolveTarget, prereleases: CandidatePolicy["prereleases"]): CandidatePolicy {
  return {
    tagRanks: tagRanks(target.tags),
    pythonVersion: target.pythonVersion,
    prereleases,
    resolution: "highest",
    onlyBinary: new Set(),
    noBinary: new Set(),
  };
}

/**
 * The newest release of each distribution on the index, as `pip list --outdated` finds it: files
 * usable by this interpreter (tags, Requires-Python), no pre-releases unless --pre, a yanked
 * release only when every release is; the type of its best file.
 */
export async function latestReleases(
  distributions: readonly InstalledDistribution[],
  environment: Environment,
  args: ParsedArgs,
  context: CommandContext,
): Promise<Map<string, LatestRelease>> {
  const sources = openSources(args, context, indexSettings(args, context, emptyFinderOptions(), "list"));
  try {
    const policy = indexPolicy(targetOf(environment.interpreter), flag(args, "pre") ? "allow" : "disallow");
    const filter = otherPlatformWheels(policy) ?? undefined;
    const releases = await Promise.all(
      distributions.map(async (dist): Promise<[string, LatestRelease] | null> => {
        const { files, dropped } = await sources.fetcher.files(dist.canonicalName, filter);
        const { candidates } = selectCandidates(dist.canonicalName, files, policy, dropped);
        const best = candidates.find((candidate) => !candidate.yanked) ?? candidates[0];
        if (best === undefined) return null;
        const filetype = best.files[0].filename.endsWith(".whl") ? "wheel" : "sdist";
        return [dist.canonicalName, { version: best.version, filetype }];
      }),
    );
    return new Map(releases.filter((release) => release !== null));
  } finally {
    await sources.close();
  }
}

/**
 * `spice pip index versions NAME`: every version the index offers this interpreter (tags,
 * Requires-Python; no yanked files; no pre-releases unless --pre), newest first, then what is
 * installed, in pip 23.2's words and layout.
 */
export async function indexVersions(args: ParsedArgs, context: CommandContext): Promise<number> {
  const [action, query, ...rest] = args.positionals;
  if (action !== "versions" || query === undefined || rest.length > 0)
    throw new UsageError("spice pip index takes: versions NAME", "spice pip index versions requests");
  const { environment, interpreter } = environmentIfAny(args, context);
  const sources = openSources(args, context, indexSettings(args, context, emptyFinderOptions(), "index"));
  const name = canonicalizeName(query);
  let versions: Version[];
  try {
    // pip's target options. Its index command counts every file whatever --only-binary and
    // --no-binary say (it takes them and ignores them), and so does spice.
    const target = foreignTarget(interpreter, foreignTargetOptions(args, context.env));
    const policy: CandidatePolicy = {
      ...indexPolicy(target, "allow"),
      ignoreRequiresPython: flag(args, "ignore-requires-python"),
    };
    const { files, dropped } = await sources.fetcher.files(name, otherPlatformWheels(policy) ?? undefined);
    const { candidates } = selectCandidates(name, files, policy, dropped);
    const pre = flag(args, "pre");
    versions = candidates
      .filter((candidate) => !candidate.yanked && (pre || !candidate.version.isPrerelease))
      .map((candidate) => candidate.version)
      .sort((a, b) => compareVersions(b, a));
  } finally {
    await sources.close();
  }
  if (versions.length === 0)
    throw new SpiceError("E_NOT_FOUND", `No matching distribution found for ${query}`, {
      hint: "Check the name and the index URL; --pre also lists pre-releases",
    });
  const latest = versions[0].toString();
  const installed =
    environment === null
      ? undefined
      : installedDistributions(searchPath(environment.sitePackages)).find(
          (dist) => dist.canonicalName === name,
        );
  if (flag(args, "json")) {
    // pip 25.1's --json: one line, its keys in its order, the installed version only when there is one.
    const fields: Array<[string, string | string[]]> = [
      ["name", query],
      ["versions", versions.map(String)],
      ["latest", latest],
    ];
    if (installed !== undefined) fields.push(["installed_version", installed.displayVersion]);
    context.output.data(
      `{${fields.map(([key, value]) => `${pythonJsonString(key)}: ${pythonJsonDumps(value)}`).join(", ")}}`,
    );
    return 0;
  }
  const lines = [`${query} (${latest})`, `Available versions: ${versions.map(String).join(", ")}`];
  if (installed !== undefined) {
    // pip compares the installed Version with the latest's text, which never matches: it never
    // says "(latest)"; spice writes the same two lines.
    lines.push(`  INSTALLED: ${installed.displayVersion}`);
    lines.push(
      versions[0].isPrerelease
        ? `  LATEST:    ${latest} (pre-release; install with \`pip install --pre\`)`
        : `  LATEST:    ${latest}`,
    );
  }
  context.output.data(lines.join("\n"));
  return 0;
}
