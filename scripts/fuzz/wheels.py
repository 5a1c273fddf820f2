#!/usr/bin/env python3
"""Byte-level and structural fuzzing of spice's wheel installer.

Each case: a mutated copy of a real wheel, installed by path into a copy of a pristine venv.
Checks: no internal error (stack trace), a failed install leaves the venv byte-for-byte as it was,
a successful install is only accepted when the files match the original wheel's RECORD."""
from common import MIRROR, SPICE_JS, WORK
import warnings; warnings.simplefilter("ignore")
import hashlib, os, random, shutil, subprocess, sys, zipfile, io, json, struct
SPICE = ["node", SPICE_JS]
SRC = os.path.join(MIRROR, "files")
BASES = ["six-1.17.0-py2.py3-none-any.whl", "jsonpointer-3.1.1-py3-none-any.whl",
         "mccabe-0.7.0-py2.py3-none-any.whl", "idna-3.20-py3-none-any.whl"]
work = WORK + "/work"
env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", SPICE_CACHE_DIR=WORK + "/cache", NO_COLOR="1")
for k in ["PIP_FIND_LINKS", "NODE_EXTRA_CA_CERTS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]:
    env.pop(k, None)

def snapshot(root):
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            if os.path.islink(p): out[p] = ("l", os.readlink(p))
            elif os.path.isdir(p): out[p] = ("d", st.st_mode)
            else: out[p] = ("f", st.st_mode, hashlib.sha256(open(p, "rb").read()).hexdigest())
    return out

def mutate(data, rng):
    kind = rng.choice(["flip", "flip", "trunc", "splice", "zero", "struct", "struct", "struct"])
    b = bytearray(data)
    if kind == "flip":
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(b)); b[i] ^= 1 << rng.randrange(8)
    elif kind == "trunc":
        b = b[: rng.randrange(len(b))]
    elif kind == "zero":
        i = rng.randrange(len(b)); b[i:i + rng.randint(1, 64)] = bytes(min(64, len(b) - i))
    elif kind == "splice":
        i = rng.randrange(len(b)); j = rng.randrange(len(b))
        b[i:i] = b[j:j + rng.randint(1, 200)]
    else:
        op, out = struct_mutate(data, rng)
        return "struct-" + op, out
    return kind, bytes(b)

def struct_mutate(data, rng):
    zin = zipfile.ZipFile(io.BytesIO(data))
    entries = [(i, zin.read(i)) for i in zin.infolist()]
    op = rng.choice(["rename", "dup", "record", "wheelver", "drop", "content", "symlink", "dirent", "metaname", "entrypoint"])
    out = io.BytesIO()
    zout = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
    target = rng.randrange(len(entries))
    evil = rng.choice(["../evil.py", "/abs/evil.py", "a\\..\\..\\evil.py", "six.py/../../x", "", ".", "a//b.py", "x\x00y.py",
                       "dist-info/../../../etc", "caf\u00e9.py", "A" * 300 + ".py", "bin/../..", "a/./b.py"])
    for idx, (info, content) in enumerate(entries):
        name = info.filename
        if op == "rename" and idx == target: name = evil
        if op == "drop" and idx == target: continue
        if op == "content" and idx == target: content = content + b"x"
        if op == "record" and name.endswith(".dist-info/RECORD"):
            lines = content.decode().splitlines()
            k = rng.randrange(len(lines))
            lines[k] = rng.choice([evil + ",,", lines[k].replace("sha256=", "sha256=A"), lines[k] + ",extra", "\"" + lines[k],
                                   lines[k].split(",")[0] + ",md5=abc,1", lines[k].split(",")[0] + ",sha256=,", ","])
            content = ("\n".join(lines) + "\n").encode()
        if op == "wheelver" and name.endswith(".dist-info/WHEEL"):
            content = content.replace(b"Wheel-Version: 1.0", rng.choice([b"Wheel-Version: 2.0", b"Wheel-Version: x", b"", b"Wheel-Version: 1.9"]))
        if op == "metaname" and name.endswith(".dist-info/METADATA"):
            content = rng.choice([content.replace(b"Name: ", b"Name: other", 1), content.replace(b"Version: ", b"Version: 9", 1), b"", content[:20]])
        if op == "entrypoint" and name.endswith("entry_points.txt"):
            content = rng.choice([b"[console_scripts]\n../evil = six:main\n", b"[console_scripts]\n/abs = six:main\n", b"[console_scripts]\nx = \n", b"[console_scripts\n", b"[console_scripts]\nok = a.b:c [extra]\n"])
        zi = zipfile.ZipInfo(name, info.date_time)
        zi.external_attr = info.external_attr
        zi.compress_type = zipfile.ZIP_DEFLATED
        if op == "symlink" and idx == target:
            zi.external_attr = (0o120777 << 16)
            content = rng.choice([b"/etc/passwd", b"../../../../etc", b"six.py"])
        zout.writestr(zi, content)
        if op == "dup" and idx == target:
            zout.writestr(zipfile.ZipInfo(name, info.date_time), content + b"#dup")
    if op == "dirent":
        zout.writestr(zipfile.ZipInfo(evil.rstrip("/") + "/"), b"")
    zout.close()
    if op != "record" and rng.random() < 0.6:
        return op + "-rehashed", rehash(out.getvalue())
    return op, out.getvalue()

def rehash(data):
    """Rewrites RECORD so that it lists every member with its true hash: the semantic checks run."""
    import base64
    zin = zipfile.ZipFile(io.BytesIO(data))
    infos = zin.infolist()
    record = next((i.filename for i in infos if i.filename.endswith(".dist-info/RECORD")), None)
    if record is None: return data
    rows = []
    for i in infos:
        # A mutation may leave a member with an empty name, which zipfile's is_dir() cannot read.
        if i.filename == record or not i.filename or i.is_dir(): continue
        c = zin.read(i)
        h = base64.urlsafe_b64encode(hashlib.sha256(c).digest()).rstrip(b"=").decode()
        rows.append(f"{i.filename},sha256={h},{len(c)}")
    rows.append(f"{record},,")
    out = io.BytesIO(); zout = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)
    for i in infos:
        c = ("\n".join(rows) + "\n").encode() if i.filename == record else zin.read(i)
        zi = zipfile.ZipInfo(i.filename, i.date_time); zi.external_attr = i.external_attr; zi.compress_type = zipfile.ZIP_DEFLATED
        zout.writestr(zi, c)
    zout.close()
    return out.getvalue()

def main(seed, count):
    rng = random.Random(seed)
    os.makedirs(work, exist_ok=True)
    pristine = os.path.join(work, "pristine")
    if not os.path.exists(pristine):
        subprocess.run(SPICE + ["venv", pristine, "--python", "3.11", "-q"], env=env, check=True)
    problems = 0
    global msgs; msgs = {}
    stats = {}
    for n in range(count):
        base = rng.choice(BASES)
        data = open(os.path.join(SRC, base), "rb").read()
        kind, mutated = mutate(data, rng)
        case = os.path.join(work, "case")
        shutil.rmtree(case, ignore_errors=True)
        os.makedirs(case)
        whl = os.path.join(case, base)
        open(whl, "wb").write(mutated)
        venv = os.path.join(case, "venv")
        shutil.copytree(pristine, venv, symlinks=True)
        before = snapshot(venv)
        r = subprocess.run(SPICE + ["pip", "install", "--python", venv + "/bin/python", "--no-deps", "--no-index", whl],
                           env=env, capture_output=True, text=True, timeout=60)
        out = r.stdout + r.stderr
        outcome = "ok" if r.returncode == 0 else "refused"
        stats[(kind, outcome)] = stats.get((kind, outcome), 0) + 1
        bad = None
        if r.returncode != 0:
            first = [l for l in out.splitlines() if l.startswith(("error", "  caused by", "  hint"))]
            msgs.setdefault(kind, set()).add(" | ".join(first)[:300])
        if "internal error" in out or "    at " in out: bad = "internal error"
        elif r.returncode != 0 and snapshot(venv) != before: bad = "changed on failure"
        elif r.returncode == 0:
            # accepted: every installed file must match the original wheel's content
            zorig = zipfile.ZipFile(os.path.join(SRC, base)) if "rehashed" not in kind else zipfile.ZipFile(whl)
            sp = os.path.join(venv, "lib/python3.11/site-packages")
            for info in zorig.infolist():
                if not info.filename or info.is_dir() or ".data/" in info.filename or info.filename.endswith(("RECORD", "INSTALLER", "REQUESTED")): continue
                p = os.path.join(sp, info.filename)
                if kind == "struct-drop" and not os.path.exists(p): continue
                if not os.path.exists(p) or open(p, "rb").read() != zorig.read(info):
                    bad = f"accepted but {info.filename} differs"; break
            tops = {i.filename.split("/")[0] for i in zorig.infolist()}
            after = snapshot(venv)
            for p in after:
                if p in before: continue
                rel = os.path.relpath(p, venv)
                if rel.startswith("bin/"): continue
                if rel.startswith("lib/python3.11/site-packages/") and rel.split("/")[3] in tops: continue
                bad = f"unexpected new path {rel}"; break
            outside = [p for p in snapshot(case) if not p.startswith(venv) and p != whl]
            if outside: bad = f"wrote outside: {outside[:3]}"
        if bad:
            problems += 1
            keep = f"{WORK}/bad-{seed}-{n}"
            shutil.copytree(case, keep, symlinks=True)
            print(f"[{n}] {kind} {base}: {bad}\n{out[-1500:]}\n-> {keep}", flush=True)
    for k, v in msgs.items():
        print("==", k)
        for m in list(v)[:12]: print("   ", m)
    print("stats", sorted(stats.items()))
    print(f"{count} cases, {problems} problems")

main(int(sys.argv[1]), int(sys.argv[2]))
