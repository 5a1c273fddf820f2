"""Mutates the public requirements-txt vectors' files and writes new cases answered by pip 23.2.1:
  mutate_requirements_txt.py SEED CASES DIR"""
import json, random, sys, hashlib, os, io, contextlib
CONFORMANCE = os.environ.get("CONFORMANCE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "conformance"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reqtxt_oracle
seed = int(sys.argv[1]); n = int(sys.argv[2]); out = sys.argv[3]
rng = random.Random(seed)
cases = json.load(open(os.path.join(CONFORMANCE, "requirements-txt.json")))
lines = []
for c in cases:
    for p, content in c["input"]["files"].items():
        if isinstance(content, str): lines += content.splitlines()
CHARS = list(" \t\\#;@[]=<>~!,.-_:/'\"$%{}()\x0c\x1c\x85\u2028") + ["${PKG}", "${EMPTY}", "${pkg}", "${NOPE}", " #", " \\", "\\\n", "\n", "-r ", "-c ", "-e ", "--hash=sha256:", "--pre", "-i ", "--index-url=", "-f", "--no-binary", "--only-binary=:none:", "--use-feature=fast-deps", "--requirement", "--constr", "--extra-index-url ", "--trusted-host ", "--config-settings", "--global-option", "git+https://x/y.git#egg=", "file:", "./pkg", "pkg", "sub/other.txt", "other.txt", "requirements.txt", "[", "]", "[::1]", "%", "%2F", "localhost", "file://", "file:///", "file:", "@ ", " @ ", "===", "(", ")", "\t", "; ", ":8080", ":x", "--trusted-host ", "--find-links=", "--index-url http://", "#egg=", "&subdirectory=", "#sha256=", ".whl", ".tar.gz", ".zip", "-1.0-py3-none-any", "\u00e9", "\u2100", "~", "..", "../", "/", "\\"]
def mutline(l):
    l = list(l)
    for _ in range(rng.choice([1, 1, 2])):
        p = rng.randint(0, len(l))
        r = rng.random()
        if r < .3 and l: del l[min(p, len(l) - 1)]
        elif r < .8: l[p:p] = list(rng.choice(CHARS))
        else:
            o = rng.choice(lines); a = rng.randint(0, len(o)); l[p:p] = list(o[a:a + rng.randint(1, 20)])
    return "".join(l)
def mutfile(text):
    ls = text.split("\n")
    for _ in range(rng.choice([1, 1, 2, 3])):
        r = rng.random(); p = rng.randint(0, len(ls))
        if r < .3: ls.insert(p, rng.choice(lines))
        elif r < .45 and len(ls) > 1: del ls[min(p, len(ls) - 1)]
        elif r < .85 and ls: q = min(p, len(ls) - 1); ls[q] = mutline(ls[q])
        elif ls: q = min(p, len(ls) - 1); ls[q] = ls[q] + rng.choice([" \\", "\\", " # c", "\t#x", " --hash=sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"])
    return "\n".join(ls)
outcases = {}
for i in range(n):
    base = json.loads(json.dumps(rng.choice(cases)["input"]))
    names = [k for k, v in base["files"].items() if isinstance(v, str) and not k.endswith(".toml")]
    if not names: continue
    for _ in range(rng.choice([1, 1, 2])):
        k = rng.choice(names); base["files"][k] = mutfile(base["files"][k])
    if rng.random() < .1: base["constraint"] = not base.get("constraint", False)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exp = reqtxt_oracle.expected(base)
    except BaseException as e:
        continue
    key = json.dumps(base, sort_keys=True)
    cid = "requirements-txt-parse-fz" + hashlib.sha1(key.encode()).hexdigest()[:12]
    outcases[cid] = {"id": cid, "kind": "parse", "source": "fuzz", "input": base, "expected": exp}
os.makedirs(out, exist_ok=True)
json.dump(list(outcases.values()), open(os.path.join(out, "requirements-txt.json"), "w"))
print(len(outcases))
