import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { UsageError } from "./error.ts";
import { makeDirectories } from "./make-directories.ts";
import { strtobool } from "./strtobool.ts";

/**
 * spice's cache root: `--cache-dir`, else $SPICE_CACHE_DIR, else $XDG_CACHE_HOME/spice, else
 * ~/.cache/spice. A relative XDG_CACHE_HOME is passed over, as the XDG Base Directory
 * specification says (it would put a cache in whatever directory a command runs in).
 */
export function cacheRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.SPICE_CACHE_DIR) return env.SPICE_CACHE_DIR;
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, "spice");
  return join(homedir(), ".cache", "spice");
}

/**
 * Whether a variable turns the cache off: pip's PIP_NO_CACHE_DIR, which many Dockerfiles set to
 * keep images small, with any value pip accepts (pip turns the cache off for "false" too, as it
 * always has), unless --isolated; SPICE_NO_CACHE (uv's UV_NO_CACHE) with a true value.
 */
export function cacheTurnedOff(env: NodeJS.ProcessEnv, isolated: boolean): boolean {
  const pipSetting = isolated ? undefined : env.PIP_NO_CACHE_DIR;
  if (pipSetting !== undefined && pipSetting !== "") {
    if (strtobool(pipSetting) === null)
      throw new UsageError(`PIP_NO_CACHE_DIR takes a yes or no value, not '${pipSetting}'`);
    return true;
  }
  const own = env.SPICE_NO_CACHE;
  if (own === undefined || own === "") return false;
  const off = strtobool(own);
  if (off === null) throw new UsageError(`SPICE_NO_CACHE takes a yes or no value, not '${own}'`);
  return off;
}

/**
 * Why the cache directory `root` cannot be used (it cannot be made, or written in), or null when
 * it can; it is made when missing.
 */
export function cacheDirectoryProblem(root: string): string | null {
  try {
    accessSync(root, constants.W_OK);
    return null;
  } catch {
    try {
      makeDirectories(root);
      accessSync(root, constants.W_OK);
      return null;
    } catch (error) {
      return (error as Error).message;
    }
  }
}
