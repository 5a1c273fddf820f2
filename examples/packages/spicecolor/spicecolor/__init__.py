def paint(text: str) -> str:
    return f"\033[32m{text}\033[0m"
