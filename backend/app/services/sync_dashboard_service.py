"""What the sync tab shows: the dashboard, hourly stats, product lists, history and failures.

Every figure comes from SQL aggregates (``SyncAnalytics``), so the answers stay right and fast at 100,000
schedule rows; an empty schedule gives zeros, never an error.

Capacity (``catalog_capacity_per_day``): Boeing calls per day at the configured quota * ``BOEING_SYNC_SHARE``
* ``BOEING_BATCH_SIZE`` SKUs per call, e.g. 2 calls/min * 1,440 min * 1.0 * 10 = 28,800 SKUs/day (14,400 at
the default share 0.5). ``effective_sync_interval_hours`` = active products * 24 ÷ that capacity, but never
shorter than one schedule cycle (``SYNC_BUCKET_COUNT * SYNC_BUCKET_SECONDS``); ``null`` when sync has no
quota share at all. A catalog larger than the capacity is synced less often than once per cycle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from app.core.config import Settings
from app.core.constants.sync import HIGH_FAILURE_THRESHOLD, SlotStatus, SyncStatus
from app.core.exceptions import NotFoundError
from app.db.sync_analytics import BucketStatusCount, SchedulePage
from app.db.sync_store import SyncScheduleRow
from app.db.unit_of_work import UnitOfWorkFactory
from app.utils.sync_helpers import (
    SlotEntry,
    current_bucket,
    efficiency_percent,
    percent,
    slot_distribution,
    sync_capacity,
)

STATUSES = tuple(status.value for status in SyncStatus)


@dataclass(frozen=True, slots=True)
class BucketStats:
    hour: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True, slots=True)
class DashboardReport:
    total_products: int
    active_products: int
    inactive_products: int
    high_failure_count: int
    success_rate_percent: float
    efficiency_percent: float
    status_counts: dict[str, int]
    current_hour: int
    current_hour_products: int
    max_buckets: int
    active_slots: int
    filling_slots: int
    dormant_slots: int
    sync_mode: str
    slot_distribution: list[SlotEntry]
    last_updated: datetime
    effective_sync_interval_hours: float | None
    catalog_capacity_per_day: int


@dataclass(frozen=True, slots=True)
class HourlyReport:
    hours: list[BucketStats]
    current_hour: int
    max_buckets: int
    sync_mode: str


@dataclass(slots=True)
class _Tally:
    status_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    active_by_bucket: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    total: int = 0
    active: int = 0
    high_failure: int = 0


class SyncDashboardService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._settings = settings

    def dashboard(self) -> DashboardReport:
        """Totals, status counts, slot distribution, efficiency and the catalog's sync capacity."""
        sync = self._settings.sync
        with self._uow_factory() as uow:
            tally = self._tally(
                uow.analytics.bucket_status_counts(high_failure_threshold=HIGH_FAILURE_THRESHOLD)
            )
            now = uow.schedule.database_now()
        per_bucket = {bucket: sum(counts.values()) for bucket, counts in tally.active_by_bucket.items()}
        slots = slot_distribution(per_bucket, sync.bucket_count)
        used = {status: sum(1 for slot in slots if slot.status == status) for status in SlotStatus}
        hour = current_bucket(now, sync.bucket_count, sync.bucket_seconds)
        capacity_per_day, interval_hours = self._capacity(tally.active)
        return DashboardReport(
            total_products=tally.total,
            active_products=tally.active,
            inactive_products=tally.total - tally.active,
            high_failure_count=tally.high_failure,
            success_rate_percent=percent(tally.status_counts[SyncStatus.SUCCESS], tally.total),
            efficiency_percent=efficiency_percent(
                tally.active, used[SlotStatus.ACTIVE], used[SlotStatus.FILLING]
            ),
            status_counts=tally.status_counts,
            current_hour=hour,
            current_hour_products=per_bucket.get(hour, 0),
            max_buckets=sync.bucket_count,
            active_slots=used[SlotStatus.ACTIVE],
            filling_slots=used[SlotStatus.FILLING],
            dormant_slots=used[SlotStatus.DORMANT],
            sync_mode=sync.mode,
            slot_distribution=slots,
            last_updated=now,
            effective_sync_interval_hours=interval_hours,
            catalog_capacity_per_day=capacity_per_day,
        )

    def hourly_stats(self) -> HourlyReport:
        """Active products per bucket and status, one entry per bucket."""
        sync = self._settings.sync
        with self._uow_factory() as uow:
            tally = self._tally(
                uow.analytics.bucket_status_counts(high_failure_threshold=HIGH_FAILURE_THRESHOLD)
            )
            now = uow.schedule.database_now()
        hours = [
            BucketStats(
                bucket, {status: tally.active_by_bucket.get(bucket, {}).get(status, 0) for status in STATUSES}
            )
            for bucket in range(sync.bucket_count)
        ]
        return HourlyReport(
            hours, current_bucket(now, sync.bucket_count, sync.bucket_seconds), sync.bucket_count, sync.mode
        )

    def list_products(
        self,
        *,
        status: str | None,
        hour: int | None,
        active_only: bool,
        search: str | None,
        limit: int,
        offset: int,
    ) -> SchedulePage:
        """Schedule rows by bucket then SKU, filtered."""
        with self._uow_factory() as uow:
            return uow.analytics.list_products(
                status=status,
                hour=hour,
                active_only=active_only,
                search=(search or "").strip() or None,
                limit=limit,
                offset=offset,
            )

    def get_product(self, sku: str) -> SyncScheduleRow:
        """The schedule row of one SKU, or 404 ``sync_product_not_found``."""
        sku = sku.strip().upper()
        with self._uow_factory() as uow:
            row = uow.schedule.get_by_sku(sku)
        if row is None:
            raise NotFoundError(f"No sync schedule exists for SKU {sku}.", code="sync_product_not_found")
        return row

    def history(self, *, hours_back: int, limit: int, offset: int) -> SchedulePage:
        """Rows with a sync attempt in the last ``hours_back`` hours, newest update first."""
        with self._uow_factory() as uow:
            return uow.analytics.list_recent_attempts(hours_back=hours_back, limit=limit, offset=offset)

    def failures(self, *, include_inactive: bool, limit: int, offset: int) -> SchedulePage:
        """Rows with consecutive failures, most failures first."""
        with self._uow_factory() as uow:
            return uow.analytics.list_failing(include_inactive=include_inactive, limit=limit, offset=offset)

    def _capacity(self, active_products: int) -> tuple[int, float | None]:
        boeing, sync = self._settings.boeing, self._settings.sync
        capacity = sync_capacity(
            boeing.quota_requests,
            boeing.quota_window_s,
            boeing.batch_size,
            boeing.sync_share,
            active_products,
            min_interval_hours=sync.bucket_count * sync.bucket_seconds / 3600,
        )
        hours = capacity.effective_interval_hours
        return capacity.skus_per_day, None if math.isinf(hours) else round(hours, 4)

    def _tally(self, counts: list[BucketStatusCount]) -> _Tally:
        bucket_count = self._settings.sync.bucket_count
        tally = _Tally()
        for entry in counts:
            tally.total += entry.count
            tally.status_counts[entry.sync_status] = (
                tally.status_counts.get(entry.sync_status, 0) + entry.count
            )
            if entry.high_failure:
                tally.high_failure += entry.count
            if entry.is_active:
                tally.active += entry.count
                bucket = tally.active_by_bucket[entry.hour_bucket % bucket_count]
                bucket[entry.sync_status] = bucket.get(entry.sync_status, 0) + entry.count
        return tally
