#!/usr/bin/env python3
"""Fuzzes what spice reads from an environment: dist-info files (METADATA, RECORD, direct_url.json,
entry_points.txt, INSTALLER, REQUESTED), .pth files and pyvenv.cfg, mutated in a copy of a venv,
then every inspection command plus an uninstall and an install run on it. None may crash."""
from common import MIRROR, SPICE_JS, WORK
import os, random, shutil, subprocess, sys, json
SPICE = ["node", SPICE_JS]
env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", NO_COLOR="1", SPICE_CACHE_DIR=WORK + "/cache")
for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]: env.pop(k, None)
MIRROR = os.path.join(MIRROR, "files")
WHEELS = ["six-1.17.0-py2.py3-none-any.whl", "mccabe-0.7.0-py2.py3-none-any.whl", "jsonpointer-3.1.1-py3-none-any.whl", "idna-3.20-py3-none-any.whl"]
SNIPPETS = ["\x00", "\xff", "é", "\n", "\r\n", ":", ",", "\"", "Requires-Dist: ", "Requires-Dist: x (>=1", "Name: ", "Version: ", "Version: 1.0\n",
            "Requires-Dist: a; extra == ", "Provides-Extra: ", "../../", "/etc/passwd", "{", "}", "[console_scripts]\n", "=", "sha256=", "\t", " ", "#"]

def mutate_text(data, rng):
    b = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        i = rng.randrange(len(b) + 1)
        op = rng.randrange(4)
        if op == 0: b[i:i] = rng.choice(SNIPPETS).encode("utf-8", "surrogateescape") if rng.random() < 0.9 else bytes([rng.randrange(256)])
        elif op == 1: b[i:i + rng.randint(1, 30)] = b""
        elif op == 2: b = b[:i]
        else:
            j = rng.randrange(len(b) + 1); b[i:i] = b[j:j + rng.randint(1, 40)]
    return bytes(b)

def main(seed, count):
    rng = random.Random(seed)
    base = WORK + "/base"
    if not os.path.exists(base):
        subprocess.run(SPICE + ["venv", base, "--python", "3.11", "-q"], env=env, check=True)
        subprocess.run(SPICE + ["pip", "install", "-q", "--python", base + "/bin/python", "--no-deps"] + [os.path.join(MIRROR, w) for w in WHEELS], env=env, check=True)
    problems = 0
    for n in range(count):
        case = WORK + "/case"; shutil.rmtree(case, ignore_errors=True)
        shutil.copytree(base, case, symlinks=True)
        sp = os.path.join(case, "lib/python3.11/site-packages")
        targets = []
        for d in os.listdir(sp):
            if d.endswith(".dist-info"):
                targets += [os.path.join(sp, d, f) for f in os.listdir(os.path.join(sp, d)) if os.path.isfile(os.path.join(sp, d, f))]
        targets.append(os.path.join(case, "pyvenv.cfg"))
        for _ in range(rng.randint(1, 3)):
            t = rng.choice(targets)
            if rng.random() < 0.1:
                os.remove(t); targets.remove(t)
            else:
                open(t, "wb").write(mutate_text(open(t, "rb").read(), rng))
        if rng.random() < 0.2:
            open(os.path.join(sp, "fuzz.pth"), "wb").write(mutate_text(b"/nonexistent\nimport os\n../x\n", rng))
        py = case + "/bin/python"
        shutil.rmtree(WORK + "/last", ignore_errors=True); shutil.copytree(case, WORK + "/last", symlinks=True)
        cmds = [["pip", "list"], ["pip", "list", "--format", "json"], ["pip", "list", "--format", "freeze"], ["pip", "list", "--not-required"],
                ["pip", "freeze", "--all"], ["pip", "show", "-f", "six", "mccabe", "jsonpointer", "idna"], ["pip", "check"], ["pip", "tree"],
                ["pip", "tree", "--reverse"], ["pip", "inspect"], ["doctor", "--format", "json"],
                ["pip", "uninstall", "-y", rng.choice(["six", "mccabe", "jsonpointer", "idna"])],
                ["pip", "install", "--no-deps", "--force-reinstall", os.path.join(MIRROR, rng.choice(WHEELS))]]
        for cmd in cmds:
            full = SPICE + cmd[:2] + ["--python", py] + cmd[2:] if cmd[0] == "pip" else SPICE + cmd + ["--python", py]
            r = subprocess.run(full, env=env, capture_output=True, text=True, timeout=60, errors="replace")
            out = r.stdout + r.stderr
            if "internal error" in out or "    at " in out or r.returncode not in (0, 1):
                problems += 1
                keep = f"{WORK}/bad-{seed}-{n}"
                if not os.path.exists(keep): shutil.copytree(WORK + "/last", keep, symlinks=True)
                print(f"[{n}] {' '.join(cmd)} rc={r.returncode}\n{out[-1500:]}", flush=True)
                break
    print(f"{count} cases, {problems} problems")

main(int(sys.argv[1]), int(sys.argv[2]))
