"""The record codec: a NormalizedRecord to its stored JSON object and back, values taken as stored."""

from __future__ import annotations

import json
from decimal import Decimal

from app.core.constants.extraction import BlockedReason, InventoryStatus, StagingStatus
from app.utils.normalized_record import (
    NORMALIZED_VALUE_FIELDS,
    LocationQuantity,
    record_from_json,
    record_to_json,
)
from tests.support.boeing_items import location, normalized
from tests.support.publishing_factories import STORED_RECONCILIATION_PAYLOAD


def test_a_normalized_record_round_trips_through_its_json() -> None:
    for record in (normalized(), normalized(aviallPartNumber="AN3-12A", listPrice="0", netPrice="0")):
        stored = json.loads(json.dumps(record_to_json(record)))
        assert (
            record_from_json(record.sku, stored, status=record.status, blocked_reason=record.blocked_reason)
            == record
        )


def test_the_json_holds_every_value_with_exact_decimal_text() -> None:
    values = record_to_json(normalized(listPrice="30.005", weight="0.125"))
    assert tuple(values) == NORMALIZED_VALUE_FIELDS, "no sku or status: those are stored beside the values"
    assert (values["cost_per_item"], values["price"], values["weight"]) == ("30.01", "33.01", "0.125")
    assert values["dim_length"] == "2.5"
    assert values["inventory_status"] == "in_stock"
    assert values["locations"] == [
        {"location": "Chicago Warehouse", "quantity": 50},
        {"location": "Dallas Central", "quantity": 100},
    ]
    assert values["mapped_inventory"] == [
        ["Chicago Warehouse", 50],
        ["Dallas Central", 100],
        ["Miami, FL", 0],
    ]
    json.dumps(values)  # plain JSON: no Decimal, tuple or enum left


def test_values_stored_in_the_established_form_read_back_and_write_the_same_json() -> None:
    stored = STORED_RECONCILIATION_PAYLOAD["values"]
    record = record_from_json("WF338109=K3", stored, status=StagingStatus.PUBLISHED)
    assert (record.price, record.cost_per_item, record.dim_length) == (
        Decimal("28.05"),
        Decimal("25.50"),
        Decimal("2.5000"),
    )
    assert record.locations == (
        LocationQuantity("Chicago Warehouse", 50),
        LocationQuantity("Dallas Central", 100),
    )
    assert record.mapped_inventory == (("Chicago Warehouse", 50), ("Dallas Central", 100), ("Miami, FL", 0))
    assert (record.inventory_status, record.status, record.blocked_reason) == (
        InventoryStatus.IN_STOCK,
        StagingStatus.PUBLISHED,
        None,
    )
    assert json.dumps(record_to_json(record), sort_keys=True) == json.dumps(stored, sort_keys=True)


def test_a_row_is_taken_as_stored_and_not_normalized_again() -> None:
    # A row's columns as the driver reads them: numbers as Decimal, blanks as None, stock unsorted.
    row = {
        **record_to_json(normalized()),
        "price": Decimal("28.05"),
        "vendor": None,
        "body_html": None,
        "inventory_status": None,
        "inventory_quantity": 0,
        "locations": [
            {"location": "Dallas Central", "quantity": 0},
            {"location": "Chicago Warehouse", "quantity": 0},
        ],
    }
    record = record_from_json("WF338109=K3", row, status="blocked", blocked_reason="no_stock")
    assert (record.vendor, record.body_html) == (None, None), (
        "blank texts stay blank: the builders default them"
    )
    assert [entry.location for entry in record.locations] == ["Dallas Central", "Chicago Warehouse"]
    assert record.inventory_status == InventoryStatus.OUT_OF_STOCK, (
        "a missing stock status follows the quantity"
    )
    assert (record.status, record.blocked_reason) == (StagingStatus.BLOCKED, BlockedReason.NO_STOCK)


def test_the_api_dict_of_a_record_read_back_equals_the_normalized_one() -> None:
    record = normalized(locationAvailabilities=[location("Miami, FL", "7")], quantity="7")
    again = record_from_json(record.sku, record_to_json(record), status=record.status)
    assert again.to_dict() == record.to_dict()
