// spice pip list | freeze | show | check | tree: read from dist-info directories, no Python run.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { editableOrigin } from "../../install/editable-origin.ts";
import { requiresTxtAsPipReads } from "../../install/egg-info.ts";
import {
  activeRequirements,
  type DirectUrl,
  type InstalledDistribution,
  installedDistributions,
  isLocal,
  searchPath,
} from "../../install/installed.ts";
import { type Environment, userEnvironment } from "../../python/environment.ts";
import { markerEnvironment } from "../../python/interpreter.ts";
import { foreignTarget, isForeign } from "../../python/target.ts";
import { metadataToJson } from "../../standards/metadata-json.ts";
import { canonicalizeName, isValidName } from "../../standards/name.ts";
import { compareVersions } from "../../standards/version.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { expandUser } from "../../util/fs.ts";
import { flag, oneOf, type ParsedArgs, value, values } from "../args.ts";
import { selectFromArgs } from "../environment-options.ts";
import type { CommandContext } from "../main.ts";
import {
  asPipPrints,
  checkDistributions,
  freezeAlongFiles,
  freezeLines,
  type LatestRelease,
  listColumns,
  listFreezeFormat,
  listJson,
  nameVersion,
  PIP_VERSION,
  pipUsesImportlibMetadata,
  showBlock,
} from "../pip-format.ts";

import { foreignTargetOptions } from "../resolver-flags.ts";

// pip never lists these: they are part of Python itself.
const STDLIB_PACKAGES = new Set(["python", "wsgiref", "argparse"]);

/** The environment's distributions; with `pipOrder`, in the order pip 23 finds them (see check). */
function load(args: ParsedArgs, context: CommandContext, pipOrder = false) {
  // `--user` here filters what is listed; it does not choose the user site as install's does.
  const userOnly = flag(args, "user");
  const paths = values(args, "path").map((path) => resolve(expandUser(path, context.env)));
  if (paths.length > 0 && (userOnly || flag(args, "local")))
    throw new UsageError("Cannot combine '--path' with '--user' or '--local'");
  const options = new Map([...args.options].filter(([name]) => name !== "user"));
  // `--path DIR` reads DIR, as pip's does with any interpreter: without an environment here, the
  // python3 on PATH gives the markers (read, never changed), as spice doctor examines it.
  if (paths.length > 0 && !options.has("system")) options.set("system", true);
  const selectArgs = { ...args, options };
  const { environment } = selectFromArgs(selectArgs, context, false);
  const markers = markerEnvironment(environment.interpreter);
  // `--path DIR` (list, freeze): only what those directories hold, as pip's option of that name.
  let distributions = installedDistributions(
    paths.length > 0 ? paths : searchPath(environment.sitePackages),
    {
      directoryOrder: pipOrder && pipUsesImportlibMetadata(markers),
      // pip's words, so that scripts that look for them find them.
      onNameless: (path) => context.output.warn(`Skipping ${path} due to invalid metadata entry 'name'`),
    },
  );
  // `--local`: in a virtual environment that sees the global site-packages, only its own (pip's -l).
  if (flag(args, "local")) distributions = distributions.filter((dist) => isLocal(environment, dist));
  if (userOnly) {
    const userSite = `${resolve(userEnvironment(environment.interpreter, context.env).scheme.purelib)}/`;
    distributions = distributions.filter((dist) => `${resolve(dist.location)}/`.startsWith(userSite));
  }
  return { environment, distributions, markers };
}

/**
 * pip's words for a direct_url.json it cannot read, said by the commands that read it (list,
 * freeze and inspect of every distribution, show of those shown); pip then takes the
 * distribution as installed from an index.
 */
function warnUnreadableDirectUrls(
  distributions: readonly InstalledDistribution[],
  context: CommandContext,
): void {
  for (const dist of distributions) {
    const error = dist.directUrlError;
    if (error !== null)
      context.output.warn(`Error parsing direct_url.json for ${dist.canonicalName}: ${error}`);
  }
}

// The bundle of the inspection commands alone (scripts/build.mjs: dist/inspect.cjs) leaves the
// index client out: the entry runs the whole CLI for --outdated and --uptodate (src/cli/entry.ts).
declare const SPICE_ONLY_PIP_INSPECTION: boolean | undefined;

/** The index client and resolver, loaded only for --outdated and --uptodate: plain `list` stays lean. */
async function outdatedModule(): Promise<typeof import("./pip-outdated.ts")> {
  return typeof SPICE_ONLY_PIP_INSPECTION === "undefined"
    ? import("./pip-outdated.ts")
    : Promise.reject(
        new Error("this bundle has no index client (src/cli/entry.ts runs the whole CLI for --outdated)"),
      );
}

export async function list(args: ParsedArgs, context: CommandContext): Promise<number> {
  const format = oneOf("format", value(args, "format"), ["columns", "freeze", "json"], "columns");
  const outdated = flag(args, "outdated");
  const uptodate = flag(args, "uptodate");
  if (outdated && uptodate) throw new UsageError("Options --outdated and --uptodate cannot be combined.");
  if (outdated && format === "freeze")
    throw new UsageError("List format 'freeze' cannot be used with the --outdated option.");
  const { environment, distributions, markers } = load(args, context);
  warnUnreadableDirectUrls(distributions, context);
  const skip = new Set([
    ...STDLIB_PACKAGES,
    ...values(args, "exclude").map((name) => canonicalizeName(name)),
  ]);
  let shown = distributions.filter((dist) => !skip.has(dist.canonicalName));
  if (flag(args, "editable")) shown = shown.filter((dist) => dist.editableLocation !== null);
  if (flag(args, "exclude-editable")) shown = shown.filter((dist) => dist.editableLocation === null);
  if (flag(args, "not-required")) {
    const required = new Set(
      shown.flatMap((dist) =>
        activeRequirements(dist, markers).map((requirement) => requirement.canonicalName),
      ),
    );
    shown = shown.filter((dist) => !required.has(dist.canonicalName));
  }
  let latest: Map<string, LatestRelease> | null = null;
  if (outdated || uptodate) {
    latest = await (await outdatedModule()).latestReleases(shown, environment, args, context);
    const found = latest;
    shown = shown.filter((dist) => {
      const release = found.get(dist.canonicalName);
      if (release === undefined || dist.version === null) return false; // not on the index: left out, as pip
      const order = compareVersions(release.version, dist.version);
      return outdated ? order > 0 : order === 0;
    });
  }
  const columnsOf = outdated ? latest : null; // pip adds Latest and Type for --outdated only
  const verbose = context.output.settings.verbose;
  if (format === "json") context.output.data(listJson(shown, verbose, columnsOf));
  else {
    const lines =
      format === "freeze" ? listFreezeFormat(shown, verbose) : listColumns(shown, verbose, columnsOf);
    if (lines.length > 0) context.output.data(asPipPrints(lines.join("\n")));
  }
  strictCheck(args, environment, context);
  return 0;
}

export function freeze(args: ParsedArgs, context: CommandContext): number {
  const { environment, distributions } = load(args, context);
  warnUnreadableDirectUrls(distributions, context);
  // As list, and with --all too: pip's freeze never prints what it counts as part of Python.
  const skip = new Set([
    ...STDLIB_PACKAGES,
    ...values(args, "exclude").map((name) => canonicalizeName(name)),
  ]);
  if (!flag(args, "all")) {
    skip.add("pip");
    // pip 23.2 hides the build backends on Pythons before 3.12 only.
    const [major, minor] = environment.interpreter.facts.version_info;
    if (major === 3 && minor < 12) for (const name of ["setuptools", "distribute", "wheel"]) skip.add(name);
  }
  // A METADATA without Version (pip's own freeze fails on it) would be frozen as `name===`, a
  // line no installer reads: left out, with a warning in the words pip has for a missing Name.
  let shown = distributions.filter((dist) => {
    if (dist.rawVersion !== "" || skip.has(dist.canonicalName)) return true;
    context.output.warn(`Skipping ${dist.path} due to invalid metadata entry 'version'`);
    return false;
  });
  if (flag(args, "exclude-editable")) shown = shown.filter((dist) => dist.editableLocation === null);
  const requirementFiles = values(args, "requirement");
  const editableLines = (dist: InstalledDistribution, location: string): string[] => {
    const origin = editableOrigin(location, dist.name, nameVersion(dist));
    if (origin.warning !== undefined) context.output.warn(origin.warning);
    return [...origin.comments, `-e ${origin.requirement}`];
  };
  const lines =
    requirementFiles.length === 0
      ? freezeLines(shown, skip, editableLines)
      : freezeAlongFiles(
          requirementFiles.map((path) => ({ path, text: readRequirementsText(path, context) })),
          shown,
          skip,
          editableLines,
          context.output,
        );
  if (lines.length > 0) context.output.data(lines.join("\n"));
  strictCheck(args, environment, context);
  return 0;
}

function readRequirementsText(path: string, context: CommandContext): string {
  try {
    return readFileSync(resolve(context.cwd, path), "utf8");
  } catch (error) {
    throw new SpiceError("E_REQUIREMENTS_FILE", `Could not open requirements file ${path}`, {
      cause: (error as Error).message,
    });
  }
}

export function show(args: ParsedArgs, context: CommandContext): number {
  if (args.positionals.length === 0)
    throw new UsageError("spice pip show needs at least one name", "spice pip show requests");
  const { environment, distributions, markers } = load(args, context);
  const byName = new Map(distributions.map((dist) => [dist.canonicalName, dist]));
  const missing = args.positionals.filter((name) => !byName.has(canonicalizeName(name))).sort();
  if (missing.length > 0) context.output.warn(`Package(s) not found: ${missing.join(", ")}`);
  warnUnreadableDirectUrls(
    args.positionals.flatMap((name) => byName.get(canonicalizeName(name)) ?? []),
    context,
  );
  const blocks: string[] = [];
  for (const name of args.positionals) {
    const dist = byName.get(canonicalizeName(name));
    if (dist)
      blocks.push(
        showBlock(dist, distributions, markers, flag(args, "files"), context.output.settings.verbose).join(
          "\n",
        ),
      );
  }
  if (blocks.length > 0) context.output.data(asPipPrints(blocks.join("\n---\n")));
  strictCheck(args, environment, context);
  return blocks.length > 0 ? 0 : 1;
}

/**
 * uv's --strict: after the command (an install, a sync, a listing), what `pip check` would find
 * in the environment, as warnings (a dependency missing or of a version its dependent does not take).
 */
export function strictCheck(args: ParsedArgs, environment: Environment, context: CommandContext): void {
  if (!flag(args, "strict")) return;
  const markers = markerEnvironment(environment.interpreter);
  const result = checkDistributions(installedDistributions(searchPath(environment.sitePackages)), markers);
  for (const line of [...result.warnings, ...result.lines]) context.output.warn(line);
}

export function check(args: ParsedArgs, context: CommandContext): number {
  // pip check reports in the order it finds distributions: as each directory lists them on
  // Python 3.11+ (importlib.metadata), sorted by directory name before (pkg_resources).
  const { environment, distributions, markers } = load(args, context, true);
  // uv's --python-version and --python-platform: the requirements that apply there.
  const foreign = foreignTargetOptions(args, context.env);
  const result = checkDistributions(
    distributions,
    isForeign(foreign) || foreign.pythonVersion !== undefined
      ? foreignTarget(environment.interpreter, foreign).markers
      : markers,
  );
  for (const warning of result.warnings) context.output.warn(warning);
  if (result.lines.length > 0) context.output.data(asPipPrints(result.lines.join("\n")));
  if (!result.broken) context.output.data("No broken requirements found.");
  return result.broken ? 1 : 0;
}

export async function tree(args: ParsedArgs, context: CommandContext): Promise<number> {
  const { environment, distributions, markers } = load(args, context);
  // uv's --outdated: the index's newest release beside each distribution it is newer than.
  const latest = flag(args, "outdated")
    ? await (await outdatedModule()).latestReleases(distributions, environment, args, context)
    : null;
  const byName = new Map(distributions.map((dist) => [dist.canonicalName, dist]));
  const depthText = value(args, "depth");
  const maxDepth = depthText === undefined ? Number.POSITIVE_INFINITY : Number(depthText);
  if (depthText !== undefined && !/^\d+$/.test(depthText))
    throw new UsageError(`--depth takes a whole number, not '${depthText}'`);
  const reverse = flag(args, "reverse") || flag(args, "invert");
  const pruned = new Set(values(args, "prune").map((name) => canonicalizeName(name)));
  const dedupe = !flag(args, "no-dedupe");
  const edges = new Map<string, Array<{ name: string; spec: string }>>();
  for (const dist of distributions) {
    for (const requirement of activeRequirements(dist, markers)) {
      const from = reverse ? requirement.canonicalName : dist.canonicalName;
      const to = reverse ? dist.canonicalName : requirement.canonicalName;
      const list = edges.get(from) ?? [];
      list.push({ name: to, spec: requirement.specifier.toString() || "*" });
      edges.set(from, list);
    }
  }
  const label = (name: string) => {
    const dist = byName.get(name);
    if (dist === undefined) return `${name} (missing)`;
    const release = latest?.get(name);
    const newer =
      release !== undefined && dist.version !== null && compareVersions(release.version, dist.version) > 0;
    return `${dist.name} v${dist.displayVersion}${newer ? ` (latest: v${release.version})` : ""}`;
  };
  const lines: string[] = [];
  // Subtrees already shown in full: later ones are marked (*) and not shown again (uv's dedupe).
  const shown = new Set<string>();
  const childrenOf = (name: string) =>
    [...(edges.get(name) ?? [])]
      .filter((child) => !pruned.has(child.name))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  const walk = (name: string, prefix: string, depth: number, seen: Set<string>) => {
    const children = childrenOf(name);
    if (depth >= maxDepth) return;
    children.forEach((child, index) => {
      const last = index === children.length - 1;
      const again =
        seen.has(child.name) ||
        (dedupe && shown.has(child.name) && childrenOf(child.name).length > 0 && depth + 1 < maxDepth);
      const requirement = reverse ? "" : ` [required: ${child.spec}]`;
      lines.push(
        `${prefix}${last ? "└── " : "├── "}${label(child.name)}${requirement}${again ? " (*)" : ""}`,
      );
      if (again) return;
      shown.add(child.name);
      walk(child.name, `${prefix}${last ? "    " : "│   "}`, depth + 1, new Set([...seen, child.name]));
    });
  };
  const requiredByOthers = new Set([...edges.values()].flat().map((edge) => edge.name));
  const named = [...args.positionals, ...values(args, "package")];
  // A name is printed as the root of its tree: a requirement or a URL is none (the command-line
  // fuzzer had one print `foo @ git+https://user:secret@...` as a missing package).
  for (const name of named)
    if (!isValidName(name))
      throw new UsageError(
        `Invalid package name: '${name}'`,
        "Name installed distributions: spice pip tree requests",
      );
  const roots = (
    named.length > 0
      ? named.map((name) => canonicalizeName(name))
      : distributions
          .map((dist) => dist.canonicalName)
          .filter((name) => reverse || !requiredByOthers.has(name))
          .sort()
  ).filter((name) => !pruned.has(name));
  for (const root of roots) {
    lines.push(label(root));
    shown.add(root);
    walk(root, "", 0, new Set([root]));
  }
  if (lines.length > 0) context.output.data(lines.join("\n"));
  strictCheck(args, environment, context);
  return 0;
}

/**
 * direct_url.json as pip's DirectUrl.to_dict() gives it back: url (without credentials, except
 * `git@` for git and environment-variable forms, per PEP 610), subdirectory, then the one info
 * object with pip's fields.
 */
function directUrlForReport(direct: DirectUrl): Record<string, unknown> {
  const info = direct.vcs_info
    ? [
        "vcs_info",
        {
          vcs: direct.vcs_info.vcs,
          requested_revision: direct.vcs_info.requested_revision,
          commit_id: direct.vcs_info.commit_id,
        },
      ]
    : direct.archive_info
      ? ["archive_info", { hash: direct.archive_info.hash, hashes: direct.archive_info.hashes }]
      : ["dir_info", { editable: direct.dir_info?.editable ? true : undefined }];
  let url = direct.url;
  const at = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@/i.exec(url);
  if (at !== null) {
    const userInfo = at[2];
    const keep =
      (direct.vcs_info?.vcs === "git" && userInfo === "git") ||
      /^\$\{[A-Za-z0-9-_]+\}(:\$\{[A-Za-z0-9-_]+\})?$/.test(userInfo);
    if (!keep) url = at[1] + url.slice(at[0].length);
  }
  // Fields left undefined are left out when the report is written (JSON.stringify), as pip leaves out None.
  return { url, subdirectory: direct.subdirectory, [info[0] as string]: info[1] };
}

/** The headers pip adds to an .egg-info's metadata from its requires.txt, where PKG-INFO has none. */
function requiresTxtHeaders(dist: InstalledDistribution): Array<[string, string]> {
  const text = dist.format === "egg-info" ? dist.readFile("requires.txt") : null;
  if (text === null) return [];
  const { requiresDist, providesExtra } = requiresTxtAsPipReads(text);
  const has = (field: string) => ((dist.metadata.raw[field] as string[] | undefined) ?? []).length > 0;
  return [
    ...(has("requires_dist") ? [] : requiresDist.map((value): [string, string] => ["Requires-Dist", value])),
    ...(has("provides_extra")
      ? []
      : providesExtra.map((value): [string, string] => ["Provides-Extra", value])),
  ];
}

/** `spice pip inspect`: pip 23.2's JSON report (version 1) of what the environment holds. */
export function inspect(args: ParsedArgs, context: CommandContext): number {
  const { distributions, markers } = load(args, context, true);
  warnUnreadableDirectUrls(distributions, context);
  const viaImportlib = pipUsesImportlibMetadata(markers);
  const installed = distributions
    .filter((dist) => !STDLIB_PACKAGES.has(dist.canonicalName))
    .map((dist) => {
      const entry: Record<string, unknown> = {
        // importlib.metadata reads METADATA in text mode (newlines made \n); pkg_resources does not.
        metadata: metadataToJson(
          viaImportlib ? dist.metadataText.replace(/\r\n?/g, "\n") : dist.metadataText,
          viaImportlib,
          requiresTxtHeaders(dist),
        ),
        metadata_location: dist.path,
      };
      const direct = dist.directUrl;
      if (direct !== null) entry.direct_url = directUrlForReport(direct);
      if (dist.installer) entry.installer = dist.installer;
      if (dist.format === "dist-info") entry.requested = dist.readFile("REQUESTED") !== null;
      return entry;
    });
  const report = { version: "1", pip_version: PIP_VERSION, installed, environment: markers };
  context.output.data(JSON.stringify(report, null, 2));
  return 0;
}
