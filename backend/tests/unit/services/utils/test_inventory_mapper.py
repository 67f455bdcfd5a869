"""Stock writes: productSet quantities and the version-gated inventorySetQuantities input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.services.utils.inventory_mapper import (
    IDEMPOTENCY_NAMESPACE,
    build_inventory_set,
    product_set_inventory_quantities,
    uses_change_from_quantity,
)
from app.utils.hash_utils import canonical_json

ITEM = "gid://shopify/InventoryItem/1"
L1, L2, L3 = (f"gid://shopify/Location/{n}" for n in (1, 2, 3))
REFERENCE = "boeing-sync://run/2026-11-26T10"


def inventory_set(api_version: str, previous: dict[str, int | None] | None = None, **kwargs: Any) -> Any:
    options: dict[str, Any] = {
        "inventory_item_id": ITEM,
        "quantities": {L2: 80, L1: 5},
        "previous": previous,
        "api_version": api_version,
        "reference": REFERENCE,
    }
    options.update(kwargs)
    return build_inventory_set(**options)


@pytest.mark.parametrize(
    ("version", "modern"),
    [
        ("2025-07", False),
        ("2025-10", False),
        ("2026-01", True),
        ("2026-04", True),
        ("2027-01", True),
        ("unstable", True),
    ],
)
def test_versions_with_change_from_quantity(version: str, modern: bool) -> None:
    assert uses_change_from_quantity(version) is modern


@pytest.mark.parametrize("version", ["2025-7", "latest", "", "2026-04-01"])
def test_unknown_versions_are_rejected(version: str) -> None:
    with pytest.raises(ValueError):
        uses_change_from_quantity(version)


def test_2025_10_with_known_levels_compares_every_quantity() -> None:
    request = inventory_set("2025-10", previous={L1: 0, L2: 100})
    assert request.variables == {
        "input": {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": REFERENCE,
            "quantities": [
                {"inventoryItemId": ITEM, "locationId": L1, "quantity": 5, "compareQuantity": 0},
                {"inventoryItemId": ITEM, "locationId": L2, "quantity": 80, "compareQuantity": 100},
            ],
        }
    }
    assert request.idempotency_key is None
    assert request.api_version == "2025-10"


@pytest.mark.parametrize("previous", [None, {L1: 0}, {L1: 0, L2: None}])
def test_2025_10_without_every_level_ignores_the_compare(previous: dict[str, int | None] | None) -> None:
    body = inventory_set("2025-10", previous=previous).variables["input"]
    assert body["ignoreCompareQuantity"] is True
    assert all("compareQuantity" not in q and "changeFromQuantity" not in q for q in body["quantities"])


@pytest.mark.parametrize("version", ["2026-01", "2026-04"])
def test_newer_versions_use_change_from_quantity_and_an_idempotency_key(version: str) -> None:
    request = inventory_set(version, previous={L2: 100})
    body = request.variables["input"]
    assert body["quantities"] == [
        {"inventoryItemId": ITEM, "locationId": L1, "quantity": 5, "changeFromQuantity": None},
        {"inventoryItemId": ITEM, "locationId": L2, "quantity": 80, "changeFromQuantity": 100},
    ]
    assert "ignoreCompareQuantity" not in body
    assert (body["name"], body["reason"], body["referenceDocumentUri"]) == (
        "available",
        "correction",
        REFERENCE,
    )
    assert request.idempotency_key is not None
    assert uuid.UUID(request.idempotency_key).version == 5


def test_without_previous_levels_every_change_from_quantity_is_null() -> None:
    quantities = inventory_set("2026-04").variables["input"]["quantities"]
    assert [q["changeFromQuantity"] for q in quantities] == [None, None]


def test_the_idempotency_key_is_stable_for_a_retry_of_the_same_write() -> None:
    first = inventory_set("2026-04", previous={L1: 1, L2: 100})
    retry = inventory_set("2026-04", previous={L2: 100, L1: 1}, quantities={L1: 5, L2: 80})
    assert retry.idempotency_key == first.idempotency_key
    assert retry.variables == first.variables
    expected = uuid.uuid5(IDEMPOTENCY_NAMESPACE, canonical_json(first.variables))
    assert first.idempotency_key == str(expected)


@pytest.mark.parametrize(
    "change",
    [
        {"quantities": {L1: 5, L2: 81}},
        {"previous": {L1: 1, L2: 99}},
        {"reference": "boeing-sync://run/2026-11-26T11"},
        {"inventory_item_id": "gid://shopify/InventoryItem/2"},
        {"quantities": {L1: 5, L2: 80, L3: 0}},
    ],
)
def test_a_different_write_gets_a_different_key(change: dict[str, Any]) -> None:
    base = inventory_set("2026-04", previous={L1: 1, L2: 100})
    options: dict[str, Any] = {"previous": {L1: 1, L2: 100}, **change}
    assert inventory_set("2026-04", **options).idempotency_key != base.idempotency_key


@pytest.mark.parametrize("quantities", [{}, {L1: -1}, {f"gid://shopify/Location/{n}": 1 for n in range(251)}])
def test_invalid_quantities_are_rejected(quantities: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        inventory_set("2026-04", quantities=quantities)


def test_product_set_quantities_cover_every_location() -> None:
    ids = {"Dallas Central": L1, "Chicago Warehouse": L2, "Miami, FL": L3}
    quantities, unresolved = product_set_inventory_quantities(
        (("Chicago Warehouse", 50), ("Dallas Central", 100), ("Old Store", 4), ("Gone", 0)), ids
    )
    assert quantities == [
        {"locationId": L2, "name": "available", "quantity": 50},
        {"locationId": L1, "name": "available", "quantity": 100},
        {"locationId": L3, "name": "available", "quantity": 0},
    ]
    assert unresolved == ("Old Store",)
