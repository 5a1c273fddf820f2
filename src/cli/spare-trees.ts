// Spare trees from the command's side (install/spare-trees.ts): whether installs use them
// (SPICE_SPARE_TREES), and the work left after a command, by default to one background process:
// laying out new trees after an install, and deleting what a change removed.

import { renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { BUCKETS, Cache } from "../cache/store.ts";
import { makeSpareTrees, spareTreeLeftoverName } from "../install/spare-trees.ts";
import { hasSpareTree } from "../install/wheel-cache.ts";
import { nodeChildProcess } from "../util/lazy-builtins.ts";
import { plural } from "../util/plural.ts";
import { bundleScript } from "./bundle.ts";
import type { CommandContext } from "./main.ts";

type SpareTreesMode = "background" | "inline" | "off";

const MODES: Record<string, SpareTreesMode> = {
  "": "background",
  background: "background",
  inline: "inline",
  off: "off",
  // The usual spellings of a switch.
  "0": "off",
  false: "off",
  no: "off",
  "1": "background",
  true: "background",
  yes: "background",
};

let warned = false;

/** SPICE_SPARE_TREES: background (the default), inline or off; another value is warned about. */
export function spareTreesMode(context: CommandContext): SpareTreesMode {
  const setting = (context.env.SPICE_SPARE_TREES ?? "").trim().toLowerCase();
  const mode = Object.hasOwn(MODES, setting) ? MODES[setting] : undefined;
  if (mode !== undefined) return mode;
  if (!warned) {
    warned = true;
    context.output.warn(
      `SPICE_SPARE_TREES=${context.env.SPICE_SPARE_TREES} is not background, inline or off; using background`,
    );
  }
  return "background";
}

/**
 * Lays out new spare trees for the cache entries that have none (used up, or never made), so the
 * next install of these wheels moves whole directories (install/spare-trees.ts), and removes what
 * the used ones left over, and the leftovers `moved` into the cache before (backgroundDiscard).
 * By default in a detached low-priority process, after this one has printed its result.
 */
export function replaceSpareTrees(
  entries: readonly string[],
  leftover: string | null,
  context: CommandContext,
  moved: readonly string[] = [],
): void {
  const mode = spareTreesMode(context);
  const keys =
    mode === "off" ? [] : entries.filter((entry) => !hasSpareTree(entry)).map((entry) => basename(entry));
  const script = bundleScript();
  if (context.cacheDir === null || (keys.length === 0 && moved.length === 0)) {
    if (leftover !== null) rmSync(leftover, { recursive: true, force: true });
    return;
  }
  const cache = new Cache(context.cacheDir);
  if (mode !== "background" || script === null) {
    if (leftover !== null) rmSync(leftover, { recursive: true, force: true });
    makeSpareTrees(cache, keys, moved);
    return;
  }
  // The leftover moves into the cache (the same filesystem: its trees came from there by rename)
  // for the background process to delete.
  const discard = [...moved, ...(leftover === null ? [] : discardLater(leftover, cache))];
  if (keys.length > 0)
    context.output.verbose(`making ${plural(keys.length, "spare tree")} in the background`);
  if (moved.length > 0) context.output.verbose("deleting the removed files in the background");
  startMaker(script, context.cacheDir, [...discard.flatMap((name) => ["--discard", name]), ...keys]);
}

/** Starts `spice cache make-spares ARGS` detached; not started, the next install does its work. */
function startMaker(script: string, cacheDir: string, args: string[]): void {
  nodeChildProcess()
    .spawn(process.execPath, [script, "cache", "make-spares", "--cache-dir", cacheDir, ...args], {
      detached: true,
      stdio: "ignore",
      env: withoutExtraCertificates(process.env),
    })
    .on("error", () => {})
    .unref();
}

/**
 * Deleting what a change removed (an uninstall, a sync, an upgrade) after the command is done:
 * the transaction's backup moves into the cache (one rename, while the environment is locked),
 * and replaceSpareTrees hands it to the background process. Deleting trio's 3,700 files one by
 * one was the larger part of uninstalling it. Null where spare trees are not made in the
 * background: the backup is then deleted at once.
 */
export function backgroundDiscard(
  context: CommandContext,
): { discard: (backup: string) => void; moved: string[] } | null {
  const cacheDir = context.cacheDir;
  if (spareTreesMode(context) !== "background" || cacheDir === null || bundleScript() === null) return null;
  const moved: string[] = [];
  return {
    discard: (backup) => {
      moved.push(moveIntoBucket(backup, new Cache(cacheDir)));
    },
    moved,
  };
}

/** It makes no connection: Node would load NODE_EXTRA_CA_CERTS at start-up for nothing (bin/spice). */
function withoutExtraCertificates(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _unused, ...rest } = env;
  return rest;
}

/** Moves `directory` into the wheels bucket under a leftover's name (one rename); returns the name. */
function moveIntoBucket(directory: string, cache: Cache): string {
  const name = spareTreeLeftoverName();
  renameSync(directory, join(cache.bucket(BUCKETS.wheels), name));
  return name;
}

function discardLater(leftover: string, cache: Cache): string[] {
  try {
    return [moveIntoBucket(leftover, cache)];
  } catch {
    rmSync(leftover, { recursive: true, force: true });
    return [];
  }
}
