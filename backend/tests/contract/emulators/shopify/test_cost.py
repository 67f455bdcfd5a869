"""§3/§4.3 calculated cost, leaky bucket per token, THROTTLED and MAX_COST_EXCEEDED."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.contract.emulators.shopify.conftest import Emu

TEXT = "single_line_text_field"
PLAIN_SET = """mutation P($input: ProductSetInput!) {
  productSet(input: $input) { product { id } userErrors { code } } }"""


def _with_metafields(part: Callable[..., dict[str, Any]], count: int) -> dict[str, Any]:
    data = part()
    data["metafields"] = [
        {"namespace": "custom", "key": f"field_{i:02d}", "type": TEXT, "value": "v"} for i in range(count)
    ]
    return data


def test_product_set_dynamic_cost(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    body = emu.gql(PLAIN_SET, {"input": _with_metafields(part, 12)})
    cost = body["extensions"]["cost"]
    # 10 + 0.2 x 1 variant + 0.4 x 12 metafields + 1.9 x 1 file = 16.9 -> 17; payload objects are free.
    assert cost["requestedQueryCost"] == 17
    assert cost["actualQueryCost"] == 17


def test_product_set_payload_connections_are_added(emu: Emu, part: Callable[..., dict[str, Any]]) -> None:
    body = emu.gql(emu.q.PRODUCT_SET, {"input": _with_metafields(part, 12)})
    # + variants(first: 1) { nodes { ... inventoryItem { id } } } = 2 + 1 x (1 + 1)
    assert body["extensions"]["cost"]["requestedQueryCost"] == 17 + 4


def test_product_variants_first_250_requests_752(emu: Emu) -> None:
    emu.create_part()
    body = emu.gql(emu.q.BY_SKU, {"first": 250, "q": "sku:WF338109"})
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 752
    assert cost["actualQueryCost"] == 2 + 1 * 3  # one node returned
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 2000.0
    assert status["restoreRate"] == 100.0
    assert isinstance(status["currentlyAvailable"], int)


def test_bucket_is_charged_the_actual_cost(emu: Emu) -> None:
    # A near-zero restore rate keeps real elapsed time out of the figures.
    emu.control("PUT", "/plan", {"restore_rate": 0.001, "bucket_size": 2000, "max_query_cost": 1000})
    emu.control("PUT", "/bucket", {"currently_available": 1000})
    body = emu.gql(emu.q.BY_SKU, {"first": 250, "q": "sku:nothing"})
    assert body["extensions"]["cost"]["requestedQueryCost"] == 752
    assert body["extensions"]["cost"]["actualQueryCost"] == 2
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 998


def test_simple_mutations_cost_ten(emu: Emu) -> None:
    product = emu.create_part()
    body = emu.gql(emu.q.SET_STATUS, {"product": {"id": product["id"], "status": "DRAFT"}})
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


def test_throttled_when_the_bucket_is_short_then_wait_is_computable(emu: Emu) -> None:
    emu.create_part()
    drained = emu.control("PUT", "/bucket", {"currently_available": 0}).json()
    assert drained["throttleStatus"]["currentlyAvailable"] == 0
    response = emu.post(emu.q.BY_SKU, {"first": 250, "q": "sku:WF338109"})
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Throttled",
            "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
        }
    ]
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 752
    assert cost["actualQueryCost"] is None
    status = cost["throttleStatus"]
    wait = (cost["requestedQueryCost"] - status["currentlyAvailable"]) / status["restoreRate"]
    assert 6.0 < wait <= 7.52  # 752 points at 100/s from an (almost) empty bucket
    emu.control("POST", "/clock/advance", {"seconds": wait + 0.05})
    retried = emu.gql(emu.q.BY_SKU, {"first": 250, "q": "sku:WF338109"})
    assert retried["data"]["productVariants"]["nodes"][0]["sku"] == "WF338109"
    stats = emu.control("GET", "/stats").json()
    assert stats["throttled"] == 1
    assert stats["per_token"][emu.token]["throttled"] == 1


def test_throttled_http_status_can_be_429(emu: Emu) -> None:
    # One point in 1,000 s: the drained bucket stays drained while the test runs.
    slow = {"restore_rate": 0.001, "bucket_size": 2000, "max_query_cost": 1000}
    emu.control("PUT", "/plan", {**slow, "throttle_http_status": 429})
    emu.control("PUT", "/bucket", {"currently_available": 0})
    response = emu.post("{ locations(first: 5) { nodes { id } } }")
    assert response.status_code == 429
    assert response.json()["errors"][0]["extensions"]["code"] == "THROTTLED"


def test_buckets_are_per_token(emu: Emu) -> None:
    # A restore rate of one point in 1,000 s: the drained bucket stays empty however slowly the test runs.
    emu.control("PUT", "/plan", {"restore_rate": 0.001, "bucket_size": 2000, "max_query_cost": 1000})
    emu.control("PUT", "/bucket", {"currently_available": 0})
    assert emu.post("{ shop { name } }").json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    other = emu.gql("{ shop { name } }", token=emu.other_token)
    assert other["data"]["shop"]["name"] == "Emulator Shop"
    assert other["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 1999


def test_max_cost_exceeded_is_not_executed(emu: Emu) -> None:
    query = "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }"
    body = emu.gql(query)
    assert "data" not in body
    requested = 2 + 250 * (1 + 2 + 250 * 1)
    assert body["errors"][0]["message"] == (
        f"Query cost is {requested}, which exceeds the single query max cost limit (1000)."
    )
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["extensions"]["cost"] == requested
    assert body["errors"][0]["extensions"]["maxCost"] == 1000
    assert emu.control("GET", "/stats").json()["max_cost_exceeded"] == 1


@pytest.mark.parametrize(
    ("plan", "rate", "size"),
    [("advanced", 200.0, 4000.0), ("plus", 1000.0, 20000.0), ("enterprise", 2000.0, 40000.0)],
)
def test_plan_presets(emu: Emu, plan: str, rate: float, size: float) -> None:
    assert emu.control("PUT", "/plan", {"plan": plan}).status_code == 200
    status = emu.gql("{ shop { name } }")["extensions"]["cost"]["throttleStatus"]
    assert (status["restoreRate"], status["maximumAvailable"]) == (rate, size)


def test_custom_plan(emu: Emu) -> None:
    response = emu.control("PUT", "/plan", {"restore_rate": 10, "bucket_size": 50, "max_query_cost": 40})
    assert response.json()["bucket_size"] == 50
    body = emu.gql("{ locations(first: 50) { nodes { id } } }")
    assert body["errors"][0]["extensions"]["maxCost"] == 40
    status = emu.gql("{ shop { name } }")["extensions"]["cost"]["throttleStatus"]
    assert (status["maximumAvailable"], status["restoreRate"], status["currentlyAvailable"]) == (
        50.0,
        10.0,
        49,
    )


def test_bucket_refills_with_the_virtual_clock(emu: Emu) -> None:
    emu.control("PUT", "/plan", {"restore_rate": 1, "bucket_size": 500, "max_query_cost": 400})
    emu.control("PUT", "/bucket", {"currently_available": 100})
    emu.control("POST", "/clock/advance", {"seconds": 200})
    status = emu.control("GET", "/bucket").json()["throttleStatus"]
    assert 300 <= status["currentlyAvailable"] <= 305  # 200 virtual seconds at 1 point/s
    emu.control("POST", "/clock/advance", {"seconds": 1000})
    assert emu.control("GET", "/bucket").json()["throttleStatus"]["currentlyAvailable"] == 500
