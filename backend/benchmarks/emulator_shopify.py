"""Overhead of the Shopify emulator itself: p50/p99 per call against a real uvicorn server.

Starts `python -m emulators.shopify --port 0 --plan unlimited` (no faults), then times productSet
(1 variant, 17 metafields, 1 file), productVariantsBulkUpdate, inventorySetQuantities and a
productVariants SKU query over keep-alive HTTP. Prints the figures and writes
benchmarks/results/emulator_shopify.json. Bounded by --iterations and --max-seconds; stops its server.

    .venv/bin/python benchmarks/emulator_shopify.py [--iterations 300] [--max-seconds 120]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

BACKEND = Path(__file__).resolve().parents[1]
RESULTS = BACKEND / "benchmarks" / "results" / "emulator_shopify.json"
VERSION = "2026-04"
TOKEN = "shpat_emulator_bench"
TARGET_P50_MS = 5.0

PRODUCT_SET = """
mutation ProductSet($identifier: ProductSetIdentifiers, $input: ProductSetInput!) {
  productSet(identifier: $identifier, input: $input, synchronous: true) {
    product { id handle status variants(first: 1) { nodes { id sku inventoryItem { id } } } }
    userErrors { field message code } } }"""
VARIANTS_UPDATE = """
mutation VariantsUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price inventoryItem { unitCost { amount } } }
    userErrors { field message code } } }"""
INV_SET = """
mutation InvSet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) @idempotent(key: "%s") {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange location { id } } }
    userErrors { field message code } } }"""
BY_SKU = """
query BySku($first: Int!, $q: String!) { productVariants(first: $first, query: $q) {
  nodes { id sku price inventoryItem { id } product { id handle status } }
  pageInfo { hasNextPage endCursor } } }"""
METAFIELD_KEYS = (
    "part_number",
    "aviall_part_number",
    "part_name",
    "manufacturer",
    "unit_of_measure",
    "dimensions",
    "condition",
    "certificate",
    "country_of_origin",
    "hazmat_code",
    "faa_approval_code",
    "eccn",
    "schedule_b_code",
    "inventory_location_code",
    "distribution_source",
    "location_summary",
)


def part_input(sku: str) -> dict[str, Any]:
    """A publish-shaped productSet input: 1 variant, 17 metafields, 1 file, 3 stocked locations."""
    metafields = [
        {"namespace": "custom", "key": key, "type": "single_line_text_field", "value": f"{sku}-{key}"}
        for key in METAFIELD_KEYS
    ]
    metafields.append({"namespace": "custom", "key": "pma", "type": "boolean", "value": "false"})
    return {
        "handle": sku.lower(),
        "title": sku,
        "descriptionHtml": f"<p>Part No. {sku}</p>",
        "vendor": "BDI",
        "productType": "Aircraft Parts",
        "tags": ["boeing", "aerospace"],
        "category": "gid://shopify/TaxonomyCategory/vp-1-1",
        "status": "ACTIVE",
        "productOptions": [{"name": "Title", "values": [{"name": "Default Title"}]}],
        "variants": [
            {
                "optionValues": [{"optionName": "Title", "name": "Default Title"}],
                "sku": sku,
                "price": "28.05",
                "inventoryItem": {
                    "cost": "25.50",
                    "tracked": True,
                    "measurement": {"weight": {"value": 0.1, "unit": "POUNDS"}},
                },
                "inventoryQuantities": [
                    {"locationId": f"gid://shopify/Location/{n}", "name": "available", "quantity": 10 * n}
                    for n in (1, 2, 3)
                ],
            }
        ],
        "metafields": metafields,
        "files": [{"originalSource": f"http://127.0.0.1:9/media/{sku}.png", "contentType": "IMAGE"}],
    }


def start_server(deadline_s: float) -> tuple[subprocess.Popen[str], str]:
    """Start the emulator on a free port and wait for its READY line."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emulators.shopify",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--plan",
            "unlimited",
        ],
        cwd=BACKEND,
        env={**os.environ, "SHOPIFY_EMU_TOKEN": TOKEN},
        stdout=subprocess.PIPE,
        text=True,
    )
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline() if process.stdout else ""))
    reader.start()
    reader.join(timeout=deadline_s)
    if not line or not line[0].startswith("READY "):
        process.kill()
        raise SystemExit(f"emulator did not become ready: {line!r}")
    return process, line[0].split()[1]


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summarize(samples: list[float]) -> dict[str, float]:
    """Milliseconds: p50, p99, mean, min, max."""
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "min_ms": round(min(ms), 3),
        "max_ms": round(max(ms), 3),
    }


class Bench:
    """Times calls against one emulator."""

    def __init__(self, client: httpx.Client, iterations: int, stop_at: float) -> None:
        self.client = client
        self.iterations = iterations
        self.stop_at = stop_at

    def call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """One GraphQL call; fails loudly on anything but a clean answer."""
        response = self.client.post(
            f"/admin/api/{VERSION}/graphql.json",
            json={"query": query, "variables": variables},
            headers={"X-Shopify-Access-Token": TOKEN},
        )
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or "errors" in body:
            raise SystemExit(f"unexpected answer {response.status_code}: {body}")
        payload = next(iter(body["data"].values()))
        if isinstance(payload, dict) and payload.get("userErrors"):
            raise SystemExit(f"unexpected userErrors: {payload['userErrors']}")
        return body

    def measure(self, make_call: Callable[[int], None], warmup: int = 20) -> list[float]:
        """Run warm-up calls, then time up to `iterations` calls (fewer if the time budget runs out)."""
        for i in range(warmup):
            make_call(-1 - i)
        samples = []
        for i in range(self.iterations):
            if time.monotonic() > self.stop_at:
                break
            started = time.perf_counter()
            make_call(i)
            samples.append(time.perf_counter() - started)
        return samples


def server_times(client: httpx.Client, count: int) -> dict[str, float]:
    """Server-side handling time (engine only) of the last `count` requests, from the request log."""
    entries = client.get("/_emulator/requests", params={"limit": count}).json()["requests"]
    durations = [e["duration_ms"] / 1000 for e in entries]
    return summarize(durations) if durations else {}


def run(iterations: int, max_seconds: float) -> dict[str, Any]:
    """Run every scenario and return the results document."""
    stop_at = time.monotonic() + max_seconds
    process, url = start_server(deadline_s=30)
    transport = httpx.HTTPTransport(socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])
    results: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=url, timeout=30, transport=transport) as client:
            bench = Bench(client, iterations, stop_at)
            created: list[tuple[str, str, str]] = []

            def product_set(i: int) -> None:
                sku = f"BENCH-{i + 100000}"
                body = bench.call(
                    PRODUCT_SET, {"identifier": {"handle": sku.lower()}, "input": part_input(sku)}
                )
                node = body["data"]["productSet"]["product"]
                variant = node["variants"]["nodes"][0]
                created.append((node["id"], variant["id"], variant["inventoryItem"]["id"]))

            def bulk_update(i: int) -> None:
                product_id, variant_id, _ = created[i % len(created)]
                variables = {
                    "productId": product_id,
                    "variants": [
                        {"id": variant_id, "price": f"{30 + i % 50}.10", "inventoryItem": {"cost": "26.00"}}
                    ],
                }
                bench.call(VARIANTS_UPDATE, variables)

            def inventory_set(i: int) -> None:
                _, _, item_id = created[i % len(created)]
                quantity = {
                    "inventoryItemId": item_id,
                    "locationId": "gid://shopify/Location/1",
                    "quantity": i % 97,
                    "changeFromQuantity": None,
                }
                variables = {"input": {"name": "available", "reason": "correction", "quantities": [quantity]}}
                bench.call(INV_SET % uuid.uuid4(), variables)

            def by_sku(i: int) -> None:
                a, b = f"BENCH-{i % len(created) + 100000}", f"BENCH-{(i + 7) % len(created) + 100000}"
                bench.call(BY_SKU, {"first": 50, "q": f'sku:"{a}" OR sku:"{b}"'})

            scenarios = (
                ("productSet_1_variant_17_metafields_1_file", product_set),
                ("productVariantsBulkUpdate", bulk_update),
                ("inventorySetQuantities", inventory_set),
                ("productVariants_by_sku", by_sku),
            )
            for name, make_call in scenarios:
                samples = bench.measure(make_call)
                results[name] = {
                    "client_round_trip": summarize(samples),
                    "server_engine": server_times(client, len(samples)),
                }
            stats = client.get("/_emulator/stats").json()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    p50s = [r["client_round_trip"]["p50_ms"] for r in results.values()]
    return {
        "benchmark": "emulator_shopify",
        "api_version": VERSION,
        "plan": "unlimited",
        "iterations_per_operation": iterations,
        "target_p50_ms": TARGET_P50_MS,
        "meets_target": bool(p50s) and max(p50s) < TARGET_P50_MS,
        "operations": results,
        "emulator_requests": stats["requests"],
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print, write JSON; exit status 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--max-seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    report = run(args.iterations, args.max_seconds)
    print(f"Shopify emulator overhead ({report['api_version']}, plan unlimited, no faults)")
    print(f"{'operation':<44}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'server p50':>12}")
    for name, result in report["operations"].items():
        rt, server = result["client_round_trip"], result["server_engine"]
        server_p50 = server.get("p50_ms", 0.0)
        print(f"{name:<44}{rt['n']:>6}{rt['p50_ms']:>10.3f}{rt['p99_ms']:>10.3f}{server_p50:>12.3f}")
    verdict = "meets" if report["meets_target"] else "MISSES"
    print(f"target p50 < {TARGET_P50_MS} ms: {verdict}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {RESULTS.relative_to(BACKEND)}")
    return 0 if report["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
