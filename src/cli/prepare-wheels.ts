// The wheels an install needs, as unpacked cache entries: found in the cache by their index
// hash, else downloaded in parallel (hashes checked) and unpacked, on a worker thread that may
// have begun while the resolver still waited for the network.

import { pathToFileURL } from "node:url";
import { Cache } from "../cache/store.ts";
import type { FileFetcher } from "../index/file-fetcher.ts";
import { WheelUnpacker } from "../install/parallel-unpack.ts";
import { makeUnpackScratch } from "../install/transaction.ts";
import { cachedWheelByDigest, type UnpackedWheel } from "../install/wheel-cache.ts";
import type { Environment } from "../python/environment.ts";
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
  context: CommandContext;
  /** Unpacks what is not in the cache; it may have begun during resolution. */
  unpacker: WheelUnpacker;
}

/** An install's unpacker, and what ends it (with the temporary cache of --no-cache). */
export interface WheelUnpacking {
  unpacker: WheelUnpacker;
  close(): Promise<void>;
}

/**
 * What unpacks an install's wheels into the cache, told of each wheel downloaded from now on:
 * resolution's whole-wheel downloads start unpacking on a worker thread while the resolver waits
 * for the network. Without spice's cache (--no-cache), into a temporary one beside the
 * environment (the same filesystem, so its files are linked in, as from the cache; uv's
 * --no-cache uses a temporary cache too), removed when the command ends or is interrupted.
 */
export function wheelUnpacker(
  sources: Sources,
  environment: Environment,
  context: CommandContext,
): WheelUnpacking {
  const scratch = sources.cache === null ? makeUnpackScratch(environment) : null;
  const cache = sources.cache ?? new Cache(scratch!.path);
  const oneThread = context.env.SPICE_UNPACK_THREADS === "1";
  const bundle = bundleScript();
  const unpacker = new WheelUnpacker(cache, !oneThread && bundle !== null ? pathToFileURL(bundle) : null);
  sources.fetcher.onWheelDownloaded = (archive, size) => unpacker.offer(archive.path, size);
  return {
    unpacker,
    async close() {
      await unpacker.stop();
      scratch?.remove();
    },
  };
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
  const prepared = await options.unpacker.unpack(archives.map(([, archive]) => archive.path));
  for (const [resolved, archive] of archives)
    result.set(resolved.name, { wheel: prepared.get(archive.path)!, sha256: archive.sha256 });
  // Ctrl-C while the wheels were unpacked (synchronous work) ends the command before its change
  // begins, with nothing changed, rather than once the change is made.
  await hearPendingSignals();
  return result;
}
