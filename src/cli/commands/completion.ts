// `spice completion bash|zsh|fish`: the script that makes the shell complete spice's commands,
// subcommands, options and option values, as uv's `generate-shell-completion` and pip's
// `completion` do. The script asks spice itself (`spice completion __complete`, the words in
// SPICE_COMPLETE_WORDS and the index of the one being typed in SPICE_COMPLETE_INDEX), so the
// answers follow the options each command really has; the shell completes file names where spice
// has nothing to offer.

import { UsageError } from "../../util/error.ts";
import { type OptionSpec, optionSpecOf, type ParsedArgs } from "../args.ts";
import { GLOBAL_OPTIONS } from "../global-options.ts";
import { COMMANDS, type CommandContext, type CommandModule } from "../main.ts";

const SHELLS = ["bash", "zsh", "fish"];

const BASH = `# spice completion for bash (eval "$(spice completion bash)" in ~/.bashrc)
_spice_completion() {
  local IFS=$'\\n'
  COMPREPLY=( $(SPICE_COMPLETE_INDEX="$COMP_CWORD" SPICE_COMPLETE_WORDS="$(printf '%s\\n' "\${COMP_WORDS[@]}")" command spice completion __complete 2>/dev/null) )
}
complete -o default -F _spice_completion spice
`;

const ZSH = `# spice completion for zsh (eval "$(spice completion zsh)" in ~/.zshrc)
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }
autoload -U +X bashcompinit && bashcompinit
${BASH.split("\n").slice(1).join("\n")}`;

const FISH = `# spice completion for fish (spice completion fish > ~/.config/fish/completions/spice.fish)
function __spice_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l found (env SPICE_COMPLETE_INDEX=(math (count $words) - 1) SPICE_COMPLETE_WORDS=(string join \\n -- $words | string collect) spice completion __complete 2>/dev/null)
    if test (count $found) -gt 0
        printf '%s\\n' $found
    else
        __fish_complete_path (commandline -ct)
    end
end
complete -c spice -f -a '(__spice_complete)'
`;

/** The values an option's `value` lists (`auto|always|never`), or none for a free value. */
function choicesOf(option: OptionSpec): string[] {
  const text = option.value ?? "";
  return text.includes("|") && /^[\w.:|-]+$/.test(text) ? text.split("|") : [];
}

/**
 * What may stand at `words[index]` (words[0] is spice itself): a command, a subcommand, an
 * option of the command reached so far (with its short form), or one of an option's values.
 */
export async function completions(words: readonly string[], index: number): Promise<string[]> {
  const typed = words[index] ?? "";
  let module: CommandModule | undefined;
  let commandFound = false;
  let subcommand: string | undefined;
  const inScope = (): OptionSpec[] => [
    ...GLOBAL_OPTIONS,
    ...((subcommand !== undefined ? module?.subcommandOptions?.[subcommand] : undefined) ??
      module?.options ??
      []),
  ];
  let awaitingValue: OptionSpec | undefined;
  for (const word of words.slice(1, index)) {
    if (awaitingValue !== undefined) {
      awaitingValue = undefined; // this word is the option's value
      continue;
    }
    if (word.startsWith("-") && word !== "-") {
      const option = optionSpecOf(word, inScope());
      if (option?.value !== undefined && !word.includes("=")) awaitingValue = option;
      continue;
    }
    if (!commandFound) {
      const entry = COMMANDS.find((command) => command.name === word);
      if (entry === undefined) return [];
      module = await entry.load();
      commandFound = true;
    } else if (subcommand === undefined && module?.subcommands?.includes(word)) subcommand = word;
  }
  let candidates: string[];
  if (awaitingValue !== undefined) candidates = choicesOf(awaitingValue);
  else if (typed.startsWith("-"))
    candidates = inScope().flatMap((option) => [
      `--${option.name}`,
      ...(option.short === undefined ? [] : [`-${option.short}`]),
    ]);
  else if (!commandFound) candidates = COMMANDS.map((command) => command.name);
  else if (module?.subcommands !== undefined && subcommand === undefined)
    candidates = [...module.subcommands];
  else candidates = [];
  return [...new Set(candidates)].filter((candidate) => candidate.startsWith(typed));
}

async function run(args: ParsedArgs, context: CommandContext): Promise<number> {
  const shell = args.positionals[0];
  if (shell === "__complete") {
    const words = (context.env.SPICE_COMPLETE_WORDS ?? "").split("\n");
    const index = Number(context.env.SPICE_COMPLETE_INDEX ?? words.length - 1);
    const found = await completions(words, Number.isInteger(index) ? index : words.length - 1);
    if (found.length > 0) context.output.data(found.join("\n"));
    return 0;
  }
  const script = shell === "bash" ? BASH : shell === "zsh" ? ZSH : shell === "fish" ? FISH : undefined;
  if (script === undefined)
    throw new UsageError(
      shell === undefined
        ? "spice completion needs a shell"
        : `spice completion does not know the shell '${shell}'`,
      `Shells: ${SHELLS.join(", ")}; bash: eval "$(spice completion bash)" in ~/.bashrc`,
    );
  context.output.data(script.trimEnd());
  return 0;
}

export const command: CommandModule = {
  usage: "spice completion bash|zsh|fish",
  options: [],
  subcommands: SHELLS,
  details:
    'bash: eval "$(spice completion bash)" in ~/.bashrc; zsh: eval "$(spice completion zsh)" in ~/.zshrc; fish: spice completion fish > ~/.config/fish/completions/spice.fish. The shell asks spice for the words that may follow (commands, subcommands, options and their values) and completes file names where there are none.',
  run,
};
