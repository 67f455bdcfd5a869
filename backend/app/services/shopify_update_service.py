"""Scheduled sync, step 3: write a detected change to Shopify with targeted mutations, then record it.

Only what changed is written, at most three calls per product:

1. price and cost with ``productVariantsBulkUpdate`` — only when the shop price or the cost changed, and never
   a price ≤ 0 (the guard keeps the last one);
2. stock with ``inventorySetQuantities`` for **every** mapped location (0 where Boeing no longer lists stock),
   with the configured API version's compare semantics (``changeFromQuantity``/``compareQuantity`` against the
   levels we last wrote) and its idempotency key; when Shopify reports the compare value stale (someone else
   changed the level), Boeing's figure is written again without the compare;
3. the location summary (and inventory-location code) metafields with ``metafieldsSet`` when they changed.

Then one unit of work updates ``product``, the schedule row and ``sync_history`` (old → new). A duplicated
task finds the row no longer ``syncing`` and does nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from decimal import Decimal

from app.clients.shopify_client import ShopifyClient
from app.core.config import Settings
from app.core.constants.sync import SyncStatus
from app.core.exceptions import NonRetryableError, QuotaWait
from app.db.product_store import ProductRow
from app.db.sync_history_store import SyncChange
from app.db.sync_store import SyncSuccess
from app.db.unit_of_work import UnitOfWorkFactory
from app.services.shopify_setup_service import ShopifySetupService
from app.services.sync_accounting import FailureOutcome, SyncAccountingService
from app.services.utils.inventory_mapper import build_inventory_set
from app.services.utils.metafield_builder import build_location_summary_metafield, inventory_location_code
from app.services.utils.shopify_payload_builder import build_variant_price_update
from app.services.utils.sync_target import SyncTarget

logger = logging.getLogger(__name__)

_STALE_CODES = ("CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE")


@dataclass(frozen=True, slots=True)
class UpdateReport:
    """What one update wrote: Shopify calls made, and whether the change was recorded."""

    sku: str | None = None
    writes: int = 0
    recorded: bool = False


class ShopifyUpdateService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        accounting: SyncAccountingService,
        client: ShopifyClient,
        setup: ShopifySetupService,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._accounting = accounting
        self._client = client
        self._settings = settings
        self._setup = setup

    def update_product(self, schedule_id: str) -> UpdateReport:
        """Write the pending change of one schedule row to Shopify and record it."""
        with self._uow_factory() as uow:
            row = uow.schedule.get(schedule_id)
            if row is None or row.sync_status != SyncStatus.SYNCING or row.pending_target is None:
                return UpdateReport()
            product = uow.products.get_by_sku(row.sku)
            uow.schedule.renew_leases([row.id], lease_s=self._settings.sync.lease_s)
        if product is None:
            return UpdateReport(row.sku)
        target = SyncTarget.from_json(row.pending_target)
        try:
            writes = self._write_price(product, target) + self._write_stock(product, target)
            writes += self._write_summary(product, target)
        except QuotaWait as wait:
            # Throttled: the task is sent again after the wait; keep the row leased to it meanwhile.
            with self._uow_factory() as uow:
                uow.schedule.renew_leases([row.id], lease_s=wait.wait_s + self._settings.sync.lease_s)
            raise
        with self._uow_factory() as uow:
            if not uow.schedule.lock_syncing([row.id]):
                return UpdateReport(row.sku, writes, recorded=False)
            now = uow.schedule.database_now()
            uow.products.update_sync_values(
                row.sku,
                price=target.price,
                cost_per_item=target.cost_per_item,
                list_price=target.list_price,
                net_price=target.net_price,
                inventory_quantity=target.inventory_quantity,
                inventory_status=target.inventory_status,
                location_summary=target.location_summary,
                locations=target.locations,
                mapped_inventory=target.mapped_inventory,
            )
            uow.history.add_change(
                SyncChange(
                    sku=row.sku,
                    old_price=row.last_price,
                    new_price=target.cost_per_item,
                    old_quantity=row.last_quantity,
                    new_quantity=target.inventory_quantity,
                    old_locations=[list(pair) for pair in product.record.mapped_inventory],
                    new_locations=target.mapped_as_lists,
                    reason=target.reason,
                ),
            )
            uow.schedule.record_successes(
                [
                    SyncSuccess(
                        id=row.id,
                        next_sync_at=self._accounting.next_time(row.hour_bucket, now),
                        price=target.cost_per_item,
                        quantity=target.inventory_quantity,
                        inventory_status=target.inventory_status,
                        location_summary=target.location_summary,
                        mapped_inventory=target.mapped_as_lists,
                        sync_hash=target.sync_hash,
                    )
                ],
            )
        return UpdateReport(row.sku, writes, recorded=True)

    def record_final_failure(self, schedule_id: str, error: str) -> FailureOutcome:
        """Count a final failure of one Shopify update (retries exhausted, or a permanent error)."""
        with self._uow_factory() as uow:
            return self._accounting.record_final_failure(uow, [schedule_id], error)

    def set_product_status(self, sku: str, status: str) -> str | None:
        """Set a synced product's Shopify status (DRAFT on deactivation, ACTIVE on reactivation)."""
        with self._uow_factory() as uow:
            product = uow.products.get_by_sku(sku)
        if product is None:
            return None
        return self._client.update_product_status(product.product_gid, status)

    # --- the three targeted writes --------------------------------------------------------------------------
    def _write_price(self, product: ProductRow, target: SyncTarget) -> int:
        if target.price is None or target.price <= 0 or product.variant_gid is None:
            return 0
        published = product.record
        if _same(target.price, published.price) and _same(target.cost_per_item, published.cost_per_item):
            return 0
        self._client.update_variants(
            build_variant_price_update(
                product.product_gid, product.variant_gid, target.price, target.cost_per_item
            )
        )
        return 1

    def _write_stock(self, product: ProductRow, target: SyncTarget) -> int:
        published = product.record.mapped_inventory
        if dict(target.mapped_inventory) == dict(published) and published:
            return 0
        item = product.inventory_item_gid
        if item is None:
            raise NonRetryableError(f"{product.sku} has no Shopify inventory item id.", system="shopify")
        location_ids = self._setup.location_ids()
        quantities = {
            location_ids[name]: qty for name, qty in target.mapped_inventory if name in location_ids
        }
        unknown = sorted(name for name, _ in target.mapped_inventory if name not in location_ids)
        if unknown:
            logger.warning("%s: no active Shopify location named %s", product.sku, ", ".join(unknown))
        if not quantities:
            return 0
        previous = {location_ids[name]: qty for name, qty in published if name in location_ids}
        reference = f"boeing-sync://{product.sku}/{target.fetched_at}"
        request = build_inventory_set(
            inventory_item_id=item,
            quantities=quantities,
            previous={key: previous.get(key) for key in quantities},
            api_version=self._client.api_version,
            reference=reference,
        )
        try:
            self._client.set_inventory_quantities(request.variables, idempotency_key=request.idempotency_key)
            return 1
        except NonRetryableError as exc:
            if not any(code in detail for detail in exc.details for code in _STALE_CODES):
                raise
        # Someone changed a level since our last write: Boeing is the source of truth, write its figure.
        logger.info("%s: Shopify stock changed outside sync; writing Boeing's figures", product.sku)
        forced = build_inventory_set(
            inventory_item_id=item,
            quantities=quantities,
            previous=None,
            api_version=self._client.api_version,
            reference=reference + "#force",
        )
        self._client.set_inventory_quantities(forced.variables, idempotency_key=forced.idempotency_key)
        return 2

    def _write_summary(self, product: ProductRow, target: SyncTarget) -> int:
        codes = self._settings.shopify.inventory_location_codes
        before = product.record
        after = dataclasses.replace(
            before,
            location_summary=target.location_summary,
            locations=target.locations,
            mapped_inventory=target.mapped_inventory,
        )
        unchanged_summary = (target.location_summary or None) == (before.location_summary or None)
        if unchanged_summary and inventory_location_code(after, codes) == inventory_location_code(
            before, codes
        ):
            return 0
        variables = build_location_summary_metafield(
            product.product_gid, after, inventory_location_codes=codes
        )
        if not variables["metafields"]:
            return 0
        self._client.set_metafields(variables["metafields"])
        return 1


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.quantize(Decimal("0.01")) == b.quantize(Decimal("0.01"))
