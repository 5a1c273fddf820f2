"""Random PEP 751 lock files, read and selected by packaging 26.2 (the oracle for
scripts/differential/pylock.ts): each case is a lock's TOML text, an environment, tags, extras and
groups, and what packaging made of it (an error, or the selected entries and files).
  pylock_oracle.py SEED COUNT OUT.json"""

import json
import logging
import random
import sys
import tomllib

from packaging.pylock import Pylock, PylockValidationError

NAMES = ["alpha", "beta", "gamma-x", "Beta", "delta_y", "eps"]
VERSIONS = ["1.0", "2.0.1", "1!3"] * 6 + ["x y", None, None]
TAGS = [
    "cp311-cp311-manylinux_2_17_x86_64",
    "cp311-abi3-manylinux_2_17_x86_64",
    "py3-none-any",
    "cp311-cp311-win_amd64",
    "cp312-cp312-manylinux_2_17_x86_64",
    "py2.py3-none-any",
]
MARKERS = [
    "sys_platform == 'linux'",
    "sys_platform == 'win32'",
    "'dev' in dependency_groups",
    "'fancy' in extras",
    "'fancy' not in extras and python_version >= '3.10'",
    "os_name ==",
    "platform_machine == 'x86_64' or 'docs' in dependency_groups",
]
PYTHONS = ["3.11.7", "3.10.2", "3.13.0rc1", "3.12.0"]


def quote(text):
    return json.dumps(text)


WRONG = ["1", "-2", "1.5", "true", '"x"', "[1]", '["x"]', "{}", "2025-01-01T00:00:00Z"]


def value(rng, good):
    """`good`, or now and then a value of another TOML type."""
    return rng.choice(WRONG) if rng.random() < 0.03 else good


def file_table(rng, name, version, tag=None, sdist=False):
    stem = f"{name.replace('-', '_')}-{version}"
    filename = f"{stem}.tar.gz" if sdist else f"{stem}-{tag}.whl"
    if rng.random() < 0.01:
        filename = "broken.whl"
    parts = []
    where = rng.random()
    if where < 0.4 or rng.random() < 0.1:
        parts.append(f"url = {quote('https://host/f/' + filename)}")
    if where >= 0.4:
        parts.append(f"path = {quote('files/' + filename)}")
    if rng.random() < 0.1:
        parts.append(f"name = {quote(filename)}")
    if rng.random() < 0.3:
        parts.append(f"size = {value(rng, str(rng.choice([10, 0, 99])))}")
    if rng.random() < 0.2:
        parts.append("upload-time = " + rng.choice(["2025-01-01T10:00:00Z"] * 5 + ['"yesterday"', "2025-01-01", "10:00:00", "2025-01-01T10:00:00"]))
    if rng.random() < 0.99:
        hashes = rng.choice(["{sha256 = 'ab'}"] * 8 + ["{}", "{sha256 = 1}", "{md5 = 'x', sha256 = 'cd'}"])
        parts.append(f"hashes = {value(rng, hashes)}")
    return "{" + ", ".join(parts) + "}"


def package(rng):
    name = rng.choice(NAMES)
    raw = rng.choice(VERSIONS)
    version = raw if raw not in (None, "x y") else "1.0"
    lines = ["[[packages]]", f"name = {value(rng, quote(name.lower().replace('_', '-') if rng.random() < 0.95 else name))}"]
    if raw is not None:
        lines.append(f"version = {value(rng, quote(raw))}")
    if rng.random() < 0.1:
        lines.append(f"index = {value(rng, quote('https://host/simple/'))}")
    if rng.random() < 0.4:
        # Now and then one that is not a marker.
        lines.append(f"marker = {value(rng, quote(rng.choice(MARKERS[:-2] * 6 + MARKERS[-2:])))}")
    if rng.random() < 0.2:
        lines.append(f"requires-python = {quote(rng.choice(['>=3.11', '<3.11', '>=3.13', '>=3.10,!=3.12.*']))}")
    if rng.random() < 0.1:
        lines.append(f"dependencies = {value(rng, '[{name = ' + quote('x') + '}]')}")
    kind = rng.random()
    if kind < 0.65:
        wheels = [file_table(rng, name, version, rng.choice(TAGS)) for _ in range(rng.randint(0, 3))]
        if wheels:
            lines.append("wheels = [" + ", ".join(wheels) + "]")
        if rng.random() < 0.3 or not wheels:
            lines.append("sdist = " + file_table(rng, name, version, sdist=True))
    elif kind < 0.8:
        lines.append("archive = " + file_table(rng, name, version, rng.choice(TAGS)))
    elif kind < 0.9:
        lines.append("vcs = {type = 'git', url = 'https://host/r.git', commit-id = 'abc'}" if rng.random() < 0.95 else "vcs = {type = 'git'}")
    else:
        lines.append("directory = {path = 'src/x'}")
    if rng.random() < 0.02:
        lines.append("directory = {path = 'other'}")
    if rng.random() < 0.05:
        lines.append("[[packages.attestation-identities]]\nenvironment = 'e'" + ("\nkind = 'GitHub'" if rng.random() < 0.5 else ""))
    return "\n".join(lines)


def lock_text(rng):
    lines = []
    if rng.random() < 0.97:
        lines.append(f"lock-version = {quote(rng.choice(['1.0', '1.0', '1.0', '1.1', '2.0', '1']))}")
    if rng.random() < 0.2:
        lines.append("environments = [" + ", ".join(quote(m) for m in rng.sample(MARKERS[:2] + ["python_version >= '3.11'"], 2)) + "]")
    if rng.random() < 0.2:
        lines.append(f"requires-python = {quote(rng.choice(['>=3.11', '>=3.12', '~=3.10']))}")
    lines.append(f"extras = {value(rng, '[' + quote('fancy') + ']')}")
    lines.append(f"dependency-groups = {value(rng, '[' + quote('dev') + ', ' + quote('docs') + ']')}")
    if rng.random() < 0.3:
        lines.append("default-groups = ['dev']")
    if rng.random() < 0.97:
        lines.append(f"created-by = {value(rng, quote('oracle'))}")
    body = [package(rng) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.05:
        return "\n".join(lines) + "\n"
    return "\n".join(lines) + "\n" + ("packages = []\n" if not body else "\n" + "\n\n".join(body) + "\n")


def environment(rng):
    python = rng.choice(PYTHONS)
    platform = rng.choice(["linux", "win32"])
    return {
        "implementation_name": "cpython",
        "implementation_version": python,
        "os_name": "posix" if platform == "linux" else "nt",
        "platform_machine": "x86_64",
        "platform_release": "",
        "platform_system": "Linux" if platform == "linux" else "Windows",
        "platform_version": "",
        "python_full_version": python,
        "platform_python_implementation": "CPython",
        "python_version": ".".join(python.split(".")[:2]),
        "sys_platform": platform,
    }


def main():
    logging.disable(logging.WARNING)  # packaging warns of lock-version 1.1
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    from packaging.tags import Tag, parse_tag

    cases = []
    for _ in range(count):
        text = lock_text(rng)
        env = environment(rng)
        compressed = [t for t in TAGS if ("win" in t) == (env["sys_platform"] == "win32") or "none-any" in t]
        rng.shuffle(compressed)
        # Expanded here, in the order packaging uses, for both sides (parse_tag gives a set).
        tags = [str(tag) for text in compressed for tag in parse_tag(text)]
        extras = rng.choice([[], ["fancy"]])
        groups = rng.choice([None, ["dev"], ["docs", "dev"]])
        case = {"text": text, "environment": env, "tags": tags, "extras": extras, "groups": groups}
        try:
            lock = Pylock.from_dict(tomllib.loads(text))
        except (PylockValidationError, tomllib.TOMLDecodeError) as error:
            case["expected"] = {"error": "read", "message": str(error)}
            cases.append(case)
            continue
        try:
            parsed_tags = [Tag(*text.split("-")) for text in tags]
            selected = list(lock.select(environment=env, tags=parsed_tags, extras=extras, dependency_groups=groups))
            case["expected"] = {
                "selected": [
                    f"{p.name} {getattr(source, 'filename', None) or type(source).__name__}" for p, source in selected
                ]
            }
        except Exception as error:  # PylockSelectError
            case["expected"] = {"error": "select", "message": str(error)}
        cases.append(case)
    with open(out, "w") as handle:
        json.dump(cases, handle, indent=1)


main()
