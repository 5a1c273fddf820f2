import sys

from spicelib import greet

try:  # the `color` extra
    from spicecolor import paint
except ImportError:
    def paint(text: str) -> str:
        return text


def main() -> int:
    print(paint(greet(sys.argv[1] if len(sys.argv) > 1 else "world")))
    print(f"running on {sys.executable}")
    return 0
