"""Mutates the public vectors' inputs and writes new cases, answered by oracle.py, to a directory:
  mutate.py SEED CASES_PER_KIND DIR"""
import json, random, sys, hashlib, os
CONFORMANCE = os.environ.get("CONFORMANCE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "conformance"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import HANDLERS
seed = int(sys.argv[1]); per = int(sys.argv[2]); out = sys.argv[3]
rng = random.Random(seed)
D = CONFORMANCE + "/"
ALPHA = list("0123456789.-_+!*=<>~,; ()[]@'\"\\abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") + \
    ["\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x85", "\xa0", "\u2028", "\ufeff", "\u200b", "é", "ß", "İ", "K", "ǅ", "١", "½",
     "rc", "alpha", "beta", "pre", "preview", "post", "rev", "r", "dev", "c", "a", "b", "v", "V", "===", "==", "!=", "~=", ".*", "and", "or", "in", "not in", "not", "extra", "python_version", " ", "  "]
def mutate(s, pool):
    s = list(s)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        op = rng.random()
        pos = rng.randint(0, len(s))
        if op < 0.3 and s:
            del s[min(pos, len(s) - 1)]
        elif op < 0.6:
            s[pos:pos] = list(rng.choice(ALPHA))
        elif op < 0.8 and s:
            s[min(pos, len(s) - 1)] = rng.choice(ALPHA)
        elif op < 0.9:
            other = rng.choice(pool)
            a = rng.randint(0, len(other)); b = rng.randint(a, len(other))
            s[pos:pos] = list(other[a:b])
        else:
            i = rng.randint(0, len(s)); j = rng.randint(i, len(s))
            seg = "".join(s[i:j]); seg = seg.upper() if rng.random() < .5 else seg.lower()
            s[i:j] = list(seg)
    return "".join(s)
def load(f):
    return json.load(open(D + f + ".json"))
cases = {}
def add(f, kind, inp):
    h = HANDLERS[(f, kind)]
    try:
        exp = h(inp)
    except Exception as e:
        return
    key = json.dumps(inp, sort_keys=True)
    cid = f"{f}-{kind}-fz{hashlib.sha1(key.encode()).hexdigest()[:12]}"
    cases.setdefault(f, {})[cid] = {"id": cid, "kind": kind, "source": "fuzz", "input": inp, "expected": exp}

from packaging.version import Version
from packaging.specifiers import SpecifierSet
from packaging.markers import Marker

def choose_prereleases(inp):
    """The call's and, now and then, the set's own pre-release choice."""
    inp["prereleases"] = rng.choice([None, True, False])
    if rng.random() < .3: inp["set_prereleases"] = rng.choice([None, True, False])
def valid_version(v):
    try: Version(v); return True
    except Exception: return False

HEADERS = ["Metadata-Version", "Name", "Version", "Summary", "Description", "Description-Content-Type", "Keywords", "Home-page", "Download-URL", "Author", "Author-email", "Maintainer", "Maintainer-email", "License", "License-Expression", "License-File", "Classifier", "Requires-Dist", "Requires-Python", "Requires-External", "Project-URL", "Provides-Extra", "Provides-Dist", "Obsoletes-Dist", "Platform", "Supported-Platform", "Dynamic", "Import-Name", "Import-Namespace", "Provides", "Requires", "Obsoletes", "X-Unknown", "license-files", "NAME", "version"]
VALUES = ["1.0", "2.1", "2.2", "2.3", "2.4", "2.5", "1.2", "3.0", "", " ", "foo", "Foo_Bar", "MIT", "MIT OR Apache-2.0", "mit", "LicenseRef-Foo", "GPL-3.0+", "LICENSE", "../LICENSE", "/abs", "lic*", "text/markdown", "text/markdown; charset=UTF-8; variant=GFM", "text/plain", "text/x-rst", "requests>=2; extra == 'Test'", "foo [bar] (>=1.0)", "bar; python_version < '3'", ">=3.8", ">=3.8,<4", "3.6", "Homepage, https://x", "Source,https://y", "nocomma", "test", "Test_Extra", "dev-", "name", "version", "requires-dist", "Requires-Dist", "license-file", "Name", "a, b, c", "a,,b", "\u00e9t\u00e9", "pkg.mod", "pkg.mod; private", "1.0.dev1+local", "=\?utf-8\?q\?x\?="]
def mutate_meta(text, pool):
    lines = text.split("\n")
    head = []
    i = 0
    for _ in range(rng.choice([1, 1, 2, 3])):
        r = rng.random()
        n = len(lines)
        p = rng.randint(0, max(0, n - 1))
        if r < .25:
            lines.insert(p, f"{rng.choice(HEADERS)}: {rng.choice(VALUES)}")
        elif r < .4 and n > 1:
            del lines[p]
        elif r < .55:
            lines[p] = mutate(lines[p], pool)
        elif r < .65:
            lines.insert(p, rng.choice(["", " continued", "\tcontinued", "        |x", "bad line", ":", "X:"]))
        elif r < .75:
            other = rng.choice(pool).split("\n"); q = rng.randint(0, len(other)); lines[p:p] = other[q:q + rng.randint(1, 4)]
        elif r < .85 and n > 2:
            a, b = rng.sample(range(n), 2); lines[a], lines[b] = lines[b], lines[a]
        else:
            if ":" in lines[p]:
                k, _, v = lines[p].partition(":")
                lines[p] = k + ":" + rng.choice(["", " ", "  ", "\t"]) + rng.choice(VALUES)
    sep = rng.choice(["\n"] * 6 + ["\r\n", "\r"])
    return sep.join(lines)

for f in ["metadata", "versions", "version_order", "specifiers", "markers", "requirements", "names", "tags"]:
    data = load(f)
    bykind = {}
    for c in data: bykind.setdefault(c["kind"], []).append(c)
    for kind, cs in bykind.items():
        if (f, kind) not in HANDLERS: continue
        field = {("versions","parse"):"version",("specifiers","parse"):"specifiers",("markers","parse"):"marker",
                 ("requirements","parse"):"requirement",("names","canonicalize"):"name",("tags","wheel_filename"):"filename",
                 ("tags","sdist_filename"):"filename",("tags","parse_tag"):"tag"}.get((f,kind))
        if f == "metadata":
            pool = [c["input"]["text"] for c in cs]
            for _ in range(per // 10):
                add(f, kind, {"text": mutate_meta(rng.choice(pool), pool)})
            continue
        if field:
            pool = [c["input"][field] for c in cs]
            for _ in range(per):
                base = rng.choice(cs)["input"]
                inp = dict(base); inp[field] = mutate(base[field], pool)
                add(f, kind, inp)
        elif kind == "compare":
            pool = [c["input"]["a"] for c in cs] + [c["input"]["b"] for c in cs]
            for _ in range(per):
                a = rng.choice(pool); b = mutate(a, pool) if rng.random() < .7 else rng.choice(pool)
                if valid_version(b): add(f, kind, {"a": a, "b": b})
        elif kind == "contains":
            specs = [c["input"]["specifiers"] for c in cs]
            versions = [c["input"]["version"] for c in cs]
            for _ in range(per):
                base = dict(rng.choice(cs)["input"])
                r = rng.random()
                if r < .4: base["version"] = mutate(base["version"], versions)
                elif r < .7: base["specifiers"] = mutate(base["specifiers"], specs)
                else: base["version"] = rng.choice(versions)
                choose_prereleases(base)
                try:
                    SpecifierSet(base["specifiers"])
                except Exception: continue
                add(f, kind, base)
        elif kind == "filter":
            versions = [v for c in cs for v in c["input"]["versions"]]
            for _ in range(per):
                base = dict(rng.choice(cs)["input"])
                base["versions"] = [rng.choice(versions) if rng.random() < .5 else mutate(rng.choice(versions), versions) for _ in range(rng.randint(0, 7))]
                choose_prereleases(base)
                add(f, kind, base)
        elif kind == "evaluate":
            markers = [c["input"]["marker"] for c in cs]
            envs = [c["input"]["environment"] for c in cs]
            for _ in range(per):
                base = dict(rng.choice(cs)["input"])
                r = rng.random()
                if r < .5:
                    m = mutate(base["marker"], markers)
                    try:
                        Marker(m)
                    except Exception: continue
                    base["marker"] = m
                else:
                    env = dict(base["environment"]); k = rng.choice(list(env.keys()))
                    if isinstance(env[k], str): env[k] = mutate(env[k], [e.get(k, "") for e in envs if isinstance(e.get(k), str)])
                    base["environment"] = env
                base["context"] = rng.choice([base["context"], "metadata", "lock_file", "requirement"])
                add(f, kind, base)
os.makedirs(out, exist_ok=True)
for f, cs in cases.items():
    json.dump(list(cs.values()), open(os.path.join(out, f + ".json"), "w"))
    print(f, len(cs))
