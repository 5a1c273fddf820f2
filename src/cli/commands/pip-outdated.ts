// `spice pip list --outdated / --uptodate`: the newest release of each installed distribution on
// the index. Its own module, loaded only for those options, so that plain `list` does not load
// the index client and the resolver.

import type { InstalledDistribution } from "../../install/installed.ts";
import type { Environment } from "../../python/environment.ts";
import { targetOf } from "../../python/target.ts";
import { type CandidatePolicy, selectCandidates } from "../../resolver/candidates.ts";
import { emptyFinderOptions } from "../../standards/requirements-txt.ts";
import { tagRanks } from "../../standards/tags.ts";
import { flag, type ParsedArgs } from "../args.ts";
import type { CommandContext } from "../main.ts";
import type { LatestRelease } from "../pip-format.ts";
import { indexSettings, openSources } from "../resolution-options.ts";

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
    const target = targetOf(environment.interpreter);
    const policy: CandidatePolicy = {
      tagRanks: tagRanks(target.tags),
      pythonVersion: target.pythonVersion,
      prereleases: flag(args, "pre") ? "allow" : "disallow",
      resolution: "highest",
      onlyBinary: new Set(),
      noBinary: new Set(),
    };
    const releases = await Promise.all(
      distributions.map(async (dist): Promise<[string, LatestRelease] | null> => {
        const files = await sources.fetcher.files(dist.canonicalName);
        const { candidates } = selectCandidates(dist.canonicalName, files, policy);
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
