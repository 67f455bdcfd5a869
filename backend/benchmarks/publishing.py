"""Publishing at scale: 5,000 staged products to the Shopify emulator on the Standard plan's limits.

Real worker processes (the ``shopify`` and ``default`` groups) publish a normalized batch of ``--products``
SKUs (bases with one to three variants) through the shared cost limiter, against the emulator's Standard
plan (bucket 2,000 points, restore 100 points/s, learned from responses, never configured in the app).

Reports, from the emulator's own counters:
* cost-quota utilization = points spent ÷ points restorable over the run (the full bucket at the start plus
  restore rate x run time): how busy the quota was kept. Target ≥ 0.90.
* the share of calls Shopify throttled. Target ≤ 1%.
* products per minute, against the seed's 30/min (one product per task at Celery ``rate_limit`` 30/m).
* products failed by throttling (a throttled call is waited out, never a failure). Target 0.

Everything runs on 127.0.0.1 in a temporary directory (embedded PostgreSQL and Redis, the emulator, the
workers) and is stopped at the end; the run gives up after ``--timeout-s``.

    python -m benchmarks publishing        (or: python benchmarks/publishing.py [--products 5000])

Writes ``benchmarks/results/publishing.json``; exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

BACKEND = Path(__file__).resolve().parents[1]
if str(BACKEND) not in sys.path:
    sys.path.insert(0, str(BACKEND))

from app.celery_app.celery_config import build_celery  # noqa: E402
from app.celery_app.wiring import celery_container  # noqa: E402
from app.db.migrations import apply_migrations  # noqa: E402
from app.local.embedded import start_postgres, start_redis  # noqa: E402
from tests.support.processes import Workers, start_emulator  # noqa: E402
from tests.support.publishing_factories import catalogue, normalized_batch, stage  # noqa: E402
from tests.support.settings import clean_environ, settings_from_env  # noqa: E402

RESULTS_PATH = BACKEND / "benchmarks" / "results" / "publishing.json"
SEED_PRODUCTS_PER_MINUTE = 30.0
UTILIZATION_TARGET = 0.90
THROTTLED_SHARE_TARGET = 0.01


def run(products: int, timeout_s: float) -> dict[str, Any]:
    """Publish ``products`` staged SKUs with real workers; return the figures."""
    with tempfile.TemporaryDirectory(prefix="bench-publishing-") as tmp:
        root = Path(tmp)
        postgres = start_postgres(root / "pg", database="bench_publishing")
        redis_server = start_redis(root / "redis", persist=False)
        emulator = start_emulator("shopify", ["--plan", "standard"])
        workers: Workers | None = None
        try:
            apply_migrations(postgres.url)
            env = {
                "APP_ENV": "local",
                "LOG_LEVEL": "WARNING",
                "DATABASE_URL": postgres.url,
                "REDIS_URL": redis_server.url,
                "STORAGE_URL": f"file://{root / 'objects'}",
                "MEDIA_PUBLIC_BASE_URL": "http://127.0.0.1:8000/media",
                "CELERY_VISIBILITY_TIMEOUT_S": "300",
                "WORKER_HEARTBEAT_INTERVAL_S": "1",
                "SHOPIFY_GRAPHQL_URL": f"{emulator.url}/admin/api/2026-04/graphql.json",
            }
            settings = settings_from_env(env)
            celery = build_celery(settings)
            container = celery_container(settings, celery)
            started = time.perf_counter()
            records = catalogue(products, prefix="BP")
            for chunk in range(0, len(records), 500):
                stage(container, records[chunk : chunk + 500], created_by="bench")
            by_base: dict[str, list[str]] = {}
            for record in records:
                by_base.setdefault(record.base_part_number, []).append(record.sku)
            batch_id = normalized_batch(container, by_base, created_by="bench")
            took = time.perf_counter() - started
            print(f"staged {len(records)} SKUs over {len(by_base)} bases in {took:.1f} s")

            workers = Workers(env={**clean_environ(), **env}, redis_url=redis_server.url, log_dir=root)
            workers.start("shopify", "default")
            plan = httpx.get(f"{emulator.url}/_emulator/plan").json()
            httpx.post(f"{emulator.url}/_emulator/stats/reset").raise_for_status()

            began = time.perf_counter()
            container.publishing_service.publish_bulk(
                part_numbers=None,
                part_numbers_text=None,
                batch_id=batch_id,
                idempotency_key=None,
                created_by="bench",
            )
            batch = _wait(postgres.url, batch_id, len(records), began, timeout_s)
            elapsed = time.perf_counter() - began
            stats = httpx.get(f"{emulator.url}/_emulator/stats").json()
            failures = _failures(postgres.url, batch_id)
            container.close()
            celery.close()
        finally:
            if workers is not None:
                workers.stop()
            emulator.stop()
            redis_server.stop()
            postgres.stop()
    return _figures(products, plan, batch, elapsed, stats, failures)


def _wait(database_url: str, batch_id: str, total: int, began: float, timeout_s: float) -> dict[str, Any]:
    last_report = 0.0
    with psycopg.connect(database_url, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT status, published_count, failed_count FROM batches WHERE id = %s", (batch_id,)
            ).fetchone()
            assert row is not None
            status, published, failed = row
            elapsed = time.perf_counter() - began
            if status in ("completed", "failed", "cancelled"):
                return {"status": status, "published": published, "failed": failed}
            if elapsed - last_report >= 30:
                last_report = elapsed
                rate = published / elapsed * 60 if elapsed else 0.0
                print(f"  {elapsed:5.0f} s: {published}/{total} published, {failed} failed ({rate:.0f}/min)")
            if elapsed > timeout_s:
                return {"status": f"timed out ({status})", "published": published, "failed": failed}
            time.sleep(1.0)


def _failures(database_url: str, batch_id: str) -> dict[str, int]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT coalesce(error, ''), count(*) FROM batch_items"
            " WHERE batch_id = %s AND stage = 'publishing' AND status = 'failed' GROUP BY 1",
            (batch_id,),
        ).fetchall()
    return {error: int(count) for error, count in rows}


def _figures(
    products: int,
    plan: dict[str, Any],
    batch: dict[str, Any],
    elapsed: float,
    stats: dict[str, Any],
    failures: dict[str, int],
) -> dict[str, Any]:
    bucket, restore = float(plan["bucket_size"]), float(plan["restore_rate"])
    restorable = bucket + restore * elapsed
    spent = float(stats["points_spent"])
    requests = int(stats["requests"])
    throttled = int(stats["throttled"])
    per_minute = batch["published"] / elapsed * 60 if elapsed else 0.0
    by_throttling = sum(count for error, count in failures.items() if "throttl" in error.lower())
    figures = {
        "products": products,
        "plan": {"name": plan.get("name", "standard"), "bucket_size": bucket, "restore_rate": restore},
        "status": batch["status"],
        "published": batch["published"],
        "failed": batch["failed"],
        "failed_by_throttling": by_throttling,
        "duration_s": round(elapsed, 1),
        "points_spent": spent,
        "points_restorable": round(restorable, 1),
        "utilization": round(spent / restorable, 4) if restorable else 0.0,
        "requests": requests,
        "product_set_calls": int(stats["by_operation"].get("productSet", 0)),
        "throttled": throttled,
        "throttled_share": round(throttled / requests, 4) if requests else 0.0,
        "products_per_minute": round(per_minute, 1),
        "seed_products_per_minute": SEED_PRODUCTS_PER_MINUTE,
        "speedup_vs_seed": round(per_minute / SEED_PRODUCTS_PER_MINUTE, 1),
        "targets": {
            "utilization": f">= {UTILIZATION_TARGET}",
            "throttled_share": f"<= {THROTTLED_SHARE_TARGET}",
            "failed_by_throttling": "0",
        },
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "measured_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }
    figures["targets_met"] = (
        batch["status"] == "completed"
        and batch["published"] == products
        and figures["utilization"] >= UTILIZATION_TARGET
        and figures["throttled_share"] <= THROTTLED_SHARE_TARGET
        and by_throttling == 0
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument(
        "--timeout-s", type=float, default=None, help="Give up after this long (default: scaled)."
    )
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    # ~23 points per product at 100 points/s, plus generous slack.
    timeout_s = args.timeout_s or args.products * 25 / 100 * 1.5 + 180
    figures = run(args.products, timeout_s)
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"{figures['published']}/{figures['products']} published in {figures['duration_s']} s "
        f"({figures['status']}), {figures['failed']} failed "
        f"({figures['failed_by_throttling']} by throttling)\n"
        f"cost-quota utilization {figures['utilization']:.3f} (target >= {UTILIZATION_TARGET}); "
        f"throttled {figures['throttled']}/{figures['requests']} calls = {figures['throttled_share']:.2%} "
        f"(target <= {THROTTLED_SHARE_TARGET:.0%})\n"
        f"{figures['products_per_minute']:.0f} products/min vs the seed's {SEED_PRODUCTS_PER_MINUTE:.0f}/min "
        f"({figures['speedup_vs_seed']}x)\nresults: {RESULTS_PATH.relative_to(BACKEND)}"
    )
    return 0 if figures["targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
