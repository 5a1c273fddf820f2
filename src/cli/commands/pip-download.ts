// `spice pip download` and `spice pip wheel`: what the requirements (or a lock) resolve to,
// saved into a directory: a wheelhouse for --find-links and --no-index, for this system or another.

import { existsSync, readFileSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { foreignTarget } from "../../python/target.ts";
import { monotonicMilliseconds } from "../../util/clock.ts";
import { SpiceError } from "../../util/error.ts";
import { copyFileAtomic, onCacheDisk, onDisk } from "../../util/fs.ts";
import { sha256Hex } from "../../util/hash.ts";
import { makeDirectories } from "../../util/make-directories.ts";
import { type ParsedArgs, value, values } from "../args.ts";
import { elapsed, environmentIfAny } from "../environment-options.ts";
import { checkFetchedHash, checkHashingMode } from "../hash-checking.ts";
import { indexSettings, openSources } from "../index-settings.ts";
import type { CommandContext } from "../main.ts";
import { downloadProgressUnlessOff } from "../progress.ts";
import { chosenLine, lockedResolution, lockOrCommandLineRequirements } from "../pylock.ts";
import { needsIndex, resolveInputs } from "../resolution-options.ts";
import { foreignTargetOptions } from "../resolver-flags.ts";

/** A path as pip's display_path shows it: `./rel` below the working directory, else absolute. */
function pipDisplayPath(path: string, cwd: string): string {
  return path.startsWith(`${cwd}/`) ? `.${path.slice(cwd.length)}` : path;
}

/**
 * `spice pip wheel -w DIR`: pip's wheelhouse command, for what needs no build: the wheels the
 * requirements resolve to, saved into DIR (default: the current directory). A requirement with
 * only a source distribution is refused with the resolver's hint, since building comes later.
 */
export async function wheel(args: ParsedArgs, context: CommandContext): Promise<number> {
  const editable = values(args, "editable");
  if (editable.length > 0)
    throw new SpiceError("E_EDITABLE", `${editable[0]} is a project to build, and spice does not build yet`, {
      cause: "pip wheel -e builds the project's wheel with its build backend",
      hint: "Build a wheel (`python -m build --wheel` in the project), and give spice the .whl file",
    });
  const options = new Map(args.options);
  options.set("only-binary", [...values(args, "only-binary"), ":all:"]);
  const directory = value(args, "wheel-dir");
  if (directory !== undefined) options.set("dest", [directory]);
  return download({ ...args, options }, context, "wheel");
}

export async function download(
  args: ParsedArgs,
  context: CommandContext,
  command: "download" | "wheel" = "download",
): Promise<number> {
  const started = monotonicMilliseconds();
  // A lock file's wheels download too: a wheelhouse for a locked set (for another system with
  // --platform), what spice pip install -r pylock.toml would install.
  const { lock, inputs } = await lockOrCommandLineRequirements(
    args,
    context,
    { message: `spice pip ${command} needs requirements`, hint: `spice pip ${command} -r requirements.txt` },
    "download",
  );
  const hashing = lock !== null || checkHashingMode(inputs, args);
  const directory = resolvePath(context.cwd, value(args, "dest") ?? ".");
  const interpreter = environmentIfAny(args, context).interpreter;
  const target = foreignTarget(interpreter, foreignTargetOptions(args, context.env));
  const settings = indexSettings(
    args,
    context,
    inputs.finder,
    "download",
    lock === null && needsIndex(inputs),
  );
  const sources = openSources(args, context, settings);
  const progress = downloadProgressUnlessOff(args, context.output);
  sources.fetcher.progress = progress;
  try {
    const locked = lockedResolution(lock, target, args);
    const resolution = locked?.resolution ?? (await resolveInputs(inputs, sources, target, args, context));
    const hashes = locked?.hashes ?? inputs.hashes;
    onDisk(`Could not make the directory ${directory}`, () => makeDirectories(directory));
    const packages = [...resolution.packages.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const saved = await Promise.all(
      packages.map(async (resolved) => {
        const file = resolved.file!;
        const archive = await sources.fetcher.archive(file);
        checkFetchedHash(resolved, archive, hashing ? hashes : null);
        const destination = join(directory, file.filename);
        const already = existsSync(destination) && sha256Hex(readFileSync(destination)) === archive.sha256;
        // A kept download gone before it is copied out: the cache emptied by another process.
        if (!already)
          onCacheDisk(`Could not save ${file.filename} into ${directory}`, sources.cache?.root ?? null, () =>
            copyFileAtomic(archive.path, destination),
          );
        return [file.filename, already] as const;
      }),
    );
    context.output.info(chosenLine(packages.length, lock, elapsed(started)));
    // pip's lines, which scripts look for: each file's path as pip displays it, then the names.
    for (const [filename, already] of saved) {
      const path = join(directory, filename);
      context.output.info(
        already ? `  File was already downloaded ${path}` : `Saved ${pipDisplayPath(path, context.cwd)}`,
      );
    }
    if (command === "download" && packages.length > 0)
      context.output.info(`Successfully downloaded ${packages.map((resolved) => resolved.name).join(" ")}`);
    return 0;
  } finally {
    progress?.done();
    await sources.close();
  }
}
