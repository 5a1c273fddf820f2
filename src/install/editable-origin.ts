// Where an editable install's project came from, as pip 23.2's `freeze` says it: a git checkout
// with a remote becomes `git+REMOTE@COMMIT#egg=NAME` (with `&subdirectory=` when the project sits
// below the repository's root), anything else its directory under a comment saying why. This asks
// git, as pip does; only for editable installs, so a freeze without them starts no process.

import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { nodeChildProcess } from "../util/lazy-builtins.ts";

export interface EditableOrigin {
  /** What follows `-e `. */
  requirement: string;
  /** Lines pip writes above it. */
  comments: string[];
  /** What pip logs as a warning (to stderr), if anything. */
  warning?: string;
}

/** The outcome of one git command: its output, or why there was none. */
type GitResult = { stdout: string } | { failed: "missing" | "error" };

function git(args: string[], cwd: string): GitResult {
  const result = nodeChildProcess().spawnSync("git", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.error !== undefined) return { failed: "missing" };
  return result.status === 0 ? { stdout: result.stdout } : { failed: "error" };
}

/** The git repository holding `location` (pip's `get_repository_root`), or null. */
function gitRoot(location: string): string | null {
  if (existsSync(join(location, ".git"))) return location;
  const result = git(["rev-parse", "--show-toplevel"], location);
  return "stdout" in result ? resolve(result.stdout.replace(/[\r\n]+$/, "")) : null;
}

/** `user@host:path` as git's scp-like syntax has it (a letter after the colon, not `C:/...`). */
const SCP_LIKE = /^(\w+@)?([^/:]+):(\w[^:]*)$/;

/** A remote as a URL pip can put in a requirement, or null when it cannot tell. */
function remoteAsUrl(remote: string): string | null {
  if (/^\w+:\/\//.test(remote)) return remote;
  if (isAbsolute(remote) && existsSync(remote)) return pathToFileURL(remote).href;
  const scp = SCP_LIKE.exec(remote);
  return scp === null ? null : `ssh://${scp[1] ?? ""}${scp[2]}/${scp[3]}`;
}

/** The directory of the Python project at or above `location`, relative to the repository root. */
function subdirectory(location: string, root: string): string | null {
  let project = location;
  while (!existsSync(join(project, "pyproject.toml")) && !existsSync(join(project, "setup.py"))) {
    const parent = dirname(project);
    if (parent === project) return null;
    project = parent;
  }
  const same = (a: string, b: string) => {
    try {
      return realpathSync(a) === realpathSync(b);
    } catch {
      return false;
    }
  };
  return same(project, root) ? null : relative(root, project);
}

/**
 * pip's freeze entry for an editable install at `location` of the project `name` (as its
 * metadata spells it); `display` is `name==version`, for the comments.
 */
export function editableOrigin(location: string, name: string, display: string): EditableOrigin {
  const plain = {
    requirement: location,
    comments: [`# Editable install with no version control (${display})`],
  };
  const isDirectory = existsSync(location) && statSync(location).isDirectory();
  const root = isDirectory ? gitRoot(location) : null;
  if (root === null) return plain;
  const remotes = git(["config", "--get-regexp", "remote\\..*\\.url"], location);
  if ("failed" in remotes && remotes.failed === "missing")
    return {
      requirement: location,
      comments: [],
      warning: `cannot determine version of editable source in ${location} (git command not found in path)`,
    };
  // `git config --get-regexp` exits 1 when nothing matches: no remote.
  const lines = "stdout" in remotes ? remotes.stdout.split(/\r?\n/).filter((line) => line !== "") : [];
  const chosen = lines.find((line) => line.startsWith("remote.origin.url ")) ?? lines[0];
  if (chosen === undefined)
    return { requirement: location, comments: [`# Editable Git install with no remote (${display})`] };
  const remote = chosen.split(" ")[1]?.trim() ?? "";
  const url = remoteAsUrl(remote);
  if (url === null)
    return {
      requirement: location,
      comments: [
        `# Editable Git install (${display}) with either a deleted local remote or invalid URI:`,
        `# '${remote}'`,
      ],
    };
  const head = git(["rev-parse", "HEAD"], location);
  if (!("stdout" in head))
    return {
      requirement: location,
      comments: ["## !! Could not determine repository location"],
      warning: `Could not determine repository location of ${location}`,
    };
  // pip prefixes every git remote, `git://` ones too (`git+git://...`).
  const sub = subdirectory(location, root);
  const requirement = `git+${url}@${head.stdout.trim()}#egg=${name.replaceAll("-", "_")}`;
  return { requirement: sub === null ? requirement : `${requirement}&subdirectory=${sub}`, comments: [] };
}
