// pip's hash-checking mode: when any requirement carries --hash (or --require-hashes is given),
// every requirement must be pinned and hashed, and every file installed must have a hash its
// requirement allows. A lock file's hashes are checked the same way.

import { readFileSync } from "node:fs";
import type { FetchedArchive } from "../index/file-fetcher.ts";
import type { IndexFile } from "../index/simple-api.ts";
import type { ResolvedPackage } from "../resolver/resolve.ts";
import { SpiceError, UsageError } from "../util/error.ts";
import { nodeCrypto } from "../util/lazy-builtins.ts";
import { flag, type ParsedArgs } from "./args.ts";
import type { RequirementInputs } from "./resolution-options.ts";

/** A direct URL's `#sha256=` (sha384, sha512) fragment, which pip counts as its requirement's hash. */
function urlFragmentHash(url: string | null): string | null {
  const match = url === null ? null : /#(?:[^#]*&)?(sha256|sha384|sha512)=([0-9a-fA-F]+)(?:&|$)/.exec(url);
  return match ? `${match[1]}:${match[2].toLowerCase()}` : null;
}

/**
 * Hash-checking mode (pip's): every requirement pinned with == (or a URL) and hashed, by --hash
 * or, for a URL, by its hash fragment (added to the requirement's allowed hashes).
 */
export function checkHashingMode(inputs: RequirementInputs, args: ParsedArgs): boolean {
  const requireHashes = flag(args, "require-hashes");
  const verify = !flag(args, "no-verify-hashes");
  if (requireHashes && !verify)
    throw new UsageError("--require-hashes and --no-verify-hashes contradict each other");
  if (flag(args, "verify-hashes") && !verify)
    throw new UsageError("--verify-hashes and --no-verify-hashes contradict each other");
  // --no-verify-hashes (uv's): hashes given are not checked, unless a file says --require-hashes.
  const hashing = requireHashes || inputs.finder.requireHashes || (verify && inputs.hashes.size > 0);
  if (!hashing) return false;
  for (const requirement of inputs.requirements) {
    const fromUrl = urlFragmentHash(requirement.url);
    if (fromUrl === null) continue;
    const allowed = inputs.hashes.get(requirement.canonicalName) ?? new Set<string>();
    inputs.hashes.set(requirement.canonicalName, allowed.add(fromUrl));
  }
  const problems: string[] = [];
  for (const requirement of inputs.requirements) {
    const pinned = requirement.url !== null || requirement.pinsVersion;
    if (!pinned) problems.push(`${requirement} is not pinned with ==`);
    else if (!inputs.hashes.has(requirement.canonicalName)) problems.push(`${requirement} has no --hash`);
  }
  if (problems.length > 0) {
    throw new SpiceError("E_HASHES", "In hash-checking mode every requirement must be pinned and hashed", {
      cause: problems.join("; "),
      hint: "Pin with == and add --hash=sha256:... for each (spice pip compile --generate-hashes writes them)",
    });
  }
  return true;
}

function digestOf(bytes: Buffer, algorithm: string): string | null {
  try {
    return nodeCrypto().createHash(algorithm).update(bytes).digest("hex");
  } catch {
    return null;
  }
}

/** Checks a fetched archive against the requirement's --hash values (or a lock file's hashes). */
function checkAllowedHash(
  name: string,
  file: IndexFile,
  archive: FetchedArchive,
  allowed: Set<string>,
): void {
  if (allowed.has(`sha256:${archive.sha256}`)) return;
  const others = [...allowed].filter((item) => !item.startsWith("sha256:"));
  if (others.length > 0) {
    const bytes = readFileSync(archive.path);
    for (const item of others) {
      const [algorithm, digest] = item.split(":");
      if (digestOf(bytes, algorithm) === digest) return;
    }
  }
  throw new SpiceError(
    "E_HASH_MISMATCH",
    `The hash of ${file.filename} (${name}) is not one the requirements allow`,
    {
      cause: `expected ${[...allowed].join(" or ")}, got sha256:${archive.sha256}`,
      hint: "Nothing was installed. If the new file is trusted, update its --hash (spice pip compile --generate-hashes)",
    },
  );
}

/** In hash-checking mode (`hashes` given), a fetched file must have a hash its requirement allows. */
export function checkFetchedHash(
  resolved: ResolvedPackage,
  archive: FetchedArchive,
  hashes: ReadonlyMap<string, Set<string>> | null,
): void {
  if (hashes === null) return;
  checkAllowedHash(resolved.name, resolved.file!, archive, allowedHashes(resolved, hashes));
}

/** The hashes a package may have in hash-checking mode; one without any is refused. */
export function allowedHashes(
  resolved: ResolvedPackage,
  hashes: ReadonlyMap<string, Set<string>>,
): Set<string> {
  const allowed = hashes.get(resolved.name);
  if (allowed === undefined) {
    throw new SpiceError(
      "E_HASHES",
      `${resolved.name} ${resolved.version} has no --hash, but hash-checking mode is on`,
      {
        hint: "Every package, dependencies included, needs a pinned, hashed requirement (or use --no-deps)",
      },
    );
  }
  return allowed;
}
