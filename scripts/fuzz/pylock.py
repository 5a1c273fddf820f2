#!/usr/bin/env python3
"""Fuzzes `spice pip install -r pylock.toml` and `spice pip sync`: mutated PEP 751 lock files naming
the mirror's wheels. Each run must end in success or a user error, and a failed one must leave the
environment as it was."""
from common import MIRROR, SPICE_JS, WORK, mutate_text
import os, random, shutil, subprocess, sys
SPICE = ["node", SPICE_JS]
env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", NO_COLOR="1", SPICE_CACHE_DIR=WORK + "/cache")
for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]: env.pop(k, None)
SNIPPETS = ['"', "'", "[", "]", "{", "}", "=", ",", "\n", "#", "\\", "\x00", "é", "[[packages]]\n", 'name = "six"\n', 'version = "0"\n',
            'marker = "sys_platform == \'linux\'"\n', "marker = \"'dev' in dependency_groups\"\n", 'requires-python = "<3"\n', 'lock-version = "2.0"\n',
            'environments = ["os_name == \'nt\'"]\n', "sdist = {url = \"https://x/six-1.0.tar.gz\", hashes = {sha256 = \"00\"}}\n", "size = 1", "hashes = {}",
            'path = "/etc/passwd"', 'path = "../../x.whl"', 'url = "file:///etc/passwd"', 'url = "http://127.0.0.1:9/x-1-py3-none-any.whl"', 'sha256 = "', "upload-time = 2025-01-01T00:00:00Z",
            'archive = {path = "x", hashes = {sha256 = "1"}}\n', 'directory = {path = "."}\n', 'vcs = {type = "git", url = "u", commit-id = "c"}\n', "-1", "1e9", "true"]


def mutate(text, rng):
    return mutate_text(text, rng, SNIPPETS)


def structural(text, rng):
    """Whole lines swapped for others that keep the TOML valid: what a careless tool might write."""
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        lines.insert(i, rng.choice([s for s in SNIPPETS if s.endswith("\n")]).rstrip("\n"))
        if rng.random() < 0.4:
            del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def run(args, cwd):
    return subprocess.run(SPICE + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, errors="replace")


def main(seed, count):
    rng = random.Random(seed)
    base_dir = WORK + "/base"; os.makedirs(base_dir)
    open(base_dir + "/lock.in", "w").write("six\nmdurl\nidna\n")
    made = run(["pip", "compile", "lock.in", "--no-index", "--find-links", os.path.join(MIRROR, "files"), "--python-version", "3.11", "-o", "pylock.toml"], base_dir)
    if made.returncode != 0:
        print(made.stderr); print(f"0 cases, 1 problems"); return
    base = open(base_dir + "/pylock.toml").read()
    venv = WORK + "/venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv + "/bin/python"
    problems = 0; outcomes = {}; msgs = {}
    for n in range(count):
        # Beside the base lock: the paths in it are relative to the lock's directory.
        case = base_dir
        text = mutate(base, rng) if rng.random() < 0.5 else structural(base, rng)
        with open(case + "/pylock.case.toml", "w", encoding="utf-8", errors="surrogateescape") as handle: handle.write(text)
        before = run(["pip", "freeze", "--python", python], case).stdout
        command = rng.choice([["install", "-r", "pylock.case.toml"], ["install", "--dry-run", "-r", "pylock.case.toml"], ["sync", "pylock.case.toml"],
                              ["install", "-r", "pylock.case.toml", "--group", "dev"], ["install", "-r", "pylock.case.toml", "--extra", "x"]])
        r = run(["pip", *command, "--python", python], case)
        out = r.stdout + r.stderr
        outcomes[r.returncode] = outcomes.get(r.returncode, 0) + 1
        first = next((l.strip() for l in out.splitlines() if l.strip().startswith("caused by")), "") or next((l for l in out.splitlines() if l.startswith("error")), "")
        msgs[first[:90]] = msgs.get(first[:90], 0) + 1
        after = run(["pip", "freeze", "--python", python], case).stdout
        changed = r.returncode != 0 and after != before
        if "internal error" in out or "    at " in out or r.returncode not in (0, 1, 2) or changed:
            problems += 1
            shutil.copy(case + "/pylock.case.toml", f"{WORK}/bad-{seed}-{n}.toml")
            print(f"[{n}] {command} rc={r.returncode} changed={changed}\n{out[-1200:]}", flush=True)
    for m, c in sorted(msgs.items(), key=lambda x: -x[1])[:25]: print(c, m)
    print("outcomes", outcomes); print(f"{count} cases, {problems} problems")


main(int(sys.argv[1]), int(sys.argv[2]))
