"""``GET /health/sync-status``: the scheduler's beat entries, both quota limiters and the current cycle.

Beat entries come from the configured schedule, handed over as plain data (with RedBeat's key prefix) by the
entrypoint that builds the container; their last and next run times come from RedBeat's records in Redis
(``null`` until the scheduler has run them). The cycle figures are SQL aggregates over the schedule.
Redis being unreachable is a 503 (``ServiceUnavailableError``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from redbeat.decoder import RedBeatJSONDecoder

from app.core.config import Settings
from app.core.exceptions import ServiceUnavailableError
from app.db.sync_analytics import CycleCounts
from app.db.unit_of_work import UnitOfWorkFactory
from app.utils.rate_limiter import BoeingRateLimiter
from app.utils.shopify_rate_limiter import ShopifyCostLimiter
from app.utils.sync_helpers import bucket_start, current_bucket, percent


@dataclass(frozen=True, slots=True)
class BeatEntrySpec:
    """One configured beat entry: its name, task and schedule as text."""

    name: str
    task: str
    schedule: str


@dataclass(frozen=True, slots=True)
class BeatEntryState:
    name: str
    task: str
    schedule: str
    next_run_at: datetime | None
    last_run_at: datetime | None


@dataclass(frozen=True, slots=True)
class CycleProgress:
    current_bucket: int
    cycle_started_at: datetime
    active_products: int
    due_now: int
    fetching: int
    writing: int
    synced_in_cycle: int
    failed_in_cycle: int
    progress_percent: float


@dataclass(frozen=True, slots=True)
class SyncStatusReport:
    enabled: bool
    mode: str
    max_buckets: int
    beat_alive: bool
    entries: list[BeatEntryState]
    boeing: dict[str, Any]
    shopify: dict[str, Any]
    cycle: CycleProgress
    checked_at: datetime


class SyncStatusService:
    def __init__(
        self,
        *,
        settings: Settings,
        redis_client: redis.Redis[str],
        beat_entries: Sequence[BeatEntrySpec],
        redbeat_prefix: str,
        boeing_limiter: BoeingRateLimiter,
        shopify_limiter: ShopifyCostLimiter,
        uow_factory: UnitOfWorkFactory,
    ) -> None:
        self._settings = settings
        self._redis = redis_client
        self._entries = list(beat_entries)
        self._prefix = redbeat_prefix
        self._boeing = boeing_limiter
        self._shopify = shopify_limiter
        self._uow_factory = uow_factory

    def report(self) -> SyncStatusReport:
        """The scheduler, the limiters and the current cycle, as of now."""
        sync = self._settings.sync
        try:
            entries = [self._entry_state(entry) for entry in self._entries]
            beat_alive = bool(self._redis.exists(f"{self._prefix}:lock"))
            boeing = dict(self._boeing.state())
            shopify = self._shopify.state().as_dict()
        except redis.RedisError as exc:
            raise ServiceUnavailableError("Redis is unreachable; the scheduler status is unknown.") from exc
        with self._uow_factory() as uow:
            now = uow.schedule.database_now()
            bucket = current_bucket(now, sync.bucket_count, sync.bucket_seconds)
            started = bucket_start(
                0, now=now, bucket_count=sync.bucket_count, bucket_seconds=sync.bucket_seconds
            )
            counts = uow.analytics.cycle_counts(cycle_start=started)
        return SyncStatusReport(
            enabled=sync.enabled,
            mode=sync.mode,
            max_buckets=sync.bucket_count,
            beat_alive=beat_alive,
            entries=entries,
            boeing=boeing,
            shopify=shopify,
            cycle=_progress(bucket, started, counts),
            checked_at=now,
        )

    def _entry_state(self, entry: BeatEntrySpec) -> BeatEntryState:
        key = f"{self._prefix}{entry.name}"
        meta = self._redis.hget(key, "meta")
        score = self._redis.zscore(f"{self._prefix}:schedule", key)
        last_run = None
        if meta:
            decoded = json.loads(meta, cls=RedBeatJSONDecoder)
            last_run = _utc(decoded.get("last_run_at"))
        next_run = datetime.fromtimestamp(score, tz=UTC) if score is not None and score >= 0 else None
        return BeatEntryState(entry.name, entry.task, entry.schedule, next_run, last_run)


def _progress(bucket: int, started: datetime, counts: CycleCounts) -> CycleProgress:
    return CycleProgress(
        current_bucket=bucket,
        cycle_started_at=started,
        active_products=counts.active,
        due_now=counts.due_now,
        fetching=counts.fetching,
        writing=counts.writing,
        synced_in_cycle=counts.synced_in_cycle,
        failed_in_cycle=counts.failed_in_cycle,
        progress_percent=percent(counts.synced_in_cycle, counts.active),
    )


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
