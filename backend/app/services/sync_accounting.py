"""How sync outcomes are written: the schedule rules shared by dispatch, Boeing fetch and Shopify update.

- Success: the row is due again at the next start of its own bucket (``next_sync_at`` stays anchored).
- Final failure (never a throttle, a quota wait or an attempt that will be retried): ``consecutive_failures``
  goes up, ``next_sync_at = now + backoff`` (exponential, capped), the failure is written to ``sync_history``,
  and at ``SYNC_MAX_FAILURES`` the row is deactivated (optionally, by setting, its Shopify product goes to
  DRAFT).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.core.config import Settings
from app.core.constants.tasks import Task
from app.db.sync_store import SyncFailure
from app.db.unit_of_work import UnitOfWork
from app.services.task_dispatcher import TaskDispatcher
from app.utils.sync_helpers import next_sync_at, retry_backoff


@dataclass(frozen=True, slots=True)
class FailureOutcome:
    recorded: int
    deactivated: list[str]


class SyncAccountingService:
    """The schedule rules sync outcomes are written by, in the caller's unit of work."""

    def __init__(
        self,
        *,
        dispatcher: TaskDispatcher,
        settings: Settings,
    ) -> None:
        self._dispatcher = dispatcher
        self._sync_settings = settings.sync
        self._draft_on_deactivate = settings.shopify.draft_on_deactivate

    def next_time(self, bucket: int, now: datetime) -> datetime:
        """The next start of ``bucket`` after ``now`` (the anchored schedule)."""
        bucket_count = self._sync_settings.bucket_count
        return next_sync_at(
            bucket % bucket_count,
            now=now,
            bucket_count=bucket_count,
            bucket_seconds=self._sync_settings.bucket_seconds,
        )

    def record_final_failure(self, uow: UnitOfWork, ids: Sequence[str], error: str) -> FailureOutcome:
        """Count a final failure on the given rows still being synced, with backoff and deactivation."""
        rows = uow.schedule.lock_syncing(ids)
        if not rows:
            return FailureOutcome(0, [])
        now = uow.schedule.database_now()
        failures: list[SyncFailure] = []
        deactivated: list[str] = []
        for row in rows:
            count = row.consecutive_failures + 1
            active = count < self._sync_settings.max_failures
            delay = retry_backoff(
                count, self._sync_settings.retry_backoff_base_s, self._sync_settings.retry_backoff_cap_s
            )
            failures.append(SyncFailure(row.id, count, now + delay, active, error))
            if not active:
                deactivated.append(row.sku)
        uow.schedule.record_failures(failures)
        uow.history.add_failures([(row.sku, error) for row in rows])
        if self._draft_on_deactivate:
            for sku in deactivated:
                self._dispatcher.enqueue(uow, Task.SET_PRODUCT_STATUS, sku, "DRAFT")
        return FailureOutcome(len(rows), deactivated)


def describe_error(exc: BaseException) -> str:
    """A one-line, bounded description of a failure for ``last_error`` and ``sync_history``."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    return (f"{name}: {text}" if text else name)[:500]
