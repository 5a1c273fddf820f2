// pip's installation report (`--report FILE`, version 1), field for field as pip 23.2.1 writes
// it: what an install or a dry run would install, with each file's hash and metadata.

import type { FileFetcher } from "../index/file-fetcher.ts";
import { type LinkHash, preferredHash } from "../index/simple-api.ts";
import type { ResolveTarget } from "../python/target.ts";
import type { ResolvedPackage } from "../resolver/resolve.ts";
import { metadataToJson } from "../standards/metadata-json.ts";
import { onDisk, writeFileAtomic } from "../util/fs.ts";
import { recordableUrl } from "../util/redact.ts";
import type { CommandContext } from "./main.ts";
import { PIP_VERSION, pipUsesImportlibMetadata } from "./pip-format.ts";

/**
 * The hash pip names for a file: the one it prefers of those its index link gives (an md5 from
 * an older index, say), else the sha256 of the file fetched.
 */
function reportedHash(resolved: ResolvedPackage, fetched: Map<string, string>): LinkHash | null {
  const given = preferredHash(resolved.file?.hashes ?? {});
  if (given !== null) return given;
  const sha256 = fetched.get(resolved.name);
  return sha256 ? { algorithm: "sha256", digest: sha256 } : null;
}

/** pip's installation report (version 1) for `--report`. */
function installationReport(
  packages: readonly ResolvedPackage[],
  target: ResolveTarget,
  hashes: Map<string, string>,
): object {
  const viaImportlib = pipUsesImportlibMetadata(target.markers);
  return {
    version: "1",
    pip_version: PIP_VERSION,
    install: packages.map((resolved) => {
      const hash = reportedHash(resolved, hashes);
      return {
        download_info: {
          url: resolved.file ? recordableUrl(resolved.file.url) : null,
          subdirectory: resolved.file?.subdirectory,
          archive_info: hash
            ? { hash: `${hash.algorithm}=${hash.digest}`, hashes: { [hash.algorithm]: hash.digest } }
            : {},
        },
        is_direct: resolved.direct,
        requested: resolved.requested,
        // Only for the user's own requirements that name extras, as pip reports them.
        ...(resolved.requested && resolved.requestedExtras.length > 0
          ? { requested_extras: resolved.requestedExtras }
          : {}),
        // The resolver keeps the whole document when a report is asked for (keepMetadata).
        metadata: resolved.metadata?.text == null ? {} : metadataToJson(resolved.metadata.text, viaImportlib),
      };
    }),
    environment: target.markers,
  };
}

/**
 * For a dry run's report, the sha256 of each file that came without one (a --find-links
 * directory, a path, a URL, an index without hashes), as an install knows it (remembered in the
 * cache): pip names the hash of every archive it fetched, and a dry run fetches those too.
 */
export async function unlistedDigests(
  packages: readonly ResolvedPackage[],
  fetcher: FileFetcher,
): Promise<Map<string, string>> {
  const local = packages.flatMap((resolved) =>
    resolved.file !== null && !resolved.file.hashes.sha256
      ? [{ name: resolved.name, file: resolved.file }]
      : [],
  );
  const archives = await Promise.all(local.map(({ file }) => fetcher.archive(file)));
  return new Map(local.map(({ name }, index) => [name, archives[index].sha256]));
}

/** Writes the report to `path`, or to standard output for `-`. */
export function writeReport(
  path: string,
  packages: readonly ResolvedPackage[],
  target: ResolveTarget,
  hashes: Map<string, string>,
  context: CommandContext,
): void {
  const text = `${JSON.stringify(installationReport(packages, target, hashes), null, 2)}\n`;
  if (path === "-") context.output.data(text);
  else onDisk(`Could not write the report to ${path}`, () => writeFileAtomic(path, text));
}
