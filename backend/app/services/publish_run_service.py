"""The worker side of publishing: start a run, publish one item (one ``productSet`` per SKU).

``start_run`` (task ``tasks.publishing.publish_batch``) moves a new batch to ``processing`` and sends the
first window of items; each finished item sends the next (``PublishOutcomeService.top_up``), so the broker
only ever holds a bounded number of publish messages.

``publish_item`` (task ``tasks.publishing.publish_product``) claims the item (a lease, compare-and-set),
builds the ``productSet`` input from the staged record (read once from its row, never normalized again), and
skips the call when the publish content hash equals what Shopify already has (``unchanged``). Errors: a
quota wait hands the item back without counting an attempt; a transient error hands it back for the task's
retry (and fails it on the last attempt); a permanent error fails it with Shopify's message. When Shopify
accepted the write but the database save fails, the write is recorded for reconciliation instead of being
undone.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from app.clients.shopify_client import ShopifyClient, gid_number
from app.core.config import Settings
from app.core.constants.batches import BatchStatus, ItemStage, ItemStatus
from app.core.constants.extraction import StagingStatus
from app.core.constants.publishing import ReconciliationState
from app.core.exceptions import NonRetryableError, QuotaWait, RetryableError
from app.db.image_store import ImageStore
from app.db.product_store import ProductRow
from app.db.staging_store import StagingRow
from app.db.unit_of_work import UnitOfWorkFactory
from app.services.publish_outcome_service import PublishedWrite, PublishOutcomeService
from app.services.publish_reconciliation_service import PublishReconciliationService
from app.services.shopify_setup_service import ShopifySetupService
from app.services.utils.shopify_payload_builder import build_product_set, publish_content_hash
from app.utils.boeing_normalize import with_location_settings
from app.utils.normalized_record import NormalizedRecord

logger = logging.getLogger(__name__)

__all__ = ["PreparedProduct", "PublishRunService"]

MAX_ITEM_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class PreparedProduct:
    """A staged record turned into the ``productSet`` to send, and the hash that identifies its content."""

    record: NormalizedRecord
    variables: dict[str, Any]
    content_hash: str
    image_url: str | None


class PublishRunService:
    """Publish runs as Celery work: one run start, one item at a time."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        client: ShopifyClient,
        setup: ShopifySetupService,
        images: ImageStore,
        outcomes: PublishOutcomeService,
        reconciliation: PublishReconciliationService,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._client = client
        self._setup = setup
        self._images = images
        self._outcomes = outcomes
        self._reconciliation = reconciliation
        self._settings = settings

    # --- runs -----------------------------------------------------------------------------------------------
    def start_run(self, batch_id: str, run: int) -> int:
        """Start a publish run: ``pending`` → ``processing``, send the first window; returns items sent."""
        with self._uow_factory() as uow:
            batch = uow.batches.get(batch_id, with_part_numbers=False, for_update=True)
            if batch is None or batch.publish_run != run or batch.status not in BatchStatus.ACTIVE:
                return 0
            if batch.status == BatchStatus.PENDING:
                uow.batches.set_status(batch.id, BatchStatus.PROCESSING, expected=[BatchStatus.PENDING])
            if uow.items.count_open(batch.id, ItemStage.PUBLISHING, run) == 0:
                # Every item failed before sending (not staged or blocked): the run is over already.
                uow.batches.complete_stage(batch.id)
                return 0
            return self._outcomes.top_up(uow, batch.id, run)

    # --- one item -------------------------------------------------------------------------------------------
    def publish_item(self, batch_id: str, item_id: int, *, last_attempt: bool) -> str:
        """Publish one item; returns its outcome (``published``, ``unchanged``, ``failed``, ``cancelled``,
        ``pending_db``, or ``skipped`` when another delivery owns it). QuotaWait/RetryableError: retry."""
        lease_s = self._settings.publishing.item_lease_s
        with self._uow_factory() as uow:
            item = uow.publish_items.claim_publish_item(item_id, lease_s=lease_s)
            if item is None:
                return "skipped"
            batch = uow.batches.get(batch_id, with_part_numbers=False)
            staged = uow.staging.get_by_sku(item.part_number)
            product = uow.products.get_by_sku(item.part_number)
        if batch is None or batch.status == BatchStatus.CANCELLED or batch.publish_run != item.run:
            self._outcomes.cancelled(batch_id, item.id)
            return ItemStatus.CANCELLED
        sku = item.part_number
        if item.attempts > MAX_ITEM_ATTEMPTS:
            # Redelivered again and again (its task keeps dying): stop rather than loop forever.
            self._outcomes.failed(batch_id, item.id, sku, f"Gave up after {item.attempts - 1} attempts.")
            return ItemStatus.FAILED
        reason = _unpublishable(staged)
        if reason is not None:
            self._outcomes.failed(batch_id, item.id, sku, reason)
            return ItemStatus.FAILED
        assert staged is not None
        try:
            prepared = self.prepare(staged.record, product)
            if product is not None and product.content_hash == prepared.content_hash:
                self._outcomes.unchanged(batch_id, item.id, prepared.record, batch.created_by)
                return ItemStatus.UNCHANGED
            result = self._client.product_set(prepared.variables)
        except QuotaWait:
            self._outcomes.release(item.id, refund_attempt=True)
            raise
        except RetryableError as exc:
            if not last_attempt:
                self._outcomes.release(item.id, refund_attempt=False)
                raise
            self._outcomes.failed(batch_id, item.id, sku, f"{exc.message} (after {item.attempts} attempts)")
            return ItemStatus.FAILED
        except (NonRetryableError, ValueError) as exc:
            self._outcomes.failed(batch_id, item.id, sku, getattr(exc, "message", None) or str(exc))
            return ItemStatus.FAILED
        write = PublishedWrite(
            record=prepared.record,
            batch_id=batch_id,
            item_id=item.id,
            shopify_product_id=gid_number(result.product_id) or result.product_id,
            shopify_variant_id=gid_number(result.variant_id),
            shopify_inventory_item_id=gid_number(result.inventory_item_id),
            shopify_handle=result.handle or None,
            image_url=prepared.image_url,
            content_hash=prepared.content_hash,
            created_by=batch.created_by,
        )
        try:
            self._outcomes.save_published(write)
        except Exception as exc:  # the write is in Shopify: never undo it, reconcile the save
            logger.warning("saving %s failed after Shopify accepted it: %s", sku, exc)
            self._reconciliation.record(write, error=f"{type(exc).__name__}: {exc}")
            return ReconciliationState.PENDING_DB
        return ItemStatus.PUBLISHED

    def prepare(self, record: NormalizedRecord, product: ProductRow | None) -> PreparedProduct:
        """Build the ``productSet`` of a staged (or edited) record: definitions ensured, locations resolved,
        image re-hosted. The content hash covers everything written; ``files`` is sent only when the image is
        new, so an update never adds the same image twice."""
        if record.price is None:
            raise NonRetryableError(f"{record.sku} has no price above 0.", system="shopify")
        shopify = self._settings.shopify
        record = with_location_settings(
            record, location_map=shopify.location_map, default_location=shopify.default_location_name
        )
        self._setup.ensure_metafield_definitions()
        location_ids = self._setup.location_ids()
        image = self._images.rehost(record.boeing_image_url, record.boeing_thumbnail_url)
        request = build_product_set(
            record,
            location_ids=location_ids,
            inventory_location_codes=self._settings.shopify.inventory_location_codes,
            image_url=image.url,
            variant_id=product.variant_gid if product is not None else None,
        )
        if request.unresolved_locations:
            self._setup.forget_locations()
            names = ", ".join(request.unresolved_locations)
            raise NonRetryableError(
                f"{record.sku} has stock at {names}, which Shopify does not list as an active location.",
                system="shopify",
            )
        content = publish_content_hash(request)
        variables = request.variables
        if product is not None and product.image_url == image.url:
            variables = copy.deepcopy(variables)
            variables["input"].pop("files", None)
        return PreparedProduct(record=record, variables=variables, content_hash=content, image_url=image.url)


def _unpublishable(staged: StagingRow | None) -> str | None:
    if staged is None:
        return "The SKU is not in staging."
    if staged.record.status == StagingStatus.BLOCKED:
        return f"The staged SKU is blocked ({staged.record.blocked_reason or 'unknown reason'})."
    return None
