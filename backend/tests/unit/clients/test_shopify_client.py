"""ShopifyClient error translation and cost accounting, over a mocked transport and a recording limiter."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.clients.shopify_client import ShopifyClient, gid, gid_number
from app.core.config import ShopifySettings
from app.core.exceptions import NonRetryableError, QuotaWait, RetryableError
from app.utils.shopify_rate_limiter import Reservation, ThrottleStatus

COST = {
    "requestedQueryCost": 20,
    "actualQueryCost": 17,
    "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1983, "restoreRate": 100.0},
}


@dataclass
class RecordingLimiter:
    acquired: list[tuple[float, str]] = field(default_factory=list)
    settled: list[dict[str, Any]] = field(default_factory=list)
    released: int = 0
    learned: dict[str, float] = field(default_factory=dict)

    def expected_cost(self, operation: str, default: float) -> float:
        return self.learned.get(operation, default)

    def acquire(self, cost: float, *, operation: str = "", max_wait_s: float | None = None) -> Reservation:
        self.acquired.append((cost, operation))
        return Reservation(token=f"t{len(self.acquired)}", cost=cost, operation=operation)

    def settle(
        self,
        reservation: Reservation,
        *,
        charged: float | None,
        status: ThrottleStatus | None,
        requested: Any = None,
    ) -> None:
        self.settled.append({"charged": charged, "status": status, "requested": requested})

    def release(self, reservation: Reservation) -> None:
        self.released += 1


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], limiter: RecordingLimiter | None = None
) -> tuple[ShopifyClient, RecordingLimiter]:
    limiter = limiter or RecordingLimiter()
    settings = ShopifySettings(
        store_domain="shop.myshopify.com",
        admin_api_token="shpat_test",
        graphql_url="http://shopify.test/graphql.json",
    )
    http = httpx.Client(transport=httpx.MockTransport(handler))
    # arg-type: a recording fake stands in for the Redis-backed ShopifyCostLimiter.
    return ShopifyClient(settings, limiter, http=http), limiter  # type: ignore[arg-type]


def answer(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(
        status, content=content, headers={"Content-Type": "application/json", **(headers or {})}
    )


def test_success_returns_data_and_settles_the_actual_cost() -> None:
    seen: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["token"] = request.headers["X-Shopify-Access-Token"]
        seen["body"] = json.loads(request.content)
        return answer({"data": {"locations": {"nodes": []}}, "extensions": {"cost": COST}})

    client, limiter = client_for(handler)
    data = client.execute(
        "query Locations { locations(first: 1) { nodes { id } } }", operation_name="Locations"
    )
    assert data == {"locations": {"nodes": []}}
    assert seen["token"] == "shpat_test"
    assert seen["body"]["operationName"] == "Locations"
    assert limiter.acquired == [(52.0, "Locations")]
    assert limiter.settled[0]["charged"] == 17
    assert limiter.settled[0]["requested"] == 20
    assert limiter.settled[0]["status"].restore_rate == 100.0


def test_throttled_raises_quota_wait_with_the_computed_wait_and_charges_nothing() -> None:
    throttled = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 752,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": 310,
                    "restoreRate": 100.0,
                },
            }
        },
    }
    client, limiter = client_for(lambda request: answer(throttled))
    with pytest.raises(QuotaWait) as wait:
        client.execute("query X { shop { id } }", operation_name="X")
    assert wait.value.wait_s == pytest.approx((752 - 310) / 100)
    assert wait.value.status_code == 429
    assert wait.value.code == "shopify_rate_limited"
    assert limiter.settled[0]["charged"] == 0
    assert limiter.released == 0


def test_throttled_as_http_429_is_a_quota_wait_too() -> None:
    body = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {"cost": {**COST, "actualQueryCost": None}},
    }
    client, _ = client_for(lambda request: answer(body, status=429))
    with pytest.raises(QuotaWait):
        client.execute("query X { shop { id } }", operation_name="X")


def test_daily_variant_limit_429_waits_by_retry_after() -> None:
    body = {"errors": "Daily variant creation limit reached. Please try again later."}
    client, limiter = client_for(lambda request: answer(body, status=429, headers={"Retry-After": "42"}))
    with pytest.raises(QuotaWait) as wait:
        client.execute("mutation M { x }", operation_name="ProductSet")
    assert wait.value.wait_s == 42
    assert "Daily variant creation limit" in wait.value.message
    assert limiter.settled[0]["charged"] == 0  # refused before running: nothing charged


@pytest.mark.parametrize(("status", "timeout"), [(500, False), (502, False), (503, False), (504, True)])
def test_5xx_is_retryable_and_keeps_the_reservation_spent(status: int, timeout: bool) -> None:
    client, limiter = client_for(lambda request: answer({"errors": "boom"}, status=status))
    with pytest.raises(RetryableError) as error:
        client.execute("query X { shop { id } }", operation_name="X")
    assert error.value.timeout is timeout
    assert limiter.released == 1
    assert limiter.settled == []


def test_transport_timeout_is_retryable_as_a_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client, limiter = client_for(handler)
    with pytest.raises(RetryableError) as error:
        client.execute("query X { shop { id } }", operation_name="X")
    assert error.value.timeout is True
    assert error.value.code == "shopify_timeout"
    assert limiter.released == 1


def test_malformed_success_body_is_retryable() -> None:
    client, _ = client_for(lambda request: answer(b'{"data": {"productSet": ', status=200))
    with pytest.raises(RetryableError):
        client.execute("query X { shop { id } }", operation_name="X")


def test_validation_errors_are_permanent_with_shopifys_message_and_cost_nothing() -> None:
    body = {
        "errors": [
            {
                "message": "Field 'skuu' doesn't exist on type 'ProductVariant'",
                "extensions": {"code": "undefinedField", "typeName": "ProductVariant", "fieldName": "skuu"},
            }
        ]
    }
    client, limiter = client_for(lambda request: answer(body))
    with pytest.raises(NonRetryableError) as error:
        client.execute("query X { productVariants { nodes { skuu } } }", operation_name="X")
    assert "Field 'skuu' doesn't exist" in error.value.message
    assert error.value.details == ["Field 'skuu' doesn't exist on type 'ProductVariant'"]
    assert limiter.settled[0]["charged"] == 0


def test_unauthorised_token_is_permanent() -> None:
    body = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
    client, _ = client_for(lambda request: answer(body, status=401))
    with pytest.raises(NonRetryableError) as error:
        client.execute("query X { shop { id } }", operation_name="X")
    assert "token" in error.value.message


def test_product_set_user_errors_are_permanent_with_message_and_code() -> None:
    body = {
        "data": {
            "productSet": {
                "product": None,
                "userErrors": [
                    {
                        "field": ["input", "variants", "0", "price"],
                        "message": "Price must be greater than or equal to 0",
                        "code": "INVALID_VARIANT",
                    }
                ],
            }
        },
        "extensions": {"cost": COST},
    }
    client, _ = client_for(lambda request: answer(body))
    with pytest.raises(NonRetryableError) as error:
        client.product_set({"identifier": {}, "input": {}})
    assert "Price must be greater than or equal to 0" in error.value.message
    assert "INVALID_VARIANT" in error.value.message
    assert error.value.status_code == 502


def test_product_set_returns_the_product_variant_and_inventory_item() -> None:
    body = {
        "data": {
            "productSet": {
                "product": {
                    "id": "gid://shopify/Product/7",
                    "handle": "wf338109--k3",
                    "status": "ACTIVE",
                    "variants": {
                        "nodes": [
                            {
                                "id": "gid://shopify/ProductVariant/8",
                                "sku": "WF338109",
                                "inventoryItem": {"id": "gid://shopify/InventoryItem/9"},
                            }
                        ]
                    },
                },
                "userErrors": [],
            }
        },
        "extensions": {"cost": COST},
    }
    client, _ = client_for(lambda request: answer(body))
    result = client.product_set({"identifier": {}, "input": {}})
    assert (result.product_id, result.variant_id, result.inventory_item_id) == (
        "gid://shopify/Product/7",
        "gid://shopify/ProductVariant/8",
        "gid://shopify/InventoryItem/9",
    )
    assert result.handle == "wf338109--k3"


def test_an_existing_metafield_definition_counts_as_done() -> None:
    body = {
        "data": {
            "metafieldDefinitionCreate": {
                "createdDefinition": None,
                "userErrors": [{"field": ["definition", "key"], "message": "Key is in use", "code": "TAKEN"}],
            }
        },
        "extensions": {"cost": COST},
    }
    client, _ = client_for(lambda request: answer(body))
    outcome = client.create_metafield_definition(
        {"definition": {"namespace": "custom", "key": "part_number"}}
    )
    assert (outcome.key, outcome.created) == ("custom.part_number", False)


def test_variant_search_quotes_skus_keeps_exact_matches_and_follows_pages() -> None:
    queries: list[dict[str, Any]] = []
    pages = [
        {
            "nodes": [
                {"sku": "WF338109", "id": "gid://shopify/ProductVariant/1"},
                {"sku": "WF338109X", "id": "x"},
            ],
            "pageInfo": {"hasNextPage": True, "endCursor": "c1"},
        },
        {
            "nodes": [{"sku": 'an"3', "id": "gid://shopify/ProductVariant/2"}],
            "pageInfo": {"hasNextPage": False},
        },
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        queries.append(json.loads(request.content)["variables"])
        return answer({"data": {"productVariants": pages[len(queries) - 1]}, "extensions": {"cost": COST}})

    client, limiter = client_for(handler)
    nodes = client.variants_by_sku(["WF338109", 'AN"3'], first=10)
    assert [node["id"] for node in nodes] == [
        "gid://shopify/ProductVariant/1",
        "gid://shopify/ProductVariant/2",
    ]
    assert queries[0]["q"] == 'sku:"WF338109" OR sku:"AN\\"3"'
    assert queries[1]["after"] == "c1"
    assert limiter.acquired[0] == (2 + 10 * 3, "BySku:10")


def test_inventory_set_sends_the_idempotency_key_as_a_directive() -> None:
    seen: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(json.loads(request.content))
        payload = {"inventoryAdjustmentGroup": {"id": "g", "changes": [{"delta": 1}]}, "userErrors": []}
        return answer({"data": {"inventorySetQuantities": payload}, "extensions": {"cost": COST}})

    client, _ = client_for(handler)
    key = "0b9c6b57-7f5c-5b8e-9a0e-3f0c2f1b2a11"
    changes = client.set_inventory_quantities({"input": {}}, idempotency_key=key)
    assert changes == [{"delta": 1}]
    assert f'@idempotent(key: "{key}")' in seen["query"]


def test_gid_helpers_round_trip() -> None:
    assert gid("Product", "12") == "gid://shopify/Product/12"
    assert gid("Product", "gid://shopify/Product/12") == "gid://shopify/Product/12"
    assert gid_number("gid://shopify/ProductVariant/99") == "99"
    assert gid_number("99") == "99"
    assert gid_number(None) is None
