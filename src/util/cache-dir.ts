import { homedir } from "node:os";
import { join } from "node:path";

/** spice's cache root: `--cache-dir`, else $SPICE_CACHE_DIR, else $XDG_CACHE_HOME/spice, else ~/.cache/spice. */
export function cacheRoot(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.SPICE_CACHE_DIR) return env.SPICE_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "spice");
  return join(homedir(), ".cache", "spice");
}
