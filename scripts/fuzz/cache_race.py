#!/usr/bin/env python3
"""Races `spice cache clean` and `prune` against commands that use the same cache: installs from
local files and from an index (cold and warm), syncs and downloads, the cleaner started after a
random delay. Whatever the timing, spice must not crash (no internal error), must fail only by
saying so, and must leave the environment either holding exactly what it asked for (every file
its RECORD lists, with the hash RECORD gives) or as it was."""
from common import MIRROR, REPO, SPICE_JS, WORK
import base64, csv, hashlib, os, random, shutil, socket, subprocess, sys, threading, time

SPICE = ["node", SPICE_JS]
env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", NO_COLOR="1")
for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "SPICE_CACHE_DIR"]: env.pop(k, None)
PYTHON = os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python3")
SETS = {
    "small": ["six", "idna", "mccabe", "jsonpointer", "pyyaml"],
    "web": ["requests", "urllib3", "certifi", "charset-normalizer", "idna", "six", "attrs", "packaging"],
}
# The corpus's trio set, pinned: 33 wheels, a window of a second or two to race in.
_trio = os.path.join(REPO, "..", "shared", "corpus", "sets", "trio.lock.txt")
if os.path.exists(_trio):
    SETS["trio"] = [line.strip() for line in open(_trio) if line.strip() and not line.startswith("#")]

def site_packages(venv):
    return os.path.join(venv, "lib", "python3.11", "site-packages")

def record_problems(venv):
    """Files a RECORD lists that are missing or whose hash differs: a half-installed distribution."""
    problems = []
    site = site_packages(venv)
    for entry in os.listdir(site):
        if not entry.endswith(".dist-info"): continue
        record = os.path.join(site, entry, "RECORD")
        if not os.path.exists(record): problems.append(f"{entry}: no RECORD"); continue
        for row in csv.reader(open(record, newline="")):
            if len(row) < 2 or not row[1]: continue
            path = os.path.normpath(os.path.join(site, row[0]))
            if not os.path.exists(path): problems.append(f"{row[0]} missing"); continue
            algorithm, _, expected = row[1].partition("=")
            digest = base64.urlsafe_b64encode(hashlib.new(algorithm, open(path, "rb").read()).digest()).rstrip(b"=").decode()
            if digest != expected: problems.append(f"{row[0]} hash differs")
    return problems

def installed(venv):
    return sorted(e for e in os.listdir(site_packages(venv)) if e.endswith(".dist-info"))

def main(seed, count):
    rng = random.Random(seed)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]
    server = subprocess.Popen([PYTHON, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", MIRROR], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    index = ["--index-url", f"http://127.0.0.1:{port}/simple/"]
    local = ["--no-index", "--find-links", os.path.join(MIRROR, "files")]
    problems = 0
    outcomes = {}
    try:
        for n in range(count):
            case = os.path.join(WORK, f"race-{n}")
            cache = os.path.join(case, "cache")
            venv = os.path.join(case, "venv")
            os.makedirs(case)
            names = SETS[rng.choice(sorted(SETS))]
            source = rng.choice(["local", "index"])
            command = rng.choice(["install", "install", "sync", "download"])
            warm = rng.random() < 0.6
            cleaner = rng.choice(["clean", "clean", "prune"])
            subprocess.run(["python3", "-m", "venv", "--without-pip", venv], check=True)
            requirements = os.path.join(case, "requirements.txt")
            open(requirements, "w").write("\n".join(names) + "\n")
            base = ["--cache-dir", cache] + (index if source == "index" else local)
            if command == "download":
                args = SPICE + ["pip", "download", "-q", "-d", os.path.join(case, "wheels"), "-r", requirements] + base
            elif command == "sync":
                # sync takes pins: compile them first (with the same cache, before the race).
                pinned = os.path.join(case, "pinned.txt")
                subprocess.run(SPICE + ["pip", "compile", "-q", requirements, "-o", pinned, "--python", venv] + base, env=env, check=True)
                args = SPICE + ["pip", "sync", "-q", pinned, "--python", venv] + base
            else:
                args = SPICE + ["pip", "install", "-q", "-r", requirements, "--python", venv] + base
            if warm:
                warmer = os.path.join(case, "warm-venv")
                subprocess.run(["python3", "-m", "venv", "--without-pip", warmer], check=True)
                subprocess.run(SPICE + ["pip", "install", "-q", "-r", requirements, "--python", warmer] + base, env=env, check=True)
                time.sleep(0.5)  # the background spare-tree maker
            before = installed(venv)
            delay = rng.uniform(0, 0.6)
            run = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(delay)
            subprocess.run(SPICE + ["cache", cleaner, "--cache-dir", cache], env=env, capture_output=True)
            out, err = run.communicate(timeout=300)
            bad = []
            if "internal error" in err: bad.append("internal error")
            if run.returncode not in (0, 1): bad.append(f"exit {run.returncode}")
            if run.returncode == 1 and not err.startswith("error: ") and "\nerror: " not in err: bad.append("failed without saying so")
            if command != "download":
                after = installed(venv)
                if run.returncode != 0 and after != before: bad.append(f"failed but changed the environment: {after}")
                if run.returncode == 0 and len(after) < len(names) - (1 if command == "sync" else 0): bad.append(f"succeeded with {after}")
                bad += record_problems(venv)[:5]
            else:
                for wheel in os.listdir(os.path.join(case, "wheels")) if os.path.isdir(os.path.join(case, "wheels")) else []:
                    if wheel.startswith(".") or not wheel.endswith(".whl"): bad.append(f"left {wheel}")
            key = (command, source, "warm" if warm else "cold", cleaner, "ok" if run.returncode == 0 else "refused")
            outcomes[key] = outcomes.get(key, 0) + 1
            if bad:
                problems += 1
                print(f"[{n}] {key} after {delay:.2f} s: {bad}\n{err[-1500:]}", flush=True)
            else:
                shutil.rmtree(case, ignore_errors=True)
        print("outcomes", sorted(outcomes.items()))
        print(f"{count} cases, {problems} problems")
    finally:
        server.terminate()

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
