"""§4.5 faults: every kind before execution, write-then-lose after execution, filters, seeded rates."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.contract.emulators.shopify.conftest import Emu


def _fault(emu: Emu, **rule: Any) -> dict[str, Any]:
    response = emu.control("POST", "/faults", rule)
    assert response.status_code == 201, response.text
    added: dict[str, Any] = response.json()[0]
    return added


def _count(emu: Emu) -> int:
    total: int = emu.control("GET", "/products").json()["total"]
    return total


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("http_500", 500),
        ("http_502", 502),
        ("http_503", 503),
        ("http_504", 504),
        ("http_429", 429),
        ("http_402", 402),
        ("http_403", 403),
        ("http_423", 423),
    ],
)
def test_http_faults_before_execution(
    emu: Emu, part: Callable[..., dict[str, Any]], kind: str, status: int
) -> None:
    _fault(emu, operation="productSet", kind=kind, count=1)
    response = emu.post(emu.q.PRODUCT_SET, {"input": part()})
    assert response.status_code == status
    assert _count(emu) == 0  # not executed
    if status == 429:
        assert response.headers["Retry-After"] == "2.0"
    assert emu.product_set(part())["userErrors"] == []  # count exhausted: the retry goes through
    assert emu.control("GET", "/stats").json()["faults_served"] == {kind: 1}


def test_throttled_fault(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    _fault(emu, operation="productSet", kind="throttled", count=1)
    body = emu.gql(emu.q.PRODUCT_SET, {"input": part()})
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["requestedQueryCost"] == 17
    assert _count(emu) == 0


def test_timeout_fault_holds_then_answers_504(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    _fault(emu, operation="*", kind="timeout", count=1, delay_s=0.2)
    started = time.monotonic()
    response = emu.post(emu.q.PRODUCT_SET, {"input": part()})
    assert response.status_code == 504
    assert time.monotonic() - started >= 0.2
    assert _count(emu) == 0


def test_malformed_json_fault(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    _fault(emu, operation="productSet", kind="malformed_json", count=1)
    response = emu.post(emu.q.PRODUCT_SET, {"input": part()})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert _count(emu) == 0


def test_drop_fault_closes_the_connection(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    _fault(emu, operation="productSet", kind="drop", count=1)
    with pytest.raises(httpx.TransportError):
        emu.post(emu.q.PRODUCT_SET, {"input": part()})
    assert _count(emu) == 0


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("http_502", {}),
        ("http_504", {}),
        ("timeout", {"delay_s": 0.05}),
        ("malformed_json", {}),
        ("drop", {}),
    ],
)
def test_phase_after_applies_the_write_then_loses_the_response(
    emu: Emu, part: Callable[..., dict[str, Any]], kind: str, extra: dict[str, Any]
) -> None:
    _fault(emu, operation="productSet", kind=kind, phase="after", count=1, **extra)
    try:
        response = emu.post(
            emu.q.PRODUCT_SET,
            {"input": part()},
        )
        if kind == "malformed_json":
            with pytest.raises(json.JSONDecodeError):
                json.loads(response.text)
        else:
            assert response.status_code in (502, 504)
    except httpx.TransportError:
        assert kind == "drop"
    hits = emu.data(emu.q.BY_SKU, {"first": 5, "q": "sku:WF338109"})["productVariants"]["nodes"]
    assert len(hits) == 1  # the write happened
    retry = emu.product_set(part(), {"handle": "wf338109"})  # an idempotent retry updates, never duplicates
    assert retry["product"]["id"] == hits[0]["product"]["id"]
    assert _count(emu) == 1


def test_phase_after_inventory_write_is_applied(emu: Emu) -> None:
    product = emu.create_part()
    item = product["variants"]["nodes"][0]["inventoryItem"]["id"]
    _fault(emu, operation="inventorySetQuantities", kind="http_502", phase="after", count=1)
    quantity = {
        "inventoryItemId": item,
        "locationId": "gid://shopify/Location/1",
        "quantity": 5,
        "changeFromQuantity": 100,
    }
    data = {"name": "available", "reason": "correction", "quantities": [quantity]}
    key = "22222222-2222-2222-2222-222222222222"
    query = emu.q.INV_SET % f' @idempotent(key: "{key}")'
    assert emu.post(query, {"input": data}).status_code == 502
    replay = emu.inventory_set(data, key=key)  # same key + same input: the original result, applied once
    assert replay["data"]["inventorySetQuantities"]["userErrors"] == []
    assert emu.product_view(product["id"])["variants"][0]["inventory"] == {"Dallas Central": 5}


def test_operation_filter(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    _fault(emu, operation="productSet", kind="http_500")
    assert emu.post("{ shop { name } }").status_code == 200
    assert emu.post(emu.q.PRODUCT_SET, {"input": part()}).status_code == 500


def test_match_sku(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    product = emu.create_part("AAA")
    emu.create_part("BBB")
    _fault(emu, operation="*", kind="http_503", match_sku="aaa")
    assert emu.post(emu.q.PRODUCT_SET, {"input": part("BBB")}).status_code == 200
    assert emu.post(emu.q.PRODUCT_SET, {"input": part("AAA")}).status_code == 503
    update = {
        "productId": product["id"],
        "variants": [{"id": product["variants"]["nodes"][0]["id"], "price": "1"}],
    }
    assert emu.post(emu.q.VARIANTS_UPDATE, update).status_code == 503  # ids resolve to the SKU
    assert emu.post(emu.q.BY_SKU, {"first": 5, "q": 'sku:"AAA"'}).status_code == 503
    assert emu.post(emu.q.BY_SKU, {"first": 5, "q": 'sku:"BBB"'}).status_code == 200


def _pattern(emu: Emu, seed: int) -> list[int]:
    emu.control("POST", "/reset", {"seed": seed})
    _fault(emu, operation="shop", kind="http_500", rate=0.5)
    return [emu.post("{ shop { name } }").status_code for _ in range(24)]


def test_rates_are_reproducible_with_a_seed(emu: Emu) -> None:
    first = _pattern(emu, 7)
    assert first == _pattern(emu, 7)
    assert {200, 500} <= set(first)


def test_fault_rules_are_listed_and_removable(emu: Emu) -> None:
    rule = _fault(emu, operation="shop", kind="http_500", count=2)
    assert rule["remaining"] == 2
    emu.post("{ shop { name } }")
    listed = emu.control("GET", "/faults").json()
    assert [(f["id"], f["fired"], f["remaining"]) for f in listed] == [(rule["id"], 1, 1)]
    assert emu.control("DELETE", f"/faults/{rule['id']}").status_code == 200
    assert emu.control("DELETE", f"/faults/{rule['id']}").status_code == 404
    assert emu.post("{ shop { name } }").status_code == 200


def test_invalid_fault_rules_are_422(emu: Emu) -> None:
    assert emu.control("POST", "/faults", {"kind": "meteor"}).status_code == 422
    assert emu.control("POST", "/faults", {"kind": "http_500", "rate": 2}).status_code == 422
    assert emu.control("POST", "/faults", {"kind": "http_500", "phase": "during"}).status_code == 422
