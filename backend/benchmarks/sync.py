"""Scheduled sync at scale: dispatch of one bucket, dashboard queries, and a testing-mode cycle.

1. **Dispatch**: a 100,000-row schedule over 24 buckets, one bucket due (~4,170 rows); one
   ``dispatch_hourly`` claims them with the atomic ``SKIP LOCKED`` update and enqueues the Boeing tasks
   through the outbox, including the relay's send to the Redis broker. Target < 1 s.
2. **Queries**: ``dashboard``, ``hourly-stats``, ``failures`` and ``history`` (service call and response
   shaping, as the routes do) at 100,000 rows; p95 over ``--rounds`` calls each. Target < 100 ms.
3. **Cycle** (``_sync_cycle.py``): the Boeing and Shopify emulators, real worker groups and beat in testing
   mode with a compressed Boeing quota; prints Boeing-quota utilization (target ≥ 0.95) and Shopify writes
   per changed product (target ≤ 3).

Runs against embedded PostgreSQL and Redis in a temporary directory (everything on 127.0.0.1) and stops them.

    python -m benchmarks sync            (or: python benchmarks/sync.py [--rows 100000] [--skip-cycle])

Writes ``benchmarks/results/sync.json``; exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

BACKEND = Path(__file__).resolve().parents[1]
if str(BACKEND) not in sys.path:
    sys.path.insert(0, str(BACKEND))

from app.celery_app.celery_config import build_celery  # noqa: E402
from app.celery_app.sender import CeleryTaskSender  # noqa: E402
from app.container import Container, build_container  # noqa: E402
from app.db.migrations import apply_migrations  # noqa: E402
from app.db.outbox_store import OutboxMessage  # noqa: E402
from app.local.embedded import start_postgres, start_redis  # noqa: E402
from app.schemas.sync import HourlyStats, SyncDashboard, SyncFailureItem, SyncHistoryItem  # noqa: E402
from app.services.task_dispatcher import TaskSender  # noqa: E402
from tests.support.settings import settings_from_env  # noqa: E402

RESULTS_PATH = BACKEND / "benchmarks" / "results" / "sync.json"
DISPATCH_TARGET_S = 1.0
QUERY_TARGET_MS = 100.0


@dataclass(frozen=True)
class Servers:
    database_url: str
    redis_url: str


@contextmanager
def servers() -> Iterator[Servers]:
    """Embedded PostgreSQL and Redis on loopback in a temporary directory, stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        postgres = start_postgres(Path(tmp) / "pg", database="bench_sync")
        redis = start_redis(Path(tmp) / "redis", persist=False)
        try:
            apply_migrations(postgres.url)
            yield Servers(postgres.url, redis.url)
        finally:
            redis.stop()
            postgres.stop()


def base_env(srv: Servers, **extra: str) -> dict[str, str]:
    return {
        "APP_ENV": "local",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": srv.database_url,
        "REDIS_URL": srv.redis_url,
        "STORAGE_URL": "file:///tmp/bench-sync-objects",
        "MEDIA_PUBLIC_BASE_URL": "http://127.0.0.1:8000/media",
        **extra,
    }


def seed_schedule(database_url: str, rows: int, buckets: int = 24) -> int:
    """``rows`` published products over ``buckets`` buckets, bucket 0 due now; varied statuses and failures.

    Returns the number of due rows."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE product, product_sync_schedule, sync_history, task_outbox CASCADE")
        conn.execute(
            """
            INSERT INTO product (sku, base_part_number, title, shopify_product_id, price, cost_per_item,
                                 inventory_quantity, inventory_status, created_by)
            SELECT 'BENCH-' || lpad(n::text, 7, '0'), 'BENCH-' || lpad(n::text, 7, '0'),
                   'BENCH-' || lpad(n::text, 7, '0'), (1000000 + n)::text, 28.05, 25.50, n %% 500,
                   CASE WHEN n %% 500 > 0 THEN 'in_stock' ELSE 'out_of_stock' END, 'bench'
              FROM generate_series(1, %(rows)s) AS n
            """,
            {"rows": rows},
        )
        conn.execute(
            """
            INSERT INTO product_sync_schedule (sku, hour_bucket, next_sync_at, sync_status, last_sync_at,
                                               last_attempt_at, consecutive_failures, last_error, last_price,
                                               last_quantity, last_inventory_status, is_active, created_by)
            SELECT 'BENCH-' || lpad(n::text, 7, '0'), n %% %(buckets)s,
                   CASE WHEN n %% %(buckets)s = 0 THEN now() - interval '1 minute'
                        ELSE now() + make_interval(hours => n %% %(buckets)s) END,
                   (ARRAY['success', 'success', 'success', 'pending', 'failed'])[1 + n %% 5],
                   now() - make_interval(mins => n %% 1440), now() - make_interval(mins => n %% 2880),
                   CASE WHEN n %% 5 = 4 THEN 1 + n %% 7 ELSE 0 END,
                   CASE WHEN n %% 5 = 4 THEN 'RetryableError: Boeing answered 503' END,
                   25.50, n %% 500, CASE WHEN n %% 500 > 0 THEN 'in_stock' ELSE 'out_of_stock' END,
                   n %% 97 <> 0, 'bench'
              FROM generate_series(1, %(rows)s) AS n
            """,
            {"rows": rows, "buckets": buckets},
        )
        conn.execute("ANALYZE product_sync_schedule")
        due = conn.execute(
            "SELECT count(*) FROM product_sync_schedule WHERE is_active AND next_sync_at <= now()"
        ).fetchone()
    return int(due[0]) if due else 0


class TimedSender:
    """The relay's sender, timed: how long handing the messages to the broker takes."""

    def __init__(self, inner: TaskSender) -> None:
        self.inner = inner
        self.seconds = 0.0

    def __call__(self, message: OutboxMessage) -> None:
        started = time.perf_counter()
        self.inner(message)
        self.seconds += time.perf_counter() - started


def bench_dispatch(srv: Servers, rows: int, rounds: int) -> dict[str, Any]:
    """Time one dispatch of the due bucket: claim, outbox and commit, then the relay's send to the broker."""
    env = base_env(
        srv, BOEING_QUOTA_REQUESTS="1000000", BOEING_SYNC_SHARE="1.0", SYNC_DISPATCH_INTERVAL_S="60"
    )
    settings = settings_from_env(env)
    celery = build_celery(settings)
    sender = TimedSender(CeleryTaskSender(celery))
    container = build_container(settings, task_sender=sender)
    totals: list[float] = []
    commits: list[float] = []
    claimed = tasks = 0
    due = seed_schedule(srv.database_url, rows)
    try:
        for round_no in range(rounds + 1):
            _reset_claims(srv)
            sender.seconds = 0.0
            started = time.perf_counter()
            report = container.sync_dispatch_service.dispatch_hourly()
            elapsed = time.perf_counter() - started
            claimed, tasks = report.claimed, report.tasks
            sent = _broker_length(container, "sync_boeing")
            if claimed != due or sent != tasks:
                raise RuntimeError(
                    f"dispatch claimed {claimed}/{due} rows, {sent}/{tasks} messages reached Redis"
                )
            if round_no:  # round 0 warms the broker connection and the query plans
                totals.append(elapsed)
                commits.append(elapsed - sender.seconds)
    finally:
        container.close()
        celery.close()
    return {
        "rows": rows,
        "due_rows": due,
        "claimed": claimed,
        "boeing_tasks": tasks,
        "rounds": rounds,
        "claim_and_outbox_s_median": round(statistics.median(commits), 4),
        "claim_and_outbox_s_max": round(max(commits), 4),
        "with_broker_send_s_median": round(statistics.median(totals), 4),
        "with_broker_send_s_max": round(max(totals), 4),
        "target_s": DISPATCH_TARGET_S,
        "met": statistics.median(totals) < DISPATCH_TARGET_S,
    }


def _reset_claims(srv: Servers) -> None:
    with psycopg.connect(srv.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE product_sync_schedule SET lease_until = NULL, sync_status = 'pending'"
            " WHERE lease_until IS NOT NULL"
        )
        conn.execute("TRUNCATE task_outbox")
        conn.execute("VACUUM ANALYZE product_sync_schedule")
    import redis

    client = redis.Redis.from_url(srv.redis_url)
    client.flushdb()
    client.close()


def _broker_length(container: Container, queue: str) -> int:
    return int(container.redis.llen(queue))


def bench_queries(srv: Servers, rows: int, rounds: int) -> dict[str, Any]:
    """p95 of each dashboard endpoint's service call plus response shaping at ``rows`` schedule rows."""
    seed_schedule(srv.database_url, rows)
    container = build_container(settings_from_env(base_env(srv)))
    service = container.sync_dashboard_service
    calls: dict[str, Callable[[], Any]] = {
        "dashboard": lambda: SyncDashboard.from_report(service.dashboard()).model_dump(mode="json"),
        "hourly_stats": lambda: HourlyStats.from_report(service.hourly_stats()).model_dump(mode="json"),
        "failures": lambda: [
            SyncFailureItem.model_validate(row, from_attributes=True).model_dump(mode="json")
            for row in service.failures(include_inactive=False, limit=50, offset=0).rows
        ],
        "history": lambda: [
            SyncHistoryItem.model_validate(row, from_attributes=True).model_dump(mode="json")
            for row in service.history(hours_back=24, limit=50, offset=0).rows
        ],
    }
    results: dict[str, Any] = {}
    try:
        for name, call in calls.items():
            call()  # warm the pool and the plan cache
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                call()
                samples.append((time.perf_counter() - started) * 1000)
            p95 = _percentile(samples, 95)
            results[name] = {
                "p50_ms": round(_percentile(samples, 50), 2),
                "p95_ms": round(p95, 2),
                "target_ms": QUERY_TARGET_MS,
                "met": p95 < QUERY_TARGET_MS,
            }
    finally:
        container.close()
    return {"rows": rows, "rounds": rounds, "endpoints": results}


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scheduled-sync benchmark.")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="calls per query endpoint")
    parser.add_argument("--dispatch-rounds", type=int, default=5)
    parser.add_argument("--skip-cycle", action="store_true", help="only the database figures")
    parser.add_argument("--cycle-products", type=int, default=400)
    args = parser.parse_args(argv if argv is not None else [])

    result: dict[str, Any] = {
        "benchmark": "sync",
        "measured_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    with servers() as srv:
        result["dispatch"] = bench_dispatch(srv, args.rows, args.dispatch_rounds)
        d = result["dispatch"]
        print(
            f"dispatch of one bucket: {d['claimed']:,} of {d['rows']:,} rows"
            f" in {d['boeing_tasks']} Boeing tasks;"
            f" claim + outbox commit median {d['claim_and_outbox_s_median']:.3f} s,"
            f" with the relay's send to Redis median {d['with_broker_send_s_median']:.3f} s"
            f" (max {d['with_broker_send_s_max']:.3f} s; target < {DISPATCH_TARGET_S} s)",
            flush=True,
        )
        result["queries"] = bench_queries(srv, args.rows, args.rounds)
        for name, figures in result["queries"]["endpoints"].items():
            print(
                f"{name:>13} at {args.rows:,} rows: p50 {figures['p50_ms']:.1f} ms,"
                f" p95 {figures['p95_ms']:.1f} ms (target < {QUERY_TARGET_MS:.0f} ms)",
                flush=True,
            )
        if not args.skip_cycle:
            from benchmarks._sync_cycle import run_cycle

            result["cycle"] = run_cycle(srv.database_url, srv.redis_url, products=args.cycle_products)
    met = [result["dispatch"]["met"], *(f["met"] for f in result["queries"]["endpoints"].values())]
    if "cycle" in result:
        met += [result["cycle"]["utilization_met"], result["cycle"]["writes_met"]]
    result["all_targets_met"] = all(met)
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS_PATH}; all targets met: {result['all_targets_met']}")
    return 0 if result["all_targets_met"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
