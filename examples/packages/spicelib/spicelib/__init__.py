"""A tiny library for the spice demo."""

__version__ = "1.2.0"


def greet(name: str) -> str:
    return f"Hello, {name}, from spicelib {__version__}"
