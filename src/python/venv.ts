// Creating a PEP 405 virtual environment without running Python: the base interpreter's cached
// facts give everything needed (its executable, version and install scheme).

import {
  copyFileSync,
  existsSync,
  lstatSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileSystemFailure, SpiceError } from "../util/error.ts";
import { realDirectory } from "../util/fs.ts";
import { makeDirectories } from "../util/make-directories.ts";
import { activationScripts } from "./activation.ts";
import { schemeFor } from "./environment.ts";
import { type Interpreter, isVirtualEnvironment } from "./interpreter.ts";
import { readPyvenvCfg } from "./pyvenv-cfg.ts";

export interface CreateVenvOptions {
  path: string;
  /** The base interpreter (not itself a venv). */
  base: Interpreter;
  prompt?: string;
  systemSitePackages?: boolean;
  /**
   * Remove what is at the path first: `any` (an explicit --clear: any directory, but never the
   * working directory, one holding it, or the home directory), `venv` (a virtual environment
   * only: SPICE_VENV_CLEAR, a yes on the terminal).
   */
  clear?: "any" | "venv" | false;
  /** Write into an existing directory, keeping its contents. */
  allowExisting?: boolean;
  relocatable?: boolean;
  /** Copy the base interpreter's executable into bin/ instead of linking to it (`python -m venv --copies`). */
  copies?: boolean;
  /** Leave out the `.gitignore` (`python -m venv --without-scm-ignore-files`). */
  withoutScmIgnoreFiles?: boolean;
  /** The command line recorded in pyvenv.cfg. */
  command?: string;
  spiceVersion: string;
}

export interface CreatedVenv {
  root: string;
  /** bin/python */
  python: string;
  replaced: boolean;
  /** No directory was there before this run (or --clear removed it): removing the root undoes the run. */
  fresh: boolean;
  /**
   * With --allow-existing over a venv of another Python (`3.12`): what it was. Its packages stay in
   * that version's site-packages, which the new interpreter does not read.
   */
  previousPythonVersion?: string;
  /** --clear removed the contents of a directory that was no virtual environment. */
  clearedOther?: boolean;
}

/**
 * `--clear` on a directory that is no virtual environment deletes what it holds, as Python's
 * venv does; but `spice venv --clear .` typed for `spice venv --clear` would take a project with
 * it (uv had that report), so the working directory, one holding it, and the home directory are
 * refused.
 */
function refuseToClear(root: string): void {
  const here = realDirectory(process.cwd());
  const target = realDirectory(root);
  const holdsHere = here === target || here.startsWith(target.endsWith("/") ? target : `${target}/`);
  if (!holdsHere && target !== realDirectory(homedir())) return;
  throw new SpiceError(
    "E_VENV_EXISTS",
    `Refusing to clear ${root}: it is ${holdsHere ? (here === target ? "the current directory" : "a directory holding the current one") : "your home directory"}, not a virtual environment`,
    {
      hint: "Name a path for the environment itself, such as .venv (`spice venv --clear .venv`)",
    },
  );
}

function isEmptyDirectory(path: string): boolean {
  return readdirSync(path).length === 0;
}

/** Where a venv at `path` is made: a link to a directory stays, and what it leads to is used, as Python's venv. */
function venvRoot(path: string): string {
  const given = resolve(path);
  return lstatSync(given, { throwIfNoEntry: false })?.isSymbolicLink() && existsSync(given)
    ? realpathSync(given)
    : given;
}

/** Whether creating a venv at `path` would replace a virtual environment there (one with its pyvenv.cfg). */
export function replacesVirtualEnvironment(path: string): boolean {
  const root = venvRoot(path);
  return existsSync(root) && statSync(root).isDirectory() && readPyvenvCfg(root) !== null;
}

export function createVirtualEnvironment(options: CreateVenvOptions): CreatedVenv {
  const root = venvRoot(options.path);
  const facts = options.base.facts;
  if (facts.version_info[0] < 3) {
    throw new SpiceError(
      "E_PYTHON2",
      `Python ${facts.python_full_version} cannot create virtual environments with spice`,
      {
        cause: "PEP 405 virtual environments need Python 3.3 or newer",
        hint: "Pick a Python 3 interpreter with --python (see `spice python list`)",
      },
    );
  }
  if (isVirtualEnvironment(options.base)) {
    throw new SpiceError(
      "E_VENV_BASE",
      `${options.base.path} is itself a virtual environment's interpreter`,
      {
        hint: `Pass its base interpreter instead: --python ${options.base.realPath}`,
      },
    );
  }

  let replaced = false;
  let clearedOther = false;
  let previousPythonVersion: string | undefined;
  // A link to nothing is no place to create one, and is not this run's to remove on failure.
  if (!existsSync(root) && lstatSync(root, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new SpiceError(
      "E_VENV_EXISTS",
      `${root} is a link to ${readlinkSync(root)}, which does not exist`,
      {
        hint: "Create the directory it points to, remove the link, or choose another path",
      },
    );
  }
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) {
      throw new SpiceError("E_VENV_EXISTS", `${root} exists and is not a directory`, {
        hint: "Choose another path",
      });
    }
    const config = readPyvenvCfg(root);
    const isVenv = config !== null;
    const before = (config?.get("version_info") ?? config?.get("version"))?.split(".").slice(0, 2).join(".");
    const after = options.base.facts.version_info.slice(0, 2).join(".");
    if (options.allowExisting && before !== undefined && before !== after) previousPythonVersion = before;
    const empty = isEmptyDirectory(root);
    if (options.clear === "any" && !isVenv && !empty) refuseToClear(root);
    if (options.clear === "any" || (options.clear === "venv" && (isVenv || empty))) {
      rmSync(root, { recursive: true, force: true });
      replaced = isVenv;
      clearedOther = !isVenv && !empty;
    } else if (!options.allowExisting && !empty) {
      if (isVenv) {
        // Its packages would go with it: replacing one takes --clear (or a yes), as uv now has it.
        throw new SpiceError("E_VENV_EXISTS", `A virtual environment already exists at ${root}`, {
          hint: "Pass --clear to replace it (its packages go with it), or --allow-existing to keep them",
        });
      } else {
        throw new SpiceError(
          "E_VENV_EXISTS",
          `${root} exists, is not empty, and is not a virtual environment`,
          {
            hint: "Pass --clear to delete its contents, --allow-existing to write into it, or choose another path",
          },
        );
      }
    }
  }

  const existed = existsSync(root);
  const fresh = !existed;
  try {
    const created = { ...writeEnvironment(root, options, replaced, fresh), clearedOther, fresh };
    return previousPythonVersion === undefined ? created : { ...created, previousPythonVersion };
  } catch (error) {
    // Half an environment is worse than none: what this run created goes.
    if (!existed) {
      try {
        rmSync(root, { recursive: true, force: true });
      } catch {
        // it could not be created either (a name too long)
      }
    }
    throw fileSystemFailure(`Could not create the virtual environment at ${root}`, error) ?? error;
  }
}

function writeEnvironment(
  root: string,
  options: CreateVenvOptions,
  replaced: boolean,
  fresh: boolean,
): Omit<CreatedVenv, "fresh"> {
  const facts = options.base.facts;
  const paths = schemeFor(facts, root, true);
  const bin = join(root, "bin");
  makeDirectories(bin);
  makeDirectories(paths.purelib);
  makeDirectories(paths.platlib);
  // CPython adds lib64 -> lib on 64-bit POSIX systems other than macOS.
  if (facts.pointer_bits === 64 && facts.platform_system !== "Darwin" && !existsSync(join(root, "lib64"))) {
    symlinkSync("lib", join(root, "lib64"));
  }

  const short = `${facts.version_info[0]}.${facts.version_info[1]}`;
  const baseExecutable = facts.executable || options.base.path;
  // With copies, each name is a copy of the executable itself, as Python's venv makes them; an
  // environment rewritten in place keeps the copies it has (Python's venv copies over them too).
  const keepsCopies =
    options.allowExisting && lstatSync(join(bin, "python"), { throwIfNoEntry: false })?.isFile();
  const copied = options.copies || keepsCopies ? realpathSync(baseExecutable) : null;
  const link = (name: string, target: string) => {
    const path = join(bin, name);
    // In a directory made just now there is nothing to replace (and fs.rmSync's first call loads
    // Node's rimraf: about 1 ms of a venv's 30 past Node's start).
    if (!fresh) rmSync(path, { force: true });
    if (copied === null) symlinkSync(target, path);
    else copyFileSync(copied, path);
  };
  link("python", baseExecutable);
  link(`python${facts.version_info[0]}`, "python");
  link(`python${short}`, "python");
  // A build's own name too, as Python's venv makes it: python3.13t (free-threaded), python3.13d.
  const ownName = basename(baseExecutable);
  if (/^python\d+\.\d+[a-z]+$/.test(ownName) && ownName.startsWith(`python${short}`)) link(ownName, "python");

  const prompt = options.prompt ?? basename(root);
  const config = [
    `home = ${join(baseExecutable, "..")}`,
    `implementation = ${facts.implementation_name === "cpython" ? "CPython" : facts.implementation_name}`,
    `version_info = ${facts.python_full_version}`,
    `include-system-site-packages = ${options.systemSitePackages ? "true" : "false"}`,
    `version = ${facts.python_full_version}`,
    `executable = ${options.base.realPath}`,
    `command = ${options.command ?? `spice venv ${root}`}`,
    ...(options.prompt !== undefined ? [`prompt = ${options.prompt}`] : []),
    ...(options.relocatable ? ["relocatable = true"] : []),
    `spice = ${options.spiceVersion}`,
  ];
  writeFileSync(join(root, "pyvenv.cfg"), `${config.join("\n")}\n`);
  for (const [name, content] of Object.entries(
    activationScripts({ prefix: root, prompt, relocatable: options.relocatable ?? false }),
  )) {
    writeFileSync(join(bin, name), content);
  }
  if (!options.withoutScmIgnoreFiles) writeFileSync(join(root, ".gitignore"), "*\n");
  return { root, python: join(bin, "python"), replaced };
}
