// The options every spice command takes, before or after its name (main.ts reads them first).

import type { OptionSpec } from "./args.ts";

export const GLOBAL_OPTIONS: OptionSpec[] = [
  {
    name: "quiet",
    short: "q",
    help: "Print only data, warnings and errors; -qq: only data and errors (pip's levels)",
  },
  {
    name: "verbose",
    short: "v",
    help: "Explain decisions (where settings came from, what was chosen and why)",
  },
  { name: "color", value: "auto|always|never", help: "When to use colour (NO_COLOR also turns it off)" },
  { name: "no-color", help: "Same as --color never (pip's name for it)" },
  {
    name: "log",
    aliases: ["log-file", "local-log"],
    value: "file",
    help: "Also append every message, verbose ones too, to FILE with the time (as pip's --log)",
  },
  { name: "no-progress", help: "Draw no progress bars, even on a terminal (uv's name for it)" },
  { name: "no-cache", help: "Neither read nor write spice's cache" },
  { name: "no-cache-dir", help: "Same as --no-cache (pip's name for it)" },
  {
    name: "cache-dir",
    value: "dir",
    help: "The cache directory (default: $SPICE_CACHE_DIR, $XDG_CACHE_HOME/spice or ~/.cache/spice)",
  },
  { name: "help", short: "h", help: "Show help" },
  // Anywhere, as pip's: scripts log `pip --version` and `pip install --version`.
  { name: "version", short: "V", help: "Print spice's version" },
];
