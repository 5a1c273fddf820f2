#!/usr/bin/env bash
# Fuzzes what spice reads from outside: wheels, index pages and metadata files, sdists,
# pyproject.toml, pylock.toml, installed environments, its own cache (also cleaned while in use) and its command line. Each script mutates
# real inputs (the offline mirror's wheels, when this machine has one), runs the built CLI
# (npm run build first) and reports any internal error, hang, or change a failure left behind.
# Not part of `npm test`: a run takes minutes. Found so far: see the commits that say "fuzzing".
#   scripts/fuzz/run.sh [SEED] [CASES]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seed="${1:-1}"
cases="${2:-100}"
python="${PYTHON:-$HOME/.pyenv/versions/3.11.7/bin/python3}"
status=0
for script in wheels index_pages sdists pyproject pylock environments cache cache_race command_line; do
  echo "== $script"
  output="$("$python" "$here/$script.py" "$seed" "$cases" 2>&1)"
  echo "$output" | tail -n 4
  echo "$output" | grep -q ", 0 problems$\|^skipped" || { status=1; echo "$output" | grep -A 12 "^\[" | head -n 60; }
done
# The readers themselves, in-process: many more cases a second (parsers.ts).
echo "== parsers"
output="$(cd "$here/../.." && node --import tsx scripts/fuzz/parsers.ts "$seed" "$cases" 2>&1)"
echo "$output" | tail -n 4
echo "$output" | grep -q ", 0 problems$" || status=1
exit $status
