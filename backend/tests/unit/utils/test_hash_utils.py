"""Change-detection hashes: stable for equal inputs, different for any change that matters."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from app.core.constants.extraction import InventoryStatus
from app.utils.boeing_normalize import normalize_line_item
from app.utils.hash_utils import canonical_json, content_hash, sync_hash, sync_hash_for

LOCATIONS = (("Chicago Warehouse", 50), ("Dallas Central", 100), ("Miami, FL", 0))
BASE = sync_hash(Decimal("28.05"), 150, "in_stock", LOCATIONS)


def test_sync_hash_is_sha256_of_the_documented_canonical_json() -> None:
    expected = hashlib.sha256(
        b'{"inventory_status":"in_stock","locations":[["Chicago Warehouse",50],["Dallas Central",100],'
        b'["Miami, FL",0]],"price_cents":2805,"total_quantity":150}'
    ).hexdigest()
    assert expected == BASE
    assert len(BASE) == 64


def test_sync_hash_ignores_order_representation_and_enum_type() -> None:
    assert sync_hash(Decimal("28.050"), 150, InventoryStatus.IN_STOCK, reversed(LOCATIONS)) == BASE
    assert sync_hash(Decimal("28.05"), 150, "in_stock", dict(LOCATIONS)) == BASE
    assert sync_hash(Decimal("28.045"), 150, "in_stock", list(LOCATIONS)) == BASE  # same price in cents


@pytest.mark.parametrize(
    "changed",
    [
        sync_hash(Decimal("28.06"), 150, "in_stock", LOCATIONS),
        sync_hash(None, 150, "in_stock", LOCATIONS),
        sync_hash(Decimal("28.05"), 149, "in_stock", LOCATIONS),
        sync_hash(Decimal("28.05"), 150, "out_of_stock", LOCATIONS),
        sync_hash(Decimal("28.05"), 150, "in_stock", (("Chicago Warehouse", 51), *LOCATIONS[1:])),
        sync_hash(Decimal("28.05"), 150, "in_stock", LOCATIONS[:2]),  # a location dropped
        sync_hash(Decimal("28.05"), 150, "in_stock", (("Chicago Warehouse", 100), ("Dallas Central", 50))),
    ],
)
def test_sync_hash_changes_with_any_synced_value(changed: str) -> None:
    assert changed != BASE


def test_sync_hash_for_a_record_matches_the_explicit_call() -> None:
    item = {
        "aviallPartNumber": "WF338109=K3",
        "listPrice": "25.50",
        "quantity": "150",
        "locationAvailabilities": [
            {"location": "Dallas Central", "availQuantity": "100"},
            {"location": "Chicago Warehouse", "availQuantity": "50"},
        ],
    }
    location_map = {
        "Dallas Central": "Dallas Central",
        "Chicago Warehouse": "Chicago Warehouse",
        "Miami, FL": "Miami, FL",
    }
    record = normalize_line_item(item, currency=None, location_map=location_map, default_location=None)
    assert sync_hash_for(record) == BASE
    repriced = dataclasses.replace(record, price=Decimal("28.10"))
    assert sync_hash_for(repriced) != BASE


def test_content_hash_is_key_order_independent_and_decimal_safe() -> None:
    first = {"b": [1, {"y": Decimal("1.50"), "x": "é"}], "a": None}
    second = {"a": None, "b": [1, {"x": "é", "y": Decimal("1.5")}]}
    assert content_hash(first) == content_hash(second)
    assert content_hash(first) != content_hash({"a": None, "b": [1, {"x": "é", "y": Decimal("1.51")}]})
    assert content_hash({"y": Decimal("1.5")}) != content_hash({"y": "1.5"})
    assert content_hash([1, 2]) != content_hash([2, 1])  # list order matters


def test_canonical_json_handles_project_types() -> None:
    class Colour(StrEnum):
        RED = "red"

    @dataclasses.dataclass
    class Point:
        x: int
        y: Decimal

    value = {
        "when": datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        "colour": Colour.RED,
        "point": Point(1, Decimal("2.00")),
        "tags": {"b", "a"},
        "pair": ("a", 1),
        "zero": Decimal("-0.00"),
    }
    assert canonical_json(value) == (
        '{"colour":"red","pair":["a",1],"point":{"x":1,"y":{"$decimal":"2"}},"tags":["a","b"],'
        '"when":"2026-11-26T10:00:00+00:00","zero":{"$decimal":"0"}}'
    )
    assert canonical_json({"name": "Düsseldorf"}) == '{"name":"Düsseldorf"}'


@pytest.mark.parametrize("value", [float("nan"), Decimal("NaN"), Decimal("Infinity")])
def test_canonical_json_rejects_non_finite_numbers(value: object) -> None:
    with pytest.raises(ValueError):
        content_hash({"v": value})


def test_canonical_json_rejects_unknown_types() -> None:
    with pytest.raises(TypeError):
        content_hash({"v": object()})
