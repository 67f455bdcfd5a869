"""Boeing PNA emulator overhead: p50/p99 per call against a real uvicorn server, latency simulation off.

Starts ``python -m emulators.boeing`` on 127.0.0.1 with a free port (quota effectively unlimited,
``latency_scale`` 0), then times each call type in turn over one keep-alive connection: OAuth token,
part-access token, price & availability with 10 codes, and a product image. Round-trip times are measured by
the client; server times come from the emulator's own request log. Also times the in-process build of the
default 50,000-base catalogue.

    python benchmarks/emulator_boeing.py [--calls 500] [--warmup 50] [--target-p50-ms 5]

Prints one line per call type and writes ``benchmarks/results/emulator_boeing.json``. Exit status 1 when a
round-trip p50 misses the target.
"""

from __future__ import annotations

import argparse
import json
import platform
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BACKEND = Path(__file__).resolve().parents[1]
RESULTS_PATH = BACKEND / "benchmarks" / "results" / "emulator_boeing.json"
SCOPE = "api://helixapis.com/.default"
PART_TOKEN_PATH = "/boeing-part-price-availability/token/v1/oauth"
PRICE_PATH = "/boeing-part-price-availability/price-availability/v1/wtoken"
STARTUP_TIMEOUT_S = 60.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def start_emulator(catalog_size: int, seed: int) -> tuple[subprocess.Popen[str], str]:
    """Start the emulator in its own process (no shared GIL with the client) and wait for READY."""
    args = [
        sys.executable,
        "-m",
        "emulators.boeing",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--seed",
        str(seed),
        "--catalog-size",
        str(catalog_size),
        "--quota-requests",
        "1000000000",
        "--latency-scale",
        "0",
    ]
    proc = subprocess.Popen(args, cwd=BACKEND, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout

    def pump() -> None:
        for out_line in stdout:
            lines.put(out_line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        line = lines.get(timeout=STARTUP_TIMEOUT_S).strip()
    except queue.Empty:
        proc.kill()
        raise SystemExit("emulator did not report READY in time") from None
    if not line.startswith("READY "):
        proc.kill()
        raise SystemExit(f"unexpected emulator output: {line!r}")
    return proc, line.split(" ", 1)[1]


def measure(
    client: httpx.Client, name: str, call: Callable[[], httpx.Response], calls: int, warmup: int
) -> dict[str, Any]:
    """Time ``calls`` round trips after ``warmup`` untimed ones; server times from the request log."""
    for _ in range(warmup):
        call().raise_for_status()
    client.post("/_emulator/stats/reset").raise_for_status()
    round_trips: list[float] = []
    for _ in range(calls):
        started = time.perf_counter()
        resp = call()
        round_trips.append((time.perf_counter() - started) * 1000)
        resp.raise_for_status()
    log = client.get("/_emulator/requests", params={"limit": calls}).json()["requests"]
    server = [entry["latency_ms"] for entry in log]
    result: dict[str, Any] = {
        "calls": calls,
        "round_trip_ms": {
            "p50": round(percentile(round_trips, 50), 3),
            "p99": round(percentile(round_trips, 99), 3),
            "mean": round(sum(round_trips) / calls, 3),
        },
        "server_ms": {
            "p50": round(percentile(server, 50), 3),
            "p99": round(percentile(server, 99), 3),
        },
    }
    print(
        f"{name:<12} round trip p50 {result['round_trip_ms']['p50']:7.3f} ms  p99 "
        f"{result['round_trip_ms']['p99']:7.3f} ms   server p50 {result['server_ms']['p50']:7.3f} ms  "
        f"p99 {result['server_ms']['p99']:7.3f} ms"
    )
    return result


def run(calls: int, warmup: int, catalog_size: int, seed: int) -> dict[str, Any]:
    """Run every measurement against a fresh emulator process."""
    started = time.perf_counter()
    from emulators.boeing.catalog import Catalog

    build_started = time.perf_counter()
    Catalog(seed, catalog_size)
    build_s = time.perf_counter() - build_started
    print(f"catalogue of {catalog_size:,} bases built in {build_s * 1000:.0f} ms (in process)")

    proc, url = start_emulator(catalog_size, seed)
    try:
        with httpx.Client(base_url=url, timeout=10.0) as client:
            client.put("/_emulator/quota", json={"requests": 10**9, "window_s": 60}).raise_for_status()
            form = {
                "grant_type": "client_credentials",
                "client_id": "emu-client",
                "client_secret": "emu-secret",
                "scope": SCOPE,
            }
            access = client.post("/oauth2/v2.0/token", data=form).json()["access_token"]
            user_headers = {
                "Authorization": f"Bearer {access}",
                "x-username": "emu-user",
                "x-password": "emu-pass",
            }
            part = client.get(PART_TOKEN_PATH, headers=user_headers).headers["x-part-access-token"]
            price_headers = {"Authorization": f"Bearer {access}", "x-boeing-parts-authorization": part}
            normal = client.get("/_emulator/catalog", params={"kind": "normal", "limit": 7}).json()["codes"]
            variants = client.get("/_emulator/catalog", params={"kind": "multi_variant", "limit": 3}).json()
            codes = normal + variants["codes"]
            body = {"showNoStock": True, "showLocation": True, "productCodes": codes}
            items = client.post(PRICE_PATH, json=body, headers=price_headers).json()["lineItems"]
            line_items = len(items)
            image_url = next(item["productImage"] for item in items if "productImage" in item)
            results = {
                "oauth_token": measure(
                    client, "oauth_token", lambda: client.post("/oauth2/v2.0/token", data=form), calls, warmup
                ),
                "part_token": measure(
                    client,
                    "part_token",
                    lambda: client.get(PART_TOKEN_PATH, headers=user_headers),
                    calls,
                    warmup,
                ),
                "price_10_codes": measure(
                    client,
                    "price (10)",
                    lambda: client.post(PRICE_PATH, json=body, headers=price_headers),
                    calls,
                    warmup,
                ),
                "image": measure(client, "image", lambda: client.get(image_url), calls, warmup),
            }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return {
        "benchmark": "emulator_boeing",
        "catalog_size": catalog_size,
        "catalog_build_ms": round(build_s * 1000, 1),
        "price_codes": len(codes),
        "price_line_items": line_items,
        "results": results,
        "duration_s": round(time.perf_counter() - started, 2),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=500, help="timed calls per call type")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls per call type first")
    parser.add_argument("--catalog-size", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--target-p50-ms", type=float, default=5.0, help="round-trip p50 every call must meet"
    )
    args = parser.parse_args(argv)
    result = run(args.calls, args.warmup, args.catalog_size, args.seed)
    worst = max(r["round_trip_ms"]["p50"] for r in result["results"].values())
    result["target_p50_ms"] = args.target_p50_ms
    result["worst_p50_ms"] = worst
    result["ratio_to_target"] = round(worst / args.target_p50_ms, 2)
    result["passed"] = worst < args.target_p50_ms
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(result, indent=2) + "\n")
    verdict = "meets" if result["passed"] else "misses"
    print(f"worst p50 {worst:.3f} ms {verdict} the {args.target_p50_ms:g} ms target; wrote {RESULTS_PATH}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
