#!/usr/bin/env python3
"""Fuzzes what spice reads from an environment: dist-info files (METADATA, RECORD, direct_url.json,
entry_points.txt, INSTALLER, REQUESTED), .pth files and pyvenv.cfg, mutated in a copy of a venv,
with what installs gone wrong leave beside them (a second .dist-info of a name, a setuptools or
distutils .egg-info, a package directory linked elsewhere), then every inspection command plus an
uninstall and an install run on it. None may crash."""
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

def legacy(sp, case, rng):
    """What other tools and broken installs leave: a copy of a .dist-info under another version, an
    .egg-info (directory with installed-files.txt, top_level.txt, requires.txt; or distutils' lone
    file) for a name that is installed or not, and a package directory that is a link."""
    infos = sorted(d for d in os.listdir(sp) if d.endswith(".dist-info"))
    if infos and rng.random() < 0.3:
        source = rng.choice(infos)
        name = source.split("-")[0]
        copy = os.path.join(sp, f"{name}-0.{rng.randint(0, 9)}.dist-info")
        if not os.path.exists(copy):
            shutil.copytree(os.path.join(sp, source), copy)
            metadata = os.path.join(copy, "METADATA")
            if os.path.exists(metadata):
                text = open(metadata, "rb").read().replace(b"\nVersion: ", b"\nVersion: 0.", 1)
                open(metadata, "wb").write(mutate_text(text, rng) if rng.random() < 0.3 else text)
    if rng.random() < 0.3:
        name = rng.choice(["six", "idna", "legacy"])
        version = rng.choice(["0.1", "1.0", "99"])
        pkg_info = f"Metadata-Version: 1.1\nName: {name}\nVersion: {version}\n".encode()
        path = os.path.join(sp, f"{name}-{version}-py3.11.egg-info")
        if rng.random() < 0.3:
            open(path, "wb").write(mutate_text(pkg_info, rng) if rng.random() < 0.3 else pkg_info)
        else:
            os.makedirs(path, exist_ok=True)
            files = {"PKG-INFO": pkg_info, "top_level.txt": f"{name}\n".encode(),
                     "installed-files.txt": f"../{name}/__init__.py\nPKG-INFO\n../../../../bin/{name}-tool\n".encode(),
                     "requires.txt": b"idna>=1\n\n[extra]\nsix\n\n[:python_version < '4']\nmccabe\n"}
            for file, data in files.items():
                if rng.random() < 0.8:
                    open(os.path.join(path, file), "wb").write(mutate_text(data, rng) if rng.random() < 0.3 else data)
            os.makedirs(os.path.join(sp, name), exist_ok=True)
            open(os.path.join(sp, name, "__init__.py"), "a").close()
    if rng.random() < 0.1:
        # A package directory moved out and linked back (a checkout used in place).
        link = os.path.join(sp, "idna")
        outside = os.path.join(WORK, "outside", str(rng.randrange(10**9)))
        if os.path.isdir(link) and not os.path.islink(link):
            shutil.move(link, outside)
            os.symlink(outside, link)

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
        legacy(sp, case, rng)
        py = case + "/bin/python"
        shutil.rmtree(WORK + "/last", ignore_errors=True); shutil.copytree(case, WORK + "/last", symlinks=True)
        cmds = [["pip", "list"], ["pip", "list", "--format", "json"], ["pip", "list", "--format", "freeze"], ["pip", "list", "--not-required"],
                ["pip", "freeze", "--all"], ["pip", "show", "-f", "six", "mccabe", "jsonpointer", "idna"], ["pip", "check"], ["pip", "tree"],
                ["pip", "tree", "--reverse"], ["pip", "inspect"], ["doctor", "--format", "json"],
                ["pip", "uninstall", "-y", rng.choice(["six", "mccabe", "jsonpointer", "idna", "legacy"])],
                ["pip", "install", "--no-deps", "--force-reinstall", os.path.join(MIRROR, rng.choice(WHEELS))],
                ["pip", "install", os.path.join(MIRROR, rng.choice(WHEELS))]]
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
