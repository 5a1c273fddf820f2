#!/usr/bin/env bash
# Differential testing of spice's standards core against its oracles (packaging 26.2, and pip
# 23.2.1 for requirements files, under the Python that has both): the public conformance vectors'
# inputs are mutated, the oracles answer, and spice's conformance runner checks every case; random
# PEP 751 lock files are read and selected by both packaging and spice (pylock_oracle.py, pylock.ts),
# random pip.conf texts are read by both configparser and spice (ini_oracle.py, ini.ts), and random
# RECORD lines by both Python's csv reader and spice (record_oracle.py, record.ts), and
# the offline mirror's real METADATA, requirements and markers are checked (mirror.py), and pip's
# installation order of the corpus sets (install-order.py, install-order.ts), and pip's installation
# reports for random requirement sets (reports.py), and the files pip and spice install from each
# of the mirror's wheels (installed-trees.py). Not part
# of `npm test` (it needs those Python packages); run it after changing src/standards/.
#   scripts/differential/run.sh [SEED] [SCALE]
# Known oracle artefacts, not spice bugs: packaging crashes (ValueError/KeyError) on a few malformed
# METADATA files that spice reports as invalid, and `-r https://...` cases need the network.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seed="${1:-1}"
scale="${2:-2000}"
python="${PYTHON:-$HOME/.pyenv/versions/3.11.7/bin/python3}"
out="$(mktemp -d -t spice-differential-XXXXXX)"
trap 'rm -rf "$out"' EXIT
"$python" "$here/mutate.py" "$seed" "$scale" "$out/core" > /dev/null
"$python" "$here/tags_oracle.py" gen "$seed" "$scale" "$out/tags" > /dev/null
"$python" "$here/mutate_requirements_txt.py" "$seed" "$((scale / 2))" "$out/requirements-txt" 2> /dev/null > /dev/null
"$python" "$here/pylock_oracle.py" "$seed" "$scale" "$out/pylock.json"
"$python" "$here/ini_oracle.py" "$seed" "$scale" "$out/ini.json"
"$python" "$here/record_oracle.py" "$seed" "$scale" "$out/record.json"
cd "$here/../.."
status=0
for dir in core tags requirements-txt; do
  node --import tsx scripts/conformance.ts "$out/$dir" | grep -E "FAIL|passed, .* failed$" || status=1
done
node --import tsx scripts/differential/pylock.ts "$out/pylock.json" | tail -n 20 || status=1
node --import tsx scripts/differential/ini.ts "$out/ini.json" | tail -n 20 || status=1
node --import tsx scripts/differential/record.ts "$out/record.json" | tail -n 20 || status=1
# Real data, where this machine has the offline mirror (mirror.py skips otherwise).
"$python" "$here/mirror.py" "$out/mirror"
if [ -d "$out/mirror" ]; then
  node --import tsx scripts/conformance.ts "$out/mirror" | grep -E "FAIL|passed, .* failed$" || status=1
fi
# pip's installation order of the corpus sets (install-order.py skips without the mirror).
"$python" "$here/install-order.py" "$out/install-order.json" 2> /dev/null
if [ -f "$out/install-order.json" ]; then
  node --import tsx scripts/differential/install-order.ts "$out/install-order.json" || status=1
fi
# pip's installation report against spice's for random requirement sets (reports.py skips without
# the mirror; it runs dist/, which must be built).
"$python" "$here/reports.py" "$seed" "$((scale / 50 + 10))" || status=1
# What pip and spice install from each of the mirror's wheels, file by file (minutes: wheels up
# to 15 MB here; installed-trees.py without an argument takes them up to 40 MB).
"$python" "$here/installed-trees.py" 15 | tail -n 40 || status=1
exit $status
