// `spice pip ...`: pip's interface over spice's installer and dist-info reader.

import { type OptionSpec, type ParsedArgs, subcommandError } from "../args.ts";
import { pipSiteRoot } from "../environment-options.ts";
import { endCleanlyOnSignals } from "../interruptible.ts";
import type { CommandContext, CommandModule } from "../main.ts";
import { pipSettings, withPipConfiguration } from "../pip-config.ts";
import { PIP_SUBCOMMAND_OPTIONS } from "./pip-options.ts";

/** The pip.conf section each install-like command reads its options from (pip's command name). */
const CONFIGURED_SECTIONS: Record<string, string> = {
  install: "install",
  download: "download",
  wheel: "wheel",
  compile: "install",
  sync: "install",
  uninstall: "uninstall",
};

// A bundle built for the inspection commands alone (scripts/build.mjs: dist/inspect.cjs) holds
// those: esbuild folds the test below and leaves the other subcommands' code out of the file. The
// entry runs it only for them (src/cli/entry.ts).
declare const SPICE_ONLY_PIP_INSPECTION: boolean | undefined;

type Subcommand = () => Promise<(args: ParsedArgs, context: CommandContext) => number | Promise<number>>;

/** The subcommands that read an environment and nothing else. */
const INSPECTION: Record<string, Subcommand> = {
  list: async () => (await import("./pip-inspect.ts")).list,
  freeze: async () => (await import("./pip-inspect.ts")).freeze,
  show: async () => (await import("./pip-inspect.ts")).show,
  check: async () => (await import("./pip-inspect.ts")).check,
  tree: async () => (await import("./pip-inspect.ts")).tree,
  inspect: async () => (await import("./pip-inspect.ts")).inspect,
};

const SUBCOMMANDS: Record<string, Subcommand> =
  typeof SPICE_ONLY_PIP_INSPECTION === "undefined"
    ? {
        install: async () => (await import("./pip-install.ts")).install,
        uninstall: async () => (await import("./pip-uninstall.ts")).uninstall,
        compile: async () => (await import("./pip-compile.ts")).compile,
        sync: async () => (await import("./pip-sync.ts")).sync,
        download: async () => (await import("./pip-download.ts")).download,
        wheel: async () => (await import("./pip-download.ts")).wheel,
        ...INSPECTION,
        hash: async () => (await import("./pip-hash.ts")).hash,
        index: async () => (await import("./pip-outdated.ts")).indexVersions,
        cache: async () => (await import("./pip-cache.ts")).pipCache,
        config: async () => (await import("./pip-configuration.ts")).pipConfig,
        debug: async () => (await import("./pip-debug.ts")).pipDebug,
      }
    : INSPECTION;

/** The subcommands that change an environment or download: Ctrl-C ends them cleanly. */
const INTERRUPTIBLE = new Set(["install", "uninstall", "compile", "sync", "download", "wheel", "index"]);

/** pip's commands that spice has under another name, or that no index answers any more. */
const ELSEWHERE: Record<string, string> = {
  completion: "spice's shell completion covers pip's commands too: spice completion bash|zsh|fish",
  lock: "pip 25.1's `pip lock` is `spice pip compile REQUIREMENTS -o pylock.toml` here: a PEP 751 lock",
  search:
    "PyPI turned off the API `pip search` used (pip's own search fails there too): `spice pip index versions NAME` lists a project's versions",
};

/**
 * pip's --python from PIP_PYTHON, else from `python` in the [global] section of its configuration
 * files (pip reads each of its options from there): a container image that points pip at its venv
 * that way gets the same from spice. Not when the command line or SPICE_PYTHON (spice's own
 * variable wins) names one. Read even with --isolated, as pip reads them for the options before
 * its command (only [global]); the site file is the one in the environment spice would otherwise
 * act on, whose pip would read it.
 */
function withPipPython(
  args: ParsedArgs,
  specs: readonly OptionSpec[] | undefined,
  context: CommandContext,
): ParsedArgs {
  if (context.env.SPICE_PYTHON || args.options.has("python")) return args;
  if (!specs?.some((spec) => spec.name === "python")) return args;
  const setting = pipSettings(context.env, pipSiteRoot(args, context), "global").get("python");
  if (setting === undefined || setting.value === "") return args;
  return {
    ...args,
    options: new Map([...args.options, ["python", [setting.value]]]),
    sources: new Map([...(args.sources ?? []), ["python", setting.source]]),
  };
}

export const command: CommandModule = {
  usage: [
    "spice pip install [REQUIREMENT|FILE...] [-r FILE] [-c FILE] [-i URL] [--dry-run] [options]",
    "       spice pip compile [requirements.in|pyproject.toml...] [-o FILE|pylock.toml] [--generate-hashes] [options]",
    "       spice pip sync [FILE...|pylock.toml] [--keep-seed-packages] [options]",
    "       spice pip download [-d DIR] REQUIREMENT... [options]",
    "       spice pip wheel [-w DIR] REQUIREMENT... [options]",
    "       spice pip uninstall [-y] [-r FILE] NAME...",
    "       spice pip list [--format columns|freeze|json] [--outdated|--uptodate] [--not-required] [--path DIR]",
    "       spice pip freeze [--all] [--exclude NAME] [-r FILE]",
    "       spice pip show [-f] NAME...",
    "       spice pip check",
    "       spice pip tree [--reverse] [NAME...]",
    "       spice pip inspect [--path DIR] [-l]",
    "       spice pip hash [-a sha256|sha384|sha512] FILE...",
    "       spice pip index versions NAME [--pre] [--json] [-i URL]",
    "       spice pip cache dir|info|list [PATTERN] [--format human|abspath]|remove PATTERN|purge",
    "       spice pip config list|edit|get KEY|set KEY VALUE|unset KEY|debug [--global|--user|--site]",
    "       spice pip debug [--verbose] [--platform TAG] [--python-version X.Y] [--abi ABI] [--implementation NAME]",
  ].join("\n"),
  options: PIP_SUBCOMMAND_OPTIONS.install,
  subcommandOptions: PIP_SUBCOMMAND_OPTIONS,
  subcommands: Object.keys(SUBCOMMANDS),
  details: [
    "Environment: --python (or SPICE_PYTHON, or pip's PIP_PYTHON or pip.conf `python`), else VIRTUAL_ENV, else",
    "CONDA_PREFIX (not conda's base), else the nearest .venv; never a Python on PATH unless --system. Output of list,",
    "freeze, show and check matches pip 23.2; where spice differs on purpose: install does not byte-compile unless",
    "--compile (as uv), and prints what changed (+ added, - removed).",
  ].join("\n"),
  async run(args, context) {
    const sub = args.positionals[0];
    const load = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (load === undefined) {
      const names = Object.keys(SUBCOMMANDS);
      const instead = sub === undefined ? undefined : ELSEWHERE[sub];
      throw subcommandError("pip", sub, names, instead ?? `Subcommands: ${names.join(", ")}`);
    }
    let subArgs: ParsedArgs = withPipPython(
      { ...args, positionals: args.positionals.slice(1) },
      PIP_SUBCOMMAND_OPTIONS[sub],
      context,
    );
    // pip-tools' settings first: pip-tools hands them to pip as arguments, over pip's own.
    if (typeof SPICE_ONLY_PIP_INSPECTION === "undefined" && (sub === "compile" || sub === "sync")) {
      const { withPipToolsConfig } = await import("../pip-tools-config.ts");
      subArgs = withPipToolsConfig(subArgs, PIP_SUBCOMMAND_OPTIONS[sub], sub, context);
    }
    const section = CONFIGURED_SECTIONS[sub];
    if (section !== undefined)
      subArgs = withPipConfiguration(
        subArgs,
        PIP_SUBCOMMAND_OPTIONS[sub] ?? [],
        context.env,
        pipSiteRoot(subArgs, context),
        section,
      );
    if (INTERRUPTIBLE.has(sub)) endCleanlyOnSignals(context.output);
    return (await load())(subArgs, context);
  },
};
