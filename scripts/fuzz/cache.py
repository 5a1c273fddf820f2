#!/usr/bin/env python3
"""Fuzzes spice's cache: a filled cache (wheels, archives, HTTP pages, interpreter inspections,
spare trees, and the code caches beside a copy of the bundles) is copied, damaged at random, and
a warm install from an index runs on it. spice must not crash, and what it installs must be the
wheels' true content."""
from common import MIRROR, SPICE_JS, WORK
import hashlib, os, random, shutil, subprocess, sys, threading, time, zipfile
# A copy of the bundles of its own: their code caches sit beside them (dist/code-cache/), and are
# damaged here with the cache.
BUNDLES = WORK + "/bundles"
shutil.copytree(os.path.dirname(SPICE_JS), BUNDLES, ignore=shutil.ignore_patterns("code-cache", "*.map"))
CODE_CACHES = BUNDLES + "/code-cache"
SPICE = ["node", BUNDLES + "/spice.cjs"]
env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", NO_COLOR="1")
for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "SPICE_CACHE_DIR"]: env.pop(k, None)
# The last has over 100 directories (its locales): installs claim its spare tree (installer.ts).
REQS = ["six", "idna", "mccabe", "jsonpointer", "pyyaml", "sphinxcontrib-serializinghtml"]

def walk_files(root):
    for d, dirs, files in os.walk(root):
        for f in files: yield os.path.join(d, f)

def damage(path, rng):
    op = rng.choice(["truncate", "flip", "delete", "empty", "garbage", "chmod"])
    try:
        if op == "delete": os.remove(path)
        elif op == "empty": open(path, "wb").close()
        elif op == "chmod": os.chmod(path, 0)
        else:
            data = bytearray(open(path, "rb").read())
            if op == "truncate": data = data[: rng.randrange(len(data) + 1)]
            elif op == "flip" and data: data[rng.randrange(len(data))] ^= 0xFF
            else: data = bytearray(os.urandom(rng.randint(0, 64)))
            # Replace, not write through: the cache's files may be hard-linked into environments.
            tmp = path + ".fuzz"; open(tmp, "wb").write(bytes(data)); os.replace(tmp, path)
    except OSError:
        pass
    return op

def flip_bits(path, rng):
    data = bytearray(open(path, "rb").read())
    for _ in range(rng.randint(1, 3) if data else 0): data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    tmp = path + ".fuzz"; open(tmp, "wb").write(bytes(data)); os.replace(tmp, path)
    return "bits"

def main(seed, count):
    rng = random.Random(seed)
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]
    server = subprocess.Popen(["python3", "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", MIRROR], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    index = ["--index-url", f"http://127.0.0.1:{port}/simple/"]
    try:
        filled = WORK + "/filled"
        if not os.path.exists(filled):
            v = WORK + "/v0"; shutil.rmtree(v, ignore_errors=True)
            subprocess.run(SPICE + ["venv", v, "-q", "--cache-dir", filled], env=env, check=True)
            subprocess.run(SPICE + ["pip", "install", "-q", "--python", v + "/bin/python", "--cache-dir", filled] + index + REQS, env=env, check=True)
            time.sleep(2)  # the background spare-tree maker
        filled_code = WORK + "/filled-code"
        if not os.path.exists(filled_code): shutil.copytree(CODE_CACHES, filled_code)
        problems = 0; outcomes = {}
        for n in range(count):
            cache = WORK + "/cache"; shutil.rmtree(cache, ignore_errors=True)
            for d, dirs, files in os.walk(cache): pass
            subprocess.run(["cp", "-a", filled, cache], check=True)
            shutil.rmtree(CODE_CACHES, ignore_errors=True)
            shutil.copytree(filled_code, CODE_CACHES)
            files = list(walk_files(cache))
            damaged = [rng.choice(files) for _ in range(rng.randint(1, 6))]
            ops = [damage(path, rng) for path in damaged]
            # A directory removed whole, or a file in its place (an `rm -rf` stopped halfway).
            if rng.random() < 0.25:
                directories = [d for d, _, _ in os.walk(cache) if d != cache]
                directory = rng.choice(directories)
                shutil.rmtree(directory, ignore_errors=True)
                if rng.random() < 0.5: open(directory, "wb").write(b"not a directory")
                damaged.append(directory); ops.append("directory")
            # Code caches are a few files beside the bundles, and V8 runs one with a few flipped
            # bits (found here): damage one in a third of the cases.
            code = list(walk_files(CODE_CACHES))
            if code and rng.random() < 0.33:
                damaged.append(rng.choice(code)); ops.append(flip_bits(damaged[-1], rng))
            v = WORK + "/v"; shutil.rmtree(v, ignore_errors=True)
            r0 = subprocess.run(SPICE + ["venv", v, "-q", "--cache-dir", cache], env=env, capture_output=True, text=True)
            install = SPICE + ["pip", "install", "--python", v + "/bin/python", "--cache-dir", cache] + index + REQS
            r = subprocess.run(install, env=env, capture_output=True, text=True, timeout=120)
            out = r0.stdout + r0.stderr + r.stdout + r.stderr
            outcomes[r.returncode] = outcomes.get(r.returncode, 0) + 1
            bad = None
            if "internal error" in out or "    at " in out: bad = "internal error"
            elif r0.returncode != 0 or r.returncode != 0: bad = f"failed rc={r0.returncode}/{r.returncode}"
            else:
                sp = os.path.join(v, "lib/python3.11/site-packages")
                for w in os.listdir(os.path.join(MIRROR, "files")):
                    if not any(w.lower().startswith(q.replace("-", "_") + "-") for q in REQS): continue
                    z = zipfile.ZipFile(os.path.join(os.path.join(MIRROR, "files"), w))
                    if not any(os.path.exists(os.path.join(sp, i.filename)) for i in z.infolist() if i.filename.endswith("METADATA")): continue
                    for i in z.infolist():
                        if i.is_dir() or ".data/" in i.filename or i.filename.endswith(("RECORD", "INSTALLER", "REQUESTED")): continue
                        p = os.path.join(sp, i.filename)
                        if not os.path.exists(p) or open(p, "rb").read() != z.read(i):
                            bad = f"{i.filename} differs from the wheel"; break
                    if bad: break
                for d in os.listdir(sp) if not bad else []:
                    installer = os.path.join(sp, d, "INSTALLER")
                    if d.endswith(".dist-info") and open(installer, "rb").read() != b"spice\n":
                        bad = f"{d}/INSTALLER is not spice's"; break
            if bad:
                problems += 1
                print(f"[{n}] {ops} {[os.path.relpath(p, cache) for p in damaged]}: {bad}\n{out[-1500:]}", flush=True)
        print("outcomes", outcomes)
        print(f"{count} cases, {problems} problems")
    finally:
        server.terminate()

main(int(sys.argv[1]), int(sys.argv[2]))
