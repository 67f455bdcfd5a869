"""Publishing as the API sees it (http-api §3.4): start publish runs, update, check, setup.

A publish run is a set of ``batch_items`` (stage ``publishing``, one per SKU, numbered by the batch's
``publish_run``) created in the request's transaction together with the ``tasks.publishing.publish_batch``
message (outbox). SKUs missing from staging or blocked are failed at once with the reason (never sent).
The ``batch_id`` rule: the batch must exist (404 ``batch_not_found``) and be a ``normalize`` or ``publish``
batch in ``completed``, ``failed`` or ``cancelled``; an ``extract`` batch is not ready (409
``batch_not_ready``) and an active publish run conflicts (409 ``publish_in_progress``). Without
``batch_id`` a new publish batch starts at ``publish/pending``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.clients.shopify_client import ShopifyClient, gid_number
from app.core.config import Settings
from app.core.constants.batches import (
    BatchStatus,
    BatchType,
    ErrorStage,
    IdempotencyScope,
    ItemStage,
    ItemStatus,
)
from app.core.constants.extraction import StagingStatus
from app.core.constants.publishing import UPSERT_KEY_KEY, UPSERT_KEY_NAMESPACE
from app.core.constants.tasks import Task
from app.core.exceptions import ConflictError, FieldError, NotFoundError, ValidationFailed
from app.db.batch_item_store import ItemOutcome
from app.db.batch_store import BatchRow
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from app.schemas.batches import BulkAccepted
from app.services.batch_service import BatchService
from app.services.publish_outcome_service import PublishedWrite, PublishOutcomeService
from app.services.publish_run_service import PublishRunService
from app.services.shopify_setup_service import MetafieldSetupReport, ShopifySetupService
from app.services.task_dispatcher import TaskDispatcher
from app.utils.boeing_normalize import record_from_dict
from app.utils.catalog_rules import split_part_number
from app.utils.normalized_record import NormalizedRecord
from app.utils.part_numbers import clean_part_number, parse_part_numbers

logger = logging.getLogger(__name__)

__all__ = ["BulkPublishResult", "PublishStarted", "PublishingService"]

# A batch a publish run may start on: normalized, or a publish batch whose run has ended.
_READY_TYPES = (BatchType.NORMALIZE, BatchType.PUBLISH)


@dataclass(frozen=True, slots=True)
class PublishStarted:
    """A single publish accepted: the batch and the existing Shopify id (when it is an update)."""

    sku: str
    batch_id: str
    shopify_product_id: str | None

    @property
    def message(self) -> str:
        action = "updated in" if self.shopify_product_id else "published to"
        return f"{self.sku} is queued to be {action} Shopify."


@dataclass(frozen=True, slots=True)
class BulkPublishResult:
    """A bulk publish accepted: the run's batch, and what the endpoint answers."""

    batch: BatchRow
    accepted: BulkAccepted


class PublishingService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        batch_service: BatchService,
        outcomes: PublishOutcomeService,
        runner: PublishRunService,
        client: ShopifyClient,
        setup: ShopifySetupService,
        dispatcher: TaskDispatcher,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._batch_service = batch_service
        self._outcomes = outcomes
        self._runner = runner
        self._client = client
        self._setup = setup
        self._dispatcher = dispatcher
        self._settings = settings

    # --- starting runs --------------------------------------------------------------------------------------
    def publish(self, part_number: str, *, batch_id: str | None, created_by: str) -> PublishStarted:
        """Queue one staged SKU (404 not staged, 409 blocked); a new one-item batch unless ``batch_id``."""
        sku = clean_part_number(part_number)
        with self._uow_factory() as uow:
            staged = uow.staging.get_by_sku(sku)
            if staged is None:
                raise NotFoundError(
                    f"{sku} is not in staging; search for it first.", code="product_not_found"
                )
            if staged.record.status == StagingStatus.BLOCKED:
                raise ConflictError(
                    f"{sku} is blocked ({staged.record.blocked_reason}) and cannot be published.",
                    code="product_not_publishable",
                )
            batch = self._start_run(uow, batch_id, [sku], created_by=created_by)
            product = uow.products.get_by_sku(sku)
        return PublishStarted(sku, batch.id, gid_number(product.shopify_product_id) if product else None)

    def publish_bulk(
        self,
        *,
        part_numbers: Sequence[str] | None,
        part_numbers_text: str | None,
        batch_id: str | None,
        idempotency_key: str | None,
        created_by: str,
    ) -> BulkPublishResult:
        """Queue a publish run of the given SKUs, or of every sellable SKU the batch staged."""
        limit = self._settings.app.max_bulk_publish_size
        parsed = None
        if part_numbers is not None or part_numbers_text is not None or batch_id is None:
            parsed = parse_part_numbers(part_numbers, part_numbers_text, limit=limit)
        scope = IdempotencyScope.PUBLISHING_BULK
        earlier = self._batch_service.repeated(scope, idempotency_key) if idempotency_key else None
        if earlier is not None:
            repeat = self._batch_service.accepted(earlier, created=False, idempotency_key=idempotency_key)
            return BulkPublishResult(earlier, repeat)
        with self._uow_factory() as uow:
            if parsed is not None:
                skus, duplicates = parsed.part_numbers, parsed.duplicates_removed
            else:
                assert batch_id is not None
                skus, duplicates = self._sellable_skus_of(uow, batch_id, limit), 0
            batch = self._start_run(
                uow,
                batch_id,
                skus,
                created_by=created_by,
                duplicates=duplicates,
                idempotency_key=idempotency_key,
            )
            if idempotency_key:
                uow.idempotency.record(scope, idempotency_key, batch.id)
        accepted = self._batch_service.accepted(
            batch,
            created=True,
            idempotency_key=idempotency_key,
            message=f"Publishing {batch.total_items} SKU(s) to Shopify.",
            duplicates_removed=duplicates,
        )
        return BulkPublishResult(batch, accepted)

    def _sellable_skus_of(self, uow: UnitOfWork, batch_id: str, limit: int) -> list[str]:
        batch = self._ready_batch(uow, batch_id)
        skus = uow.staging.skus_of_batch(batch.id, statuses=StagingStatus.SELLABLE)
        if not skus:
            raise ValidationFailed(
                f"Batch {batch.id} staged no sellable SKU to publish.",
                errors=[FieldError("batch_id", "the batch has no sellable staged SKU")],
                code="no_part_numbers",
            )
        if len(skus) > limit:
            raise ValidationFailed(
                f"Batch {batch.id} staged {len(skus)} sellable SKUs; the limit is {limit}.",
                errors=[FieldError("batch_id", f"at most {limit} SKUs per publish run")],
                code="too_many_part_numbers",
            )
        return skus

    def _ready_batch(self, uow: UnitOfWork, batch_id: str) -> BatchRow:
        batch = uow.batches.get(batch_id, with_part_numbers=False, for_update=True)
        if batch is None:
            raise NotFoundError(f"Batch {batch_id} does not exist.", code="batch_not_found")
        if batch.batch_type == BatchType.PUBLISH and batch.status in BatchStatus.ACTIVE:
            raise ConflictError(f"Batch {batch.id} is still publishing.", code="publish_in_progress")
        if batch.batch_type not in _READY_TYPES or batch.status not in BatchStatus.FINAL:
            raise ConflictError(
                f"Batch {batch.id} is {batch.batch_type}/{batch.status}; only a normalized or finished "
                "publish batch can be published.",
                code="batch_not_ready",
            )
        return batch

    def _start_run(
        self,
        uow: UnitOfWork,
        batch_id: str | None,
        skus: list[str],
        *,
        created_by: str,
        duplicates: int = 0,
        idempotency_key: str | None = None,
    ) -> BatchRow:
        if batch_id is not None:
            ready = self._ready_batch(uow, batch_id)
            started = uow.batches.start_publish_run(ready.id, skus, expected_statuses=BatchStatus.FINAL)
            if started is None:
                raise ConflictError(f"Batch {ready.id} is still publishing.", code="publish_in_progress")
            batch = started
        else:
            batch = uow.batches.create(
                batch_type=BatchType.PUBLISH,
                total_items=len(skus),
                part_numbers=skus,
                publish_part_numbers=skus,
                created_by=created_by,
                duplicates_removed=duplicates,
                idempotency_key=idempotency_key,
            )
        run = batch.publish_run
        uow.items.insert_many(batch.id, skus, stage=ItemStage.PUBLISHING, run=run)
        self._fail_unpublishable(uow, batch.id, run, skus)
        self._dispatcher.enqueue(uow, Task.PUBLISH_BATCH, batch.id, run)
        return uow.batches.get(batch.id, with_part_numbers=False) or batch

    def _fail_unpublishable(self, uow: UnitOfWork, batch_id: str, run: int, skus: list[str]) -> None:
        staged = uow.staging.get_many(skus)
        problems: dict[str, str] = {}
        for sku in skus:
            row = staged.get(sku)
            if row is None:
                problems[sku] = "The SKU is not in staging."
            elif row.record.status == StagingStatus.BLOCKED:
                problems[sku] = f"The staged SKU is blocked ({row.record.blocked_reason})."
        if not problems:
            return
        items = uow.publish_items.items_of_run(batch_id, run, sorted(problems))
        outcomes = [
            ItemOutcome(
                item.id,
                ItemStatus.FAILED,
                error=problems[item.part_number],
                error_stage=ErrorStage.PUBLISHING,
            )
            for item in items
            if item.part_number in problems
        ]
        self._batch_service.record_outcomes(uow, batch_id, outcomes, expected=(ItemStatus.QUEUED,))

    # --- synchronous operations -----------------------------------------------------------------------------
    def update_product(self, shopify_product_id: str, fields: Mapping[str, Any]) -> str:
        """Write an operator's edited product to Shopify, then to the product record; returns the id."""
        product_id = gid_number(shopify_product_id) or ""
        with self._uow_factory() as uow:
            product = uow.products.get_by_shopify_id(product_id) if product_id.isdigit() else None
        if product is None:
            raise NotFoundError(
                f"No published product has Shopify id {shopify_product_id}.", code="shopify_product_not_found"
            )
        sku = str(fields.get("sku") or "").strip().upper()
        if sku != product.sku:
            raise ValidationFailed(
                f"The sku {sku!r} does not match the stored product {product.sku!r}.",
                errors=[FieldError("sku", f"must be {product.sku}")],
            )
        try:
            prepared = self._runner.prepare(self._edited_record(product.sku, fields), product)
        except ValueError as exc:
            raise ValidationFailed(str(exc), errors=[FieldError("body", str(exc))]) from exc
        if prepared.record.price is None:
            raise ValidationFailed(
                "A price above 0 is required.", errors=[FieldError("price", "must be above 0")]
            )
        result = self._client.product_set(prepared.variables)
        self._outcomes.save_published(
            PublishedWrite(
                record=prepared.record,
                batch_id=None,
                item_id=None,
                shopify_product_id=gid_number(result.product_id) or product.shopify_product_id,
                shopify_variant_id=gid_number(result.variant_id),
                shopify_inventory_item_id=gid_number(result.inventory_item_id),
                shopify_handle=result.handle or product.shopify_handle,
                image_url=prepared.image_url,
                content_hash=prepared.content_hash,
                created_by=product.created_by,
            )
        )
        return gid_number(result.product_id) or product.shopify_product_id

    def _edited_record(self, sku: str, fields: Mapping[str, Any]) -> NormalizedRecord:
        """An operator's edited NormalizedProduct as a record: its values parsed as normalization does, the
        stock mapped with the current location settings, ``status`` and ``blocked_reason`` recomputed."""
        shopify = self._settings.shopify
        return record_from_dict(
            {**fields, "sku": sku},
            location_map=shopify.location_map,
            default_location=shopify.default_location_name,
        )

    def check(self, sku: str) -> str | None:
        """The Shopify product id of a SKU: exact for a full SKU, first variant-SKU match for a base one."""
        wanted = clean_part_number(sku, field="sku")
        with self._uow_factory() as uow:
            product = uow.products.get_by_sku(wanted)
        if product is not None:
            return gid_number(product.shopify_product_id)
        _, suffix = split_part_number(wanted)
        if suffix is not None:
            found = self._client.product_by_custom_id(UPSERT_KEY_NAMESPACE, UPSERT_KEY_KEY, wanted)
            return gid_number(found.get("id")) if found else None
        variants = self._client.variants_by_sku([wanted], first=10)
        return gid_number((variants[0].get("product") or {}).get("id")) if variants else None

    def setup_metafields(self) -> MetafieldSetupReport:
        """Create every metafield definition publishing writes (existing ones are reported as such)."""
        return self._setup.setup_metafields()
