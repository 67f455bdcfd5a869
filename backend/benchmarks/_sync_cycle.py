"""The sync benchmark's cycle: real worker groups and beat in testing mode against both emulators, with a
compressed Boeing quota. Reports Boeing-quota utilization and Shopify writes per changed product.

The catalogue is published into the Shopify emulator first (the publisher's payload builder, stores and
enrollment), drift is frozen and 10% of the parts are bumped; then the whole catalogue is made due at once
and the system runs until every SKU has been synced. Utilization = Boeing price calls made ÷ calls the quota
allowed between the first and the last call (one pacing interval per call); a perfectly busy quota scores
1.0. SKUs per call shows that the calls were full (``BOEING_BATCH_SIZE``).
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import redis

from app.container import build_container
from tests.support.processes import Workers, start_emulator, wait_until
from tests.support.settings import clean_environ, settings_from_env
from tests.support.sync_stack import (
    BeatProcess,
    BoeingControl,
    ShopifyControl,
    fetch_records,
    publish_catalog,
    sample_codes,
    sync_env,
)

QUOTA_REQUESTS = 30
QUOTA_WINDOW_S = 10.0
UTILIZATION_TARGET = 0.95
WRITES_TARGET = 3.0
CYCLE_TIMEOUT_S = 240.0
SHOPIFY_WRITES = ("productVariantsBulkUpdate", "inventorySetQuantities", "metafieldsSet")


def run_cycle(database_url: str, redis_url: str, *, products: int) -> dict[str, Any]:
    """Run one testing-mode cycle of ``products`` published SKUs; return the figures."""
    boeing_emu = start_emulator(
        "boeing",
        ["--seed", "7", "--catalog-size", "5000", "--quota-requests", "100000", "--latency-scale", "0"],
    )
    shopify_emu = start_emulator("shopify", ["--plan", "plus"])
    boeing, shopify = BoeingControl(boeing_emu.url), ShopifyControl(shopify_emu.url)
    env = {
        "APP_ENV": "local",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STORAGE_URL": "file:///tmp/bench-sync-objects",
        "MEDIA_PUBLIC_BASE_URL": "http://127.0.0.1:8000/media",
        "CELERY_VISIBILITY_TIMEOUT_S": "60",
        "WORKER_HEARTBEAT_INTERVAL_S": "1",
        **sync_env(
            boeing_emu.url,
            shopify_emu.url,
            BOEING_QUOTA_REQUESTS=str(QUOTA_REQUESTS),
            BOEING_QUOTA_WINDOW_S=str(QUOTA_WINDOW_S),
            # A cycle longer than the run, so every SKU is due exactly once while it is measured, and leases
            # long enough that a busy machine never lets one lapse (a lapsed lease re-checks a SKU).
            SYNC_BUCKET_SECONDS="30",
            SYNC_LEASE_S="30",
        ),
    }
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE product, product_sync_schedule, sync_history, task_outbox CASCADE")
    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()  # nothing left over from the dispatch rounds: the cycle starts with empty queues
    broker.close()
    container = build_container(settings_from_env(env))
    with tempfile.TemporaryDirectory(prefix="bench-sync-cycle-") as logs:
        workers = Workers(env={**clean_environ(), **env}, redis_url=redis_url, log_dir=Path(logs))
        beat: BeatProcess | None = None
        try:
            boeing.freeze()
            records = fetch_records(container, sample_codes(boeing_emu.url, products + products // 4))
            skus = publish_catalog(container, [r for r in records if r.blocked_reason is None][:products])
            changed = skus[::10]
            for sku in changed:
                boeing.force(sku, bump=True)
            boeing.quota(QUOTA_REQUESTS, QUOTA_WINDOW_S)
            boeing.call("POST", "/stats/reset")
            shopify.call("POST", "/stats/reset")
            workers.start("boeing", "shopify", "default")
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute("UPDATE product_sync_schedule SET next_sync_at = now()")
                now = conn.execute("SELECT now()").fetchone()
                assert now is not None
                since = now[0]
            started = time.perf_counter()
            beat = BeatProcess.start({**clean_environ(), **env}, Path(logs))
            wait_until(
                lambda: _synced(database_url, since) >= len(skus),
                timeout_s=CYCLE_TIMEOUT_S,
                interval_s=0.5,
                what="every SKU synced once",
            )
            elapsed = time.perf_counter() - started
            calls = [
                entry
                for entry in boeing.call("GET", "/requests?limit=5000")["requests"]
                if entry["endpoint"] == "price"
            ]
            operations = shopify.stats()["by_operation"]
            throttled = boeing.stats()["throttled_429"]
        finally:
            if beat is not None:
                beat.stop()
            workers.stop()
            container.close()
            boeing.close()
            shopify.close()
            boeing_emu.stop()
            shopify_emu.stop()
    return _figures(skus, changed, calls, operations, throttled, elapsed, database_url)


def _synced(database_url: str, since: datetime) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM product_sync_schedule WHERE sync_status = 'success' AND last_sync_at > %s",
            (since,),
        ).fetchone()
    return int(row[0]) if row else 0


def _figures(
    skus: list[str],
    changed: list[str],
    calls: list[dict[str, Any]],
    operations: dict[str, int],
    throttled: int,
    elapsed: float,
    database_url: str,
) -> dict[str, Any]:
    admitted = [entry for entry in calls if entry["status"] != 429]
    times = sorted(
        datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp() for entry in admitted
    )
    interval = QUOTA_WINDOW_S / QUOTA_REQUESTS
    busy_s = (times[-1] - times[0]) if len(times) > 1 else 0.0
    allowed = busy_s / interval + 1
    utilization = round(len(times) / allowed, 4) if times else 0.0
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM sync_history WHERE kind = 'change'").fetchone()
    history_changes = int(row[0]) if row else 0
    writes = sum(operations.get(name, 0) for name in SHOPIFY_WRITES)
    per_product = round(writes / history_changes, 3) if history_changes else 0.0
    figures = {
        "products": len(skus),
        "changed_forced": len(changed),
        "changes_recorded": history_changes,
        "quota": f"{QUOTA_REQUESTS} calls / {QUOTA_WINDOW_S:g} s at sync share 1.0",
        "boeing_price_calls": len(times),
        "skus_per_call": round(sum(len(entry.get("codes") or []) for entry in admitted) / len(admitted), 2)
        if admitted
        else 0.0,
        "sku_checks": sum(len(entry.get("codes") or []) for entry in admitted),
        "distinct_skus_checked": len({code for entry in admitted for code in entry.get("codes") or []}),
        "boeing_429": throttled,
        "busy_seconds": round(busy_s, 2),
        "cycle_seconds": round(elapsed, 2),
        "boeing_quota_utilization": utilization,
        "utilization_target": UTILIZATION_TARGET,
        "utilization_met": utilization >= UTILIZATION_TARGET,
        "shopify_writes": {name: operations.get(name, 0) for name in SHOPIFY_WRITES},
        "shopify_writes_per_changed_product": per_product,
        "writes_target": WRITES_TARGET,
        "writes_met": 0 < per_product <= WRITES_TARGET,
    }
    print(
        f"cycle: {len(skus)} SKUs, {history_changes} changed, {len(times)} Boeing calls"
        f" ({figures['skus_per_call']} SKUs each) in {busy_s:.1f} s"
        f" ({throttled} x 429): quota utilization {utilization:.3f} (target >= {UTILIZATION_TARGET});"
        f" Shopify writes per changed product {per_product:.2f} (target <= {WRITES_TARGET:g})",
        flush=True,
    )
    return figures
