"""Liveness of what the system depends on: PostgreSQL, Redis and a worker for every required queue.

``/health`` is public, so a check that fails says which dependency is down in a fixed sentence of its own;
the driver's error text (host names, ports, user names, server versions) goes to the log only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import ConnectionPool
from redis import Redis

from app.utils.heartbeats import WorkerHeartbeats

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 2.0

DOWN_REASONS: dict[str, str] = {
    "database": "PostgreSQL is unreachable",
    "redis": "Redis is unreachable",
    "workers": "the worker heartbeats could not be read",
}
"""What a public check says when its probe fails, whatever the driver's error was."""


@dataclass(slots=True)
class CheckResult:
    status: str
    latency_ms: float | None
    error: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class HealthReport:
    healthy: bool
    checks: dict[str, CheckResult]


class HealthService:
    def __init__(
        self,
        *,
        pool: Callable[[], ConnectionPool] | ConnectionPool,
        redis: Redis[str],
        heartbeats: WorkerHeartbeats,
        required_queues: list[str],
    ) -> None:
        self._pool = pool
        self._redis = redis
        self._heartbeats = heartbeats
        self._required_queues = list(required_queues)
        self._executor = ThreadPoolExecutor(max_workers=3, thread_name_prefix="health")

    def check(self) -> HealthReport:
        """Run the three checks concurrently, each bounded by 2 s."""
        futures = {
            "database": self._executor.submit(self._timed, "database", self._check_database),
            "redis": self._executor.submit(self._timed, "redis", self._check_redis),
            "workers": self._executor.submit(self._timed, "workers", self._check_workers),
        }
        checks: dict[str, CheckResult] = {}
        for name, future in futures.items():
            try:
                checks[name] = future.result(timeout=CHECK_TIMEOUT_S)
            except FutureTimeout:
                checks[name] = CheckResult("down", None, f"no answer within {CHECK_TIMEOUT_S:.0f} s")
        if "online" not in checks["workers"].extra:
            checks["workers"].extra = {"online": 0, "missing_queues": list(self._required_queues)}
        return HealthReport(all(c.status == "ok" for c in checks.values()), checks)

    @staticmethod
    def _timed(name: str, probe: Callable[[], dict[str, Any] | None]) -> CheckResult:
        started = time.perf_counter()
        try:
            extra = probe() or {}
        except Exception as exc:
            logger.warning("health check %s failed: %s", name, _describe(exc))
            return CheckResult("down", None, DOWN_REASONS[name])
        latency = round((time.perf_counter() - started) * 1000, 2)
        if extra.pop("_down", None):
            return CheckResult("down", latency, extra.pop("_error", None), extra)
        return CheckResult("ok", latency, None, extra)

    def _check_database(self) -> None:
        pool = self._pool() if callable(self._pool) else self._pool
        with pool.connection(timeout=CHECK_TIMEOUT_S) as conn:
            conn.execute("SELECT 1").fetchone()

    def _check_redis(self) -> None:
        self._redis.ping()

    def _check_workers(self) -> dict[str, Any]:
        online = self._heartbeats.online()
        missing = [queue for queue in self._required_queues if not online.get(queue)]
        result: dict[str, Any] = {"online": sum(online.values()), "missing_queues": missing}
        if missing:
            result.update(_down=True, _error="no worker is consuming: " + ", ".join(missing))
        return result


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__
