"""The database side of publishing: what one publish item ends as, each in one unit of work.

* ``save_published``: after Shopify accepted a ``productSet``, in one transaction: the ``product`` row
  (ids, handle, published values, content hash), staging → ``published``, the item → ``published`` (and the
  batch counters), enrollment in ``product_sync_schedule`` (least-loaded bucket, anchored next sync time, sync
  hash), and the next item of the run sent. Used by the publisher and, for saves that failed, by
  reconciliation (which stores the ``PublishedWrite`` as JSON until the save succeeds).
* ``unchanged``, ``failed``, ``cancelled``: the other terminal outcomes, with the same counters and top-up.
* ``release``: the item goes back to ``sent`` for a retry (a quota wait refunds the attempt).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.core.config import Settings
from app.core.constants.batches import ErrorStage, ItemStage, ItemStatus
from app.core.constants.tasks import Task
from app.db.batch_item_store import ItemOutcome
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from app.services.batch_service import BatchService
from app.services.task_dispatcher import TaskDispatcher
from app.utils.hash_utils import sync_hash_for
from app.utils.normalized_record import NormalizedRecord

logger = logging.getLogger(__name__)

__all__ = ["PublishOutcomeService", "PublishedWrite"]


@dataclass(frozen=True, slots=True)
class PublishedWrite:
    """A product Shopify accepted: the record written and Shopify's answer (ids as digit strings)."""

    record: NormalizedRecord
    batch_id: str | None
    item_id: int | None
    shopify_product_id: str
    shopify_variant_id: str | None
    shopify_inventory_item_id: str | None
    shopify_handle: str | None
    image_url: str | None
    content_hash: str
    created_by: str

    @property
    def sku(self) -> str:
        return self.record.sku


class PublishOutcomeService:
    """Terminal outcomes of publish items and the feeding of each run's window."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        batch_service: BatchService,
        dispatcher: TaskDispatcher,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._batch_service = batch_service
        self._dispatcher = dispatcher
        self._settings = settings

    # --- outcomes -------------------------------------------------------------------------------------------
    def save_published(self, write: PublishedWrite) -> None:
        """Record a product Shopify accepted, in one unit of work (see the module docstring)."""
        with self._uow_factory() as uow:
            self.record_published(uow, write)

    def record_published(self, uow: UnitOfWork, write: PublishedWrite) -> None:
        """Record a product Shopify accepted in the caller's unit of work (reconciliation resolves its record
        in the same transaction)."""
        uow.products.upsert_published(
            write.record,
            shopify_product_id=write.shopify_product_id,
            shopify_variant_id=write.shopify_variant_id,
            shopify_inventory_item_id=write.shopify_inventory_item_id,
            shopify_handle=write.shopify_handle,
            image_url=write.image_url,
            content_hash=write.content_hash,
            created_by=write.created_by,
        )
        uow.staging.mark_published(
            write.sku, shopify_product_id=write.shopify_product_id, image_url=write.image_url
        )
        self.enroll(uow, write.record, write.created_by)
        if write.item_id is not None and write.batch_id is not None:
            self._finish(uow, write.batch_id, write.item_id, ItemStatus.PUBLISHED)

    def unchanged(self, batch_id: str, item_id: int, record: NormalizedRecord, created_by: str) -> None:
        """Shopify already holds exactly this content: no call was made; the item counts as published."""
        with self._uow_factory() as uow:
            self.enroll(uow, record, created_by)
            self._finish(uow, batch_id, item_id, ItemStatus.UNCHANGED)

    def failed(self, batch_id: str, item_id: int, sku: str, error: str) -> None:
        """The item failed (not staged, blocked, or errors after retries), with its reason."""
        with self._uow_factory() as uow:
            uow.staging.mark_failed(sku)
            self._finish(uow, batch_id, item_id, ItemStatus.FAILED, error=error[:1000])

    def cancelled(self, batch_id: str, item_id: int) -> None:
        """The batch was cancelled (or the run superseded) before this item was written."""
        with self._uow_factory() as uow:
            uow.items.transition([item_id], ItemStatus.CANCELLED, expected=ItemStatus.OPEN)

    def release(self, item_id: int, *, refund_attempt: bool) -> None:
        """Hand the item back (``sent``) for its task's next delivery."""
        with self._uow_factory() as uow:
            uow.items.release([item_id], refund_attempt=refund_attempt, resend_after_s=0)

    def enroll(self, uow: UnitOfWork, record: NormalizedRecord, created_by: str) -> None:
        """Enroll (or refresh) the SKU in the sync schedule with the published values and sync hash."""
        sync = self._settings.sync
        uow.schedule.enroll(
            sku=record.sku,
            base_price=record.cost_per_item,
            quantity=record.total_quantity,
            inventory_status=str(record.inventory_status),
            location_summary=record.location_summary,
            mapped_inventory=record.mapped_inventory,
            sync_hash=sync_hash_for(record),
            created_by=created_by,
            bucket_count=sync.bucket_count,
            bucket_seconds=sync.bucket_seconds,
        )

    # --- feeding --------------------------------------------------------------------------------------------
    def top_up(self, uow: UnitOfWork, batch_id: str, run: int) -> int:
        """Send the run's next queued items so that up to ``PUBLISH_WINDOW`` are in the broker or running.

        Items of the run whose task died (lease expired) or whose message was lost are sent again first, so
        a run heals while it is active without waiting for the periodic sweep.
        """
        settings = self._settings.publishing
        stale = uow.publish_items.stale_items_of_run(
            batch_id, run, sent_older_than_s=settings.sent_timeout_s, limit=settings.window
        )
        room = settings.window - uow.publish_items.count_publish_in_flight(batch_id, run)
        sent = stale + uow.publish_items.send_next_publish_items(batch_id, run, room)
        for item in sent:
            self._dispatcher.enqueue(uow, Task.PUBLISH_PRODUCT, batch_id, item.id)
        if stale:
            logger.info("publish run %s/%d: %d stale item(s) sent again", batch_id, run, len(stale))
        return len(sent)

    def _finish(
        self, uow: UnitOfWork, batch_id: str, item_id: int, status: ItemStatus, error: str | None = None
    ) -> None:
        outcome = ItemOutcome(
            item_id, status, error=error, error_stage=ErrorStage.PUBLISHING if error else None
        )
        self._batch_service.record_outcomes(uow, batch_id, [outcome], expected=ItemStatus.OPEN)
        item = uow.publish_items.get_item(item_id)
        if item is None:
            return
        if self.top_up(uow, batch_id, item.run) == 0 and not uow.items.count_open(
            batch_id, ItemStage.PUBLISHING, item.run
        ):
            # The counters complete the batch in this transaction; the check is the safety net.
            self._dispatcher.enqueue(uow, Task.CHECK_BATCH_COMPLETION, batch_id)
