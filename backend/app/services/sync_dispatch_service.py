"""Scheduled-sync dispatch: claim what the Boeing quota can serve, queue it in Boeing-sized groups; the
end-of-day summary and history retention; an operator's reactivation and immediate sync.

Dispatch budget (``dispatch_budget``): the SKUs scheduled sync can send to Boeing before the next dispatch,
``BOEING_BATCH_SIZE * max(1, ceil(BOEING_QUOTA_REQUESTS / BOEING_QUOTA_WINDOW_S * BOEING_SYNC_SHARE *
SYNC_DISPATCH_INTERVAL_S))`` (0 when the share is 0). A dispatch claims that many, less the Boeing calls
still pending (rows in flight towards Boeing, rounded up to whole calls), so every group it queues is a full
call of ``BOEING_BATCH_SIZE`` SKUs unless fewer rows are due. Rounding the calls up keeps one call of
look-ahead queued, so the quota never idles between two dispatches, while the in-flight subtraction keeps the
backlog in the broker to about one dispatch interval: nothing sits claimed for hours, and a missed bucket is
simply still due at the next dispatch.

``dispatch_hourly`` claims every due row (oldest ``next_sync_at`` first, failed rows whose backoff has elapsed
included); ``dispatch_retry`` claims only failed rows whose backoff has elapsed, so retries go ahead of a
schedule that is running behind. Both first re-queue the Shopify write of any detected change whose lease
expired (its task died): the change is written without asking Boeing again.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from app.core.config import Settings
from app.core.constants.sync import SyncHistoryKind, SyncStatus
from app.core.constants.tasks import Task
from app.core.exceptions import ConflictError, NotFoundError
from app.db.sync_history_store import DailySummary
from app.db.sync_store import SyncScheduleRow
from app.db.unit_of_work import UnitOfWorkFactory
from app.services.task_dispatcher import TaskDispatcher
from app.utils.sync_helpers import chunked

logger = logging.getLogger(__name__)

STALLED_WRITES_PER_DISPATCH = 500


@dataclass(frozen=True, slots=True)
class DispatchReport:
    """What one dispatch did: the budget it had, rows claimed and Boeing tasks queued."""

    budget: int
    claimed: int
    tasks: int
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class CleanupReport:
    summary: DailySummary
    pruned_history: int


@dataclass(frozen=True, slots=True)
class TriggerReport:
    sku: str
    schedule_id: str


def dispatch_budget(settings: Settings) -> int:
    """SKUs sync may send to Boeing per dispatch interval at its quota share (see the module docstring)."""
    boeing, sync = settings.boeing, settings.sync
    share = Fraction(str(boeing.sync_share))
    if share <= 0:
        return 0
    calls = (
        Fraction(boeing.quota_requests)
        / Fraction(str(boeing.quota_window_s))
        * share
        * Fraction(str(sync.dispatch_interval_s))
    )
    return boeing.batch_size * max(1, math.ceil(calls))


def claim_lease_s(settings: Settings) -> float:
    """How long a claim holds a row before its task starts: two dispatch intervals (or two quota intervals,
    whichever is longer) plus one task lease. A claim whose message was lost expires after this."""
    interval = max(settings.sync.dispatch_interval_s, settings.boeing.quota_interval_s)
    return 2 * interval + settings.sync.lease_s


class SyncDispatchService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        dispatcher: TaskDispatcher,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._dispatcher = dispatcher
        self._settings = settings

    @property
    def enabled(self) -> bool:
        return self._settings.sync.enabled

    # --- periodic -------------------------------------------------------------------------------------------
    def dispatch_hourly(self) -> DispatchReport:
        """Claim due rows the sync share can serve before the next dispatch and queue their Boeing tasks."""
        return self._dispatch(failed_only=False)

    def dispatch_retry(self) -> DispatchReport:
        """Claim failed rows whose backoff has elapsed (same budget) and queue their Boeing tasks."""
        return self._dispatch(failed_only=True)

    def _dispatch(self, *, failed_only: bool) -> DispatchReport:
        if not self.enabled:
            return DispatchReport(0, 0, 0, skipped="sync is disabled")
        budget = dispatch_budget(self._settings)
        batch_size = self._settings.boeing.batch_size
        with self._uow_factory() as uow:
            for schedule_id in uow.schedule.claim_stalled_writes(
                limit=STALLED_WRITES_PER_DISPATCH, lease_s=self._settings.sync.lease_s
            ):
                self._dispatcher.enqueue(uow, Task.UPDATE_SHOPIFY_PRODUCT, schedule_id)
            pending_calls = math.ceil(uow.schedule.count_awaiting_boeing() / batch_size)
            limit = budget - pending_calls * batch_size
            claimed = uow.schedule.claim_due(
                limit=limit, claim_s=claim_lease_s(self._settings), failed_only=failed_only
            )
            groups = list(chunked([row.id for row in claimed], batch_size))
            for group in groups:
                self._dispatcher.enqueue(uow, Task.PROCESS_BOEING_BATCH, group)
        if claimed:
            logger.info("sync dispatch claimed %d row(s) in %d Boeing task(s)", len(claimed), len(groups))
        return DispatchReport(budget, len(claimed), len(groups))

    def end_of_day_cleanup(self, day: date | None = None) -> CleanupReport:
        """Write the summary of a UTC day (today by default) and prune history past its retention."""
        with self._uow_factory() as uow:
            now = uow.schedule.database_now()
            day = day or now.astimezone(UTC).date()
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            end = start + timedelta(days=1)
            summary = DailySummary(
                day=day,
                total_products=uow.analytics.count_active(),
                synced=uow.analytics.count_synced_between(start, end),
                changed=uow.history.count_between(SyncHistoryKind.CHANGE, start, end),
                failed=uow.history.count_between(SyncHistoryKind.FAILURE, start, end),
            )
            uow.summaries.upsert(summary)
            pruned = uow.history.prune_older_than(self._settings.app.sync_history_retention_days)
        return CleanupReport(summary, pruned)

    # --- operator actions -----------------------------------------------------------------------------------
    def reactivate(self, sku: str) -> SyncScheduleRow:
        """Bring a deactivated SKU back: pending, failures reset, due at the next dispatch."""
        sku = _clean_sku(sku)
        with self._uow_factory() as uow:
            row = uow.schedule.get_by_sku(sku, for_update=True)
            if row is None:
                raise _not_found(sku)
            if row.is_active:
                raise ConflictError(
                    f"Sync for {sku} is already active; only a deactivated product can be reactivated.",
                    code="sync_product_already_active",
                )
            now = uow.schedule.database_now()
            revived = uow.schedule.reactivate(sku, next_sync_at=now)
            assert revived is not None, "the row was locked and inactive"
            if self._settings.shopify.draft_on_deactivate:
                self._dispatcher.enqueue(uow, Task.SET_PRODUCT_STATUS, sku, "ACTIVE")
        return revived

    def trigger(self, sku: str) -> TriggerReport:
        """Queue an immediate Boeing check of one SKU at interactive priority."""
        sku = _clean_sku(sku)
        with self._uow_factory() as uow:
            row = uow.schedule.get_by_sku(sku, for_update=True)
            if row is None:
                raise _not_found(sku)
            if not self.enabled:
                raise ConflictError(
                    "Scheduled sync is disabled (SYNC_ENABLED=false), so no sync can be triggered.",
                    code="sync_disabled",
                )
            if not row.is_active:
                raise ConflictError(
                    f"Sync for {sku} is inactive after repeated failures; reactivate it first.",
                    code="sync_product_inactive",
                )
            if row.sync_status == SyncStatus.SYNCING and row.in_flight(uow.schedule.database_now()):
                raise ConflictError(
                    f"{sku} is being synced right now; its result will appear in its sync row.",
                    code="sync_in_progress",
                )
            claimed = uow.schedule.claim_one(row.id, claim_s=claim_lease_s(self._settings))
            if claimed is None:
                raise ConflictError(f"{sku} is being synced right now.", code="sync_in_progress")
            self._dispatcher.enqueue(uow, Task.SYNC_SINGLE_PRODUCT_IMMEDIATE, row.id)
        return TriggerReport(sku, row.id)


def _clean_sku(sku: str) -> str:
    return sku.strip().upper()


def _not_found(sku: str) -> NotFoundError:
    return NotFoundError(f"No sync schedule exists for SKU {sku}.", code="sync_product_not_found")
