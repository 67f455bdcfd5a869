"""§2.2 productVariantsBulkUpdate and §2.3 inventorySetQuantities across versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.emulators.shopify.conftest import Emu

LOC1 = "gid://shopify/Location/1"


def _ids(product: dict[str, Any]) -> tuple[str, str, str]:
    variant = product["variants"]["nodes"][0]
    return product["id"], variant["id"], variant["inventoryItem"]["id"]


def _update(emu: Emu, product_id: str, variants: list[dict[str, Any]]) -> dict[str, Any]:
    data = emu.data(emu.q.VARIANTS_UPDATE, {"productId": product_id, "variants": variants})
    payload: dict[str, Any] = data["productVariantsBulkUpdate"]
    return payload


def test_bulk_update_matches_the_contract(emu: Emu) -> None:
    product_id, variant_id, _ = _ids(emu.create_part())
    payload = _update(
        emu, product_id, [{"id": variant_id, "price": "28.60", "inventoryItem": {"cost": "26.00"}}]
    )
    assert payload == {
        "productVariants": [
            {"id": variant_id, "price": "28.60", "inventoryItem": {"unitCost": {"amount": "26.0"}}}
        ],
        "userErrors": [],
    }
    variant = emu.product_view(product_id)["variants"][0]
    assert (variant["price"], variant["cost"]) == ("28.60", "26.0")


def test_bulk_update_negative_price(emu: Emu) -> None:
    product_id, variant_id, _ = _ids(emu.create_part())
    payload = _update(emu, product_id, [{"id": variant_id, "price": "-5"}])
    assert payload["productVariants"] is None
    assert payload["userErrors"][0]["code"] == "GREATER_THAN_OR_EQUAL_TO"
    assert payload["userErrors"][0]["field"] == ["variants", "0", "price"]
    assert emu.product_view(product_id)["variants"][0]["price"] == "28.05"


def test_bulk_update_unknown_product_and_variant(emu: Emu) -> None:
    product_id, variant_id, _ = _ids(emu.create_part())
    missing = _update(emu, "gid://shopify/Product/77", [{"id": variant_id, "price": "1"}])
    assert missing["userErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"
    other = _update(emu, product_id, [{"id": "gid://shopify/ProductVariant/77", "price": "1"}])
    assert other["userErrors"][0]["code"] == "PRODUCT_VARIANT_DOES_NOT_EXIST"


def test_bulk_update_refuses_inventory_quantities(emu: Emu) -> None:
    product_id, variant_id, _ = _ids(emu.create_part())
    variants = [{"id": variant_id, "inventoryQuantities": [{"availableQuantity": 3, "locationId": LOC1}]}]
    payload = _update(emu, product_id, variants)
    assert payload["userErrors"][0]["code"] == "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE"


def test_bulk_update_is_all_or_nothing_unless_partial(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    data = part()
    data["productOptions"] = [{"name": "Title", "values": [{"name": "A"}, {"name": "B"}]}]
    data["variants"] = [
        {**data["variants"][0], "optionValues": [{"optionName": "Title", "name": "A"}], "sku": "A"},
        {**data["variants"][0], "optionValues": [{"optionName": "Title", "name": "B"}], "sku": "B"},
    ]
    product_id = emu.product_set(data)["product"]["id"]
    a, b = (v["id"] for v in emu.product_view(product_id)["variants"])
    bad = [{"id": a, "price": "10.00"}, {"id": b, "price": "-1"}]
    assert _update(emu, product_id, bad)["productVariants"] is None
    assert [v["price"] for v in emu.product_view(product_id)["variants"]] == ["28.05", "28.05"]
    query = emu.q.VARIANTS_UPDATE.replace("$variants)", "$variants, allowPartialUpdates: true)")
    partial = emu.data(query, {"productId": product_id, "variants": bad})["productVariantsBulkUpdate"]
    assert [v["id"] for v in partial["productVariants"]] == [a]
    assert [v["price"] for v in emu.product_view(product_id)["variants"]] == ["10.00", "28.05"]


def _quantity(item_id: str, quantity: int, **extra: Any) -> dict[str, Any]:
    return {"inventoryItemId": item_id, "locationId": LOC1, "quantity": quantity, **extra}


def _input(*quantities: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "name": "available",
        "reason": "correction",
        "referenceDocumentUri": "boeing-sync://run/2026-11-26T10",
        "quantities": list(quantities),
        **extra,
    }


def _levels(emu: Emu, item_id: str) -> dict[str, dict[str, int]]:
    nodes = emu.data(emu.q.LEVELS, {"id": item_id})["inventoryItem"]["inventoryLevels"]["nodes"]
    return {n["location"]["name"]: {q["name"]: q["quantity"] for q in n["quantities"]} for n in nodes}


def test_2025_10_compare_quantity_success(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    body = emu.inventory_set(_input(_quantity(item, 80, compareQuantity=100)), version="2025-10", key=None)
    payload = body["data"]["inventorySetQuantities"]
    assert payload["userErrors"] == []
    assert payload["inventoryAdjustmentGroup"]["changes"] == [
        {"name": "available", "delta": -20, "quantityAfterChange": 80, "location": {"id": LOC1}}
    ]
    assert _levels(emu, item)["Dallas Central"] == {"available": 80, "on_hand": 80}


def test_2025_10_compare_quantity_stale(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    body = emu.inventory_set(_input(_quantity(item, 80, compareQuantity=99)), version="2025-10", key=None)
    assert body["data"]["inventorySetQuantities"] == {
        "inventoryAdjustmentGroup": None,
        "userErrors": [
            {
                "field": ["input", "quantities", "0", "compareQuantity"],
                "message": "The compareQuantity value does not match persisted value.",
                "code": "COMPARE_QUANTITY_STALE",
            }
        ],
    }
    assert _levels(emu, item)["Dallas Central"]["available"] == 100


def test_2025_10_requires_compare_or_ignore(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    body = emu.inventory_set(_input(_quantity(item, 5)), version="2025-10", key=None)
    assert body["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "COMPARE_QUANTITY_REQUIRED"
    ok = emu.inventory_set(
        _input(_quantity(item, 5), ignoreCompareQuantity=True), version="2025-10", key=None
    )
    assert ok["data"]["inventorySetQuantities"]["userErrors"] == []
    assert _levels(emu, item)["Dallas Central"]["available"] == 5


def test_2026_01_accepts_both_styles_and_optional_key(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    first = emu.inventory_set(_input(_quantity(item, 90, compareQuantity=100)), version="2026-01", key=None)
    assert first["data"]["inventorySetQuantities"]["userErrors"] == []
    second = emu.inventory_set(_input(_quantity(item, 70, changeFromQuantity=90)), version="2026-01")
    assert second["data"]["inventorySetQuantities"]["userErrors"] == []
    stale = emu.inventory_set(_input(_quantity(item, 60, changeFromQuantity=90)), version="2026-01")
    assert stale["data"]["inventorySetQuantities"]["userErrors"][0]["code"] == "CHANGE_FROM_QUANTITY_STALE"


def test_2026_04_requires_an_idempotency_key(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    body = emu.inventory_set(_input(_quantity(item, 80, changeFromQuantity=100)), key=None)
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_KEY_REQUIRED"
    assert _levels(emu, item)["Dallas Central"]["available"] == 100


def test_2026_04_requires_change_from_quantity_on_every_quantity(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    body = emu.inventory_set(_input(_quantity(item, 80)))
    assert body["errors"][0]["extensions"]["code"] == "CHANGE_FROM_QUANTITY_REQUIRED"
    assert body["errors"][0]["path"][-1] == "changeFromQuantity"


def test_2026_04_change_from_quantity_stale_and_null_opt_out(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    stale = emu.inventory_set(_input(_quantity(item, 80, changeFromQuantity=7)))
    error = stale["data"]["inventorySetQuantities"]["userErrors"][0]
    assert (error["code"], error["field"]) == (
        "CHANGE_FROM_QUANTITY_STALE",
        ["input", "quantities", "0", "changeFromQuantity"],
    )
    ok = emu.inventory_set(_input(_quantity(item, 80, changeFromQuantity=100)))
    assert ok["data"]["inventorySetQuantities"]["userErrors"] == []
    blind = emu.inventory_set(_input(_quantity(item, 3, changeFromQuantity=None)))
    assert blind["data"]["inventorySetQuantities"]["userErrors"] == []
    assert _levels(emu, item)["Dallas Central"]["available"] == 3


def test_idempotent_replay_returns_the_original_result_once(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    data = _input(_quantity(item, 80, changeFromQuantity=100))
    first = emu.inventory_set(data, key="11111111-1111-1111-1111-111111111111")
    replay = emu.inventory_set(data, key="11111111-1111-1111-1111-111111111111")
    assert replay["data"] == first["data"]
    assert first["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"]["changes"][0]["delta"] == -20
    assert _levels(emu, item)["Dallas Central"]["available"] == 80  # applied once
    other = emu.inventory_set(
        _input(_quantity(item, 10, changeFromQuantity=80)), key="11111111-1111-1111-1111-111111111111"
    )
    payload = other["data"]["inventorySetQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert payload["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
    assert _levels(emu, item)["Dallas Central"]["available"] == 80


@pytest.mark.time_sensitive
def test_idempotency_keys_expire_after_a_day(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    emu.inventory_set(_input(_quantity(item, 80, changeFromQuantity=100)), key="day-key")
    emu.control("POST", "/clock/advance", {"seconds": 86_401})
    again = emu.inventory_set(_input(_quantity(item, 70, changeFromQuantity=80)), key="day-key")
    assert again["data"]["inventorySetQuantities"]["userErrors"] == []
    assert _levels(emu, item)["Dallas Central"]["available"] == 70


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "committed"}, "INVALID_NAME"),
        ({"reason": "because"}, "INVALID_REASON"),
        ({"referenceDocumentUri": "not a uri"}, "INVALID_REFERENCE_DOCUMENT"),
        ({"locationId": "gid://shopify/Location/404"}, "INVALID_LOCATION"),
        ({"locationId": "gid://shopify/Location/5"}, "INVALID_LOCATION"),
        ({"inventoryItemId": "gid://shopify/InventoryItem/404"}, "INVALID_INVENTORY_ITEM"),
        ({"locationId": "gid://shopify/Location/3"}, "ITEM_NOT_STOCKED_AT_LOCATION"),
        ({"quantity": -1}, "INVALID_QUANTITY_NEGATIVE"),
        ({"quantity": 2_000_000_000}, "INVALID_QUANTITY_TOO_HIGH"),
        ({"duplicate": True}, "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR"),
    ],
)
def test_inventory_user_error_codes(emu: Emu, change: dict[str, Any], code: str) -> None:
    _, _, item = _ids(emu.create_part())
    quantity = _quantity(item, 10, changeFromQuantity=None)
    data = _input(quantity)
    for key in ("name", "reason", "referenceDocumentUri"):
        if key in change:
            data[key] = change[key]
    for key in ("locationId", "inventoryItemId", "quantity"):
        if key in change:
            quantity[key] = change[key]
    if change.get("duplicate"):
        data["quantities"].append(dict(quantity))
    payload = emu.inventory_set(data)["data"]["inventorySetQuantities"]
    assert payload["inventoryAdjustmentGroup"] is None
    assert code in [e["code"] for e in payload["userErrors"]]
    assert _levels(emu, item)["Dallas Central"]["available"] == 100  # all-or-nothing


def test_on_hand_name_moves_available_by_the_same_delta(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    data = _input(_quantity(item, 120, changeFromQuantity=100))
    data["name"] = "on_hand"
    assert emu.inventory_set(data)["data"]["inventorySetQuantities"]["userErrors"] == []
    assert _levels(emu, item)["Dallas Central"] == {"available": 120, "on_hand": 120}


def test_inventory_item_fields(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    data = emu.data(emu.q.LEVELS, {"id": item})["inventoryItem"]
    assert data["tracked"] is True
    assert data["unitCost"] == {"amount": "25.5"}
    assert data["measurement"] == {"weight": {"value": 0.1, "unit": "POUNDS"}}


def test_distinct_literal_keys_are_distinct_requests(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    data = _input(_quantity(item, 80, changeFromQuantity=None))
    first = emu.inventory_set(data, key="aaaaaaaa-0000-0000-0000-000000000001")
    replay = emu.inventory_set(data, key="aaaaaaaa-0000-0000-0000-000000000001")
    other = emu.inventory_set(data, key="aaaaaaaa-0000-0000-0000-000000000002")

    def group(body: dict[str, Any]) -> str:
        group_id: str = body["data"]["inventorySetQuantities"]["inventoryAdjustmentGroup"]["id"]
        return group_id

    assert group(first) == group(replay)
    assert group(other) != group(first)  # same text shape, different key: a new adjustment


def test_idempotency_key_from_a_variable(emu: Emu) -> None:
    _, _, item = _ids(emu.create_part())
    query = emu.q.INV_SET.replace(
        "($input: InventorySetQuantitiesInput!)", "($input: InventorySetQuantitiesInput!, $key: String!)"
    )
    query = query % " @idempotent(key: $key)"
    data = _input(_quantity(item, 50, changeFromQuantity=100))
    first = emu.data(query, {"input": data, "key": "var-key"})
    assert emu.data(query, {"input": data, "key": "var-key"}) == first
    assert _levels(emu, item)["Dallas Central"]["available"] == 50
