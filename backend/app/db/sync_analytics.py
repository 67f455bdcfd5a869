"""Read models over ``product_sync_schedule`` for the sync dashboard, its lists and the scheduler status.

Every aggregate is computed by PostgreSQL in one pass (``GROUP BY`` / ``count(*) FILTER``), never by loading
rows; the lists are paginated with a fixed order ending in ``id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.db.base_store import BaseStore
from app.db.sync_store import SCHEDULE_COLUMNS, SyncScheduleRow, schedule_row


@dataclass(frozen=True, slots=True)
class BucketStatusCount:
    """How many rows share one (bucket, active flag, status, high-failure flag) combination."""

    hour_bucket: int
    is_active: bool
    sync_status: str
    high_failure: bool
    count: int


@dataclass(frozen=True, slots=True)
class SchedulePage:
    rows: list[SyncScheduleRow]
    total: int


@dataclass(frozen=True, slots=True)
class CycleCounts:
    """Where the current schedule cycle stands."""

    active: int
    due_now: int
    fetching: int
    writing: int
    synced_in_cycle: int
    failed_in_cycle: int


class SyncAnalytics(BaseStore):
    def bucket_status_counts(self, *, high_failure_threshold: int) -> list[BucketStatusCount]:
        """Row counts per bucket, active flag, status and high-failure flag (one scan of the table)."""
        rows = self._rows(
            "count sync rows per bucket and status",
            """
            SELECT hour_bucket, is_active, sync_status,
                   consecutive_failures >= %s AS high_failure, count(*)::integer AS count
              FROM product_sync_schedule
             GROUP BY 1, 2, 3, 4
            """,
            (high_failure_threshold,),
        )
        return [BucketStatusCount(**row) for row in rows]

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
        """Schedule rows matching the filters, by bucket then SKU."""
        where, params = _product_filters(status=status, hour=hour, active_only=active_only, search=search)
        return self._page(where, params, "hour_bucket, sku, id", limit, offset, "list sync products")

    def list_recent_attempts(self, *, hours_back: int, limit: int, offset: int) -> SchedulePage:
        """Rows with a sync attempt in the last ``hours_back`` hours, most recently updated first."""
        return self._page(
            "last_attempt_at >= now() - make_interval(hours => %(hours_back)s)",
            {"hours_back": hours_back},
            "updated_at DESC, id DESC",
            limit,
            offset,
            "list recent sync attempts",
        )

    def list_failing(self, *, include_inactive: bool, limit: int, offset: int) -> SchedulePage:
        """Rows with consecutive failures, most failures first, then most recently updated."""
        where = "consecutive_failures > 0" + ("" if include_inactive else " AND is_active")
        return self._page(
            where,
            {},
            "consecutive_failures DESC, updated_at DESC, id DESC",
            limit,
            offset,
            "list failing sync products",
        )

    def cycle_counts(self, *, cycle_start: datetime) -> CycleCounts:
        """Backlog, work in flight and results since ``cycle_start`` (one scan of the table)."""
        row = self._row(
            "measure the sync cycle",
            """
            SELECT count(*) FILTER (WHERE is_active)::integer AS active,
                   count(*) FILTER (WHERE is_active AND next_sync_at <= now()
                                      AND (lease_until IS NULL OR lease_until <= now()))::integer AS due_now,
                   count(*) FILTER (WHERE lease_until > now() AND pending_target IS NULL)::integer
                       AS fetching,
                   count(*) FILTER (WHERE lease_until > now() AND pending_target IS NOT NULL)::integer
                       AS writing,
                   count(*) FILTER (WHERE last_sync_at >= %(start)s)::integer AS synced_in_cycle,
                   count(*) FILTER (WHERE sync_status = 'failed' AND last_attempt_at >= %(start)s)::integer
                       AS failed_in_cycle
              FROM product_sync_schedule
            """,
            {"start": cycle_start},
        )
        assert row is not None
        return CycleCounts(**row)

    def count_synced_between(self, start: datetime, end: datetime) -> int:
        """Rows whose last successful sync falls in ``[start, end)``."""
        return int(
            self._scalar(
                "count synced products",
                "SELECT count(*) FROM product_sync_schedule WHERE last_sync_at >= %s AND last_sync_at < %s",
                (start, end),
            )
        )

    def count_active(self) -> int:
        """Active rows."""
        return int(
            self._scalar(
                "count active sync products",
                "SELECT count(*) FROM product_sync_schedule WHERE is_active",
            )
        )

    def _page(
        self,
        where: str,
        params: dict[str, Any],
        order: str,
        limit: int,
        offset: int,
        action: str,
    ) -> SchedulePage:
        total = int(self._scalar(action, f"SELECT count(*) FROM product_sync_schedule WHERE {where}", params))
        if total <= offset:
            return SchedulePage([], total)
        rows = self._rows(
            action,
            f"SELECT {SCHEDULE_COLUMNS} FROM product_sync_schedule WHERE {where}"
            f" ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s",
            {**params, "limit": limit, "offset": offset},
        )
        return SchedulePage([schedule_row(row) for row in rows], total)


def _product_filters(
    *, status: str | None, hour: int | None, active_only: bool, search: str | None
) -> tuple[str, dict[str, Any]]:
    clauses = ["true"]
    params: dict[str, Any] = {}
    if status is not None:
        clauses.append("sync_status = %(status)s")
        params["status"] = status
    if hour is not None:
        clauses.append("hour_bucket = %(hour)s")
        params["hour"] = hour
    if active_only:
        clauses.append("is_active")
    if search:
        # strpos, not LIKE: the operator's text is matched literally (no wildcard escaping needed).
        clauses.append("strpos(upper(sku), upper(%(search)s)) > 0")
        params["search"] = search
    return " AND ".join(clauses), params
