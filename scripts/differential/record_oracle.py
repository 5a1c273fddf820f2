"""Random RECORD lines, read by Python's csv reader as pip reads a wheel's RECORD: the oracle for
scripts/differential/record.ts. Each case is a line and the row csv.reader made of it.
  record_oracle.py SEED COUNT OUT.json"""

import csv
import json
import random
import sys

# Pieces of RECORD lines: paths, hashes, sizes, and the quoting that csv writers and hand-made
# files put around them.
PIECES = ["a", "pkg/mod.py", '"', '""', ",", " ", "sha256=AbC-_x", "123", "'", "\u00e9", "\t", "\\"]


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(seed)
    cases = []
    for _ in range(count):
        line = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 10)))
        if line.strip():
            cases.append({"line": line, "row": next(csv.reader([line]))})
    with open(out, "w") as file:
        json.dump(cases, file)


main()
