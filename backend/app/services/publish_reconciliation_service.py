"""Reconciliation instead of deletion: Shopify writes whose database save failed (seed § Saga Compensation).

When Shopify accepted a ``productSet`` but saving it failed, the save is retried a couple of times at once;
if it still fails the write is recorded in ``publish_reconciliation`` (``shopify_created_pending_db``) and a
``tasks.publishing.reconcile`` message retries the save with exponential backoff. The periodic (beat) run of
the same task completes every pending record that is due, and also re-sends publish items whose message was
lost or whose task died, and refills each run's window. A Shopify product is deleted only when its save has
kept failing for ``PUBLISH_RECONCILE_DELETE_AFTER_S`` (24 h by default) and nothing in our database refers
to it; nothing is ever deleted on a first failure.

The pending write is stored as JSON (``publish_reconciliation.payload``): Shopify's answer beside the record
written, whose ``values`` are the record codec's object (``normalized_record.record_to_json``). Records
already stored must keep reading, so the payload keeps its form.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from app.clients.shopify_client import ShopifyClient
from app.core.config import Settings
from app.core.constants.extraction import StagingStatus
from app.core.constants.publishing import ReconciliationState
from app.core.constants.tasks import Task
from app.core.exceptions import RetryableError, UpstreamError
from app.db.reconciliation_store import ReconciliationRow
from app.db.unit_of_work import UnitOfWorkFactory
from app.services.publish_outcome_service import PublishedWrite, PublishOutcomeService
from app.services.task_dispatcher import TaskDispatcher
from app.utils.normalized_record import record_from_json, record_to_json
from app.utils.sync_helpers import retry_backoff

logger = logging.getLogger(__name__)

__all__ = ["PublishReconciliationService"]

INLINE_RETRY_DELAYS_S = (0.2, 0.5)
MAX_COUNTDOWN_S = 300.0
MAX_BACKOFF_S = 3600.0


class PublishReconciliationService:
    """Completes Shopify writes whose save failed, and repairs stuck publish runs."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        outcomes: PublishOutcomeService,
        client: ShopifyClient,
        dispatcher: TaskDispatcher,
        settings: Settings,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._uow_factory = uow_factory
        self._outcomes = outcomes
        self._client = client
        self._dispatcher = dispatcher
        self._settings = settings.publishing
        self._sleep = sleep

    def record(self, write: PublishedWrite, *, error: str) -> None:
        """A Shopify write whose save failed: retry the save now, else record it and retry with backoff."""
        for delay in INLINE_RETRY_DELAYS_S:
            self._sleep(delay)
            try:
                self._outcomes.save_published(write)
                return
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
        base = self._settings.reconcile_retry_base_s
        try:
            with self._uow_factory() as uow:
                pending = uow.reconciliation.record_pending(
                    sku=write.sku,
                    batch_id=write.batch_id,
                    shopify_product_id=write.shopify_product_id,
                    shopify_variant_id=write.shopify_variant_id,
                    shopify_inventory_item_id=write.shopify_inventory_item_id,
                    shopify_handle=write.shopify_handle,
                    payload=_payload(write),
                    error=error,
                    retry_in_s=base,
                )
                if write.item_id is not None:
                    uow.publish_items.extend_lease(write.item_id, lease_s=base + self._settings.item_lease_s)
                self._dispatcher.enqueue(
                    uow, Task.RECONCILE, pending.id, countdown=min(base, MAX_COUNTDOWN_S)
                )
        except Exception as exc:
            # Not even the record could be written: the task retries the whole publish (an idempotent upsert).
            raise RetryableError(
                f"{write.sku} was written to Shopify but could not be saved or recorded: {exc}",
                system="shopify",
            ) from exc
        logger.warning(
            "%s: Shopify product %s saved later (reconciliation %d)",
            write.sku,
            write.shopify_product_id,
            pending.id,
        )

    def reconcile(self, record_id: int | None = None) -> dict[str, int]:
        """Complete one pending record, or (periodic run) every due record plus the publish-run sweep."""
        report = {"resolved": 0, "pending": 0, "deleted": 0}
        if record_id is not None:
            ids = [record_id]
        else:
            with self._uow_factory() as uow:
                ids = uow.reconciliation.due_ids(limit=200)
        for pending_id in ids:
            outcome = self._process(pending_id)
            if outcome in report:
                report[outcome] += 1
        if record_id is None:
            report.update(self.sweep())
        return report

    def sweep(self) -> dict[str, int]:
        """Re-send publish items whose message was lost or whose task died; refill every open run's window."""
        with self._uow_factory() as uow:
            stale = uow.publish_items.stale_publish_items(
                sent_older_than_s=self._settings.sent_timeout_s, limit=500
            )
            for item in stale:
                self._dispatcher.enqueue(uow, Task.PUBLISH_PRODUCT, item.batch_id, item.id)
        topped = 0
        with self._uow_factory() as uow:
            for batch_id, run in uow.publish_items.open_publish_runs():
                topped += self._outcomes.top_up(uow, batch_id, run)
        if stale or topped:
            logger.info("publish sweep: %d item(s) re-sent, %d sent to refill windows", len(stale), topped)
        return {"publish_resent": len(stale), "publish_topped_up": topped}

    def _process(self, record_id: int) -> str:
        with self._uow_factory() as uow:
            pending = uow.reconciliation.get(record_id)
        if pending is None or pending.state != ReconciliationState.PENDING_DB:
            return "done"
        write = _write(pending.payload)
        try:
            # The save and its record's resolution commit together: a run never completes while its last
            # save still shows as pending, and a crash in between cannot leave a saved write pending.
            with self._uow_factory() as uow:
                self._outcomes.record_published(uow, write)
                uow.reconciliation.mark_resolved(pending.id)
        except Exception as exc:
            return self._failed_again(pending, write, f"{type(exc).__name__}: {exc}")
        logger.info("%s: reconciled Shopify product %s", write.sku, write.shopify_product_id)
        return "resolved"

    def _failed_again(self, pending: ReconciliationRow, write: PublishedWrite, error: str) -> str:
        with self._uow_factory() as uow:
            age_s = uow.reconciliation.age_s(pending.id)
            referenced = uow.products.references_shopify_product(pending.shopify_product_id)
        if age_s >= self._settings.reconcile_delete_after_s and not referenced:
            try:
                self._client.delete_product(pending.shopify_product_id)
            except UpstreamError as exc:
                error = f"{error}; deleting the unreferenced Shopify product failed: {exc.message}"
            else:
                reason = (
                    f"Shopify accepted the product but it could not be saved for {age_s / 3600:.1f} h; "
                    f"the unreferenced Shopify product {pending.shopify_product_id} was deleted. "
                    f"Last error: {error}"
                )
                with self._uow_factory() as uow:
                    uow.reconciliation.mark_deleted(pending.id, reason)
                if write.item_id is not None and write.batch_id is not None:
                    self._outcomes.failed(write.batch_id, write.item_id, write.sku, reason)
                logger.error("%s", reason)
                return "deleted"
        delay = retry_backoff(pending.attempts + 1, self._settings.reconcile_retry_base_s, MAX_BACKOFF_S)
        delay_s = delay.total_seconds()
        with self._uow_factory() as uow:
            uow.reconciliation.reschedule(pending.id, error=error, retry_in_s=delay_s)
            if write.item_id is not None:
                uow.publish_items.extend_lease(write.item_id, lease_s=delay_s + self._settings.item_lease_s)
            if delay_s <= MAX_COUNTDOWN_S:
                self._dispatcher.enqueue(uow, Task.RECONCILE, pending.id, countdown=delay_s)
        return "pending"


def _payload(write: PublishedWrite) -> dict[str, Any]:
    """The JSON object stored for a pending write."""
    return {
        "sku": write.sku,
        "batch_id": write.batch_id,
        "item_id": write.item_id,
        "values": record_to_json(write.record),
        "shopify_product_id": write.shopify_product_id,
        "shopify_variant_id": write.shopify_variant_id,
        "shopify_inventory_item_id": write.shopify_inventory_item_id,
        "shopify_handle": write.shopify_handle,
        "image_url": write.image_url,
        "content_hash": write.content_hash,
        "created_by": write.created_by,
    }


def _write(payload: Mapping[str, Any]) -> PublishedWrite:
    """The pending write stored by ``_payload``."""
    item_id = payload.get("item_id")
    return PublishedWrite(
        record=record_from_json(str(payload["sku"]), payload["values"], status=StagingStatus.PUBLISHED),
        batch_id=payload.get("batch_id"),
        item_id=None if item_id is None else int(item_id),
        shopify_product_id=str(payload["shopify_product_id"]),
        shopify_variant_id=payload.get("shopify_variant_id"),
        shopify_inventory_item_id=payload.get("shopify_inventory_item_id"),
        shopify_handle=payload.get("shopify_handle"),
        image_url=payload.get("image_url"),
        content_hash=str(payload["content_hash"]),
        created_by=str(payload.get("created_by") or "system"),
    )
