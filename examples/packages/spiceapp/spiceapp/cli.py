import sys

from spicelib import greet


def main() -> int:
    print(greet(sys.argv[1] if len(sys.argv) > 1 else "world"))
    print(f"running on {sys.executable}")
    return 0
