// `spice pip compile`: pip-tools' pip-compile and uv's pip compile, to requirements.txt or a PEP 751 lock.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve as resolvePath } from "node:path";
import type { FileFetcher } from "../../index/file-fetcher.ts";
import type { IndexFile } from "../../index/simple-api.ts";
import { foreignTarget, type ResolveTarget } from "../../python/target.ts";
import type { ResolvedPackage } from "../../resolver/resolve.ts";
import { reachability, resolveUniversal, type UniversalResolution } from "../../resolver/universal.ts";
import { tryParseSdistFilename, tryParseWheelFilename } from "../../standards/filename.ts";
import { type Marker, parseMarker } from "../../standards/marker.ts";
import { MarkerSpace } from "../../standards/marker-space.ts";
import { canonicalizeName } from "../../standards/name.ts";
import { isPylockFileName } from "../../standards/pylock.ts";
import { pyShlexQuote } from "../../standards/python-string.ts";
import { parseRequirement, type Requirement } from "../../standards/requirement.ts";
import { readRequirementsFile } from "../../standards/requirements-txt.ts";
import { versionsEqual } from "../../standards/version.ts";
import { consistentPlatforms } from "../../standards/wheel-environments.ts";
import { monotonicMilliseconds } from "../../util/clock.ts";
import { SpiceError, UsageError, withHint } from "../../util/error.ts";
import { localFileHost } from "../../util/file-host.ts";
import { onDisk, writeFileAtomic } from "../../util/fs.ts";
import { plural } from "../../util/plural.ts";
import { redactText, withoutCredentials } from "../../util/redact.ts";
import {
  flag,
  listValues,
  oneOf,
  type ParsedArgs,
  refuseContradictions,
  value,
  values,
  withoutOptions,
} from "../args.ts";
import {
  annotatedLines,
  FOREIGN_PLATFORM_OPTIONS,
  headerLines,
  optionLines,
} from "../compiled-requirements.ts";
import { elapsed, environmentIfAny } from "../environment-options.ts";
import { GLOBAL_OPTIONS } from "../global-options.ts";
import { indexSettings, openSources, type Sources } from "../index-settings.ts";
import type { CommandContext } from "../main.ts";
import { type EarlierPin, indexOfPin, lockedVersions, outputFormat, pylockText } from "../pylock.ts";
import {
  gatherRequirementsFetching,
  needsIndex,
  type RequirementInputs,
  resolveInputs,
  resolveOptionsFor,
} from "../resolution-options.ts";
import { foreignTargetOptions } from "../resolver-flags.ts";
import { type MarkerOption, markerOptions, universeOf, warnUninstallable } from "../universal-compile.ts";
import { PIP_SUBCOMMAND_OPTIONS } from "./pip-options.ts";

// --- compile -----------------------------------------------------------------------------------

interface CompileInputs extends RequirementInputs {
  /** Display label of each input file (for `# via`). */
  labels: string[];
}

async function compileInputs(args: ParsedArgs, context: CommandContext): Promise<CompileInputs> {
  let files = [...args.positionals];
  if (files.length === 0) {
    const found = ["requirements.in", "pyproject.toml"].find((name) => existsSync(join(context.cwd, name)));
    if (found === undefined)
      throw new UsageError(
        "spice pip compile needs input files",
        "spice pip compile requirements.in -o requirements.txt",
      );
    files = [found];
  }
  const inputs = (await gatherRequirementsFetching([], args, context, files)) as CompileInputs;
  inputs.labels = files;
  return inputs;
}

/** Pins of an existing output file (kept unless upgraded). */
function existingPins(path: string, context: CommandContext): EarlierPin[] {
  if (!existsSync(path)) return [];
  if (isPylockFileName(path)) return lockedVersions(path, context);
  const result = readRequirementsFile(path, localFileHost(context.cwd, context.env));
  const pins: EarlierPin[] = [];
  for (const entry of result.entries) {
    const install = entry.installRequirement;
    const match = install?.specifier.match(/^===?(.+)$/);
    if (install?.name && match)
      pins.push({
        name: canonicalizeName(install.name),
        version: match[1],
        marker: markerOf(install.markers),
      });
  }
  return pins;
}

/** A pin's marker, or null (everywhere) for none or one that does not parse. */
function markerOf(text: string | null): Marker | null {
  if (text === null) return null;
  try {
    return parseMarker(text);
  } catch {
    return null;
  }
}

/**
 * The earlier pins to try first, one per name: those whose marker holds (for a universal part:
 * can hold somewhere in `space`, first those that hold all over it), the last such line winning.
 * A universal output pins a name once per part (`forked==1.0 ; python_version < '3.12'` and
 * `forked==2.0 ; python_version >= '3.12'`): each part keeps its own.
 */
function preferredPins<Pin extends EarlierPin>(
  pins: readonly Pin[],
  holds: (pin: Pin) => 0 | 1 | 2,
): Map<string, string> {
  const preferred = new Map<string, { version: string; fit: number }>();
  for (const pin of pins) {
    const fit = pin.marker === null ? 2 : holds(pin);
    const earlier = preferred.get(pin.name);
    if (fit > 0 && (earlier === undefined || fit >= earlier.fit))
      preferred.set(pin.name, { version: pin.version, fit });
  }
  return new Map([...preferred].map(([name, { version }]) => [name, version]));
}

/** Every file of the pinned version (all platforms) with its sha256: for --generate-hashes and locks. */
async function pinnedFiles(
  resolved: ResolvedPackage,
  fetcher: FileFetcher,
): Promise<Array<{ file: IndexFile; sha256: string }>> {
  let files: readonly IndexFile[] = resolved.files;
  if (!resolved.direct) {
    const { files: all } = await fetcher.files(resolved.name);
    files = all.filter((file) => {
      const parsed = tryParseWheelFilename(file.filename) ?? tryParseSdistFilename(file.filename);
      // By PEP 440: a wheel named 1.0 and an sdist named 1.0.0 are files of one version.
      return parsed !== null && versionsEqual(parsed.version, resolved.version);
    });
  }
  return Promise.all(
    files.map(async (file) => ({ file, sha256: file.hashes.sha256 ?? (await fetcher.archive(file)).sha256 })),
  );
}

/** sha256 of every file of the pinned version, for --generate-hashes. */
async function hashesOf(resolved: ResolvedPackage, fetcher: FileFetcher): Promise<string[]> {
  const files = await pinnedFiles(resolved, fetcher);
  return [...new Set(files.map(({ sha256 }) => sha256))].sort();
}

// What the header's command leaves out: one-off options (running it again must not upgrade every
// pin, nor bypass the cache) and ones that change only what is printed, as pip-tools and uv do.
const ONE_OFF_OPTIONS = new Set([
  "upgrade",
  "upgrade-package",
  "dry-run",
  "rebuild",
  "refresh",
  "refresh-package",
  "no-reuse-hashes",
  "cache-dir",
  "no-cache",
  "no-cache-dir",
  "quiet",
  "verbose",
  "color",
  "no-color",
  "no-progress",
  "log",
]);

/** The command the header names: --custom-compile-command, then the variables, else this one. */
function compileCommand(args: ParsedArgs, context: CommandContext): string {
  const custom =
    value(args, "custom-compile-command") ??
    context.env.SPICE_CUSTOM_COMPILE_COMMAND ??
    context.env.CUSTOM_COMPILE_COMMAND;
  if (custom) return custom;
  const specs = [...GLOBAL_OPTIONS, ...PIP_SUBCOMMAND_OPTIONS.compile];
  const words = withoutOptions(context.argv ?? [], specs, ONE_OFF_OPTIONS, { abbreviations: true });
  // Quoted to run again as written; credentials in a URL never go into the file.
  return `spice ${words.map((word) => pyShlexQuote(redactText(word))).join(" ")}`;
}

/** Each of pip-compile's flags with its opposite: both at once is a contradiction, said so. */
const OPPOSITES = [
  ["header", "no-header"],
  ["annotate", "no-annotate"],
  ["emit-index-url", "no-emit-index-url"],
  ["emit-find-links", "no-emit-find-links"],
  ["emit-trusted-host", "no-emit-trusted-host"],
  ["emit-options", "no-emit-options"],
  ["strip-extras", "no-strip-extras"],
  ["reuse-hashes", "no-reuse-hashes"],
  ["build-isolation", "no-build-isolation"],
  ["emit-index-annotation", "no-emit-index-annotation"],
  ["allow-unsafe", "no-allow-unsafe"],
  ["upgrade", "no-upgrade"],
] as const;

/**
 * Refuses contradictory or malformed options before anything is read; returns the markers of
 * --environment and --required-environment, each read once here.
 */
function checkCompileOptions(args: ParsedArgs): { environments: MarkerOption[]; required: MarkerOption[] } {
  refuseContradictions(args, OPPOSITES);
  for (const name of FOREIGN_PLATFORM_OPTIONS)
    if (flag(args, "universal") && args.options.has(name))
      throw new UsageError(
        `--universal pins for every platform; --${name} names one`,
        "Drop one of the two options",
      );
  const environments = markerOptions(args, "environment");
  const required = markerOptions(args, "required-environment");
  for (const [name, given] of [
    ["environment", environments],
    ["required-environment", required],
  ] as const)
    if (given.length > 0 && !flag(args, "universal"))
      throw new UsageError(
        `--${name} is for --universal resolutions`,
        `Add --universal, or drop --${name}: a resolution for this Python alone installs here`,
      );
  const resolver = value(args, "resolver");
  if (resolver !== undefined && resolver !== "backtracking")
    throw new UsageError(
      `--resolver takes backtracking, not '${resolver}'`,
      "spice has one resolver, which backtracks; drop the option",
    );
  const rounds = value(args, "max-rounds");
  if (rounds !== undefined && !/^[1-9]\d*$/.test(rounds))
    throw new UsageError(`--max-rounds takes a positive whole number, not '${rounds}'`);
  return { environments, required };
}

/**
 * The line ending to write (pip-compile's --newline): LF or CRLF as asked, the system's for
 * native; for preserve (the default, as pip-compile) the output file's, else the first input
 * file's, else LF.
 */
function newlineFor(args: ParsedArgs, outputPath: string | null, inputFiles: readonly string[]): string {
  const asked = (value(args, "newline") ?? "preserve").toLowerCase();
  if (asked === "lf" || asked === "native") return "\n";
  if (asked === "crlf") return "\r\n";
  if (asked !== "preserve")
    throw new UsageError(`--newline takes LF, CRLF, native or preserve, not '${value(args, "newline")}'`);
  for (const path of [...(outputPath === null ? [] : [outputPath]), ...inputFiles.slice(0, 1)]) {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      continue; // not written yet, stdin, a URL
    }
    const end = text.indexOf("\n");
    if (end !== -1) return end > 0 && text[end - 1] === "\r" ? "\r\n" : "\n";
  }
  return "\n";
}

/** A -P/--upgrade-package value: NAME, or NAME with the versions to re-resolve it within. */
function upgradeRequirement(item: string): Requirement {
  try {
    return parseRequirement(item);
  } catch (error) {
    throw new UsageError(
      `--upgrade-package takes NAME or NAME==VERSION, not '${redactText(item)}'`,
      (error as Error).message.split("\n")[0],
    );
  }
}

export async function compile(args: ParsedArgs, context: CommandContext): Promise<number> {
  const started = monotonicMilliseconds();
  const markers = checkCompileOptions(args);
  const annotationStyle = oneOf(
    "annotation-style",
    value(args, "annotation-style"),
    ["split", "line"],
    "split",
  );
  const inputs = await compileInputs(args, context);
  const output = value(args, "output-file");
  const outputPath = output === undefined || output === "-" ? null : resolvePath(context.cwd, output);
  const newline = newlineFor(
    args,
    outputPath,
    inputs.labels.map((label) => resolvePath(context.cwd, label)),
  );
  const asLock = outputFormat(args, outputPath) === "pylock.toml";
  const upgradeAll = flag(args, "upgrade");
  const upgradePackages = values(args, "upgrade-package");
  let earlier = upgradeAll || outputPath === null ? [] : existingPins(outputPath, context);
  for (const item of upgradePackages) {
    const requirement = upgradeRequirement(item);
    earlier = earlier.filter((pin) => pin.name !== requirement.canonicalName);
    if (requirement.specifier.specs.length > 0) inputs.constraints.push(requirement);
  }
  const interpreter = environmentIfAny(args, context).interpreter;
  // Pins for another system too (--platform, --python-platform, --abi, --implementation).
  const target = foreignTarget(interpreter, foreignTargetOptions(args, context.env));
  const universe = flag(args, "universal") ? universeOf(markers, target, inputs.pythonRequirements) : null;
  const settings = indexSettings(args, context, inputs.finder, "install", needsIndex(inputs));
  const sources = openSources(args, context, settings);
  try {
    const omitted = new Set(listValues(args, "no-emit-package").map((name) => canonicalizeName(name)));
    const pins = (await compilePins(inputs, sources, target, universe, args, context, earlier)).filter(
      ({ resolved }) => !omitted.has(resolved.name),
    );
    const packages = pins.map(({ resolved }) => resolved);
    const header = flag(args, "no-header")
      ? []
      : headerLines(
          compileCommand(args, context),
          universe?.space.lowestPython() ?? target.pythonVersion,
          universe,
        );
    if (asLock) {
      const files = await Promise.all(packages.map((resolved) => pinnedFiles(resolved, sources.fetcher)));
      const lockDirectory = outputPath === null ? context.cwd : dirname(outputPath);
      const markers = pins.map(({ marker }) => marker);
      writeOutput(
        pylockText(packages, files, target, lockDirectory, header, settings.indexes, {
          markers,
          environments: universe?.environments ?? [],
        }),
        outputPath,
        args,
        context,
      );
      context.output.info(`Resolved ${plural(packages.length, "package")} in ${elapsed(started)}`);
      return 0;
    }
    const annotate = !flag(args, "no-annotate");
    const emitIndex = flag(args, "emit-index-annotation");
    const stripExtras = flag(args, "strip-extras");
    const lines: string[] = [...header];
    const options = flag(args, "no-emit-options")
      ? []
      : optionLines(settings, args, inputs.finder, outputPath === null ? context.cwd : dirname(outputPath));
    if (options.length > 0) lines.push(...options, "");
    const hashes = flag(args, "generate-hashes")
      ? await Promise.all(packages.map((resolved) => hashesOf(resolved, sources.fetcher)))
      : null;
    packages.forEach((resolved, index) => {
      const extras =
        !stripExtras && resolved.extras.length > 0 ? `[${[...resolved.extras].sort().join(",")}]` : "";
      const marker = pins[index].marker;
      const pin =
        (resolved.direct
          ? `${resolved.name}${extras} @ ${withoutCredentials(resolved.file!.url)}${resolved.file!.subdirectory ? `#subdirectory=${resolved.file!.subdirectory}` : ""}`
          : `${resolved.name}${extras}==${resolved.version}`) + (marker ? ` ; ${marker}` : "");
      const digests = hashes?.[index] ?? [];
      const pinLines =
        digests.length === 0
          ? [pin]
          : [
              `${pin} \\`,
              ...digests.map(
                (digest, position) =>
                  `    --hash=sha256:${digest}${position < digests.length - 1 ? " \\" : ""}`,
              ),
            ];
      // uv's index annotation: the index the pinned file came from, as the user named it.
      const from = emitIndex ? indexOfPin(resolved, settings.indexes) : null;
      const fromLines = from === null ? [] : [`    # from ${withoutCredentials(from)}`];
      if (!annotate) {
        lines.push(...pinLines, ...fromLines);
        return;
      }
      const origins = inputs.origins.get(resolved.name) ?? [];
      const fromInputs = resolved.requiredBy.includes("<root>")
        ? origins.filter((origin) => origin !== "" && !origin.startsWith("-c"))
        : [];
      const fromConstraints = origins.filter((origin) => origin.startsWith("-c"));
      const parents = resolved.requiredBy.filter((parent) => parent !== "<root>");
      // One sorted list, as pip-tools writes it: `-c` and `-r` sources sort first.
      const sources = [...new Set([...fromInputs, ...fromConstraints, ...parents])].sort();
      lines.push(...annotatedLines(pinLines, sources, annotationStyle), ...fromLines);
    });
    writeOutput(`${lines.join(newline)}${newline}`, outputPath, args, context);
    context.output.info(`Resolved ${plural(packages.length, "package")} in ${elapsed(started)}`);
    return 0;
  } finally {
    await sources.close();
  }
}

/**
 * The pins, sorted by name: each with the marker of where it is installed when `universe` is
 * given (--universal: every Python from the target's X.Y on, where --environment says), else with
 * none.
 */
async function compilePins(
  inputs: CompileInputs,
  sources: Sources,
  target: ResolveTarget,
  universe: { space: MarkerSpace; required: MarkerSpace[] } | null,
  args: ParsedArgs,
  context: CommandContext,
  earlier: readonly EarlierPin[],
): Promise<Array<{ resolved: ResolvedPackage; marker: string | null }>> {
  if (universe === null) {
    const preferences = preferredPins(earlier, ({ marker }) => {
      try {
        return marker!.evaluate({ ...target.markers, extra: "" }) ? 2 : 0;
      } catch {
        return 0; // a marker this target cannot evaluate keeps no pin
      }
    });
    const resolution = await resolveInputs(inputs, sources, target, args, context, { preferences });
    // uv's --no-strip-markers: each pin with where the requirements the resolution followed to
    // it (those that hold here) hold.
    const holdsHere = (requirement: Requirement, extra: string) =>
      requirement.marker === null || requirement.marker.evaluate({ ...target.markers, extra });
    const reached = flag(args, "no-strip-markers")
      ? reachability(MarkerSpace.everything, resolution.packages, inputs.requirements, holdsHere)
      : null;
    const printedWithin = consistentPlatforms(MarkerSpace.everything);
    return [...resolution.packages.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((resolved) => ({
        resolved,
        marker: reached?.get(resolved.name)?.toMarkerText(printedWithin) ?? null,
      }));
  }
  const options = resolveOptionsFor(inputs, sources, target, args, context, {});
  options.requiredEnvironments = universe.required;
  let resolution: UniversalResolution;
  try {
    const placed = earlier.map((pin) => ({
      ...pin,
      where: pin.marker && MarkerSpace.of(pin.marker.markers, ""),
    }));
    resolution = await resolveUniversal(options, universe.space, (space) =>
      preferredPins(placed, ({ where }) => (space.within(where!) ? 2 : space.overlaps(where!) ? 1 : 0)),
    );
  } catch (error) {
    // What uv users set `environments` for: a package some platform needs and the index lacks.
    if (
      error instanceof SpiceError &&
      error.code === "E_NO_SOLUTION" &&
      values(args, "environment").length === 0
    )
      throw withHint(
        error,
        "This resolution is for every platform (--universal); --environment MARKER limits it to where MARKER holds, as in --environment \"sys_platform == 'linux'\"",
      );
    throw error;
  }
  warnUninstallable(resolution, context);
  // Printed where a Python runs: `platform_system != 'Windows' and sys_platform == 'linux'` is
  // `sys_platform == 'linux'` there.
  const printedWithin = consistentPlatforms(universe.space);
  return resolution.pins.map(({ resolved, space }) => ({
    resolved,
    marker: space.toMarkerText(printedWithin),
  }));
}

/** The compile output's text to its file, or to stdout (also with --dry-run). */
function writeOutput(
  text: string,
  outputPath: string | null,
  args: ParsedArgs,
  context: CommandContext,
): void {
  const dryRun = flag(args, "dry-run");
  if (outputPath === null || dryRun) context.output.data(text);
  else onDisk(`Could not write ${outputPath}`, () => writeFileAtomic(outputPath, text));
  if (outputPath !== null && dryRun) context.output.info("Dry-run, so nothing updated.");
}
