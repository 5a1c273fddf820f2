"""pip 23.2.1's orders on real package sets, for install-order.ts to compare with spice's
(src/resolver/install-order.ts): each corpus set installed by pip from the offline mirror into a
fresh venv (with its dependencies from the set's .in, and with --no-deps from its lock), the
installation order from pip's "Installing collected packages:" line, its resolver's pinning order
from the report of a dry run, and the METADATA of what it installed.
  install-order.py OUT.json   (then: node --import tsx scripts/differential/install-order.ts OUT.json)
Prints `skipped: ...` and writes nothing on a machine without the mirror."""
import glob, json, os, re, subprocess, sys, tempfile
from pip._vendor.packaging.markers import default_environment

from corpus import CORPUS as corpus, mirror_files

files = mirror_files()
env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
env["PIP_CONFIG_FILE"] = os.devnull

def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()

cases = []
for set_in in sorted(glob.glob(os.path.join(corpus, "sets", "*.in"))):
    name = os.path.basename(set_in)[:-3]
    for no_deps in (False, True):
        requirements = set_in if not no_deps else set_in[:-3] + ".lock.txt"
        with tempfile.TemporaryDirectory() as work:
            venv = os.path.join(work, "venv")
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
            result = subprocess.run(
                [sys.executable, "-m", "pip", "--python", os.path.join(venv, "bin", "python"), "install",
                 "--no-compile", "--no-index", "--find-links", files, "-r", requirements,
                 *(["--no-deps"] if no_deps else [])],
                env=env, capture_output=True, text=True, check=True)
            line = next(l for l in result.stdout.splitlines() if l.startswith("Installing collected packages:"))
            report = os.path.join(work, "report.json")
            subprocess.run(
                [sys.executable, "-m", "pip", "--python", os.path.join(venv, "bin", "python"), "install",
                 "--dry-run", "--ignore-installed", "--quiet", "--report", report, "--no-index",
                 "--find-links", files, "-r", requirements, *(["--no-deps"] if no_deps else [])],
                env=env, capture_output=True, text=True, check=True)
            with open(report) as handle:
                pins = [canonical(item["metadata"]["name"]) for item in json.load(handle)["install"]]
            metadata = {}
            for path in glob.glob(os.path.join(venv, "lib", "python*", "site-packages", "*.dist-info", "METADATA")):
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
                metadata[canonical(re.search(r"^Name: (.*)$", text, re.M).group(1).strip())] = text
        with open(requirements) as handle:
            lines = [l.strip() for l in handle if l.strip() and not l.startswith("#")]
        cases.append({
            "name": f"{name}{' --no-deps' if no_deps else ''}",
            "pip": [canonical(n.strip()) for n in line.split(":", 1)[1].split(",")],
            "pins": pins,
            "metadata": metadata,
            "requirements": lines,
            "markers": default_environment(),
            "dependencies": not no_deps,
        })
        print(cases[-1]["name"], len(cases[-1]["pip"]), file=sys.stderr)
with open(sys.argv[1], "w") as out:
    json.dump(cases, out)
