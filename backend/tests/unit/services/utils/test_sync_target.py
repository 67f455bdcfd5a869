"""The sync target: Boeing's normalized answer with the sync guards, and its sync hash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core.constants.sync import SyncGuardReason
from app.services.utils.sync_target import PublishedValues, SyncTarget, sync_target
from app.utils.hash_utils import sync_hash_for
from app.utils.normalized_record import LocationQuantity
from tests.support.boeing_items import DROP, location, normalized

MAPPED = ("Chicago Warehouse", "Dallas Central", "Miami, FL")
FETCHED_AT = "2026-11-26T10:00:00+00:00"


def published(**overrides: Any) -> PublishedValues:
    values: dict[str, Any] = {
        "price": Decimal("28.05"),
        "cost_per_item": Decimal("25.50"),
        "list_price": Decimal("25.50"),
        "net_price": Decimal("23.00"),
        "locations": (LocationQuantity("Chicago Warehouse", 50), LocationQuantity("Dallas Central", 100)),
        "mapped_inventory": (("Chicago Warehouse", 50), ("Dallas Central", 100), ("Miami, FL", 0)),
    }
    values.update(overrides)
    return PublishedValues(**values)


def test_an_unchanged_answer_hashes_like_the_published_record() -> None:
    record = normalized()
    target = sync_target(record.sku, record, published(), mapped_locations=MAPPED, fetched_at=FETCHED_AT)
    assert target.sync_hash == sync_hash_for(record), "the first sync of an unchanged product writes nothing"
    assert (target.price, target.cost_per_item, target.inventory_quantity) == (
        Decimal("28.05"),
        Decimal("25.50"),
        150,
    )
    assert target.reason is None


def test_a_location_boeing_stops_listing_is_zeroed_and_the_hash_changes() -> None:
    record = normalized(locationAvailabilities=[location("Miami, FL", "7")], quantity="7")
    target = sync_target(record.sku, record, published(), mapped_locations=MAPPED, fetched_at=FETCHED_AT)
    assert target.mapped_inventory == (("Chicago Warehouse", 0), ("Dallas Central", 0), ("Miami, FL", 7))
    assert target.sync_hash != sync_hash_for(normalized())


def test_a_location_written_before_but_no_longer_mapped_is_zeroed_too() -> None:
    record = normalized()
    previous = published(mapped_inventory=(("Old Warehouse", 4), ("Dallas Central", 100)))
    target = sync_target(record.sku, record, previous, mapped_locations=MAPPED, fetched_at=FETCHED_AT)
    assert dict(target.mapped_inventory)["Old Warehouse"] == 0


def test_a_part_boeing_no_longer_returns_is_out_of_stock_everywhere_with_its_price_kept() -> None:
    target = sync_target("WF338109=K3", None, published(), mapped_locations=MAPPED, fetched_at=FETCHED_AT)
    assert target.reason == SyncGuardReason.NOT_RETURNED
    assert (target.price, target.cost_per_item) == (Decimal("28.05"), Decimal("25.50"))
    assert target.mapped_inventory == tuple((name, 0) for name in MAPPED)
    assert (target.inventory_quantity, target.inventory_status) == (0, "out_of_stock")
    assert target.location_summary == "Chicago Warehouse: 0; Dallas Central: 0"


def test_a_vanished_price_keeps_the_last_price_and_zeroes_the_stock() -> None:
    for prices in ({"listPrice": "0", "netPrice": "0"}, {"listPrice": DROP, "netPrice": DROP}):
        record = normalized(**prices)
        target = sync_target(record.sku, record, published(), mapped_locations=MAPPED, fetched_at=FETCHED_AT)
        assert target.reason == SyncGuardReason.UNPRICED
        assert target.price == Decimal("28.05"), "a price ≤ 0 is never written"
        assert {quantity for _, quantity in target.mapped_inventory} == {0}
        again = sync_target(record.sku, record, published(), mapped_locations=MAPPED, fetched_at=FETCHED_AT)
        assert again.sync_hash == target.sync_hash, (
            "the guarded state is stable: the next sync writes nothing"
        )


def test_a_target_survives_its_json_round_trip_exactly() -> None:
    record = normalized(listPrice="31.20")
    target = sync_target(record.sku, record, published(), mapped_locations=MAPPED, fetched_at=FETCHED_AT)
    data = target.to_json()
    assert isinstance(data["price"], str), "money travels as text, never as a float"
    assert SyncTarget.from_json(data) == target
