"""Extraction: single search and bulk extraction from Boeing, with flow control and lost-work recovery.

Bulk flow (DESIGN §5): ``start_bulk`` creates the batch, one item per requested part number and the
orchestrator message in one unit of work. ``process_bulk`` keeps a bounded number of chunks in the broker;
the same top-up runs again as each chunk's answer is stored. ``extract_chunk`` claims its items (an attempt
and a lease), waits a bounded time for a Boeing quota slot, calls Boeing, stores the answer and sends its id
to normalization. A quota wait hands the items back without counting the attempt; a transient failure hands
them back for the task's retry; an item fails only after its retry limit. ``sweep_stale`` re-sends chunks
whose message was lost or whose task died.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.clients.boeing_client import BoeingClient
from app.core.config import Settings
from app.core.constants.batches import (
    BatchStatus,
    BatchType,
    ErrorStage,
    IdempotencyScope,
    ItemStage,
    ItemStatus,
)
from app.core.constants.extraction import EXTRACT_CHUNK_MAX_RETRIES, SYSTEM_USER_ID
from app.core.constants.tasks import Task
from app.core.exceptions import (
    ConflictError,
    NonRetryableError,
    QuotaWait,
    RetryableError,
    ServiceUnavailableError,
)
from app.db.batch_item_store import ItemRow
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from app.schemas.batches import BulkAccepted
from app.services.batch_service import BatchService
from app.services.normalization_service import NormalizationService
from app.services.task_dispatcher import TaskDispatcher
from app.utils.catalog_rules import base_part_number, text_value
from app.utils.normalized_record import NormalizedRecord
from app.utils.part_numbers import clean_part_number, parse_part_numbers
from app.utils.rate_limiter import BoeingRateLimiter

logger = logging.getLogger(__name__)

__all__ = ["ChunkReport", "ExtractionService"]

SWEEP_LIMIT = 500
MAX_BACKOFF_S = 120.0


@dataclass(frozen=True, slots=True)
class ChunkReport:
    batch_id: str
    chunk_no: int
    claimed: int
    raw_data_id: int | None = None
    failed: int = 0


class ExtractionService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        client: BoeingClient,
        limiter: BoeingRateLimiter,
        batch_service: BatchService,
        normalization: NormalizationService,
        dispatcher: TaskDispatcher,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._client = client
        self._limiter = limiter
        self._batch_service = batch_service
        self._normalization = normalization
        self._dispatcher = dispatcher
        boeing, app = settings.boeing, settings.app
        self._batch_size = boeing.batch_size
        self._max_bulk = app.max_bulk_search_size
        self._interactive_wait_s = boeing.interactive_wait_bound_s
        self._task_wait_s = boeing.task_wait_bound_s
        self._interval_s = limiter.interval_s
        self._sync_share = boeing.sync_share
        self._max_attempts = 1 + EXTRACT_CHUNK_MAX_RETRIES
        self._in_flight = app.extraction_chunks_in_flight or max(
            4, math.ceil(3.0 / self._interval_s)
        )  # enough chunks for ~3 s of quota, so a free slot never waits for a chunk
        self._resend_grace_s = app.batch_resend_grace_s
        margin = app.batch_lease_margin_s
        # A chunk's task is bounded by its quota wait and its HTTP timeouts; the lease covers all of it.
        self._extract_lease_s = (
            self._task_wait_s
            + boeing.timeout_connect_s
            + 2 * boeing.timeout_token_s
            + boeing.timeout_price_s
            + margin
        )
        # Normalizing one answer takes milliseconds; the lease covers a busy normalization queue. Expiring
        # early only re-sends a message whose duplicate changes nothing.
        self._normalize_lease_s = margin + 10.0

    @property
    def chunks_in_flight(self) -> int:
        """How many chunks one batch keeps in the broker."""
        return self._in_flight

    # --- single search --------------------------------------------------------------------------------------
    def search(self, query: str, *, created_by: str) -> list[NormalizedRecord]:
        """Look one part number up at interactive priority; store the answer, stage and return its items."""
        code = clean_part_number(query, field="query")
        self._client.ensure_tokens()
        self._limiter.acquire("interactive", max_wait_s=self._interactive_wait_s)
        payload = self._call_boeing([code])
        with self._uow_factory() as uow:
            raw_id = self._store_answer(
                uow, payload, [code], batch_id=None, created_by=created_by, query=code
            )
            matched, _ = self._normalization.stage_answer(
                uow, payload, raw_data_id=raw_id, batch_id=None, created_by=created_by
            )
        return [m.record for m in matched]

    # --- bulk -----------------------------------------------------------------------------------------------
    def start_bulk(
        self,
        *,
        part_numbers: Sequence[str] | None,
        part_numbers_text: str | None,
        idempotency_key: str | None,
        created_by: str,
    ) -> BulkAccepted:
        """Create the batch and its items and queue the orchestrator, or answer a repeated idempotency key."""
        scope = IdempotencyScope.EXTRACTION_BULK
        earlier = self._batch_service.repeated(scope, idempotency_key) if idempotency_key else None
        if earlier is not None:
            return self._batch_service.accepted(earlier, created=False, idempotency_key=idempotency_key)
        parsed = parse_part_numbers(part_numbers, part_numbers_text, limit=self._max_bulk)
        try:
            with self._uow_factory() as uow:
                batch = uow.batches.create(
                    batch_type=BatchType.EXTRACT,
                    total_items=len(parsed.part_numbers),
                    part_numbers=parsed.part_numbers,
                    duplicates_removed=parsed.duplicates_removed,
                    idempotency_key=idempotency_key,
                    created_by=created_by,
                )
                if idempotency_key is not None:
                    uow.idempotency.record(scope, idempotency_key, batch.id)
                uow.items.insert_many(
                    batch.id, parsed.part_numbers, stage=ItemStage.EXTRACTION, chunk_size=self._batch_size
                )
                self._dispatcher.enqueue(uow, Task.PROCESS_BULK_SEARCH, batch.id)
        except ConflictError:
            # A concurrent request with the same key won the race: answer its batch.
            earlier = self._batch_service.repeated(scope, idempotency_key) if idempotency_key else None
            if earlier is None:
                raise
            return self._batch_service.accepted(earlier, created=False, idempotency_key=idempotency_key)
        count = batch.total_items
        noun = "part number" if count == 1 else "part numbers"
        message = f"Extraction of {count} {noun} queued as batch {batch.id}."
        return self._batch_service.accepted(
            batch, created=True, idempotency_key=idempotency_key, message=message
        )

    def process_bulk(self, batch_id: str) -> int:
        """Start the batch (``pending`` -> ``processing``) and top it up to its bound of chunks in flight;
        returns how many chunks were sent. The orchestrator task and the sweeper both run it."""
        with self._uow_factory() as uow:
            return self._feed(uow, batch_id)

    def _feed(self, uow: UnitOfWork, batch_id: str) -> int:
        batch = uow.batches.get(batch_id, with_part_numbers=False, for_update=True)
        if batch is None or batch.batch_type != BatchType.EXTRACT or not batch.is_active:
            return 0
        if batch.status == BatchStatus.PENDING:
            uow.batches.set_status(batch.id, BatchStatus.PROCESSING, expected=(BatchStatus.PENDING,))
        room = self._in_flight - uow.items.count_chunks_in_flight(batch.id, ItemStage.EXTRACTION)
        if room <= 0:
            return 0
        chunks = uow.items.next_queued_chunks(batch.id, ItemStage.EXTRACTION, room)
        if chunks:
            uow.items.mark_chunks_sent(batch.id, ItemStage.EXTRACTION, chunks)
            for chunk_no in chunks:
                self._dispatcher.enqueue(uow, Task.EXTRACT_CHUNK, batch.id, chunk_no)
        return len(chunks)

    def extract_chunk(self, batch_id: str, chunk_no: int) -> ChunkReport:
        """Call Boeing for one chunk's open items and hand the stored answer to normalization."""
        with self._uow_factory() as uow:
            claimed = uow.items.claim_chunk(
                batch_id, ItemStage.EXTRACTION, chunk_no, lease_s=self._extract_lease_s
            )
        if not claimed:
            return ChunkReport(batch_id, chunk_no, claimed=0)  # a duplicate, or cancelled: nothing to do
        codes = [item.part_number for item in claimed]
        ids = [item.id for item in claimed]
        try:
            self._client.ensure_tokens()
            self._limiter.acquire("bulk", max_wait_s=self._task_wait_s)
            payload = self._call_boeing(codes)
        except QuotaWait as wait:
            with self._uow_factory() as uow:
                uow.items.release(ids, refund_attempt=True, resend_after_s=wait.wait_s)
            raise
        except ServiceUnavailableError as exc:
            # Redis (the limiter) is down: no call was made, so no attempt is spent.
            with self._uow_factory() as uow:
                uow.items.release(ids, refund_attempt=True, resend_after_s=self._interval_s)
            raise RetryableError(exc.message, system="redis") from exc
        except RetryableError as exc:
            failed = self._after_transient_failure(batch_id, claimed, exc)
            if failed == len(claimed):
                return ChunkReport(batch_id, chunk_no, claimed=len(claimed), failed=failed)
            raise
        except NonRetryableError as exc:
            with self._uow_factory() as uow:
                self._batch_service.fail_items(
                    uow,
                    batch_id,
                    ids,
                    error=exc.message,
                    error_stage=ErrorStage.EXTRACTION,
                    expected=(ItemStatus.IN_PROGRESS,),
                )
                self._feed(uow, batch_id)
            return ChunkReport(batch_id, chunk_no, claimed=len(claimed), failed=len(claimed))
        with self._uow_factory() as uow:
            # The answer (and the staging rows made from it) belong to the operator who started the batch.
            batch = uow.batches.get(batch_id, with_part_numbers=False)
            owner = batch.created_by if batch is not None else SYSTEM_USER_ID
            raw_id = self._store_answer(uow, payload, codes, batch_id=batch_id, created_by=owner)
            uow.items.record_raw(ids, raw_id, lease_s=self._normalize_lease_s)
            self._dispatcher.enqueue(uow, Task.NORMALIZE_CHUNK, raw_id)
            self._feed(uow, batch_id)
        return ChunkReport(batch_id, chunk_no, claimed=len(claimed), raw_data_id=raw_id)

    def _after_transient_failure(self, batch_id: str, claimed: Sequence[ItemRow], exc: RetryableError) -> int:
        """Items at their retry limit fail with the reason; the others go back for the task's retry."""
        spent = [item.id for item in claimed if item.attempts >= self._max_attempts]
        again = [item.id for item in claimed if item.attempts < self._max_attempts]
        backoff = min(MAX_BACKOFF_S, 2.0 ** (1 + max((item.attempts for item in claimed), default=1)))
        with self._uow_factory() as uow:
            if spent:
                reason = f"{exc.message} (after {self._max_attempts} attempts)"
                self._batch_service.fail_items(
                    uow,
                    batch_id,
                    spent,
                    error=reason,
                    error_stage=ErrorStage.EXTRACTION,
                    expected=(ItemStatus.IN_PROGRESS,),
                )
                self._feed(uow, batch_id)
            if again:
                uow.items.release(again, refund_attempt=False, resend_after_s=backoff)
        return len(spent)

    def _call_boeing(self, codes: Sequence[str]) -> dict[str, Any]:
        try:
            return dict(self._client.price_availability(codes))
        except QuotaWait as wait:
            self._limiter.note_throttled(wait.wait_s)  # a 429 slipped through: every caller waits it out
            raise

    def _store_answer(
        self,
        uow: UnitOfWork,
        payload: dict[str, Any],
        codes: Sequence[str],
        *,
        batch_id: str | None,
        created_by: str,
        query: str | None = None,
    ) -> int:
        items = payload.get("lineItems") or []
        skus = sorted(
            {
                sku.upper()
                for item in items
                if isinstance(item, dict) and (sku := text_value(item.get("aviallPartNumber")))
            }
        )
        return uow.raw_data.insert(
            payload=payload,
            part_numbers=codes,
            returned_skus=skus,
            returned_bases=sorted({base_part_number(sku) for sku in skus}),
            created_by=created_by,
            batch_id=batch_id,
            search_query=query,
        )

    # --- recovery -------------------------------------------------------------------------------------------
    def sweep_stale(self) -> dict[str, int]:
        """Re-send lost chunks and abandoned work, fail what spent its attempts, and top batches up."""
        with self._uow_factory() as uow:
            waiting = uow.items.count_chunks_waiting(ItemStage.EXTRACTION)
            # A chunk waits in the broker about as long as the chunks ahead of it need quota slots (of the
            # share sync leaves); only past that plus a grace is its message presumed lost.
            expected_s = waiting * self._interval_s / max(0.1, 1.0 - self._sync_share)
            lost = uow.items.resend_stale_sent(
                ItemStage.EXTRACTION, older_than_s=expected_s + self._resend_grace_s, limit=SWEEP_LIMIT
            )
            for chunk in lost:
                self._dispatcher.enqueue(uow, Task.EXTRACT_CHUNK, chunk.batch_id, chunk.chunk_no)
        resent, renormalized, failed = self._recover_expired_leases()
        with self._uow_factory() as uow:
            active = uow.batches.active_ids(BatchType.EXTRACT)
        fed = sum(self.process_bulk(batch_id) for batch_id in active)
        if lost or resent or renormalized or failed:
            logger.warning(
                "sweeper: %d lost chunks re-sent, %d abandoned chunks re-sent, %d normalizations re-sent, "
                "%d items failed after their attempts",
                len(lost), resent, renormalized, failed,
            )  # fmt: skip
        return {
            "lost_chunks_resent": len(lost),
            "abandoned_chunks_resent": resent,
            "normalizations_resent": renormalized,
            "items_failed": failed,
            "chunks_fed": fed,
        }

    def _recover_expired_leases(self) -> tuple[int, int, int]:
        resent: set[tuple[str, int]] = set()
        raws: set[int] = set()
        failed = 0
        with self._uow_factory() as uow:
            expired = uow.items.expired_leases(ItemStage.EXTRACTION, limit=SWEEP_LIMIT)
            answered = [item for item in expired if item.raw_data_id is not None]
            unanswered = [item for item in expired if item.raw_data_id is None]
            for raw_id in sorted({item.raw_data_id for item in answered if item.raw_data_id is not None}):
                self._dispatcher.enqueue(uow, Task.NORMALIZE_CHUNK, raw_id)
                raws.add(raw_id)
            uow.items.renew_lease(
                [i.id for i in answered], lease_s=self._normalize_lease_s, count_attempt=False
            )
            spent = [item for item in unanswered if item.attempts >= self._max_attempts]
            for batch_id in sorted({item.batch_id for item in spent}):
                ids = [item.id for item in spent if item.batch_id == batch_id]
                reason = f"the Boeing call did not finish in {self._max_attempts} attempts (task lost)"
                self._batch_service.fail_items(
                    uow,
                    batch_id,
                    ids,
                    error=reason,
                    error_stage=ErrorStage.EXTRACTION,
                    expected=(ItemStatus.IN_PROGRESS,),
                )
                failed += len(ids)
            retry = [item for item in unanswered if item.attempts < self._max_attempts]
            uow.items.resend_expired([item.id for item in retry])
            for item in retry:
                if item.chunk_no is not None and (item.batch_id, item.chunk_no) not in resent:
                    resent.add((item.batch_id, item.chunk_no))
                    self._dispatcher.enqueue(uow, Task.EXTRACT_CHUNK, item.batch_id, item.chunk_no)
        return len(resent), len(raws), failed
