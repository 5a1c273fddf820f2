// spice pip install (local wheels and --find-links directories in this version) and uninstall.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Cache } from "../../cache/store.ts";
import { installedDistributions, searchPath } from "../../install/installed.ts";
import {
  type InstallItem,
  installWheels,
  type LinkMode,
  uninstallDistributions,
} from "../../install/installer.ts";
import {
  type LocalWheel,
  localWheel,
  selectLocalWheels,
  wheelsInDirectory,
} from "../../install/local-wheels.ts";
import { unpackIntoCache } from "../../install/parallel-unpack.ts";
import { SCRATCH_PREFIX } from "../../install/transaction.ts";
import { type UnpackedWheel, unpackedWheel } from "../../install/wheel-cache.ts";
import { readPyvenvCfg } from "../../python/environment.ts";
import { canonicalizeName } from "../../standards/name.ts";
import { parseRequirement, type Requirement } from "../../standards/requirement.ts";
import { readRequirementsFile } from "../../standards/requirements-txt.ts";
import { SpiceError, UsageError } from "../../util/error.ts";
import { localFileHost } from "../../util/file-host.ts";
import { flag, type ParsedArgs, value, values } from "../args.ts";
import { announceEnvironment, elapsed, selectFromArgs } from "../environment-options.ts";
import type { CommandContext } from "../main.ts";

const LINK_MODES = ["clone", "hardlink", "symlink", "copy"];

function requirementsFromFiles(
  files: string[],
  context: CommandContext,
): { requirements: Requirement[]; wheels: string[]; findLinks: string[] } {
  const requirements: Requirement[] = [];
  const wheels: string[] = [];
  const findLinks: string[] = [];
  for (const file of files) {
    const result = readRequirementsFile(file, localFileHost(context.cwd, context.env));
    if (result.error !== null) {
      const [message, ...rest] = result.error.message.split("\n");
      throw new SpiceError("E_REQUIREMENTS_FILE", message, {
        cause: rest.join(" ").trim() || undefined,
        hint: `Fix ${file}; spice reads it exactly as pip does`,
      });
    }
    findLinks.push(...(result.options?.findLinks ?? []));
    for (const entry of result.entries) {
      const install = entry.installRequirement!;
      if (install.editable)
        throw new SpiceError(
          "E_EDITABLE",
          `${entry.parsed.file}:${entry.parsed.line}: editable installs (-e) are not supported yet`,
        );
      if (entry.parsed.constraint) continue;
      if (install.link?.startsWith("file:") && install.link.endsWith(".whl"))
        wheels.push(new URL(install.link).pathname);
      else if (install.link !== null)
        throw new SpiceError(
          "E_UNSUPPORTED",
          `${entry.parsed.file}:${entry.parsed.line}: ${install.link} needs an index or a download, which arrive in a later version`,
        );
      else
        requirements.push(
          parseRequirement(
            entry.parsed.requirement.split(";")[0].trim() + (install.markers ? `; ${install.markers}` : ""),
          ),
        );
    }
  }
  return { requirements, wheels, findLinks };
}

function directUrlFor(wheel: LocalWheel, sha256: string): object {
  return {
    archive_info: { hash: `sha256=${sha256}`, hashes: { sha256 } },
    url: pathToFileURL(wheel.path).toString(),
  };
}

export async function install(args: ParsedArgs, context: CommandContext): Promise<number> {
  const started = performance.now();
  const linkMode = value(args, "link-mode");
  if (linkMode !== undefined && !LINK_MODES.includes(linkMode))
    throw new UsageError(`--link-mode takes ${LINK_MODES.join(", ")}, not '${linkMode}'`);
  const fromFiles = requirementsFromFiles(values(args, "requirement"), context);
  const direct: LocalWheel[] = [...fromFiles.wheels.map(localWheel)];
  const requirements: Requirement[] = [...fromFiles.requirements];
  for (const argument of args.positionals) {
    if (argument.endsWith(".whl") || existsSync(argument)) direct.push(localWheel(argument));
    else {
      try {
        requirements.push(parseRequirement(argument));
      } catch (error) {
        throw new UsageError(
          `'${argument}' is neither a wheel file nor a requirement`,
          (error as Error).message.split("\n")[0],
        );
      }
    }
  }
  if (direct.length === 0 && requirements.length === 0)
    throw new UsageError(
      "spice pip install needs wheels or requirements",
      "spice pip install ./dist/pkg-1.0-py3-none-any.whl",
    );
  const findLinks = [...values(args, "find-links"), ...fromFiles.findLinks];
  if (requirements.length > 0 && findLinks.length === 0) {
    throw new SpiceError("E_NO_SOURCE", `Nowhere to find ${requirements.map(String).join(", ")}`, {
      cause: "this version of spice installs from local wheel files; package indexes arrive in the next",
      hint: "Pass the wheel files themselves, or --find-links DIR with a directory of wheels",
    });
  }

  const { environment } = selectFromArgs(args, context, true);
  announceEnvironment(environment, context);
  const installed = installedDistributions(searchPath(environment.sitePackages));
  const reinstall = flag(args, "force-reinstall") || flag(args, "reinstall");
  const selections = selectLocalWheels({
    environment,
    direct,
    requirements,
    available: findLinks.flatMap((directory) => wheelsInDirectory(directory)),
    installed,
    noDeps: flag(args, "no-deps"),
    reinstall,
    upgrade: flag(args, "upgrade"),
    ignoreTags: flag(args, "ignore-tags"),
  });
  const current = new Map(installed.map((dist) => [dist.canonicalName, dist.displayVersion]));
  const toInstall = selections.filter(
    (selection) =>
      reinstall || current.get(selection.wheel.filename.name) !== selection.wheel.filename.version.toString(),
  );
  if (toInstall.length === 0) {
    context.output.info(
      `Audited ${selections.length} package${selections.length === 1 ? "" : "s"} in ${elapsed(started)}`,
    );
    return 0;
  }
  const cache = context.cacheDir === null ? null : new Cache(context.cacheDir);
  // Unpacking without a cache happens beside the environment (same filesystem, so links work).
  mkdirSync(environment.scheme.purelib, { recursive: true });
  // Without a cache, wheels are unpacked beside the environment (same filesystem, so links
  // work); the pid in the name lets a later run remove what a killed one left.
  const scratch =
    cache === null
      ? mkdtempSync(join(environment.scheme.purelib, "..", `${SCRATCH_PREFIX}${process.pid}-`))
      : "";
  try {
    // Fill the cache first, on two threads when there is enough to unpack.
    let prepared = new Map<string, UnpackedWheel>();
    if (cache !== null) {
      // The worker runs this same bundle; under the TypeScript test loader there is none.
      const oneThread = context.env.SPICE_UNPACK_THREADS === "1";
      const entry = !oneThread && process.argv[1]?.endsWith(".mjs") ? pathToFileURL(process.argv[1]) : null;
      prepared = await unpackIntoCache(
        toInstall.map((selection) => selection.wheel.path),
        cache,
        entry,
      );
    }
    const items: InstallItem[] = toInstall.map((selection) => {
      const wheel = prepared.get(selection.wheel.path) ?? unpackedWheel(selection.wheel.path, cache, scratch);
      return {
        wheel,
        requested: selection.requested,
        directUrl: selection.direct ? directUrlFor(selection.wheel, wheel.manifest.sha256) : null,
      };
    });
    const result = installWheels(items, {
      environment,
      linkMode: (linkMode as LinkMode | undefined) ?? null,
      compile: flag(args, "compile") && !flag(args, "no-compile"),
      // A venv created with --relocatable gets scripts that find python beside themselves.
      relocatableScripts:
        environment.kind === "venv" && readPyvenvCfg(environment.root)?.get("relocatable") === "true",
      onLinkModeFallback: (message) => context.output.verbose(message),
    });
    if (result.recovered) context.output.warn("rolled back an install that was interrupted earlier");
    context.output.verbose(`link mode: ${result.linkMode}`);
    context.output.info(
      `Installed ${result.installed.length} package${result.installed.length === 1 ? "" : "s"} in ${elapsed(started)}`,
    );
    const changes = [
      ...result.removed.map(
        (dist) =>
          [canonicalizeName(dist.name), ` - ${canonicalizeName(dist.name)}==${dist.version}`] as const,
      ),
      ...result.installed.map(
        (dist) =>
          [canonicalizeName(dist.name), ` + ${canonicalizeName(dist.name)}==${dist.version}`] as const,
      ),
      // By name; a removed version before the one replacing it.
    ].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1].startsWith(" -") ? -1 : 1));
    for (const [, line] of changes) context.output.info(line);
    return 0;
  } finally {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
  }
}

export function uninstall(args: ParsedArgs, context: CommandContext): number {
  const started = performance.now();
  const names = [...args.positionals];
  for (const file of values(args, "requirement")) {
    const result = readRequirementsFile(file, localFileHost(context.cwd, context.env));
    if (result.error !== null)
      throw new SpiceError("E_REQUIREMENTS_FILE", result.error.message.split("\n")[0]);
    for (const entry of result.entries)
      if (entry.installRequirement?.name) names.push(entry.installRequirement.name);
  }
  if (names.length === 0)
    throw new UsageError("spice pip uninstall needs names", "spice pip uninstall requests");
  const { environment } = selectFromArgs(args, context, true);
  announceEnvironment(environment, context);
  const installed = new Map(
    installedDistributions(searchPath(environment.sitePackages)).map((dist) => [dist.canonicalName, dist]),
  );
  const targets = [];
  for (const name of new Set(names.map((entry) => canonicalizeName(entry)))) {
    const dist = installed.get(name);
    if (dist === undefined) context.output.warn(`Skipping ${name} as it is not installed.`);
    else targets.push(dist);
  }
  if (targets.length === 0) return 0;
  const removed = uninstallDistributions(environment, targets);
  context.output.info(
    `Uninstalled ${removed.length} package${removed.length === 1 ? "" : "s"} in ${elapsed(started)}`,
  );
  for (const dist of [...removed].sort((a, b) =>
    canonicalizeName(a.name) < canonicalizeName(b.name) ? -1 : 1,
  )) {
    context.output.info(` - ${canonicalizeName(dist.name)}==${dist.version}`);
  }
  return 0;
}
