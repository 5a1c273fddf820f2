#!/usr/bin/env python3
"""Fuzzes `spice pip compile pyproject.toml` and `spice pip install -r pyproject.toml`: mutated [project] tables (PEP 621, 735 groups),
and the [tool.pip-tools] settings compile reads beside them."""
from common import MIRROR, SPICE_JS, WORK, mutate_text
import os, random, shutil, subprocess, sys
SPICE = ["node", SPICE_JS]
env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", NO_COLOR="1", SPICE_CACHE_DIR=WORK + "/cache")
for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]: env.pop(k, None)
BASE = '''[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "demo"
version = "1.0"
requires-python = ">=3.8"
dependencies = ["six>=1.0", "idna; python_version >= '3'"]
dynamic = []

[project.optional-dependencies]
extra = ["mccabe"]
all = ["demo[extra]"]

[dependency-groups]
dev = ["jsonpointer", {include-group = "lint"}]
lint = ["mccabe"]
'''
SNIPPETS = ['"', "'", "[", "]", "{", "}", "=", ",", "\n", "#", "\\", "\x00", "é", "dynamic = [\"dependencies\"]\n", "[project]\n", "{include-group = \"dev\"}",
            "{include-group = \"nope\"}", "1", "true", "name = 5\n", "version = \"x\"\n", "requires-python = \"<<3\"\n", "\"six @ http://[::1/x.whl\"", "\"../x\"",
            "[tool.spice]\n", "[tool.pip-tools]\n", "generate-hashes = true\n", "[tool.pip-tools.compile]\n", "dependencies = 3\n", "\"six; extra == 'x'\"", "\"demo[all]\"", "\"\"", "\"six[\"", "include-group", "\n[dependency-groups]\n"]

def mutate(text, rng):
    return mutate_text(text, rng, SNIPPETS)

REQS = ['"six>=1.0"', '"idna"', '"six"', '"mccabe; extra == \'x\'"', '"demo[extra]"', '"demo[all]"', '"demo[nope]"', '"six @ http://[::1/x.whl"',
        '"six @ file:///nonexistent/six-1.0-py3-none-any.whl"', '"six==99"', '"six; python_version < \'3\'"', '"six ; sys_platform == \'win32\'"', '"nope-not-there"',
        '"Six[Extra]>=1.0,<2"', '"six (>=1.0)"', '"six=1"', '""', '" "', '"-r other.txt"', '"--index-url x"', '"./local"', '"six>=1.0a1"', '5', 'true', '{}', '[]',
        '{include-group = "dev"}', '{include-group = "lint"}', '{include-group = "nope"}', '{include-group = 5}', '{other = 1}', '"idna>=3; extra == \'extra\'"']
def lst(rng): return "[" + ", ".join(rng.choice(REQS) for _ in range(rng.randint(0, 4))) + "]"
# pip-tools' settings (cli/pip-tools-config.ts): keys it knows, spice's own, and neither; values of every kind.
TOOL_KEYS = ["generate-hashes", "no_header", "header", "annotate", "no-annotate", "extra-index-url", "find-links", "no-index", "pip-args", "extra",
             "all-extras", "upgrade", "upgrade-package", "output-file", "newline", "annotation-style", "strip-extras", "max-rounds", "resolver",
             "unsafe-package", "src-files", "ask", "python-executable", "verbose", "cache-dir", "config", "bogus", "Generate_Hashes", "--pre",
             "universal", "extras", "pip_args_str", "all-build-deps"]
TOOL_VALUES = ["true", "false", "1", '""', '"x"', '["a", "b"]', "[]", "[1, 2]", "{a = 1}", '"--pre"', '"six"', '"http://u:p@127.0.0.1:1/simple/"',
               '"LF"', '"line"', "1979-05-27", "3.5", '"--timeout x"', '"pyproject.toml"', '"-"']
def tool_table(rng):
    lines = [rng.choice(["[tool.pip-tools]", "[tool.pip-tools.compile]", "[tool.pip-tools.sync]"])]
    for _ in range(rng.randint(1, 4)): lines.append(f"{rng.choice(TOOL_KEYS)} = {rng.choice(TOOL_VALUES)}")
    return "\n".join(lines) + "\n"

def generate(rng):
    parts = ["[project]"]
    if rng.random() < 0.8: parts.append('name = "demo"')
    elif rng.random() < 0.9: parts.append(f'name = {rng.choice([chr(34)+"demo"+chr(34), chr(34)+"Demo_Pkg"+chr(34), "5", chr(34)+chr(34), chr(34)+"-bad-"+chr(34)])}')
    if rng.random() < 0.8: parts.append('version = "1.0"')
    elif rng.random() < 0.8: parts.append(f'version = {rng.choice([chr(34)+"1.0"+chr(34), chr(34)+"x"+chr(34), "1"])}')
    if rng.random() < 0.5: parts.append(f'requires-python = {rng.choice([chr(34)+">=3.8"+chr(34), chr(34)+"<<3"+chr(34), chr(34)+">=3.99"+chr(34), "3"])}')
    if rng.random() < 0.8: parts.append(f"dependencies = {rng.choice([lst(rng), lst(rng), lst(rng), '5', chr(34)+'six'+chr(34)])}")
    if rng.random() < 0.1: parts.append(f'dynamic = {rng.choice([chr(91)+chr(34)+"dependencies"+chr(34)+chr(93), chr(91)+chr(34)+"version"+chr(34)+chr(93), "[]", "5"])}')
    if rng.random() < 0.6:
        parts.append("[project.optional-dependencies]")
        for e in rng.sample(["extra", "all", "x", "Bad Name", "x-y"], rng.randint(0, 3)): parts.append(f'"{e}" = {lst(rng)}')
    if rng.random() < 0.6:
        parts.append("[dependency-groups]")
        for g in rng.sample(["dev", "lint", "Dev", "d_e_v", "nope2"], rng.randint(0, 3)): parts.append(f'"{g}" = {lst(rng)}')
    if rng.random() < 0.25: parts.append(tool_table(rng))
    return "\n".join(parts) + "\n"

def main(seed, count):
    rng = random.Random(seed)
    problems = 0; outcomes = {}; msgs = {}
    venv = WORK + "/venv"
    if not os.path.exists(venv):
        subprocess.run(SPICE + ["venv", venv, "-q", "--python", "3.11"], env=env, check=True)
    for n in range(count):
        case = WORK + "/case"; shutil.rmtree(case, ignore_errors=True); os.makedirs(case)
        text = mutate(BASE, rng) if rng.random() < 0.3 else generate(rng)
        open(os.path.join(case, "pyproject.toml"), "w", encoding="utf-8", errors="surrogateescape").write(text)
        args = rng.choice([[], ["--all-extras"], ["--extra", "extra"], ["--group", "dev"], ["--group", "lint", "--extra", "all"],
                           ["--group", "pyproject.toml:dev"], ["--group", ":lint"], ["--group", "pyproject.toml:"]])
        command = (["compile", "pyproject.toml"] if rng.random() < 0.5
                   else ["install", "--dry-run", "--python", venv, "-r", "pyproject.toml"])
        r = subprocess.run(SPICE + ["pip", *command, "--no-index", "--find-links", os.path.join(MIRROR, "files"), "--python-version", "3.11"] + args,
                           cwd=case, env=env, capture_output=True, text=True, timeout=120, errors="replace")
        out = r.stdout + r.stderr
        outcomes[r.returncode] = outcomes.get(r.returncode, 0) + 1
        first = next((l for l in out.splitlines() if l.startswith("error")), "")
        msgs[first[:90]] = msgs.get(first[:90], 0) + 1
        if "internal error" in out or "    at " in out or r.returncode not in (0, 1, 2) or "u:p@" in out:
            problems += 1
            shutil.copytree(case, f"{WORK}/bad-{seed}-{n}")
            print(f"[{n}] {args} rc={r.returncode}\n{out[-1200:]}", flush=True)
    for m, c in sorted(msgs.items(), key=lambda x: -x[1])[:25]: print(c, m)
    print("outcomes", outcomes); print(f"{count} cases, {problems} problems")
main(int(sys.argv[1]), int(sys.argv[2]))
