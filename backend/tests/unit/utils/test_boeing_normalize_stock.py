"""Normalization of Boeing stock: quantities, warehouses, mapped Shopify locations and blocked reasons."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.constants.extraction import BlockedReason, InventoryStatus, StagingStatus
from app.utils.boeing_normalize import normalize_line_item
from app.utils.normalized_record import LocationQuantity, NormalizedRecord
from tests.support.boeing_items import DROP, US_LOCATION_MAP, line_item, location


def normalize(
    item: dict[str, Any],
    *,
    currency: str | None = "USD",
    location_map: dict[str, str] | None = None,
    default_location: str | None = None,
) -> NormalizedRecord:
    return normalize_line_item(
        item,
        currency=currency,
        location_map=US_LOCATION_MAP if location_map is None else location_map,
        default_location=default_location,
    )


def test_no_stock_is_blocked_no_stock() -> None:
    record = normalize(line_item(quantity=0, inStock=False, locationAvailabilities=DROP))
    assert record.blocked_reason is BlockedReason.NO_STOCK
    assert record.inventory_quantity == 0
    assert record.inventory_status is InventoryStatus.OUT_OF_STOCK


def test_the_contracts_no_stock_example_is_blocked_no_price_with_unknown_sizes() -> None:
    record = normalize(
        {
            "aviallPartNumber": "311N5049-173=BC",
            "baseUOM": "EA",
            "countryOfOrigin": "United States",
            "description": "",
            "dim": "0 x 0 x 0",
            "dimUOM": "IN",
            "inStock": False,
            "listPrice": 0,
            "name": "DOOR: ...",
            "netPrice": 0,
            "quantity": 0,
            "supplierName": "BOEING COMMERCIAL AIRPLANES",
            "weight": "0",
            "weightUOM": "LB",
        }
    )
    assert record.blocked_reason is BlockedReason.NO_PRICE  # no_price wins over no_stock
    assert (record.dim_length, record.dim_width, record.dim_height, record.weight) == (None, None, None, None)
    assert record.boeing_description is None
    assert record.pma is None
    assert (record.hazmat_code, record.eccn, record.boeing_image_url) == (None, None, None)
    assert record.locations == ()
    assert record.location_summary is None


def test_blocked_reason_precedence() -> None:
    germany_only = [location("Germany CSC", "40")]
    unpriced_unstocked_foreign = line_item(
        listPrice=0, netPrice=0, quantity=0, locationAvailabilities=germany_only
    )
    assert normalize(unpriced_unstocked_foreign).blocked_reason is BlockedReason.NO_PRICE
    unstocked_foreign = line_item(quantity=0, locationAvailabilities=[location("Germany CSC", 0)])
    assert normalize(unstocked_foreign).blocked_reason is BlockedReason.NO_STOCK
    foreign = line_item(quantity="40", locationAvailabilities=germany_only)
    assert normalize(foreign).blocked_reason is BlockedReason.NO_MAPPED_LOCATION


def test_non_us_only_stock_is_blocked_no_mapped_location() -> None:
    record = normalize(line_item(quantity="40", locationAvailabilities=[location("Germany CSC", "40")]))
    assert record.status is StagingStatus.BLOCKED
    assert record.blocked_reason is BlockedReason.NO_MAPPED_LOCATION
    assert record.inventory_quantity == 40
    assert record.inventory_status is InventoryStatus.IN_STOCK
    assert record.locations == (LocationQuantity("Germany CSC", 40),)
    assert record.location_summary == "Germany CSC: 40"
    assert record.mapped_inventory == (("Chicago Warehouse", 0), ("Dallas Central", 0), ("Miami, FL", 0))
    assert sum(quantity for _, quantity in record.mapped_inventory) == 0


def test_mixed_stock_maps_only_us_warehouses_but_counts_all_in_the_total() -> None:
    record = normalize(
        line_item(
            quantity="70", locationAvailabilities=[location("Germany CSC", "40"), location("Miami, FL", "30")]
        )
    )
    assert record.status is StagingStatus.FETCHED
    assert record.inventory_quantity == 70
    assert dict(record.mapped_inventory) == {"Chicago Warehouse": 0, "Dallas Central": 0, "Miami, FL": 30}
    assert record.location_summary == "Germany CSC: 40; Miami, FL: 30"


def test_stock_without_locations_is_blocked_without_a_default_location() -> None:
    record = normalize(line_item(quantity="12", locationAvailabilities=DROP))
    assert record.blocked_reason is BlockedReason.NO_MAPPED_LOCATION
    assert record.inventory_quantity == 12
    assert sum(quantity for _, quantity in record.mapped_inventory) == 0


@pytest.mark.parametrize("locations", [DROP, None, []])
def test_stock_without_locations_goes_to_the_default_location(locations: Any) -> None:
    record = normalize(
        line_item(quantity="12", locationAvailabilities=locations), default_location="Shop location"
    )
    assert record.status is StagingStatus.FETCHED
    assert record.blocked_reason is None
    assert dict(record.mapped_inventory) == {
        "Chicago Warehouse": 0,
        "Dallas Central": 0,
        "Miami, FL": 0,
        "Shop location": 12,
    }
    assert record.locations == ()
    assert record.location_summary is None


def test_the_default_location_gets_nothing_when_warehouses_are_listed() -> None:
    record = normalize(line_item(), default_location="Shop location")
    assert dict(record.mapped_inventory)["Shop location"] == 0
    assert dict(record.mapped_inventory)["Dallas Central"] == 100


def test_a_default_location_that_is_also_mapped_is_listed_once() -> None:
    record = normalize(line_item(quantity=5, locationAvailabilities=DROP), default_location="Dallas Central")
    assert record.mapped_inventory == (("Chicago Warehouse", 0), ("Dallas Central", 5), ("Miami, FL", 0))


def test_missing_quantity_is_the_sum_of_the_warehouses() -> None:
    record = normalize(line_item(quantity=DROP))
    assert record.inventory_quantity == 150
    assert normalize(line_item(quantity="")).inventory_quantity == 150


def test_missing_quantity_and_locations_is_unknown_stock() -> None:
    record = normalize(
        line_item(quantity=DROP, locationAvailabilities=DROP), default_location="Shop location"
    )
    assert record.inventory_quantity is None
    assert record.total_quantity == 0
    assert record.inventory_status is InventoryStatus.OUT_OF_STOCK
    assert record.blocked_reason is BlockedReason.NO_STOCK


def test_the_stock_quantity_decides_in_stock_not_the_in_stock_flag() -> None:
    assert normalize(line_item(inStock=False)).inventory_status is InventoryStatus.IN_STOCK
    unstocked = line_item(inStock=True, quantity=0, locationAvailabilities=DROP)
    assert normalize(unstocked).inventory_status is InventoryStatus.OUT_OF_STOCK


def test_warehouses_mapping_to_one_shopify_location_are_summed() -> None:
    location_map = {**US_LOCATION_MAP, "Dallas": "Dallas Central"}
    entries = [location("Dallas", "7"), location("Dallas Central", 3), location("Dallas Central", "2")]
    record = normalize(line_item(quantity=DROP, locationAvailabilities=entries), location_map=location_map)
    assert dict(record.mapped_inventory)["Dallas Central"] == 12
    assert record.locations == (LocationQuantity("Dallas", 7), LocationQuantity("Dallas Central", 5))
    assert record.inventory_quantity == 12


def test_locations_are_sorted_by_name_and_keep_zeros_and_drop_nameless_entries() -> None:
    entries = [
        location("Miami, FL", "0"),
        location("Chicago Warehouse", "5"),
        {"availQuantity": "9"},
        location("", "4"),
        "not an entry",
        location("Dallas Central", None),
    ]
    record = normalize(line_item(quantity="5", locationAvailabilities=entries))
    assert [entry.location for entry in record.locations] == [
        "Chicago Warehouse",
        "Dallas Central",
        "Miami, FL",
    ]
    assert record.location_summary == "Chicago Warehouse: 5; Dallas Central: 0; Miami, FL: 0"


def test_an_empty_location_map_blocks_located_stock() -> None:
    record = normalize(line_item(), location_map={})
    assert record.mapped_inventory == ()
    assert record.blocked_reason is BlockedReason.NO_MAPPED_LOCATION
