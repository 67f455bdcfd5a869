"""Normalization throughput: Boeing line items normalized per second on one core.

Generates a deterministic mix of line items shaped like the Boeing emulator's catalogue (string and numeric
number styles, variants, no-stock, unpriced, net-only, non-US-only and location-less parts), normalizes them
in Boeing-sized responses of 10 items, and reports the best of several rounds.

    python benchmarks/normalization.py [--items 20000] [--rounds 5] [--target 5000]

Prints one line per round and a summary; writes ``benchmarks/results/normalization.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.utils.boeing_normalize import normalize_response

LOCATION_MAP = {
    "Dallas Central": "Dallas Central",
    "Chicago Warehouse": "Chicago Warehouse",
    "Miami, FL": "Miami, FL",
}
US_WAREHOUSES = tuple(LOCATION_MAP)
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "normalization.json"


def _draw(index: int, field: str, modulo: int) -> int:
    digest = hashlib.sha256(f"bench|{index}|{field}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % modulo


def _number(value: str, index: int) -> Any:
    """Alternate Boeing's numeric styles per item: numeric strings, JSON numbers."""
    return value if _draw(index, "style", 2) == 0 else float(value)


def generate_line_items(count: int) -> list[dict[str, Any]]:
    """``count`` deterministic line items covering every catalogue class."""
    items: list[dict[str, Any]] = []
    for index in range(count):
        kind = _draw(index, "kind", 100)
        cents = 10 + _draw(index, "price", 2_500_000)
        list_price = f"{cents // 100}.{cents % 100:02d}"
        net_price = f"{cents * 9 // 1000}.{cents * 9 // 10 % 100:02d}"
        part = f"AN{3 + index % 6}-{index}{'=K3' if kind < 10 else ''}"
        warehouses = US_WAREHOUSES[: 1 + _draw(index, "locations", 3)]
        locations = [
            {"location": name, "availQuantity": str(_draw(index, name, 5000))} for name in warehouses
        ]
        item: dict[str, Any] = {
            "aviallPartNumber": part,
            "productCode": part.split("=")[0],
            "name": "WASHER, FLAT",
            "description": "",
            "listPrice": _number(list_price, index),
            "netPrice": _number(net_price, index),
            "inStock": True,
            "baseUOM": "EA" if kind % 7 else "PK",
            "countryOfOrigin": "United States",
            "dim": "2.5 x 1.0 x 0.5",
            "dimUOM": "IN",
            "weight": "0.1",
            "weightUOM": "LB",
            "supplierName": "BOEING COMMERCIAL AIRPLANES",
            "faaApprovalCode": "PMA" if kind % 3 == 0 else "TSO",
            "hazmatCode": "N",
            "eccn": "EAR99",
            "scheduleBCode": "7318.15",
            "productImage": f"http://127.0.0.1:8081/media/products/{part}.png",
            "thumbnailImage": f"http://127.0.0.1:8081/media/thumbnails/{part}.png",
            "locationAvailabilities": locations,
        }
        if 10 <= kind < 20:  # no stock
            item.update(listPrice=0, netPrice=0, quantity=0, inStock=False, dim="0 x 0 x 0", weight="0")
            del item["locationAvailabilities"]
        elif 20 <= kind < 23:  # unpriced, in stock
            item.update(listPrice="0", netPrice="0")
        elif 23 <= kind < 25:  # net price only
            item["listPrice"] = 0
        elif 25 <= kind < 30:  # non-US only
            item["locationAvailabilities"] = [{"location": "Germany CSC", "availQuantity": "40"}]
        elif 30 <= kind < 32:  # stock without location data
            del item["locationAvailabilities"]
            item["quantity"] = "12"
        if "quantity" not in item:
            item["quantity"] = str(
                sum(int(entry["availQuantity"]) for entry in item["locationAvailabilities"])
            )
        items.append(item)
    return items


def run(items: int, rounds: int, batch: int) -> dict[str, Any]:
    """Normalize ``items`` line items in responses of ``batch`` items, ``rounds`` times."""
    line_items = generate_line_items(items)
    payloads = [
        {"currency": "USD", "lineItems": line_items[start : start + batch]}
        for start in range(0, items, batch)
    ]
    rates: list[float] = []
    normalized = 0
    for round_number in range(1, rounds + 1):
        started = time.perf_counter()
        normalized = 0
        for payload in payloads:
            normalized += len(normalize_response(payload, location_map=LOCATION_MAP, default_location=None))
        elapsed = time.perf_counter() - started
        rates.append(normalized / elapsed)
        print(f"round {round_number}: {normalized} records in {elapsed:.3f} s = {rates[-1]:,.0f} records/s")
    return {
        "benchmark": "normalization",
        "items": items,
        "records_per_round": normalized,
        "batch_size": batch,
        "rounds": rounds,
        "records_per_s_best": round(max(rates), 1),
        "records_per_s_median": round(sorted(rates)[len(rates) // 2], 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=10, help="line items per Boeing response")
    parser.add_argument("--target", type=float, default=5_000.0, help="records/s the run must reach")
    args = parser.parse_args(argv)
    result = run(args.items, args.rounds, args.batch)
    result["target_records_per_s"] = args.target
    result["ratio_to_target"] = round(result["records_per_s_best"] / args.target, 2)
    result["passed"] = result["records_per_s_best"] >= args.target
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"best {result['records_per_s_best']:,.0f} records/s, median {result['records_per_s_median']:,.0f}; "
        f"target {args.target:,.0f} (x{result['ratio_to_target']}); wrote {RESULTS_PATH}"
    )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
