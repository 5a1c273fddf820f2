"""pip 23.2.1's installation report against spice's for random requirement sets from the offline
mirror: one to four of its projects each, bare or with ==, >=, <= one of their versions, half of
them with an extra they provide, now and then --no-deps, --prefer-binary or --pre, and a third
of the time a constraints file bounding one or two projects (often ones it names). Both
resolve from the mirror's files (--no-index --find-links) for an empty venv; where both succeed,
the two reports must be the same document (packages, pip's order, metadata, hashes).
  reports.py [SEED] [CASES]   (needs dist/ built; prints `skipped: ...` without the mirror)"""
import collections, email.parser, json, os, random, re, subprocess, sys, tempfile, zipfile

from corpus import mirror_files

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
files = mirror_files()
seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
cases = int(sys.argv[2]) if len(sys.argv) > 2 else 40
random.seed(seed)

def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()

versions, extras = collections.defaultdict(set), collections.defaultdict(set)
for name in os.listdir(files):
    if not name.endswith(".whl"):
        continue
    project = canonical(name.split("-")[0])
    versions[project].add(name.split("-")[1])
    with zipfile.ZipFile(os.path.join(files, name)) as archive:
        members = [m for m in archive.namelist() if m.endswith(".dist-info/METADATA") and m.count("/") == 1]
        if members:
            text = archive.read(members[0]).decode("utf-8", "replace")
            extras[project].update(email.parser.Parser().parsestr(text).get_all("Provides-Extra") or [])
projects = sorted(versions)

with tempfile.TemporaryDirectory() as work:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_") and key != "NODE_EXTRA_CA_CERTS"}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_CACHE_DIR=os.path.join(work, "pip-cache"),
               SPICE_CACHE_DIR=os.path.join(work, "spice-cache"))
    venv = os.path.join(work, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    same = failed = different = 0
    for case in range(cases):
        requirements = []
        for project in random.sample(projects, random.randint(1, 4)):
            name = project
            if extras[project] and random.random() < 0.5:
                name = f"{project}[{random.choice(sorted(extras[project]))}]"
            version, roll = random.choice(sorted(versions[project])), random.random()
            requirements.append(name if roll < 0.4 else f"{name}{'==' if roll < 0.6 else '>=' if roll < 0.8 else '<='}{version}")
        options = random.choice([[], [], ["--no-deps"], ["--prefer-binary"], ["--pre"]])
        if random.random() < 0.3:
            constraints = os.path.join(work, "constraints.txt")
            with open(constraints, "w") as handle:
                named = [re.split(r"[\[<>=]", requirement)[0] for requirement in requirements]
                for project in random.sample(named + random.sample(projects, 2), random.randint(1, 2)):
                    handle.write(f"{project}{random.choice(['<', '>=', '!=', '=='])}{random.choice(sorted(versions[project]))}\n")
            options = [*options, "-c", constraints]
        reports = [os.path.join(work, "pip.json"), os.path.join(work, "spice.json")]
        common = ["install", "--quiet", "--dry-run", "--no-index", "--find-links", files, *requirements, *options]
        pip = subprocess.run([sys.executable, "-m", "pip", "--python", python, *common, "--ignore-installed",
                              "--report", reports[0]], env=env, capture_output=True, text=True)
        spice = subprocess.run(["node", os.path.join(root, "dist", "spice.cjs"), "pip", *common, "--python", python,
                                "--report", reports[1]], env=env, capture_output=True, text=True)
        if pip.returncode and spice.returncode:
            failed += 1
            continue
        if not pip.returncode and not spice.returncode:
            with open(reports[0]) as a, open(reports[1]) as b:
                if json.load(a) == json.load(b):
                    same += 1
                    continue
        different += 1
        print(f"DIFFERENT {' '.join(requirements + options)}: pip exit {pip.returncode}, spice exit {spice.returncode}")
        print("  pip:  ", pip.stderr.strip()[-400:], "\n  spice:", spice.stderr.strip()[-400:])
    print(f"reports: {same} the same, {failed} unsolvable for both, {different} different")
    sys.exit(1 if different else 0)
