"""Batch tracking for every pipeline (DESIGN §5, http-api §2.1, §3.5): item outcomes and the counters they
move, completion, cancellation and the read views.

``record_outcomes`` is the one way an item becomes terminal: it runs in the caller's unit of work, moves each
item by compare-and-set and the batch counters by exactly the rows that moved, so duplicates change nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.core.constants.batches import (
    BatchStatus,
    BatchType,
    ErrorStage,
    IdempotencyScope,
    ItemStage,
    ItemStatus,
)
from app.core.exceptions import ConflictError, NotFoundError
from app.db.batch_item_store import ItemOutcome, ItemRow, MovedItem
from app.db.batch_store import BatchRow
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from app.schemas.batches import BulkAccepted

logger = logging.getLogger(__name__)

__all__ = ["BatchDetail", "BatchPage", "BatchService", "FailurePage"]

FAILED_ITEMS_IN_BATCH = 50
_HUNDRED = Decimal(100)
# Which counters an item moves when it reaches a terminal status (DESIGN §5's table).
_COUNTERS: Mapping[tuple[ItemStage, ItemStatus], Mapping[str, int]] = {
    (ItemStage.EXTRACTION, ItemStatus.NORMALIZED): {"extracted": 1, "normalized": 1},
    (ItemStage.EXTRACTION, ItemStatus.BLOCKED): {"extracted": 1, "skipped": 1},
    (ItemStage.EXTRACTION, ItemStatus.FAILED): {"failed": 1},
    (ItemStage.PUBLISHING, ItemStatus.PUBLISHED): {"published": 1},
    (ItemStage.PUBLISHING, ItemStatus.UNCHANGED): {"published": 1},
    (ItemStage.PUBLISHING, ItemStatus.FAILED): {"failed": 1},
}


@dataclass(frozen=True, slots=True)
class BatchDetail:
    """A batch as the API shows it: counters, progress, the first failures and (optionally) part lists."""

    batch: BatchRow
    progress_percent: Decimal
    failed_items: list[ItemRow]
    skipped_part_numbers: list[str] | None


@dataclass(frozen=True, slots=True)
class BatchPage:
    batches: list[BatchDetail]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class FailurePage:
    items: list[ItemRow]
    total: int
    limit: int
    offset: int


def progress_percent(batch: BatchRow) -> Decimal:
    """http-api §2.1: extract and publish by their counters, normalize 100, frozen once cancelled."""
    if batch.status == BatchStatus.CANCELLED and batch.cancelled_progress_percent is not None:
        return batch.cancelled_progress_percent
    if batch.batch_type == BatchType.NORMALIZE:
        return _HUNDRED.quantize(Decimal("0.01"))
    if batch.total_items <= 0:
        return Decimal("0.00")
    done = batch.failed_count + (
        batch.published_count if batch.batch_type == BatchType.PUBLISH else batch.extracted_count
    )
    percent = min(_HUNDRED, Decimal(done) * _HUNDRED / Decimal(batch.total_items))
    return percent.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class BatchService:
    def __init__(self, *, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    # --- transitions (in the caller's unit of work) ---------------------------------------------------------
    def record_outcomes(
        self,
        uow: UnitOfWork,
        batch_id: str,
        outcomes: Sequence[ItemOutcome],
        *,
        expected: Sequence[ItemStatus],
    ) -> None:
        """Move items still ``expected`` to their outcomes, and the counters by what moved; may complete."""
        moved = uow.items.finish(outcomes, expected=expected)
        self._count(uow, batch_id, moved)

    def fail_items(
        self,
        uow: UnitOfWork,
        batch_id: str,
        item_ids: Sequence[int],
        *,
        error: str,
        error_stage: ErrorStage,
        expected: Sequence[ItemStatus],
    ) -> None:
        """Fail these items (those still ``expected``) with a reason, moving ``failed_count``."""
        moved = uow.items.transition(
            item_ids, ItemStatus.FAILED, expected=expected, error=error, error_stage=error_stage
        )
        self._count(uow, batch_id, moved)

    def _count(self, uow: UnitOfWork, batch_id: str, moved: Sequence[ItemRow | MovedItem]) -> None:
        if not moved:
            return
        publish_run = None
        if any(row.stage == ItemStage.PUBLISHING for row in moved):
            batch = uow.batches.get(batch_id, with_part_numbers=False)
            publish_run = batch.publish_run if batch else None
        deltas: Counter[str] = Counter()
        for row in moved:
            if row.stage == ItemStage.PUBLISHING and row.run != publish_run:
                continue  # an item of an earlier publish run finishing late: not this run's counters
            deltas.update(_COUNTERS.get((row.stage, row.status), {}))
        uow.batches.move_counters(batch_id, **deltas)

    # --- bulk answers (http-api §1.8) -----------------------------------------------------------------------
    def repeated(self, scope: IdempotencyScope, key: str) -> BatchRow | None:
        """The batch an earlier request with this idempotency key created; None when the key is new."""
        with self._uow_factory() as uow:
            batch_id = uow.idempotency.find(scope, key)
            return uow.batches.get(batch_id, with_part_numbers=False) if batch_id else None

    @staticmethod
    def accepted(
        batch: BatchRow,
        *,
        created: bool,
        idempotency_key: str | None,
        message: str = "",
        duplicates_removed: int | None = None,
    ) -> BulkAccepted:
        """What a bulk request answers for ``batch``: a new batch (``created``) with the caller's ``message``,
        or, for a repeated idempotency key, the original batch as it is now; ``duplicates_removed`` defaults
        to the batch's own count."""
        return BulkAccepted(
            batch_id=batch.id,
            total_items=batch.total_items,
            duplicates_removed=batch.duplicates_removed if duplicates_removed is None else duplicates_removed,
            status=batch.status,
            message=message
            if created
            else f"An idempotent repeat: batch {batch.id} was already created for this key ({batch.status}).",
            idempotency_key=idempotency_key,
            created=created,
        )

    # --- reads ----------------------------------------------------------------------------------------------
    def get(self, batch_id: str) -> BatchDetail:
        """One batch with its part-number arrays and first failures; 404 ``batch_not_found``."""
        with self._uow_factory() as uow:
            batch = uow.batches.get(batch_id)
            if batch is None:
                raise _not_found(batch_id)
            failed, _ = uow.items.failures_page(
                batch.id,
                publish_run=batch.publish_run,
                error_stage=None,
                limit=FAILED_ITEMS_IN_BATCH,
                offset=0,
            )
            skipped = uow.items.part_numbers_in(batch.id, ItemStage.EXTRACTION, ItemStatus.BLOCKED)
        return BatchDetail(batch, progress_percent(batch), failed, skipped)

    def list_batches(
        self, *, status: str | None, batch_type: str | None, created_by: str | None, limit: int, offset: int
    ) -> BatchPage:
        """Newest first, with each batch's first failures and no part-number arrays."""
        with self._uow_factory() as uow:
            rows, total = uow.batches.list_page(
                status=status, batch_type=batch_type, created_by=created_by, limit=limit, offset=offset
            )
            details = []
            for batch in rows:
                failed: list[ItemRow] = []
                if batch.failed_count:
                    failed, _ = uow.items.failures_page(
                        batch.id, publish_run=batch.publish_run, error_stage=None,
                        limit=FAILED_ITEMS_IN_BATCH, offset=0,
                    )  # fmt: skip
                details.append(BatchDetail(batch, progress_percent(batch), failed, None))
        return BatchPage(details, total, limit, offset)

    def failures(self, batch_id: str, *, stage: str | None, limit: int, offset: int) -> FailurePage:
        """Failed items of every stage, oldest first; 404 ``batch_not_found``."""
        with self._uow_factory() as uow:
            batch = uow.batches.get(batch_id, with_part_numbers=False)
            if batch is None:
                raise _not_found(batch_id)
            items, total = uow.items.failures_page(
                batch.id, publish_run=batch.publish_run, error_stage=stage, limit=limit, offset=offset
            )
        return FailurePage(items, total, limit, offset)

    # --- lifecycle ------------------------------------------------------------------------------------------
    def cancel(self, batch_id: str) -> BatchRow:
        """Cancel a pending/processing batch: unstarted items become ``cancelled``; in-flight ones finish."""
        with self._uow_factory() as uow:
            batch = uow.batches.get(batch_id, with_part_numbers=False, for_update=True)
            if batch is None:
                raise _not_found(batch_id)
            cancelled = uow.batches.cancel(batch.id, progress_percent=progress_percent(batch))
            if cancelled is None:
                raise ConflictError(
                    f"Batch {batch.id} is {batch.status} and can no longer be cancelled.",
                    code="batch_not_cancellable",
                )
            count = uow.items.cancel_unstarted(batch.id)
        logger.info("batch %s cancelled; %d items not started were cancelled", batch.id, count)
        return cancelled

    def check_completion(self, batch_id: str) -> BatchRow | None:
        """Complete a processing batch whose current stage has no open item (the counters' safety net)."""
        with self._uow_factory() as uow:
            batch = uow.batches.get(batch_id, with_part_numbers=False, for_update=True)
            if (
                batch is None
                or batch.status != BatchStatus.PROCESSING
                or batch.batch_type not in (BatchType.EXTRACT, BatchType.PUBLISH)
            ):
                return None
            stage, run = (
                (ItemStage.EXTRACTION, 0)
                if batch.batch_type == BatchType.EXTRACT
                else (ItemStage.PUBLISHING, batch.publish_run)
            )
            if uow.items.count_open(batch.id, stage, run):
                return None
            done = uow.batches.complete_stage(batch.id)
        if done is not None:
            logger.warning(
                "batch %s had no open item left; completed by the sweeper as %s", batch_id, done.status
            )
        return done

    def complete_idle(self) -> int:
        """Complete every active extract or publish batch that has no open item left; returns how many."""
        with self._uow_factory() as uow:
            active = uow.batches.active_ids(BatchType.EXTRACT) + uow.batches.active_ids(BatchType.PUBLISH)
        return sum(1 for batch_id in active if self.check_completion(batch_id) is not None)


def _not_found(batch_id: str) -> NotFoundError:
    return NotFoundError(f"Batch {batch_id} does not exist.", code="batch_not_found")
