"""The benchmark corpus beside this repository, and the offline mirror's wheels it names, for the
differential scripts that use real packages."""
import os, subprocess, sys

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus")

def mirror_files():
    """The mirror's files/ directory; on a machine without the mirror, says so and exits 0."""
    kit = os.path.join(CORPUS, "mirror.sh")
    found = subprocess.run(["bash", kit], capture_output=True, text=True) if os.path.exists(kit) else None
    if found is None or found.returncode != 0:
        print("skipped: no offline PyPI mirror on this machine")
        sys.exit(0)
    return os.path.join(found.stdout.strip(), "files")
