"""What pip 23.2.1 and spice install from the same wheels, file by file: every wheel of the
offline mirror that runs on this Python (up to a size), in batches that hold one version of each
name, installed with --no-deps --no-compile from local files batch after batch (so later versions
replace earlier ones, up or down), then all uninstalled: by pip in one venv, by spice in another,
and by the two in turn in two more (each replacing and removing what the other installed). After
each step every venv must hold what pip's own holds: every file, with the same content and
executable bit, and RECORDs listing the same files with the same hashes; where the tools differ by
design, the difference is named here: INSTALLER's text, and the interpreter path in scripts (each
venv's own).
  installed-trees.py [MAX_MEGABYTES]   (default 40)
Prints `skipped: ...` on a machine without the mirror."""
import collections, json, os, re, subprocess, sys, tempfile

from corpus import mirror_files

here = os.path.dirname(os.path.abspath(__file__))
spice = os.path.join(here, "..", "..", "bin", "spice")
limit = float(sys.argv[1]) if len(sys.argv) > 1 else 40.0
files = mirror_files()
env = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "SPICE_"))}
env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", VIRTUAL_ENV="", CONDA_PREFIX="")

def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()

def compatible_wheels():
    """The mirror's wheels this interpreter installs, as pip's own tag list says."""
    from pip._vendor.packaging.tags import sys_tags
    from pip._vendor.packaging.utils import parse_wheel_filename
    supported = set(sys_tags())
    chosen = []
    for name in sorted(os.listdir(files)):
        path = os.path.join(files, name)
        if not name.endswith(".whl") or os.path.getsize(path) > limit * 1e6:
            continue
        try:
            project, _, _, tags = parse_wheel_filename(name)
        except Exception:
            continue
        if tags & supported:
            chosen.append((canonical(project), path))
    return chosen

def batches(wheels):
    """Lists of wheel paths, each naming a project at most once."""
    by_project = collections.defaultdict(list)
    for project, path in wheels:
        by_project[project].append(path)
    depth = max(len(paths) for paths in by_project.values())
    return [[paths[i] for paths in by_project.values() if i < len(paths)] for i in range(depth)]

def tree(root):
    """Every file under root (no __pycache__) by relative path: (bytes, executable)."""
    found = {}
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
        for name in names:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                found[os.path.relpath(path, root)] = ("link:" + os.readlink(path), False)
                continue
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root)] = (handle.read(), os.access(path, os.X_OK))
    return found

# What differs by design between the two installs (paths relative to the venv).
GENERATED = re.compile(r"\.dist-info/(INSTALLER|RECORD|REQUESTED|direct_url\.json)$")

def record_rows(content, venv):
    rows = {}
    for line in content.decode().splitlines():
        if not line:
            continue
        path, digest, size = line.rsplit(",", 2)
        if GENERATED.search(path) or "__pycache__" in path:
            continue
        rows[path] = (digest, size)
    return rows

def compare(pip_venv, spice_venv):
    problems = []
    pip_tree, spice_tree = tree(pip_venv), tree(spice_venv)
    for path in sorted(set(pip_tree) | set(spice_tree)):
        if path in ("pyvenv.cfg", ".gitignore") or path.startswith("bin/activate") or path.startswith("bin/python") or path.startswith("bin/Activate"):
            continue
        if path not in spice_tree:
            problems.append(f"only pip installed {path}")
            continue
        if path not in pip_tree:
            problems.append(f"only spice installed {path}")
            continue
        (pip_bytes, pip_exec), (spice_bytes, spice_exec) = pip_tree[path], spice_tree[path]
        if pip_exec != spice_exec:
            problems.append(f"{path}: executable {pip_exec} (pip) vs {spice_exec} (spice)")
        if path.endswith(".dist-info/INSTALLER"):
            continue
        if path.endswith(".dist-info/RECORD"):
            pip_rows, spice_rows = record_rows(pip_bytes, pip_venv), record_rows(spice_bytes, spice_venv)
            for row in sorted(set(pip_rows) ^ set(spice_rows)):
                problems.append(f"{path}: only {'pip' if row in pip_rows else 'spice'} lists {row}")
            for row in sorted(set(pip_rows) & set(spice_rows)):
                if pip_rows[row] != spice_rows[row] and not row.startswith("../../../bin/"):
                    problems.append(f"{path}: {row} is {pip_rows[row]} (pip) vs {spice_rows[row]} (spice)")
            continue
        if path.endswith(".dist-info/direct_url.json"):
            if json.loads(pip_bytes) != json.loads(spice_bytes):
                problems.append(f"{path}: {pip_bytes!r} (pip) vs {spice_bytes!r} (spice)")
            continue
        if path.startswith("bin/"):
            # Each venv's own interpreter in the shebang: a wheel's own script, and a launcher
            # generated from an entry point, must match once that is swapped.
            pip_text = pip_bytes.replace(pip_venv.encode(), b"VENV")
            spice_text = spice_bytes.replace(spice_venv.encode(), b"VENV")
            if pip_text != spice_text:
                problems.append(f"{path}: the script differs\n    pip:   {pip_text[:160]!r}\n    spice: {spice_text[:160]!r}")
            continue
        if pip_bytes != spice_bytes:
            problems.append(f"{path}: content differs ({len(pip_bytes)} bytes from pip, {len(spice_bytes)} from spice)")
    return problems

def pip_run(venv, args):
    done = subprocess.run([sys.executable, "-m", "pip", "--python", os.path.join(venv, "bin", "python"), *args],
                          env=env, capture_output=True, text=True)
    return [] if done.returncode == 0 else [f"pip {args[0]} exit {done.returncode}: {done.stderr[-1500:]}"]

def spice_run(venv, cache, args):
    done = subprocess.run([spice, "pip", *args, "--python", venv], env={**env, "SPICE_CACHE_DIR": cache},
                          capture_output=True, text=True)
    return [] if done.returncode == 0 else [f"spice {args[0]} exit {done.returncode}: {done.stderr[-1500:]}"]

def install(tool, venv, cache, batch):
    if tool == "pip":
        return pip_run(venv, ["install", "--no-deps", "--no-compile", "--no-index", "--quiet", *batch])
    return spice_run(venv, cache, ["install", "--no-deps", "--no-index", "--quiet", *batch])

def uninstall(tool, venv, cache, names):
    if tool == "pip":
        return pip_run(venv, ["uninstall", "--yes", "--quiet", *names])
    return spice_run(venv, cache, ["uninstall", "--yes", "--quiet", *names])

def main():
    """Batch after batch into the same venvs (later batches replace earlier versions, up or down),
    then everything uninstalled: by pip alone, by spice alone, and by the two taking turns (each
    then removing, or replacing, what the other installed), every venv compared with pip's own
    after each step."""
    wheels = compatible_wheels()
    problems = []
    names = set()
    with tempfile.TemporaryDirectory() as work:
        cache = os.path.join(work, "cache")
        # Which tool installs batch k into each venv, and which one uninstalls at the end.
        plans = {"pip": (("pip", "pip"), "pip"), "spice": (("spice", "spice"), "spice"),
                 "pip-then-spice": (("pip", "spice"), "spice"), "spice-then-pip": (("spice", "pip"), "pip")}
        venvs = {name: os.path.join(work, name) for name in plans}
        for name, venv in venvs.items():
            if name.startswith("pip"):
                subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
            else:
                subprocess.run([spice, "venv", "-q", venv, "--python", sys.executable], check=True, env=env)
        def step(label, act):
            for name, venv in venvs.items():
                found = act(name, venv)
                if not found and name != "pip":
                    found = compare(venvs["pip"], venv)
                problems.extend(f"[{label}, {name}] {problem}" for problem in found)
        for number, batch in enumerate(batches(wheels)):
            step(f"batch {number} of {len(batch)} wheels",
                 lambda name, venv: install(plans[name][0][number % 2], venv, cache, batch))
            names |= {canonical(os.path.basename(path).split("-")[0]) for path in batch}
        step("uninstalled", lambda name, venv: uninstall(plans[name][1], venv, cache, sorted(names)))
    for problem in problems:
        print(problem)
    print(f"{len(wheels)} wheels installed and uninstalled by pip, spice and the two in turn; {len(problems)} problems")
    sys.exit(1 if problems else 0)

main()
