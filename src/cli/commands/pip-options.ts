import type { OptionSpec } from "../args.ts";
import { ENVIRONMENT_OPTIONS, LOCATION_OPTIONS } from "../environment-options.ts";

const INDEX_OPTIONS: OptionSpec[] = [
  {
    name: "index-url",
    short: "i",
    aliases: ["pypi-url"],
    value: "url",
    help: "The package index (PEP 503/691 simple API)",
  },
  {
    name: "extra-index-url",
    value: "url",
    multiple: true,
    help: "Another index, looked up before --index-url (as uv)",
  },
  {
    name: "default-index",
    value: "url",
    help: "Same as --index-url (uv's name for it)",
  },
  {
    name: "index",
    value: "[name=]url",
    multiple: true,
    help: "An index looked up before the extra indexes and --index-url, in the order given (uv's option; the name is ignored)",
  },
  { name: "no-index", help: "Use no index: only --find-links locations and local files" },
  {
    name: "find-links",
    short: "f",
    value: "url|dir",
    multiple: true,
    help: "Look for files in a directory, an HTML page or a URL",
  },
  {
    name: "index-strategy",
    value: "first-index|unsafe-first-match|unsafe-best-match",
    help: "first-index (default): a name comes only from the first index that has it, extra indexes first; unsafe-first-match: from every index, each one's versions tried before the next one's (as uv); unsafe-best-match: merge all, as pip",
  },
  { name: "offline", help: "Use only cached index pages and files" },
  { name: "refresh", help: "Revalidate every cached index page" },
  {
    name: "refresh-package",
    value: "name",
    multiple: true,
    help: "Revalidate the cached index pages of NAME (repeatable; uv's option)",
  },
  {
    name: "cert",
    value: "file",
    help: "CA bundle (PEM file or directory) for HTTPS (else SSL_CERT_FILE with SSL_CERT_DIR's directories)",
  },
  {
    name: "system-certs",
    aliases: ["native-tls"],
    help: "Trust the system's CA certificates (where a corporate CA is installed) instead of Node's bundled ones, unless --cert or SSL_CERT_FILE/SSL_CERT_DIR name some (uv's option; also SPICE_SYSTEM_CERTS, pip's --use-feature truststore)",
  },
  {
    name: "client-cert",
    value: "file",
    help: "A PEM file with this client's certificate and private key, for servers that ask for one (pip's option)",
  },
  {
    name: "trusted-host",
    aliases: ["allow-insecure-host"],
    value: "host",
    multiple: true,
    help: "Do not verify TLS certificates of HOST (or HOST:PORT, or a URL's host)",
  },
  {
    name: "keyring-provider",
    value: "disabled|subprocess|auto",
    help: "Where passwords for index URLs that name a user come from: disabled (default, as uv), subprocess (`keyring get URL USER`, the keyring command on PATH), auto (subprocess when there is one)",
  },
  {
    name: "timeout",
    aliases: ["default-timeout"],
    value: "seconds",
    help: "How long to wait for a server (default: 15, as pip)",
  },
  {
    name: "proxy",
    value: "url",
    help: "Send requests through this proxy (scheme://[user:password@]host:port); default: HTTPS_PROXY, HTTP_PROXY, NO_PROXY",
  },
  {
    name: "retries",
    value: "n",
    help: "Retries of a request that fails to connect or gets a 5xx (default: 3)",
  },
];

const ignoreRequiresPython: OptionSpec = {
  name: "ignore-requires-python",
  help: "Use versions whatever their Requires-Python says, as pip's option",
};

const RESOLVER_OPTIONS: OptionSpec[] = [
  {
    name: "constraint",
    short: "c",
    aliases: ["constraints"],
    value: "file",
    multiple: true,
    help: "Constrain versions with a constraints file (also PIP_CONSTRAINT, SPICE_CONSTRAINT)",
  },
  {
    name: "override",
    aliases: ["overrides"],
    value: "file",
    multiple: true,
    help: "Replace what packages require with these (also SPICE_OVERRIDE, files separated by spaces)",
  },
  {
    name: "excludes",
    aliases: ["exclude"],
    value: "file",
    multiple: true,
    help: "Leave out every package these requirements files name, whoever requires it, with what only it requires (uv's option; also SPICE_EXCLUDE)",
  },
  { name: "pre", help: "Allow pre-releases (same as --prerelease allow)" },
  {
    name: "prerelease",
    value: "allow|if-necessary|disallow",
    help: "Pre-release policy (default: if-necessary, as PEP 440)",
  },
  {
    name: "prerelease-package",
    value: "name=mode",
    multiple: true,
    help: "The pre-release policy for NAME, whatever --prerelease says (repeatable; uv's option)",
  },
  {
    name: "resolution",
    value: "highest|lowest|lowest-direct",
    help: "Which versions to prefer (default: highest)",
  },
  { name: "python-version", value: "x.y", help: "Resolve for another Python version" },
  {
    name: "exclude-newer",
    value: "date",
    help: "Ignore files uploaded after DATE: 2024-01-31, an RFC 3339 time, or a span back from now such as 7 days or P7D, as uv takes it (false: none)",
  },
  {
    name: "exclude-newer-package",
    value: "name=date",
    multiple: true,
    help: "Ignore files of NAME uploaded after DATE (as --exclude-newer takes it), whatever --exclude-newer says (repeatable; uv's option)",
  },
  {
    name: "no-binary",
    value: "names",
    multiple: true,
    help: "Do not use wheels of these (:all: for every name)",
  },
  {
    name: "no-binary-package",
    value: "name",
    multiple: true,
    help: "Same as --no-binary NAME (repeatable; uv's option)",
  },
  {
    name: "only-binary",
    value: "names",
    multiple: true,
    help: "Use only wheels of these (:all: for every name)",
  },
  {
    name: "no-build",
    help: "Use no source distribution: only wheels, as --only-binary :all: (uv's option)",
  },
  {
    name: "no-sources",
    help: "Accepted for uv compatibility: spice reads no [tool.uv.sources], only the standard metadata",
  },
  {
    name: "no-build-package",
    value: "name",
    multiple: true,
    help: "Use no source distribution of NAME, as --only-binary NAME (repeatable; uv's option)",
  },
  { name: "prefer-binary", help: "Prefer older wheels to newer sdists" },
  ignoreRequiresPython,
  { name: "no-deps", aliases: ["no-dependencies"], help: "Do not follow dependencies" },
  { name: "require-hashes", help: "Require a --hash for every requirement (hash-checking mode)" },
  {
    name: "verify-hashes",
    help: "Check the hashes requirements give (the default; as pip, every requirement then needs one)",
  },
  {
    name: "no-verify-hashes",
    help: "Ignore the hashes requirements give, unless --require-hashes asks for them (uv's option)",
  },
];

const requirementFile: OptionSpec = {
  name: "requirement",
  short: "r",
  aliases: ["requirements"],
  value: "file",
  multiple: true,
  help: "Use what a requirements file names",
};
const exclude: OptionSpec = { name: "exclude", value: "name", multiple: true, help: "Leave out NAME" };
const excludeEditable: OptionSpec = { name: "exclude-editable", help: "Leave out editable installs" };
const local: OptionSpec = {
  name: "local",
  short: "l",
  help: "In a virtual environment that sees the global site-packages, only its own distributions",
};
// uv's names for what spice does, so that commands written for `uv pip` run as they are.
const reinstallPackage: OptionSpec = {
  name: "reinstall-package",
  value: "name",
  multiple: true,
  help: "Reinstall NAME even when the same version is installed (repeatable; uv's option)",
};
const compileBytecode: OptionSpec = {
  name: "compile-bytecode",
  help: "Same as --compile (uv's name for it)",
};
/** uv's --target and --prefix for the commands that read or remove what such an install made. */
const READ_LOCATION_OPTIONS: OptionSpec[] = [
  { name: "target", value: "dir", help: "The distributions a --target install put in DIR (uv's option)" },
  { name: "prefix", value: "dir", help: "The distributions a --prefix install put under DIR (uv's option)" },
];
const userOnly: OptionSpec = {
  name: "user",
  help: "Only distributions installed in the user site (~/.local)",
};
const path: OptionSpec = {
  name: "path",
  value: "dir",
  multiple: true,
  help: "Only distributions installed in DIR (repeatable), as pip's --path",
};

const noExtra: OptionSpec = {
  name: "no-extra",
  value: "name",
  multiple: true,
  help: "With --all-extras, leave out this extra (repeatable; uv's option)",
};
const progressBar: OptionSpec = {
  name: "progress-bar",
  value: "on|off",
  help: "Download bars on a terminal (default: on)",
};
const rootUserAction: OptionSpec = {
  name: "root-user-action",
  value: "warn|ignore",
  help: "Accepted for pip compatibility (spice does not warn)",
};
const existsAction: OptionSpec = {
  name: "exists-action",
  value: "action",
  help: "Accepted for pip compatibility (spice checks out no repositories)",
};

/**
 * pip's options that scripts and Dockerfiles pass out of habit, accepted so that `spice pip` can
 * replace `pip` in them: each is what spice does anyway (it has no version check and never asks).
 */
const PIP_HABIT_OPTIONS: OptionSpec[] = [
  { name: "disable-pip-version-check", help: "Accepted for pip compatibility (spice checks no version)" },
  { name: "no-input", help: "Ask nothing (spice asks only on a terminal)" },
  { name: "no-python-version-warning", help: "Accepted for pip compatibility" },
  {
    name: "debug",
    help: "Accepted for pip compatibility (spice shows where an unexpected error came from anyway)",
  },
  {
    name: "use-feature",
    value: "feature",
    multiple: true,
    help: "Accepted for pip compatibility: truststore is --system-certs, the others change nothing in spice",
  },
  {
    name: "use-deprecated",
    value: "feature",
    multiple: true,
    help: "Accepted for pip compatibility (pip's feature switches change nothing in spice)",
  },
  {
    name: "require-virtualenv",
    aliases: ["require-venv"],
    help: "Refuse to change a Python that is no virtual environment, even with --system or --user (pip's option; also PIP_REQUIRE_VIRTUALENV)",
  },
  {
    name: "isolated",
    help: "Ignore the user's pip configuration and the PIP_ variables, as pip's --isolated",
  },
];

/**
 * pip's options for files another system needs (download, and install with --target): each
 * implies --only-binary :all:, as pip requires.
 */
const FOREIGN_TARGET_OPTIONS: OptionSpec[] = [
  {
    name: "platform",
    value: "tag",
    multiple: true,
    help: "Wheels for this platform (manylinux2014_x86_64, win_amd64, macosx_11_0_arm64; repeatable); markers then describe it, where pip keeps this system's",
  },
  {
    name: "python-platform",
    value: "target",
    help: "Wheels and markers for this system, as uv names them: windows, linux (x86_64, glibc 2.17), macos (arm64, 13.0), x86_64-manylinux_2_28, aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl, x86_64-apple-darwin, i686-pc-windows-msvc",
  },
  { name: "implementation", value: "name", help: "Wheels for this implementation (cp, pp, py)" },
  { name: "abi", value: "abi", multiple: true, help: "Wheels for this ABI (cp312, abi3, none; repeatable)" },
];

/** Options of pip's source builds: spice builds nothing yet, so each changes nothing. */
const BUILD_HABIT_OPTIONS: OptionSpec[] = [
  { name: "no-build-isolation", help: "Accepted for pip compatibility (spice builds nothing yet)" },
  { name: "use-pep517", help: "Accepted for pip compatibility (spice builds nothing yet)" },
  { name: "no-use-pep517", help: "Accepted for pip compatibility (spice builds nothing yet)" },
  { name: "check-build-dependencies", help: "Accepted for pip compatibility (spice builds nothing yet)" },
  { name: "no-clean", help: "Accepted for pip compatibility (spice leaves no build directories)" },
  {
    name: "config-settings",
    short: "C",
    value: "key=value",
    multiple: true,
    help: "Accepted for pip compatibility (settings for build backends: spice builds nothing yet)",
  },
  {
    name: "global-option",
    value: "option",
    multiple: true,
    help: "Accepted for pip compatibility (options for setup.py: spice builds nothing yet)",
  },
  {
    name: "build-option",
    value: "option",
    multiple: true,
    help: "Accepted for pip compatibility (options for setup.py bdist_wheel: spice builds nothing yet)",
  },
  {
    name: "src",
    aliases: ["source", "source-dir", "source-directory"],
    value: "dir",
    help: "Accepted for pip compatibility (spice checks out no repositories)",
  },
];

/** pip-tools hands these to pip; spice reads them as its own options. */
const pipArgs: OptionSpec = {
  name: "pip-args",
  value: "options",
  help: "More options in one quoted string, as pip-tools passes them to pip (\"--retries 5 --timeout 30\"): read as spice's own, after the command line's",
};

/** pip-tools' configuration file (cli/pip-tools-config.ts), for compile and sync. */
const PIP_TOOLS_CONFIG_OPTIONS: OptionSpec[] = [
  {
    name: "config",
    value: "file",
    help: "Read pip-tools' settings ([tool.pip-tools]) from FILE (default: .pip-tools.toml, else pyproject.toml, beside the first input, as pip-tools)",
  },
  { name: "no-config", help: "Read no pip-tools settings file" },
];

const strict: OptionSpec = {
  name: "strict",
  help: "Also warn of every unmet requirement in the environment, as pip check finds them (uv's option)",
};

/**
 * pip-compile's and uv's spellings of what spice's compile does anyway, so that the scripts and
 * Makefiles written for them run unchanged (compile refuses a flag given with its opposite).
 */
const COMPILE_COMPATIBILITY_OPTIONS: OptionSpec[] = [
  { name: "header", help: "Write the header comment (the default)" },
  { name: "annotate", help: "Write the `# via` comments (the default)" },
  { name: "emit-index-url", help: "Write --index-url / --extra-index-url lines (the default)" },
  { name: "emit-find-links", help: "Write --find-links lines (the default)" },
  { name: "emit-trusted-host", help: "Write --trusted-host lines (the default)" },
  { name: "emit-options", help: "Write the option lines (the default)" },
  {
    name: "emit-build-options",
    help: "Write the --no-binary and --only-binary lines (the default, as pip-tools; uv's option)",
  },
  { name: "no-strip-extras", help: "Pin names with their extras (the default)" },
  {
    name: "reuse-hashes",
    help: "Accepted for pip-tools compatibility: --generate-hashes takes each file's hash from the index",
  },
  { name: "no-reuse-hashes", help: "Same as --reuse-hashes: hashes come from the index each time" },
  {
    name: "resolver",
    value: "backtracking",
    help: "Accepted for pip-tools compatibility: spice has one resolver, and it backtracks",
  },
  {
    name: "max-rounds",
    value: "n",
    help: "Accepted for pip-tools compatibility: spice's resolver works in no rounds",
  },
  { name: "rebuild", help: "Revalidate every cached index page (pip-tools' name for --refresh)" },
  { name: "no-upgrade", help: "Keep the pins the output file has: the default (pip-compile's option)" },
  { name: "build-isolation", help: "Accepted for pip-tools compatibility (spice builds nothing yet)" },
  { name: "no-build-isolation", help: "Accepted for pip-tools compatibility (spice builds nothing yet)" },
  {
    name: "newline",
    value: "LF|CRLF|native|preserve",
    help: "Line endings to write (default: preserve, the output file's, else the first input's, else LF)",
  },
];

/**
 * What to install from a pyproject.toml's extras and dependency groups (cli/project-requirements.ts)
 * or a PEP 751 lock file's (cli/pylock.ts).
 */
const PROJECT_SELECTION_OPTIONS: OptionSpec[] = [
  {
    name: "extra",
    value: "name",
    multiple: true,
    help: "Also install this extra of the pyproject.toml or pylock.toml given",
  },
  { name: "all-extras", help: "Also install every extra of the pyproject.toml or pylock.toml given" },
  noExtra,
  {
    name: "group",
    value: "[path:]name",
    multiple: true,
    help: "Also install this dependency group (PEP 735) of PATH, else of the pyproject.toml given, else of ./pyproject.toml; with a pylock.toml, a group it locks (besides its default groups)",
  },
];

/** pip's `-e PATH`, taken so that it gets its own answer: spice builds no projects yet. */
const editable: OptionSpec = {
  name: "editable",
  short: "e",
  value: "path",
  multiple: true,
  help: "Editable install (not supported yet)",
};

/** Options per `spice pip` subcommand: pip's own flags, so `-f` can mean --find-links or --files. */
export const PIP_SUBCOMMAND_OPTIONS: Record<string, OptionSpec[]> = {
  install: [
    ...ENVIRONMENT_OPTIONS,
    ...LOCATION_OPTIONS,
    requirementFile,
    editable,
    ...INDEX_OPTIONS,
    ...RESOLVER_OPTIONS,
    {
      name: "upgrade",
      short: "U",
      help: "Take newer versions over installed ones, for what is named (index pages asked for again, as uv)",
    },
    {
      name: "upgrade-package",
      short: "P",
      value: "name",
      multiple: true,
      help: "Take the newest version of NAME, keeping other installed versions (its pages asked for again)",
    },
    { name: "dry-run", help: "Resolve and say what would change, changing nothing" },
    { name: "report", value: "file", help: "Write pip's installation report (JSON) to FILE (- for stdout)" },
    {
      name: "force-reinstall",
      help: "Reinstall even when the same version is installed (index pages asked for again, as uv)",
    },
    { name: "reinstall", help: "Same as --force-reinstall" },
    reinstallPackage,
    {
      name: "ignore-installed",
      short: "I",
      help: "Resolve and reinstall as if nothing were installed (as --force-reinstall; the old files go, where pip's -I leaves them)",
    },
    { name: "ignore-tags", help: "Install wheels whose platform tags this interpreter does not support" },
    {
      name: "link-mode",
      value: "clone|hardlink|symlink|copy",
      help: "How files come from the cache (default: clone, else hardlink, else copy; symlink leaves the environment broken once the cache is cleaned)",
    },
    { name: "compile", help: "Byte-compile installed modules (default: off, as uv)" },
    compileBytecode,
    { name: "no-compile", help: "Do not byte-compile (the default)" },
    {
      name: "upgrade-strategy",
      value: "only-if-needed|eager",
      help: "With --upgrade: only-if-needed (default) upgrades what is named, eager its dependencies too",
    },
    progressBar,
    {
      name: "no-warn-script-location",
      help: "Do not warn of console scripts installed in a directory not on PATH (as pip, which warns for --user and --root installs)",
    },
    rootUserAction,
    strict,
    {
      name: "exact",
      help: "Also remove what the requirements do not name, as spice pip sync does (uv's option)",
    },
    {
      name: "keep-seed-packages",
      help: "With --exact: keep pip, setuptools and wheel even when the requirements do not name them",
    },
    {
      name: "no-warn-conflicts",
      help: "Do not warn when the change breaks requirements of installed packages it left alone",
    },
    ...FOREIGN_TARGET_OPTIONS,
    existsAction,
    ...BUILD_HABIT_OPTIONS,
    ...PROJECT_SELECTION_OPTIONS,
  ],
  compile: [
    ...ENVIRONMENT_OPTIONS,
    {
      name: "output-file",
      short: "o",
      value: "file",
      help: "Write the pins to FILE (default: stdout); pylock.toml or pylock.NAME.toml writes a PEP 751 lock",
    },
    {
      name: "format",
      value: "requirements.txt|pylock.toml",
      help: "Output format (default: from the output file's name, else requirements.txt)",
    },
    { name: "extra", value: "name", multiple: true, help: "Include this extra of pyproject.toml's project" },
    { name: "all-extras", help: "Include every extra of pyproject.toml's project" },
    noExtra,
    {
      name: "group",
      value: "[path:]name",
      multiple: true,
      help: "Include this dependency group (PEP 735) of PATH, else of the pyproject.toml inputs, else of ./pyproject.toml",
    },
    { name: "generate-hashes", help: "Write --hash lines for every file of each pinned version" },
    { name: "no-annotate", help: "Leave out the `# via` comments" },
    { name: "no-header", help: "Leave out the header comment" },
    { name: "strip-extras", help: "Pin names without their extras" },
    {
      name: "no-strip-markers",
      help: "Write each pin's marker: where its requirements hold (uv's option; --universal always does)",
    },
    { name: "no-emit-index-url", help: "Do not write --index-url / --extra-index-url lines" },
    { name: "no-emit-find-links", help: "Do not write --find-links lines" },
    {
      name: "no-emit-options",
      help: "Write none of the option lines (indexes, find-links, hosts, binary controls)",
    },
    { name: "no-emit-trusted-host", help: "Do not write --trusted-host lines" },
    {
      name: "emit-index-annotation",
      help: "Write under each pin the index it came from (`# from URL`, without credentials; uv's option)",
    },
    { name: "no-emit-index-annotation", help: "Write no `# from` lines (the default)" },
    {
      name: "no-emit-package",
      aliases: ["unsafe-package"],
      value: "name",
      multiple: true,
      help: "Leave these packages out of the output (NAME or NAME,NAME; they are still resolved), as uv's option and pip-tools' --unsafe-package",
    },
    {
      name: "allow-unsafe",
      help: "Accepted for pip-tools compatibility: spice always pins pip and setuptools, as uv does",
    },
    {
      name: "no-allow-unsafe",
      help: "Accepted for pip-tools compatibility: spice pins pip and setuptools anyway, as uv does (--no-emit-package leaves them out)",
    },
    {
      name: "annotation-style",
      value: "split|line",
      help: "`# via` on lines of their own under each pin (split, the default) or after it (line)",
    },
    {
      name: "custom-compile-command",
      value: "command",
      help: "The command the header says made the file (also $SPICE_CUSTOM_COMPILE_COMMAND, pip-tools' $CUSTOM_COMPILE_COMMAND)",
    },
    { name: "dry-run", short: "n", help: "Print the pins; write no output file" },
    pipArgs,
    {
      name: "fork-strategy",
      value: "requires-python|fewest",
      help: "With --universal: requires-python (default, as uv) gives each Python the newest version it runs, splitting where a newer version needs a newer Python; fewest picks versions that run on them all",
    },
    {
      name: "universal",
      help: "Pin for every platform and every Python from the target's (or --python-version's) on: each pin carries the marker of where it is installed, and a name may be pinned twice, as uv's option",
    },
    {
      name: "environment",
      value: "marker",
      multiple: true,
      help: "With --universal: resolve only for environments where MARKER holds (where any does, repeated), as uv's environments setting; pins leave out what it implies, and a lock file lists it",
    },
    {
      name: "required-environment",
      value: "marker",
      multiple: true,
      help: "With --universal: every pin must install where MARKER holds (a wheel for it, or an sdist) wherever it is used there, as uv's required-environments; repeat for more",
    },
    ...COMPILE_COMPATIBILITY_OPTIONS,
    ...PIP_TOOLS_CONFIG_OPTIONS,
    ...FOREIGN_TARGET_OPTIONS,
    {
      name: "upgrade",
      short: "U",
      help: "Ignore the pins already in the output file (index pages asked for again, as uv)",
    },
    {
      name: "upgrade-package",
      short: "P",
      value: "name[==ver]",
      multiple: true,
      help: "Re-resolve NAME (to VER when given), keeping the other pins (its pages asked for again)",
    },
    ...INDEX_OPTIONS,
    ...RESOLVER_OPTIONS,
  ],
  sync: [
    // pip-sync names the environment's interpreter --python-executable.
    ...ENVIRONMENT_OPTIONS.map((spec) =>
      spec.name === "python" ? { ...spec, aliases: ["python-executable"] } : spec,
    ),
    ...LOCATION_OPTIONS,
    ...INDEX_OPTIONS,
    ...RESOLVER_OPTIONS,
    ...FOREIGN_TARGET_OPTIONS,
    ...PROJECT_SELECTION_OPTIONS,
    {
      name: "keep-seed-packages",
      help: "Keep pip, setuptools and wheel even when the files do not list them",
    },
    {
      name: "allow-empty-requirements",
      help: "Sync to files that name no package, uninstalling everything (refused without it, as uv)",
    },
    strict,
    { name: "reinstall", help: "Reinstall every listed package" },
    { name: "force-reinstall", help: "Same as --reinstall" },
    reinstallPackage,
    { name: "dry-run", short: "n", help: "Say what would change, changing nothing" },
    {
      name: "force",
      help: "Go on when the files pin a name to two versions: the later pin wins (pip-sync's option; without it, an error)",
    },
    {
      name: "ask",
      short: "a",
      help: "Say what would change and ask before changing it, on a terminal (pip-sync's option)",
    },
    pipArgs,
    ...PIP_TOOLS_CONFIG_OPTIONS,
    {
      name: "link-mode",
      value: "clone|hardlink|symlink|copy",
      help: "How files come from the cache (default: clone, else hardlink, else copy; symlink leaves the environment broken once the cache is cleaned)",
    },
    { name: "compile", help: "Byte-compile installed modules" },
    compileBytecode,
  ],
  download: [
    ...ENVIRONMENT_OPTIONS,
    requirementFile,
    {
      name: "dest",
      short: "d",
      aliases: ["destination-dir", "destination-directory"],
      value: "dir",
      help: "Save files into DIR (default: the current directory)",
    },
    progressBar,
    ...INDEX_OPTIONS,
    ...RESOLVER_OPTIONS,
    ...FOREIGN_TARGET_OPTIONS,
    ...PROJECT_SELECTION_OPTIONS,
    ...BUILD_HABIT_OPTIONS,
  ],
  wheel: [
    ...ENVIRONMENT_OPTIONS,
    requirementFile,
    editable,
    {
      name: "wheel-dir",
      short: "w",
      value: "dir",
      help: "Save the wheels into DIR (default: the current directory); spice builds no sdists yet",
    },
    progressBar,
    // Written out, so that pip's flag is not read as a prefix of --no-verify-hashes.
    {
      name: "no-verify",
      help: "Accepted for pip compatibility (pip checks the wheels it builds; spice builds none yet)",
    },
    ...INDEX_OPTIONS,
    ...RESOLVER_OPTIONS,
    ...BUILD_HABIT_OPTIONS,
  ],
  uninstall: [
    ...ENVIRONMENT_OPTIONS,
    ...READ_LOCATION_OPTIONS,
    requirementFile,
    { name: "yes", short: "y", help: "Do not ask before removing (asked as pip asks, only on a terminal)" },
    { name: "dry-run", help: "Say what would be uninstalled, changing nothing (uv's option)" },
    rootUserAction,
  ],
  list: [
    ...ENVIRONMENT_OPTIONS,
    ...READ_LOCATION_OPTIONS,
    { name: "format", value: "columns|freeze|json", help: "Output format (default: columns)" },
    { name: "editable", short: "e", help: "Only editable installs" },
    excludeEditable,
    { name: "not-required", help: "Only distributions no other installed one requires" },
    exclude,
    path,
    local,
    userOnly,
    { name: "outdated", short: "o", help: "Only distributions with a newer release on the index" },
    { name: "uptodate", short: "u", help: "Only distributions whose newest release is installed" },
    { name: "pre", help: "Count pre-releases as newer releases (with --outdated or --uptodate)" },
    { name: "include-editable", help: "List editable installs too (the default)" },
    strict,
    ...INDEX_OPTIONS,
  ],
  freeze: [
    ...ENVIRONMENT_OPTIONS,
    ...READ_LOCATION_OPTIONS,
    {
      ...requirementFile,
      help: "Write in the order of this requirements file, then what it does not name (pip's -r)",
    },
    { name: "all", help: "Include pip, setuptools, wheel and distribute" },
    exclude,
    excludeEditable,
    path,
    local,
    userOnly,
    strict,
  ],
  show: [
    ...ENVIRONMENT_OPTIONS,
    ...READ_LOCATION_OPTIONS,
    { name: "files", short: "f", help: "List the installed files" },
    strict,
  ],
  index: [
    ...ENVIRONMENT_OPTIONS,
    ...INDEX_OPTIONS,
    { name: "pre", help: "Also list pre-releases" },
    {
      name: "json",
      help: "Print one JSON object: name, versions (newest first), latest, installed_version (when installed), as pip 25.1's --json",
    },
    { name: "python-version", value: "x.y", help: "List the versions usable by another Python version" },
    ...FOREIGN_TARGET_OPTIONS,
    {
      name: "only-binary",
      value: "names",
      multiple: true,
      help: "Accepted for pip compatibility (pip's index counts every file whatever it says)",
    },
    {
      name: "no-binary",
      value: "names",
      multiple: true,
      help: "Accepted for pip compatibility (pip's index counts every file whatever it says)",
    },
    ignoreRequiresPython,
  ],
  cache: [
    {
      name: "format",
      value: "human|abspath",
      help: "How `list` shows the cached wheels: their names and sizes (default), or their paths",
    },
  ],
  config: [
    {
      name: "editor",
      value: "command",
      help: "With edit: the editor to open the file in (default: $VISUAL, else $EDITOR)",
    },
    {
      name: "global",
      help: "The global files: set and unset change /etc/pip.conf, list and get read only those (and PIP_ variables)",
    },
    {
      name: "user",
      help: "The user's files: set and unset change ~/.config/pip/pip.conf (the default), list and get read only those (and PIP_ variables)",
    },
    {
      name: "site",
      help: "The pip.conf of the environment spice pip acts on (as pip's is its interpreter's): set and unset change it (the default when it exists), list and get read only it (and PIP_ variables)",
    },
    {
      name: "python",
      short: "p",
      value: "python",
      help: "The environment whose pip.conf is the site file (default: VIRTUAL_ENV, an active conda environment, else the nearest .venv); also SPICE_PYTHON",
    },
  ],
  hash: [
    {
      name: "algorithm",
      short: "a",
      value: "sha256|sha384|sha512",
      help: "The hash algorithm (default: sha256)",
    },
  ],
  check: [
    ...ENVIRONMENT_OPTIONS,
    ...READ_LOCATION_OPTIONS,
    {
      name: "python-version",
      value: "x.y",
      help: "Check the requirements that apply on this Python version (uv's option)",
    },
    {
      name: "python-platform",
      value: "platform",
      help: "Check the requirements that apply on this platform: linux, windows, macos or a target triple (uv's option)",
    },
  ],
  inspect: [...ENVIRONMENT_OPTIONS, path, local, userOnly],
  debug: [
    ...ENVIRONMENT_OPTIONS,
    { name: "python-version", value: "x.y", help: "The tags of another Python version" },
    ...FOREIGN_TARGET_OPTIONS,
  ],
  tree: [
    ...ENVIRONMENT_OPTIONS,
    ...READ_LOCATION_OPTIONS,
    { name: "reverse", help: "Show what requires each distribution" },
    { name: "invert", help: "Same as --reverse (uv's name for it)" },
    { name: "depth", short: "d", value: "n", help: "How deep to show dependencies (default: unlimited)" },
    {
      name: "package",
      value: "name",
      multiple: true,
      help: "Show only this distribution's tree (repeatable; as naming it does)",
    },
    {
      name: "prune",
      value: "name",
      multiple: true,
      help: "Leave this distribution and what only it brings out of the tree (repeatable)",
    },
    {
      name: "no-dedupe",
      help: "Show a subtree again each time it appears (default: once, later marked (*), as uv)",
    },
    { name: "show-version-specifiers", help: "Show what each requirement asks for (the default)" },
    {
      name: "outdated",
      help: "Show the index's newest release beside each distribution it is newer than (uv's option)",
    },
    { name: "pre", help: "Count pre-releases as newer releases (with --outdated)" },
    strict,
    ...INDEX_OPTIONS,
  ],
};

/**
 * pip's general options that reach the network, which pip takes on every command, as it takes
 * --exists-action: a script's `pip uninstall -y --trusted-host HOST x` works with `spice pip`
 * too. A subcommand that uses no index accepts them and changes nothing.
 */
const PIP_GENERAL_NETWORK_OPTIONS = [
  "cert",
  "system-certs",
  "client-cert",
  "proxy",
  "retries",
  "timeout",
  "trusted-host",
  "keyring-provider",
].map((name) => INDEX_OPTIONS.find((option) => option.name === name)!);
for (const options of Object.values(PIP_SUBCOMMAND_OPTIONS)) {
  const known = new Set(options.map((option) => option.name));
  for (const option of PIP_GENERAL_NETWORK_OPTIONS)
    if (!known.has(option.name))
      options.push({ ...option, help: "Accepted for pip compatibility (this command reaches no index)" });
  if (!known.has(existsAction.name)) options.push(existsAction);
  // pip's --python is a general option: `pip hash --python X` runs pip with X, to the same end.
  if (!known.has("python"))
    options.push({
      name: "python",
      value: "python",
      help: "Accepted for pip compatibility (this command acts on no environment)",
    });
  options.push(...PIP_HABIT_OPTIONS);
}
