"""Scheduled sync, step 2: one Boeing call per group of claimed SKUs, and change detection.

For each group (at most ``BOEING_BATCH_SIZE`` schedule rows): lease the rows, take a slot of the global Boeing
limiter at ``sync`` priority (its guaranteed share) or ``interactive`` for an operator's immediate sync, call
Boeing once, normalize with the one normalizer and compare each SKU's sync hash with the stored one.

* unchanged → ``success``, due again at the next start of its bucket; no Shopify call;
* changed (including the sync guards: Boeing no longer returns it, or its price vanished) → the target is kept
  on the schedule row and ``tasks.sync_shopify.update_shopify_product`` is queued through the outbox.

No quota slot within the wait bound, or a 429 from Boeing, raises ``QuotaWait`` after extending the leases and
announcing sync's demand, so the task is re-sent without counting an attempt. A final failure of the group is
recorded through ``SyncAccountingService`` by the task once its retries are exhausted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from app.clients.boeing_client import BoeingClient
from app.core.config import Settings
from app.core.constants.extraction import SYSTEM_USER_ID
from app.core.constants.tasks import Task
from app.core.exceptions import QuotaWait
from app.db.product_store import ProductRow
from app.db.sync_store import SyncScheduleRow, SyncSuccess
from app.db.unit_of_work import UnitOfWorkFactory
from app.services.sync_accounting import FailureOutcome, SyncAccountingService
from app.services.task_dispatcher import TaskDispatcher
from app.services.utils.sync_target import PublishedValues, SyncTarget, sync_target
from app.utils.boeing_normalize import normalize_response
from app.utils.rate_limiter import BoeingRateLimiter

logger = logging.getLogger(__name__)

Priority = Literal["interactive", "sync"]


@dataclass(frozen=True, slots=True)
class FetchReport:
    """One group's outcome: rows checked, unchanged, changed (queued for Shopify) and released."""

    checked: int = 0
    unchanged: int = 0
    changed: int = 0
    released: int = 0


class BoeingFetchService:
    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        accounting: SyncAccountingService,
        dispatcher: TaskDispatcher,
        client: BoeingClient,
        limiter: BoeingRateLimiter,
        settings: Settings,
    ) -> None:
        self._uow_factory = uow_factory
        self._accounting = accounting
        self._dispatcher = dispatcher
        self._client = client
        self._limiter = limiter
        self._settings = settings
        shopify = settings.shopify
        self._location_map = dict(shopify.location_map)
        self._default_location = shopify.default_location_name
        targets = set(self._location_map.values())
        if self._default_location:
            targets.add(self._default_location)
        self._mapped_locations = tuple(sorted(targets))

    def process_batch(self, schedule_ids: Sequence[str], *, priority: Priority = "sync") -> FetchReport:
        """Check one group of claimed rows against Boeing; queue a Shopify update for each change."""
        ids = [str(value) for value in schedule_ids]
        if not self._settings.sync.enabled:
            with self._uow_factory() as uow:
                released = uow.schedule.release(ids)
            return FetchReport(released=released)
        lease_s = self._settings.sync.lease_s
        with self._uow_factory() as uow:
            rows = uow.schedule.start_work(ids, lease_s=lease_s)
        if not rows:
            return FetchReport()
        payload = self._fetch([row.sku for row in rows], [row.id for row in rows], priority)
        records = {
            record.sku: record
            for record in normalize_response(
                payload, location_map=self._location_map, default_location=self._default_location
            )
        }
        return self._compare(rows, records, payload)

    def record_final_failure(self, schedule_ids: Sequence[str], error: str) -> FailureOutcome:
        """Count a final failure of a group (retries exhausted, or a permanent error)."""
        with self._uow_factory() as uow:
            return self._accounting.record_final_failure(uow, [str(value) for value in schedule_ids], error)

    def _fetch(self, skus: list[str], ids: list[str], priority: Priority) -> dict[str, Any]:
        boeing = self._settings.boeing
        wait_bound = (
            boeing.interactive_wait_bound_s if priority == "interactive" else boeing.task_wait_bound_s
        )
        try:
            self._limiter.acquire(priority, max_wait_s=wait_bound)
        except QuotaWait as wait:
            self._hold(ids, priority, wait.wait_s)
            raise
        try:
            return self._client.price_availability(skus)
        except QuotaWait as wait:
            # A 429 slipped through: every Boeing caller pauses until its Retry-After.
            self._limiter.note_throttled(wait.wait_s)
            self._hold(ids, priority, wait.wait_s)
            raise

    def _hold(self, ids: list[str], priority: Priority, wait_s: float) -> None:
        """Keep the rows leased and sync's share reserved while the task waits to be sent again."""
        self._limiter.note_demand(priority, ttl_s=wait_s + 5.0)
        with self._uow_factory() as uow:
            uow.schedule.renew_leases(ids, lease_s=wait_s + self._settings.sync.lease_s)

    def _compare(
        self, rows: list[SyncScheduleRow], records: dict[str, Any], payload: dict[str, Any]
    ) -> FetchReport:
        unchanged: list[SyncSuccess] = []
        changed = 0
        with self._uow_factory() as uow:
            # Every Boeing answer is kept as received (the raw-data view shows the freshest one).
            uow.raw_data.insert(
                payload=payload,
                part_numbers=[row.sku for row in rows],
                returned_skus=sorted(records),
                returned_bases=sorted({record.base_part_number for record in records.values()}),
                created_by=SYSTEM_USER_ID,
            )
            current = uow.schedule.lock_syncing([row.id for row in rows])
            products = uow.products.get_many_by_sku([row.sku for row in current])
            now = uow.schedule.database_now()
            fetched_at = now.isoformat()
            for row in current:
                product = products.get(row.sku)
                if product is None:  # the schedule row cascades with its product; nothing left to sync
                    continue
                if row.pending_target is not None:  # a duplicate fetch: the change's write is already queued
                    continue
                target = sync_target(
                    row.sku,
                    records.get(row.sku),
                    _published(product),
                    mapped_locations=self._mapped_locations,
                    fetched_at=fetched_at,
                )
                if target.sync_hash == row.last_hash:
                    unchanged.append(
                        _success(row.id, target, self._accounting.next_time(row.hour_bucket, now))
                    )
                    continue
                uow.schedule.set_pending_target(row.id, target.to_json(), lease_s=self._settings.sync.lease_s)
                self._dispatcher.enqueue(uow, Task.UPDATE_SHOPIFY_PRODUCT, row.id)
                changed += 1
            uow.schedule.record_successes(unchanged)
        if changed:
            logger.info("sync found %d change(s) in a group of %d", changed, len(rows))
        return FetchReport(checked=len(current), unchanged=len(unchanged), changed=changed)


def _published(product: ProductRow) -> PublishedValues:
    record = product.record
    return PublishedValues(
        price=record.price,
        cost_per_item=record.cost_per_item,
        list_price=record.list_price,
        net_price=record.net_price,
        locations=record.locations,
        mapped_inventory=record.mapped_inventory,
    )


def _success(schedule_id: str, target: SyncTarget, next_sync_at: Any) -> SyncSuccess:
    return SyncSuccess(
        id=schedule_id,
        next_sync_at=next_sync_at,
        price=target.cost_per_item,
        quantity=target.inventory_quantity,
        inventory_status=target.inventory_status,
        location_summary=target.location_summary,
        mapped_inventory=target.mapped_as_lists,
        sync_hash=target.sync_hash,
    )
