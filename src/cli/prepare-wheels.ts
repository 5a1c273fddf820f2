// The wheels an install needs, as unpacked cache entries: found in the cache by their index
// hash, else downloaded in parallel (hashes checked) and unpacked, on a worker thread that may
// have begun while the resolver still waited for the network.

import { pathToFileURL } from "node:url";
import type { Cache } from "../cache/store.ts";
import type { FileFetcher } from "../index/file-fetcher.ts";
import { WheelUnpacker } from "../install/parallel-unpack.ts";
import { cachedWheelByDigest, type UnpackedWheel, unpackedWheel } from "../install/wheel-cache.ts";
import type { ResolvedPackage } from "../resolver/resolve.ts";
import { SpiceError } from "../util/error.ts";
import { hearPendingSignals } from "../util/interrupt.ts";
import { bundleScript } from "./bundle.ts";
import { allowedHashes, checkFetchedHash } from "./hash-checking.ts";
import type { Sources } from "./index-settings.ts";
import type { CommandContext } from "./main.ts";

export interface FetchOptions {
  fetcher: FileFetcher;
  cache: Cache | null;
  /** Canonical name → allowed hashes (hash-checking mode), or null. */
  hashes: Map<string, Set<string>> | null;
  scratch: string;
  context: CommandContext;
  /** Unpacks into the cache (null without one); it may have begun during resolution. */
  unpacker: WheelUnpacker | null;
}

/**
 * What unpacks an install's wheels into the cache (null without a cache), told of each wheel
 * downloaded from now on: resolution's whole-wheel downloads start unpacking on a worker thread
 * while the resolver waits for the network. Stop it once the install no longer needs it.
 */
export function wheelUnpacker(sources: Sources, context: CommandContext): WheelUnpacker | null {
  if (sources.cache === null) return null;
  const oneThread = context.env.SPICE_UNPACK_THREADS === "1";
  const bundle = bundleScript();
  const unpacker = new WheelUnpacker(
    sources.cache,
    !oneThread && bundle !== null ? pathToFileURL(bundle) : null,
  );
  sources.fetcher.onWheelDownloaded = (archive, size) => unpacker.offer(archive.path, size);
  return unpacker;
}

/**
 * Every package to install as an unpacked wheel: from the cache by its index hash when there,
 * else downloaded (in parallel, hashes checked) and unpacked into the cache.
 */
export async function prepareWheels(
  packages: readonly ResolvedPackage[],
  options: FetchOptions,
): Promise<Map<string, { wheel: UnpackedWheel; sha256: string }>> {
  const result = new Map<string, { wheel: UnpackedWheel; sha256: string }>();
  const toFetch: ResolvedPackage[] = [];
  for (const resolved of packages) {
    const file = resolved.file!;
    if (!file.filename.endsWith(".whl")) {
      throw new SpiceError(
        "E_NEEDS_BUILD",
        `${resolved.name} ${resolved.version} is only available as a source distribution (${file.filename})`,
        {
          hint: "Building source distributions arrives in a later version of spice; pin a version with a wheel, or use --only-binary :all:",
        },
      );
    }
    const digest = file.hashes.sha256;
    // In hash-checking mode every package needs hashes, cached or not, and a cached entry (known
    // by its sha256) stands for the file only when that sha256 is one allowed; otherwise the file
    // is fetched and checked against every hash given, so that a mismatch names the real file.
    const allowed = options.hashes === null ? null : allowedHashes(resolved, options.hashes);
    if (allowed !== null && !allowed.has(`sha256:${digest}`)) {
      toFetch.push(resolved);
      continue;
    }
    const cached =
      options.cache !== null && digest && !file.url.startsWith("file:")
        ? cachedWheelByDigest(digest, options.cache, file.url)
        : null;
    if (cached !== null) result.set(resolved.name, { wheel: cached, sha256: digest! });
    else toFetch.push(resolved);
  }
  const archives = await Promise.all(
    toFetch.map(async (resolved) => {
      const archive = await options.fetcher.archive(resolved.file!);
      checkFetchedHash(resolved, archive, options.hashes);
      return [resolved, archive] as const;
    }),
  );
  const paths = archives.map(([, archive]) => archive.path);
  const prepared = options.unpacker === null ? new Map() : await options.unpacker.unpack(paths);
  for (const [resolved, archive] of archives) {
    const wheel = prepared.get(archive.path) ?? unpackedWheel(archive.path, options.cache, options.scratch);
    result.set(resolved.name, { wheel, sha256: archive.sha256 });
  }
  // Ctrl-C while the wheels were unpacked (synchronous work) ends the command before its change
  // begins, with nothing changed, rather than once the change is made.
  await hearPendingSignals();
  return result;
}
