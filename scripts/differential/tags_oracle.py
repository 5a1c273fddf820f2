"""Tag vectors (cpython/generic/compatible tags, platform lists, wheel selection) from packaging 26.2:
`check` compares it with the public vectors; `gen SEED N DIR` writes N random cases to DIR/tags.json."""
import sys, json, random, hashlib, os
CONFORMANCE = os.environ.get("CONFORMANCE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "conformance"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packaging import tags, _manylinux, _musllinux
from packaging.utils import parse_wheel_filename
def mac(i): return {"platforms": list(tags.mac_platforms(tuple(i["version"]), i["arch"]))}
def ios(i): return {"platforms": list(tags.ios_platforms(tuple(i["version"]), i["multiarch"]))}
def android(i): return {"platforms": list(tags.android_platforms(i["api_level"], i["abi"]))}
def cpy(i): return {"tags": [str(t) for t in tags.cpython_tags(tuple(i["python_version"]), i["abis"], i["platforms"])]}
def gen(i): return {"tags": [str(t) for t in tags.generic_tags(i["interpreter"], i["abis"], i["platforms"])]}
def compat(i): return {"tags": [str(t) for t in tags.compatible_tags(tuple(i["python_version"]), i["interpreter"], i["platforms"])]}
def many(i):
    _manylinux._get_glibc_version = lambda: tuple(i["glibc"])
    _manylinux._have_compatible_abi = lambda exe, archs: True
    return {"platforms": list(_manylinux.platform_tags(i["archs"]))}
def musl(i):
    _musllinux._get_musl_version = lambda exe: _musllinux._MuslVersion(*i["musl"])
    return {"platforms": list(_musllinux.platform_tags(i["archs"]))}
def select(i):
    pv = tuple(i["python_version"])
    supported = list(tags.cpython_tags(pv, i["abis"], i["platforms"])) + list(tags.compatible_tags(pv, f"cp{pv[0]}{pv[1]}", i["platforms"]))
    rank = {}
    for n, t in enumerate(supported): rank.setdefault(t, n)
    out = []
    for idx, f in enumerate(i["filenames"]):
        try: _, _, _, ts = parse_wheel_filename(f)
        except Exception: continue
        r = [rank[t] for t in ts if t in rank]
        if r: out.append((min(r), idx, f))
    out.sort()
    return {"selected": [f for _, _, f in out]}
H = {"mac_platforms": mac, "ios_platforms": ios, "android_platforms": android, "cpython_tags": cpy, "generic_tags": gen,
     "compatible_tags": compat, "manylinux_platforms": many, "musllinux_platforms": musl, "select_wheels": select}
if sys.argv[1] == "check":
    bad = 0
    for c in json.load(open(os.path.join(CONFORMANCE, "tags.json"))):
        if c["kind"] in H:
            g = H[c["kind"]](c["input"])
            if g != c["expected"]:
                bad += 1
                if bad < 5: print(c["kind"], json.dumps(c["input"])[:200], "\n exp", json.dumps(c["expected"])[:300], "\n got", json.dumps(g)[:300])
    print("mismatch", bad)
else:
    rng = random.Random(int(sys.argv[2])); n = int(sys.argv[3])
    pub = [c for c in json.load(open(os.path.join(CONFORMANCE, "tags.json"))) if c["kind"] in H]
    plats = sorted({p for c in pub for p in c["input"].get("platforms", [])})
    abis = sorted({a for c in pub for a in c["input"].get("abis", [])}) + ["abi3", "none", "cp3", "cp39d", "cp314t", "pypy39_pp73", "graalpy311_311_native"]
    files = sorted({f for c in pub for f in c["input"].get("filenames", [])})
    archs = ["x86_64", "aarch64", "ppc64le", "s390x", "riscv64"]
    macarchs = ["arm64", "i386", "intel", "ppc", "ppc64", "universal2", "x86_64", "fat", "fat3", "fat64", "fat32"]
    out = []
    for _ in range(n):
        k = rng.choice(list(H))
        pv = [rng.choice([2, 3, 3, 3, 4]), rng.randint(0, 16)] + ([rng.randint(0, 3)] if rng.random() < .2 else [])
        if pv[0] == 2: pv[1] = rng.choice([6, 7])
        inp = {
            "mac_platforms": lambda: {"version": [rng.choice([10, 10, 11, 12, 13, 14, 15, 16, 20, 26, 27]), rng.randint(0, 17)], "arch": rng.choice(macarchs)},
            "ios_platforms": lambda: {"version": [rng.randint(8, 27), rng.randint(0, 9)], "multiarch": rng.choice(["arm64-iphoneos", "arm64_iphonesimulator", "x86_64_iphonesimulator", "arm64-iphonesimulator", "x86_64-iphoneos", "arm64"])},
            "android_platforms": lambda: {"api_level": rng.randint(10, 40), "abi": rng.choice(["arm64_v8a", "armeabi_v7a", "x86_64", "x86", "arm64-v8a", "armeabi-v7a", "mips"])},
            "cpython_tags": lambda: {"python_version": pv, "abis": rng.sample(abis, rng.randint(0, 3)), "platforms": rng.sample(plats, rng.randint(1, 4))},
            "generic_tags": lambda: {"interpreter": rng.choice(["pp310", "pp39", "graalpy311", "cp311", "ip27", "py3", "jy27", "cp3"]), "abis": rng.sample(abis, rng.randint(0, 3)), "platforms": rng.sample(plats, rng.randint(1, 4))},
            "compatible_tags": lambda: {"python_version": pv, "interpreter": rng.choice([None, "cp311", "pp310", "cp27", "cp4", "py3"]), "platforms": rng.sample(plats, rng.randint(1, 4))},
            "manylinux_platforms": lambda: {"glibc": [rng.choice([1, 2, 2, 2, 3]), rng.randint(0, 40)], "archs": rng.sample(archs, rng.randint(1, 3)) + (["i686"] if rng.random() < .3 else [])},
            "musllinux_platforms": lambda: {"musl": [rng.choice([0, 1, 1, 2]), rng.randint(0, 5)], "archs": rng.sample(archs, rng.randint(1, 3))},
            "select_wheels": lambda: {"python_version": pv, "abis": rng.sample(abis, rng.randint(1, 3)), "platforms": rng.sample(plats, rng.randint(1, 5)), "filenames": rng.sample(files, rng.randint(0, 8))},
        }[k]()
        try: exp = H[k](inp)
        except Exception as e: continue
        cid = f"tags-{k}-fz" + hashlib.sha1(json.dumps(inp, sort_keys=True).encode()).hexdigest()[:12]
        out.append({"id": cid, "kind": k, "source": "fuzz", "input": inp, "expected": exp})
    os.makedirs(sys.argv[4], exist_ok=True)
    json.dump(out, open(sys.argv[4] + "/tags.json", "w")); print(len(out))
