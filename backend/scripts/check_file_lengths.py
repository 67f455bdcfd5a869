"""Fail when a Python file under backend/app passes 400 lines (the seed's structural rule)."""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 400


def main() -> int:
    root = Path(__file__).resolve().parents[1] / "app"
    too_long = []
    for path in sorted(root.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > LIMIT:
            too_long.append(f"{path.relative_to(root.parent)}: {lines} lines")
    for entry in too_long:
        print(f"over {LIMIT} lines: {entry}")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
