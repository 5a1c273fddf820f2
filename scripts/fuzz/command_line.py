#!/usr/bin/env python3
"""Fuzzes spice's command line: random words from its own vocabulary (commands, options, values),
run in a sandbox (HOME, cwd, cache, a venv). No internal error, no exit code outside 0/1/2, no hang.

Everything it may change lies in the sandbox: `--python` always names the sandbox's venv (a value
like "3.11" would pick a real interpreter and install into it: an early version of this script
did that to pyenv's 3.11), paths are relative to the sandbox, and the wheels it may name are copies."""
from common import MIRROR, SPICE_JS, WORK
import os, random, shutil, subprocess, sys
SPICE = ["node", SPICE_JS]
SB = WORK + "/sb"
COMMANDS = [["pip", "install"], ["pip", "uninstall"], ["pip", "list"], ["pip", "freeze"], ["pip", "show"], ["pip", "check"], ["pip", "tree"],
            ["pip", "compile"], ["pip", "sync"], ["pip", "download"], ["pip", "wheel"], ["pip", "inspect"], ["pip", "hash"], ["pip", "index", "versions"],
            ["venv"], ["doctor"], ["cache", "info"], ["cache", "dir"], ["cache", "clean"], ["cache", "prune"], ["python", "list"], ["python", "find"],
            ["debug", "requirements"], ["help"], ["pip"], ["python"], ["cache"], ["nope"], [],
            # pip's cache and config commands (never --global: it would write /etc/pip.conf).
            ["pip", "cache", "list"], ["pip", "cache", "info"], ["pip", "cache", "remove"], ["pip", "cache", "purge"],
            ["pip", "config", "list"], ["pip", "config", "get"], ["pip", "config", "set"], ["pip", "config", "unset"],
            ["pip", "config", "debug"], ["pip", "config", "edit"], ["pip", "debug"], ["completion"], ["completion", "__complete"]]
OPTIONS = ["--python", "-q", "-qq", "-v", "-vv", "--quiet", "--verbose", "--no-deps", "--no-index", "--find-links", "-f", "-r", "-c", "--constraint", "--requirement",
           "--upgrade", "-U", "--force-reinstall", "--dry-run", "--report", "--format", "--all", "--exclude", "-f", "--files", "--reverse", "--pre", "--prerelease",
           "--resolution", "--python-version", "--platform", "--only-binary", "--no-binary", "--prefer-binary", "--require-hashes", "--hash", "--target", "--prefix",
           "--user", "--compile", "--no-compile", "--link-mode", "--cache-dir", "--no-cache", "--offline", "--refresh", "--index-url", "-i", "--extra-index-url",
           "--index-strategy", "--exclude-newer", "--output-file", "-o", "--generate-hashes", "--no-header", "--no-annotate", "--strip-extras", "--extra", "--all-extras",
           "--group", "-P", "--upgrade-package", "-d", "--dest", "-w", "--wheel-dir", "--prompt", "--clear", "--seed", "--allow-existing", "--relocatable",
           "--system-site-packages", "--strict", "-y", "--yes", "--editable", "-e", "--not-required", "--outdated", "-o", "--uptodate", "--log", "--timeout",
           "--retries", "--isolated", "--no-color", "--proxy", "--cert", "--trusted-host", "--override", "--break-system-packages", "-a", "--algorithm",
           "--implementation", "--abi", "--progress-bar", "--upgrade-strategy", "--ignore-installed", "-I", "--path", "--", "-", "--help", "-h", "--version", "-V", "--json",
           "--universal", "--environment", "--required-environment", "--python-platform", "--default-index", "--index", "--requirements",
           "--constraints", "--overrides", "--keyring-provider", "--allow-insecure-host", "--no-extra", "--emit-index-annotation",
           "--exclude-newer-package", "--no-build", "--no-build-package", "--no-binary-package", "--refresh-package", "--system-certs",
           "--native-tls", "--use-feature", "--excludes", "--site", "--editor", "--exclude", "--prerelease-package", "--unsafe-package",
           "--no-allow-unsafe", "--no-strip-markers", "--emit-build-options", "--no-sources", "--python-platform",
           "--pip-args", "--ask", "-n", "--python-executable", "--default-timeout",
           # pip-sync's, python -m venv's and pip's older spellings (session 32).
           "--force", "--copies", "--symlinks", "--without-pip", "--without-scm-ignore-files", "--upgrade-deps", "--no-upgrade",
           "--no-dependencies", "--pypi-url", "--log-file", "--source-dir", "--destination-dir", "--build-option", "--no-verify", "-t",
           "--require-venv", "--no-verify-hashes", "--force-reinstall"]
VALUES = ["six", "idna==3.20", "six>=1,<2", "nope-not-there", "", " ", "-", "--", "=", "x==", "a[", "six @ file:///nonexistent/six-1.0-py3-none-any.whl",
          "files/six-1.17.0-py2.py3-none-any.whl", "files", "req.txt", "req.in", "missing.txt", "pyproject.toml", ".", "venv", "newvenv",
          "3.11", "3", "9.9", "json", "freeze", "columns", "highest", "lowest", "allow", ":all:", ":none:", "copy", "hardlink", "symlink", "clone", "bogus",
          "2024-01-01", "not-a-date", "sha256:00", "http://127.0.0.1:9/simple/", "file:///nonexistent/simple",
          "http://[bad/", "http://user:secret@[x/simple", "ftp://example.invalid/simple", "/nonexistent/simple", "simple/", "-1", "0", "99999999999", "\u00e9", "a" * 300,
          "linux_x86_64", "manylinux2014_x86_64", "cp", "cp311", "eager", "only-if-needed", "off", "out.txt", "dl", "wh", "tgt", "pfx", "unsafe-best-match", "extra", "dev",
          "sys_platform == 'linux'", "python_version < '3.9'", "os_name == 'a' and os_name == 'b'", "extra == 'x'", "sys_platform ==", "platform_system == 'Darwin'",
          "pylock.toml", "windows", "macos", "pyproject.toml:dev", "dev:", ":dev", "private=http://127.0.0.1:9/simple/", "setup.py",
          "foo @ git+https://user:secret@example.invalid/foo.git", "git+https://example.invalid/foo.git#egg=foo",
          "subprocess", "disabled", "auto", "import", "http://user@127.0.0.1:9/simple/",
          "true", "six=2024-01-01", "six=", "=2024-01-01", "truststore", "3.13t", "cp313t", "3.14+gil", "3.12d", ">=3.13t",
          "six=allow", "six=sometimes", "global.index-url", "install.no-deps", "index-url", "x.", ".x", "six*", "six-1.17*", "abspath", "human", "bash", "zsh", "fish", "7 days", "P7D", "PT", "false", "1 month", "six,idna", ",", "windows",
          # --pip-args values: never --python or --system inside (they would leave the sandbox).
          "--no-index -q", "--find-links files --pre", "'unbalanced", "-f files req.txt", "--pip-args -q", "--no-cache-dir --timeout x"]

def sandboxed(words):
    """The words with every interpreter choice pointed at the sandbox's venv, and no --system."""
    venv_python = SB + "/venv/bin/python"
    out = []
    skip = False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word in ("--system", "-p"):
            continue
        # sync's --python-executable is --python too.
        if word in ("--python", "--python-executable"):
            out += ["--python", venv_python]
            skip = index + 1 < len(words)
            continue
        if word.startswith("--python=") or word.startswith("--python-executable="):
            out.append("--python=" + venv_python)
            continue
        out.append(word)
    return out

def main(seed, count):
    rng = random.Random(seed)
    shutil.rmtree(SB, ignore_errors=True); os.makedirs(SB)
    env = {"PATH": os.environ["PATH"], "HOME": SB, "PIP_CONFIG_FILE": "/dev/null", "PIP_REQUIRE_VIRTUALENV": "1", "NO_COLOR": "1", "SPICE_CACHE_DIR": SB + "/cache", "PYTHONUSERBASE": SB + "/userbase",
           "XDG_CACHE_HOME": SB + "/xdg", "LANG": "C.UTF-8"}
    subprocess.run(SPICE + ["venv", SB + "/venv", "-q", "--python", "3.11"], env=env, cwd=SB, check=True)
    os.makedirs(SB + "/files")
    for wheel in ("six-1.17.0-py2.py3-none-any.whl", "idna-3.20-py3-none-any.whl"):
        shutil.copy(os.path.join(MIRROR, "files", wheel), SB + "/files")
    open(SB + "/req.txt", "w").write("six\nidna==3.20\n")
    open(SB + "/req.in", "w").write("six\n")
    open(SB + "/pyproject.toml", "w").write('[project]\nname="d"\nversion="1"\ndependencies=["six"]\n[dependency-groups]\ndev=["idna"]\n')
    problems = 0; codes = {}
    for n in range(count):
        words = list(rng.choice(COMMANDS))
        for _ in range(rng.randint(0, 7)):
            r = rng.random()
            if r < 0.5: words.append(rng.choice(OPTIONS))
            elif r < 0.6: words.append(rng.choice(OPTIONS) + "=" + rng.choice(VALUES))
            else: words.append(rng.choice(VALUES))
        if rng.random() < 0.7 and words[:1] in (["pip"], ["doctor"]): words += ["--python", SB + "/venv/bin/python"]
        words = sandboxed(words)
        try:
            r = subprocess.run(SPICE + words, env=env, cwd=SB, capture_output=True, text=True, timeout=60, errors="replace", stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            problems += 1; print(f"[{n}] TIMEOUT {words}", flush=True); continue
        out = r.stdout + r.stderr
        codes[r.returncode] = codes.get(r.returncode, 0) + 1
        verbose = any(w in ("-v", "-vv", "--verbose") or w.startswith("--verbose=") for w in words)
        # A URL's password never appears in what spice prints (the values above hold `user:secret@`).
        if "internal error" in out or ("    at " in out and not verbose) or r.returncode not in (0, 1, 2) or "secret" in out:
            problems += 1
            print(f"[{n}] rc={r.returncode} {words}\n{out[-1200:]}", flush=True)
    print("codes", codes); print(f"{count} cases, {problems} problems")
main(int(sys.argv[1]), int(sys.argv[2]))
