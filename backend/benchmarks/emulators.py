"""The emulators' own overhead: p50/p99 per call with no quota and no simulated latency (target p50 < 5 ms).

Runs ``emulator_boeing`` and ``emulator_shopify`` in turn; each starts its emulator on a free loopback port,
prints its table and writes its JSON under ``benchmarks/results/``.
"""

from __future__ import annotations

import sys

from benchmarks import emulator_boeing, emulator_shopify


def main(argv: list[str] | None = None) -> int:
    codes = [emulator_boeing.main([]), emulator_shopify.main([])]
    return 0 if all(code in (None, 0) for code in codes) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
