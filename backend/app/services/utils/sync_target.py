"""What a scheduled sync should make Shopify show for one SKU, from Boeing's answer (pure, no I/O).

The values come from the one normalizer (``boeing_normalize``); the sync guards of ``catalog-constants.md``
apply on top:

* Boeing no longer returns the SKU → out of stock everywhere (0 at every mapped location), the published
  price kept, reason ``boeing_not_returned``.
* Boeing returns it without a price → the last price kept (a price ≤ 0 is never written), 0 stock at every
  mapped location, reason ``boeing_unpriced``.

Every location the product was last written to stays in the target (with 0 when Boeing no longer lists it), so
a location that disappears from Boeing's answer is zeroed in Shopify. The sync hash is
``hash_utils.sync_hash`` over shop price, total quantity, stock status and the mapped locations: equal to the
stored hash means nothing to write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core.constants.extraction import InventoryStatus
from app.core.constants.sync import SyncGuardReason
from app.core.money import round_money, to_money
from app.utils.boeing_normalize import location_summary
from app.utils.hash_utils import sync_hash
from app.utils.normalized_record import LocationQuantity, NormalizedRecord

__all__ = ["PublishedValues", "SyncTarget", "sync_target"]


@dataclass(frozen=True, slots=True)
class PublishedValues:
    """What Shopify shows now (the ``product`` row): the values a guard keeps."""

    price: Decimal | None
    cost_per_item: Decimal | None
    list_price: Decimal | None
    net_price: Decimal | None
    locations: tuple[LocationQuantity, ...]
    mapped_inventory: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class SyncTarget:
    """The price and stock a sync writes, and its sync hash; stored as JSON between the two sync tasks."""

    sku: str
    price: Decimal | None
    cost_per_item: Decimal | None
    list_price: Decimal | None
    net_price: Decimal | None
    inventory_quantity: int
    inventory_status: str
    location_summary: str | None
    locations: tuple[LocationQuantity, ...]
    mapped_inventory: tuple[tuple[str, int], ...]
    reason: str | None
    sync_hash: str
    fetched_at: str

    def to_json(self) -> dict[str, Any]:
        """JSON-safe form (money as strings, so no float ever touches it)."""
        return {
            "sku": self.sku,
            "price": _text(self.price),
            "cost_per_item": _text(self.cost_per_item),
            "list_price": _text(self.list_price),
            "net_price": _text(self.net_price),
            "inventory_quantity": self.inventory_quantity,
            "inventory_status": self.inventory_status,
            "location_summary": self.location_summary,
            "locations": [entry.to_dict() for entry in self.locations],
            "mapped_inventory": [[name, quantity] for name, quantity in self.mapped_inventory],
            "reason": self.reason,
            "sync_hash": self.sync_hash,
            "fetched_at": self.fetched_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SyncTarget:
        """Rebuild a target written by ``to_json``."""
        return cls(
            sku=str(data["sku"]),
            price=to_money(data.get("price")),
            cost_per_item=to_money(data.get("cost_per_item")),
            list_price=to_money(data.get("list_price")),
            net_price=to_money(data.get("net_price")),
            inventory_quantity=int(data["inventory_quantity"]),
            inventory_status=str(data["inventory_status"]),
            location_summary=data.get("location_summary"),
            locations=tuple(
                LocationQuantity(str(entry["location"]), int(entry["quantity"]))
                for entry in data["locations"]
            ),
            mapped_inventory=tuple((str(name), int(quantity)) for name, quantity in data["mapped_inventory"]),
            reason=data.get("reason"),
            sync_hash=str(data["sync_hash"]),
            fetched_at=str(data["fetched_at"]),
        )

    @property
    def mapped_as_lists(self) -> list[list[Any]]:
        return [[name, quantity] for name, quantity in self.mapped_inventory]


def sync_target(
    sku: str,
    record: NormalizedRecord | None,
    published: PublishedValues,
    *,
    mapped_locations: Iterable[str],
    fetched_at: str,
) -> SyncTarget:
    """The target for ``sku`` given Boeing's normalized record (``None`` when Boeing did not return it).

    ``mapped_locations`` names every Shopify location sync writes (the location map's targets): a zeroed
    target covers them all, as well as every location the product was last written to.
    """
    if record is None:
        return _zeroed(sku, published, mapped_locations, SyncGuardReason.NOT_RETURNED, fetched_at)
    if record.price is None or round_money(record.price) <= 0:
        return _zeroed(sku, published, mapped_locations, SyncGuardReason.UNPRICED, fetched_at)
    mapped = _with_previous_locations(record.mapped_inventory, published.mapped_inventory)
    total = record.total_quantity
    status = InventoryStatus.IN_STOCK if total > 0 else InventoryStatus.OUT_OF_STOCK
    return SyncTarget(
        sku=sku,
        price=record.price,
        cost_per_item=record.cost_per_item,
        list_price=record.list_price,
        net_price=record.net_price,
        inventory_quantity=total,
        inventory_status=status.value,
        location_summary=record.location_summary,
        locations=record.locations,
        mapped_inventory=mapped,
        reason=None,
        sync_hash=sync_hash(record.price, total, status.value, mapped),
        fetched_at=fetched_at,
    )


def _zeroed(
    sku: str,
    published: PublishedValues,
    mapped_locations: Iterable[str],
    reason: SyncGuardReason,
    fetched_at: str,
) -> SyncTarget:
    names = {name for name, _ in published.mapped_inventory} | set(mapped_locations)
    mapped = tuple((name, 0) for name in sorted(names))
    locations = tuple(LocationQuantity(entry.location, 0) for entry in published.locations)
    status = InventoryStatus.OUT_OF_STOCK.value
    return SyncTarget(
        sku=sku,
        price=published.price,
        cost_per_item=published.cost_per_item,
        list_price=published.list_price,
        net_price=published.net_price,
        inventory_quantity=0,
        inventory_status=status,
        location_summary=location_summary(locations),
        locations=locations,
        mapped_inventory=mapped,
        reason=reason.value,
        sync_hash=sync_hash(published.price, 0, status, mapped),
        fetched_at=fetched_at,
    )


def _with_previous_locations(
    mapped: Iterable[tuple[str, int]], previous: Iterable[tuple[str, int]]
) -> tuple[tuple[str, int], ...]:
    stock = {name: 0 for name, _ in previous}
    for name, quantity in mapped:
        stock[name] = stock.get(name, 0) + quantity
    return tuple(sorted(stock.items()))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"
