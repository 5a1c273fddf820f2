// The resolver's options as the command line, pip's and uv's variables and requirements files
// set them: pre-releases, resolution, binary and build controls, cut-offs by upload time, per
// package ones, the fork strategy, and the options that name another system to resolve for.

import { type ForeignTarget, isForeign, pythonPlatformTags } from "../python/target.ts";
import type { PrereleasePolicy } from "../resolver/candidates.ts";
import type { ResolveOptions } from "../resolver/resolve.ts";
import { canonicalizeName, isValidName } from "../standards/name.ts";
import type { FinderOptions } from "../standards/requirements-txt-options.ts";
import { parseCutOff } from "../util/cut-off.ts";
import { UsageError } from "../util/error.ts";
import { flag, oneOf, type ParsedArgs, value, values } from "./args.ts";

function namesOf(list: string[]): Set<string> {
  return new Set(
    list
      .flatMap((item) => item.split(","))
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => (item === ":all:" || item === ":none:" ? item : canonicalizeName(item))),
  );
}

/**
 * The target options pip's download and install --target take (--python-version included), and
 * uv's --python-platform, which names the platform tags for them.
 */
export function foreignTargetOptions(args: ParsedArgs, env: NodeJS.ProcessEnv = {}): ForeignTarget {
  let platforms = values(args, "platform");
  const pythonPlatform = value(args, "python-platform");
  if (pythonPlatform !== undefined) {
    if (platforms.length > 0) throw new UsageError("--python-platform and --platform contradict each other");
    const tags = pythonPlatformTags(pythonPlatform, env);
    if (tags === null)
      throw new UsageError(
        `--python-platform does not know '${pythonPlatform}'`,
        "Use windows, linux, macos, or a target such as x86_64-manylinux_2_28, aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl, x86_64-apple-darwin, i686-pc-windows-msvc",
      );
    platforms = tags;
  }
  return {
    pythonVersion: value(args, "python-version"),
    platforms,
    implementation: value(args, "implementation"),
    abis: values(args, "abi"),
  };
}

/** What --exclude-newer and --exclude-newer-package take, in words for an error. */
const CUT_OFF_FORMS = "a date (2024-01-31), an RFC 3339 time, a span back from now (7 days, P7D) or false";

const PRERELEASE_POLICIES: readonly PrereleasePolicy[] = ["allow", "if-necessary", "disallow"];
const RESOLUTIONS = ["highest", "lowest", "lowest-direct"] as const;

/**
 * uv's per-package options, NAME=VALUE each (the last one given for a name wins): `read` turns
 * the value into the setting, undefined when it is none; `forms` says what it takes.
 */
function perPackage<T>(
  args: ParsedArgs,
  option: string,
  forms: string,
  read: (text: string) => T | undefined,
): Map<string, T> {
  const settings = new Map<string, T>();
  for (const item of values(args, option)) {
    const at = item.indexOf("=");
    const name = item.slice(0, at).trim();
    const setting = at < 0 ? undefined : read(item.slice(at + 1));
    if (at < 0 || !isValidName(name) || setting === undefined)
      throw new UsageError(`--${option} takes ${forms}, not '${item}'`);
    settings.set(canonicalizeName(name), setting);
  }
  return settings;
}

/** uv's --fork-strategy: requires-python (the default) or fewest. */
function forkStrategyOf(given: string | undefined): "requires-python" | "fewest" {
  return oneOf("fork-strategy", given, ["requires-python", "fewest"], "requires-python");
}

/** The resolver options that come straight from flags (and requirements files). */
export function resolverFlags(
  args: ParsedArgs,
  finder: FinderOptions,
): Pick<
  ResolveOptions,
  | "prereleases"
  | "resolution"
  | "onlyBinary"
  | "noBinary"
  | "excludeNewer"
  | "excludeNewerPackages"
  | "prereleasePackages"
  | "forkStrategy"
  | "noDeps"
  | "preferBinary"
  | "ignoreRequiresPython"
> {
  let prereleases = oneOf("prerelease", value(args, "prerelease"), PRERELEASE_POLICIES, "if-necessary");
  if (flag(args, "pre") || finder.pre) prereleases = "allow";
  const resolution = oneOf("resolution", value(args, "resolution"), RESOLUTIONS, "highest");
  const excludeNewerText = value(args, "exclude-newer");
  const excludeNewer = excludeNewerText === undefined ? null : parseCutOff(excludeNewerText);
  if (excludeNewer === undefined)
    throw new UsageError(`--exclude-newer takes ${CUT_OFF_FORMS}, not '${excludeNewerText}'`);
  const noBinary = namesOf([
    ...values(args, "no-binary"),
    ...values(args, "no-binary-package"),
    ...finder.noBinary,
  ]);
  // Files for another system (pip download --platform, --abi, --implementation) are wheels only:
  // a source distribution would have to be built here, for there. uv's --no-build says the same
  // for every name: a version with only a source distribution is no candidate.
  const onlyBinary = namesOf([
    ...values(args, "only-binary"),
    ...values(args, "no-build-package"),
    ...finder.onlyBinary,
    ...(isForeign(foreignTargetOptions(args)) || flag(args, "no-build") ? [":all:"] : []),
  ]);
  return {
    prereleases,
    resolution: resolution as "highest" | "lowest" | "lowest-direct",
    onlyBinary,
    noBinary,
    excludeNewer,
    excludeNewerPackages: perPackage(
      args,
      "exclude-newer-package",
      `NAME=DATE (a name and ${CUT_OFF_FORMS})`,
      (text) => parseCutOff(text),
    ),
    prereleasePackages: perPackage(
      args,
      "prerelease-package",
      "NAME=MODE (MODE: allow, if-necessary or disallow)",
      (text) => PRERELEASE_POLICIES.find((policy) => policy === text.trim()),
    ),
    forkStrategy: forkStrategyOf(value(args, "fork-strategy")),
    noDeps: flag(args, "no-deps"),
    preferBinary: flag(args, "prefer-binary") || finder.preferBinary,
    ignoreRequiresPython: flag(args, "ignore-requires-python"),
  };
}
