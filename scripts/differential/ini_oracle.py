"""Random pip.conf-like INI texts, read by Python's configparser as pip reads its configuration
files (RawConfigParser, strict): the oracle for scripts/differential/ini.ts. Each case is a text and
what configparser made of it: its sections and values, or the line of the error it raised.
  ini_oracle.py SEED COUNT OUT.json"""

import configparser
import json
import random
import sys

# Lines pip.conf files hold, and the slips people make in them.
LINES = [
    "[global]", "[install]", "[DEFAULT]", "[ global ]", "[a]b]", "[]", "[x", "  [install]", "[global] # note",
    "index-url = http://host/simple", "timeout: 30", "no_deps=yes", "K=1", "k=2", "  k = 3",
    "  more", "\tcontinued", "# comment", "; comment", "  # indented comment", "", "   ",
    "key", "= v", ": v", "k = a = b", "x: y: z", "a b = c", "\u00e9=1", "trusted-host 127.0.0.1",
    "extra-index-url http://h/simple",
]


def read(text):
    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        if line is None and isinstance(error, configparser.ParsingError):
            line = error.errors[0][0]
        return {"error": line}
    return {"ok": {name: dict(parser.items(name)) for name in parser.sections()}}


def main():
    seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(seed)
    cases = []
    for _ in range(count):
        lines = [rnd.choice(LINES) for _ in range(rnd.randint(1, 8))]
        text = rnd.choice(["\n", "\r\n"]).join(lines) + rnd.choice(["", "\n"])
        cases.append({"text": text, "expected": read(text)})
    with open(out, "w") as file:
        json.dump(cases, file)


main()
