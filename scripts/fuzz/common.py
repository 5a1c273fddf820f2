"""What every fuzzer needs: the built CLI, the offline mirror (or a clean exit when there is none),
and a scratch directory that keeps the damaged cases for a look afterwards."""
import os
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPICE_JS = os.path.join(REPO, "dist", "spice.cjs")
_mirror = subprocess.run(["bash", os.path.join(REPO, "..", "shared", "corpus", "mirror.sh")], capture_output=True, text=True)
if _mirror.returncode != 0:
    # mirror.sh finds the mirror through pip's configuration: PIP_CONFIG_FILE=/dev/null hides it.
    print("skipped: no offline PyPI mirror found (../shared/corpus/mirror.sh reads pip's configuration; "
          "PIP_CONFIG_FILE=/dev/null hides it)")
    sys.exit(0)
MIRROR = _mirror.stdout.strip()
# No fuzzer may change a Python outside its sandbox's venvs: a case that damages a venv (a deleted
# pyvenv.cfg) once made spice install into and uninstall from pyenv's own 3.11. pip's
# require-virtualenv, which spice honours, refuses any change outside a venv or --target.
os.environ["PIP_REQUIRE_VIRTUALENV"] = "1"
WORK = tempfile.mkdtemp(prefix="spice-fuzz-")
print(f"cases kept under {WORK}", file=sys.stderr)


def mutate_text(text, rng, snippets):
    """One to four edits of `text`: a snippet inserted, a stretch deleted, or a stretch copied."""
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(text) + 1)
        op = rng.randrange(3)
        if op == 0: text = text[:i] + rng.choice(snippets) + text[i:]
        elif op == 1: text = text[:i] + text[i + rng.randint(1, 20):]
        else:
            j = rng.randrange(len(text) + 1); text = text[:i] + text[j:j + rng.randint(1, 40)] + text[i:]
    return text
