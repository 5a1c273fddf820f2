"""Conformance cases from the offline mirror's real wheels, answered by packaging 26.2 (oracle.py):
every wheel's whole METADATA, every distinct Requires-Dist, and each marker among them evaluated
in a spread of environments (CPython 3.8-3.14 and PyPy on Linux, Windows and macOS, with extras).
  mirror.py DIR   (then: node --import tsx scripts/conformance.ts DIR)
Prints `skipped: ...` and writes nothing on a machine without the mirror."""
import email, hashlib, json, os, random, sys, zipfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import mirror_files
from oracle import HANDLERS
from packaging.requirements import Requirement

out = sys.argv[1]
files = mirror_files()

def case(kind, inp, expected):
    key = hashlib.sha1(json.dumps(inp, sort_keys=True).encode()).hexdigest()[:12]
    return {"id": f"mirror-{key}", "kind": kind, "source": "mirror", "input": inp, "expected": expected}

documents, requirements = [], {}
for name in sorted(os.listdir(files)):
    if not name.endswith(".whl"):
        continue
    with zipfile.ZipFile(os.path.join(files, name)) as archive:
        members = [m for m in archive.namelist() if m.endswith(".dist-info/METADATA") and m.count("/") == 1]
        if not members:
            continue
        data = archive.read(members[0])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        continue
    documents.append(case("parse", {"text": text}, HANDLERS[("metadata", "parse")]({"text": text})))
    for line in email.message_from_string(text).get_all("Requires-Dist") or []:
        requirements.setdefault(line, None)

environments = []
for short, full in [("3.8", "3.8.18"), ("3.10", "3.10.13"), ("3.11", "3.11.7"), ("3.12", "3.12.1"), ("3.13", "3.13.0"), ("3.14", "3.14.0rc1")]:
    for platform, system, os_name, machine, implementation in [
        ("linux", "Linux", "posix", "x86_64", "cpython"),
        ("win32", "Windows", "nt", "AMD64", "cpython"),
        ("darwin", "Darwin", "posix", "arm64", "cpython"),
        ("linux", "Linux", "posix", "aarch64", "pypy"),
    ]:
        environments.append({
            "implementation_name": implementation,
            "implementation_version": full if implementation == "cpython" else "7.3.17",
            "os_name": os_name, "platform_machine": machine, "platform_release": "6.1.0",
            "platform_system": system, "platform_version": "#1", "python_full_version": full,
            "platform_python_implementation": "CPython" if implementation == "cpython" else "PyPy",
            "python_version": short, "sys_platform": platform,
        })

rng = random.Random(1)
parsed, evaluated = [], []
for line in requirements:
    parsed.append(case("parse", {"requirement": line}, HANDLERS[("requirements", "parse")]({"requirement": line})))
    try:
        requirement = Requirement(line)
    except Exception:
        continue
    if requirement.marker is None:
        continue
    marker = line[line.index(";") + 1:].strip() if ";" in line else str(requirement.marker)
    for environment in rng.sample(environments, 4):
        for extra in ["", "test", *sorted(requirement.extras)][:3]:
            inp = {"marker": marker, "environment": {**environment, "extra": extra}, "context": "metadata"}
            evaluated.append(case("evaluate", inp, HANDLERS[("markers", "evaluate")](inp)))

os.makedirs(out, exist_ok=True)
for kind, cases in [("metadata", documents), ("requirements", parsed), ("markers", evaluated)]:
    with open(os.path.join(out, f"{kind}.json"), "w") as handle:
        json.dump(cases, handle)
print(f"{len(documents)} METADATA documents, {len(parsed)} requirements, {len(evaluated)} marker evaluations")
