#!/usr/bin/env python3
"""Fuzzes sdists read for static metadata (PKG-INFO, Metadata 2.2+): mutated .tar.gz files offered
through --find-links, resolved with --dry-run. None may crash."""
from common import MIRROR, SPICE_JS, WORK
import io, os, random, shutil, subprocess, sys, tarfile, gzip
SPICE = ["node", SPICE_JS]
env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", NO_COLOR="1")
for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]: env.pop(k, None)
PKG_INFO = b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Python: >=3.8\n\n"

def build(rng):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        members = [("demo-1.0/PKG-INFO", PKG_INFO), ("demo-1.0/setup.py", b"print(1)\n"), ("demo-1.0/pyproject.toml", b"[project]\nname='demo'\n")]
        op = rng.choice(["none", "name", "dup", "link", "dir", "long", "pkginfo", "gnu", "pax"])
        for name, data in members:
            info = tarfile.TarInfo(name); info.size = len(data)
            if op == "name" and name.endswith("PKG-INFO"): info.name = rng.choice(["../PKG-INFO", "/PKG-INFO", "demo-1.0/../../x/PKG-INFO", "PKG-INFO", "other-1.0/PKG-INFO", "demo-1.0//PKG-INFO"])
            if op == "link" and name.endswith("PKG-INFO"):
                info.type = rng.choice([tarfile.SYMTYPE, tarfile.LNKTYPE]); info.linkname = rng.choice(["/etc/passwd", "../../etc/passwd", "setup.py"]); info.size = 0; data = b""
            if op == "dir" and name.endswith("PKG-INFO"): info.type = tarfile.DIRTYPE; info.size = 0; data = b""
            if op == "long": info.name = "demo-1.0/" + "a" * rng.choice([100, 101, 200, 5000]) + "/" + name.split("/")[-1]
            if op == "pkginfo" and name.endswith("PKG-INFO"):
                data = rng.choice([b"", b"Metadata-Version: 2.2\n", b"Metadata-Version: 2.2\nName: other\nVersion: 1.0\n", b"Metadata-Version: 2.2\nName: demo\nVersion: 2.0\n",
                                   b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nDynamic: Requires-Dist\n", b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Dist: x (>=\n",
                                   b"\xff\xfe\x00", b"Metadata-Version: 9.9\nName: demo\nVersion: 1.0\n", b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"])
                info.size = len(data)
            if op == "pax": tar.format = tarfile.PAX_FORMAT; info.pax_headers = {"path": rng.choice(["../../evil", "demo-1.0/PKG-INFO", "\u00e9", "x" * 300])}
            tar.addfile(info, io.BytesIO(data))
            if op == "dup" and name.endswith("PKG-INFO"):
                d2 = b"Metadata-Version: 2.2\nName: demo\nVersion: 1.0\nRequires-Dist: nope-not-there\n"; i2 = tarfile.TarInfo(name); i2.size = len(d2); tar.addfile(i2, io.BytesIO(d2))
    raw = gzip.compress(buf.getvalue())
    if rng.random() < 0.4:
        b = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            if len(b) < 2: break
            i = rng.randrange(len(b)); k = rng.randrange(3)
            if k == 0: b[i] ^= 1 << rng.randrange(8)
            elif k == 1: b = b[:i]
            else: b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        raw = bytes(b)
        op = "bytes"
    return op, raw

def main(seed, count):
    rng = random.Random(seed); problems = 0; outcomes = {}
    venv = WORK + "/venv"
    if not os.path.exists(venv): subprocess.run(SPICE + ["venv", venv, "--python", "3.11", "-q"], env=env, check=True)
    for n in range(count):
        d = WORK + "/links"; shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
        op, raw = build(rng)
        open(os.path.join(d, "demo-1.0.tar.gz"), "wb").write(raw)
        cache = WORK + "/cache"; shutil.rmtree(cache, ignore_errors=True)
        r = subprocess.run(SPICE + ["pip", "install", "--python", venv + "/bin/python", "--dry-run", "--no-index", "--find-links", d, "--cache-dir", cache, "demo"],
                           env=env, capture_output=True, text=True, timeout=60, errors="replace")
        out = r.stdout + r.stderr
        outcomes[(op, r.returncode)] = outcomes.get((op, r.returncode), 0) + 1
        if "internal error" in out or "    at " in out or r.returncode not in (0, 1):
            problems += 1; shutil.copy(os.path.join(d, "demo-1.0.tar.gz"), f"{WORK}/bad-{seed}-{n}.tar.gz")
            print(f"[{n}] {op} rc={r.returncode}\n{out[-1000:]}", flush=True)
    print("outcomes", sorted(outcomes.items())); print(f"{count} cases, {problems} problems")
main(int(sys.argv[1]), int(sys.argv[2]))
