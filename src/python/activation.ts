// Activation scripts for a virtual environment: bash/zsh, fish, csh/tcsh, PowerShell and
// nushell. Each sets VIRTUAL_ENV and VIRTUAL_ENV_PROMPT, puts the environment's bin first on
// PATH, hides PYTHONHOME, prefixes the prompt, and defines `deactivate` to undo all of it.
// Relocatable scripts find the environment from their own location instead of a fixed path.

function shSingleQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function powershellQuote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function nuQuote(text: string): string {
  return JSON.stringify(text);
}

export interface ActivationOptions {
  /** The environment's absolute path. */
  prefix: string;
  prompt: string;
  relocatable: boolean;
}

function bash({ prefix, prompt, relocatable }: ActivationOptions): string {
  const location = relocatable
    ? [
        'if [ -n "${BASH_SOURCE:-}" ]; then _spice_here="${BASH_SOURCE[0]}"',
        'elif [ -n "${ZSH_VERSION:-}" ]; then _spice_here="${(%):-%x}"',
        'else _spice_here="$0"; fi',
        'VIRTUAL_ENV="$(cd "$(dirname -- "$_spice_here")/.." && pwd)"',
        "unset _spice_here",
      ].join("\n")
    : `VIRTUAL_ENV=${shSingleQuote(prefix)}`;
  return `# Activates this environment in bash or zsh: \`source bin/activate\`; \`deactivate\` undoes it.
# Written by spice. Source it; running it has no effect.

deactivate () {
    if [ -n "\${_SPICE_OLD_PATH+set}" ]; then PATH="$_SPICE_OLD_PATH"; export PATH; unset _SPICE_OLD_PATH; fi
    if [ -n "\${_SPICE_OLD_PYTHONHOME+set}" ]; then PYTHONHOME="$_SPICE_OLD_PYTHONHOME"; export PYTHONHOME; unset _SPICE_OLD_PYTHONHOME; fi
    if [ -n "\${_SPICE_OLD_PS1+set}" ]; then PS1="$_SPICE_OLD_PS1"; export PS1; unset _SPICE_OLD_PS1; fi
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    hash -r 2>/dev/null
    if [ "\${1:-}" != "nondestructive" ]; then unset -f deactivate; fi
}

deactivate nondestructive

${location}
export VIRTUAL_ENV
VIRTUAL_ENV_PROMPT=${shSingleQuote(prompt)}
export VIRTUAL_ENV_PROMPT

_SPICE_OLD_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH

if [ -n "\${PYTHONHOME+set}" ]; then _SPICE_OLD_PYTHONHOME="$PYTHONHOME"; unset PYTHONHOME; fi

if [ -z "\${VIRTUAL_ENV_DISABLE_PROMPT:-}" ]; then
    _SPICE_OLD_PS1="\${PS1:-}"
    PS1="(\${VIRTUAL_ENV_PROMPT}) \${PS1:-}"
    export PS1
fi

hash -r 2>/dev/null
`;
}

function fish({ prefix, prompt, relocatable }: ActivationOptions): string {
  const location = relocatable
    ? "set -gx VIRTUAL_ENV (builtin realpath (dirname (status filename))/..)"
    : `set -gx VIRTUAL_ENV ${fishQuote(prefix)}`;
  return `# Activates this environment in fish: \`source bin/activate.fish\`; \`deactivate\` undoes it.
# Written by spice.

function deactivate -d "Leave the virtual environment"
    if set -q _spice_old_path
        set -gx PATH $_spice_old_path
        set -e _spice_old_path
    end
    if set -q _spice_old_pythonhome
        set -gx PYTHONHOME $_spice_old_pythonhome
        set -e _spice_old_pythonhome
    end
    if functions -q _spice_old_fish_prompt
        functions -e fish_prompt
        functions -c _spice_old_fish_prompt fish_prompt
        functions -e _spice_old_fish_prompt
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != "nondestructive"
        functions -e deactivate
    end
end

deactivate nondestructive

${location}
set -gx VIRTUAL_ENV_PROMPT ${fishQuote(prompt)}
set -g _spice_old_path $PATH
set -gx PATH "$VIRTUAL_ENV/bin" $PATH

if set -q PYTHONHOME
    set -g _spice_old_pythonhome $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    functions -c fish_prompt _spice_old_fish_prompt
    function fish_prompt
        set -l old_status $status
        printf "(%s) " $VIRTUAL_ENV_PROMPT
        echo "exit $old_status" | .
        _spice_old_fish_prompt
    end
end
`;
}

function csh({ prefix, prompt, relocatable }: ActivationOptions): string {
  const location = relocatable
    ? 'set _spice_here = ($_)\nsetenv VIRTUAL_ENV "`dirname $_spice_here[2]`/.."\nsetenv VIRTUAL_ENV "`cd $VIRTUAL_ENV && pwd`"\nunset _spice_here'
    : `setenv VIRTUAL_ENV ${shSingleQuote(prefix)}`;
  return `# Activates this environment in csh or tcsh: \`source bin/activate.csh\`; \`deactivate\` undoes it.
# Written by spice.

alias deactivate 'test $?_spice_old_path != 0 && setenv PATH "$_spice_old_path" && unset _spice_old_path; rehash; test $?_spice_old_prompt != 0 && set prompt="$_spice_old_prompt" && unset _spice_old_prompt; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test "\\!:*" != "nondestructive" && unalias deactivate'

deactivate nondestructive

${location}
setenv VIRTUAL_ENV_PROMPT ${shSingleQuote(prompt)}
set _spice_old_path = "$PATH"
setenv PATH "$VIRTUAL_ENV/bin:$PATH"

if ( $?prompt && ! $?VIRTUAL_ENV_DISABLE_PROMPT ) then
    set _spice_old_prompt = "$prompt"
    set prompt = "($VIRTUAL_ENV_PROMPT) $prompt"
endif

rehash
`;
}

function powershell({ prefix, prompt, relocatable }: ActivationOptions): string {
  const location = relocatable
    ? "$env:VIRTUAL_ENV = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path"
    : `$env:VIRTUAL_ENV = ${powershellQuote(prefix)}`;
  return `# Activates this environment in PowerShell: \`. bin/Activate.ps1\`; \`deactivate\` undoes it.
# Written by spice.

function global:deactivate([switch]$NonDestructive) {
    if (Test-Path variable:_SPICE_OLD_PATH) { $env:PATH = $global:_SPICE_OLD_PATH; Remove-Variable -Scope global _SPICE_OLD_PATH }
    if (Test-Path variable:_SPICE_OLD_PYTHONHOME) { $env:PYTHONHOME = $global:_SPICE_OLD_PYTHONHOME; Remove-Variable -Scope global _SPICE_OLD_PYTHONHOME }
    if (Test-Path function:_spice_old_prompt) { Copy-Item function:_spice_old_prompt function:prompt; Remove-Item function:_spice_old_prompt }
    Remove-Item env:VIRTUAL_ENV -ErrorAction SilentlyContinue
    Remove-Item env:VIRTUAL_ENV_PROMPT -ErrorAction SilentlyContinue
    if (-not $NonDestructive) { Remove-Item function:deactivate }
}

deactivate -NonDestructive

${location}
$env:VIRTUAL_ENV_PROMPT = ${powershellQuote(prompt)}
$global:_SPICE_OLD_PATH = $env:PATH
$env:PATH = (Join-Path $env:VIRTUAL_ENV 'bin') + [System.IO.Path]::PathSeparator + $env:PATH
if (Test-Path env:PYTHONHOME) { $global:_SPICE_OLD_PYTHONHOME = $env:PYTHONHOME; Remove-Item env:PYTHONHOME }

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    Copy-Item function:prompt function:_spice_old_prompt
    function global:prompt { Write-Host -NoNewline "($env:VIRTUAL_ENV_PROMPT) "; _spice_old_prompt }
}
`;
}

function nushell({ prefix, prompt, relocatable }: ActivationOptions): string {
  const location = relocatable ? "($env.FILE_PWD | path dirname)" : nuQuote(prefix);
  return `# Activates this environment in nushell: \`overlay use bin/activate.nu\`; \`deactivate\` undoes it.
# Written by spice.

export-env {
    let venv = ${location}
    let bin = ($venv | path join "bin")
    let path_name = if "PATH" in $env { "PATH" } else { "Path" }
    load-env {
        VIRTUAL_ENV: $venv
        VIRTUAL_ENV_PROMPT: ${nuQuote(prompt)}
        $path_name: ($env | get $path_name | prepend $bin)
    }
    hide-env -i PYTHONHOME
    if ($env.VIRTUAL_ENV_DISABLE_PROMPT? | is-empty) {
        let old_prompt = $env.PROMPT_COMMAND? | default ""
        $env.PROMPT_COMMAND = {||
            let rest = if ($old_prompt | describe) == "closure" { do $old_prompt } else { $old_prompt }
            $"\\(($env.VIRTUAL_ENV_PROMPT)\\) ($rest)"
        }
    }
}

export alias deactivate = overlay hide activate
`;
}

/** File name → content of every activation script. */
export function activationScripts(options: ActivationOptions): Record<string, string> {
  return {
    activate: bash(options),
    "activate.fish": fish(options),
    "activate.csh": csh(options),
    "Activate.ps1": powershell(options),
    "activate.nu": nushell(options),
  };
}

/** Words that need no quoting in any of these shells (Python's shlex.quote leaves them bare). */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;

/**
 * The command that activates the environment at `directory` (as shown to the user) in the shell
 * the user runs, as uv names it: read from the variables a shell sets for its children
 * (NU_VERSION, FISH_VERSION, BASH_VERSION, ZSH_VERSION, KSH_VERSION), else from SHELL.
 */
export function activationCommand(directory: string, env: NodeJS.ProcessEnv): string {
  const script = (name: string) => `${directory}/bin/${name}`;
  const quoted = (path: string, quote: (text: string) => string) =>
    PLAIN_WORD.test(path) ? path : quote(path);
  switch (shellOf(env)) {
    case "fish":
      return `source ${quoted(script("activate.fish"), fishQuote)}`;
    case "csh":
      return `source ${quoted(script("activate.csh"), shSingleQuote)}`;
    case "nu":
      return `overlay use ${quoted(script("activate.nu"), nuQuote)}`;
    case "pwsh":
      return PLAIN_WORD.test(script("Activate.ps1"))
        ? script("Activate.ps1")
        : `& ${powershellQuote(script("Activate.ps1"))}`;
    default:
      return `source ${quoted(script("activate"), shSingleQuote)}`;
  }
}

function shellOf(env: NodeJS.ProcessEnv): "sh" | "fish" | "csh" | "nu" | "pwsh" {
  if (env.NU_VERSION) return "nu";
  if (env.FISH_VERSION) return "fish";
  if (env.BASH_VERSION || env.ZSH_VERSION || env.KSH_VERSION) return "sh";
  const name = (env.SHELL ?? "").split("/").pop() ?? "";
  if (name === "fish") return "fish";
  if (name === "csh" || name === "tcsh") return "csh";
  if (name === "nu") return "nu";
  if (name === "pwsh" || name === "powershell") return "pwsh";
  return "sh";
}
