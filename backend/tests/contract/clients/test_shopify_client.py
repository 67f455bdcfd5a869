"""ShopifyClient against the Shopify emulator: every document we send validates, throttling, userErrors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
import redis as redis_lib

from app.clients.shopify_client import ProductSetResult, ShopifyClient
from app.core.config import ShopifySettings
from app.core.exceptions import NonRetryableError, QuotaWait
from app.services.utils.inventory_mapper import build_inventory_set
from app.services.utils.metafield_builder import build_location_summary_metafield, metafield_definition_inputs
from app.services.utils.shopify_payload_builder import build_product_set, build_variant_price_update
from app.utils.shopify_rate_limiter import ShopifyCostLimiter
from tests.support.boeing_items import normalized
from tests.support.processes import Emulator, start_emulator

CODES = {"Dallas Central": "1D1"}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator("shopify", [])
    yield running
    running.stop()


@pytest.fixture
def shopify(emulator: Emulator) -> Emulator:
    httpx.post(f"{emulator.url}/_emulator/reset", json={}).raise_for_status()
    return emulator


def client_for(
    emulator: Emulator, redis_client: redis_lib.Redis[str], version: str = "2026-04"
) -> ShopifyClient:
    settings = ShopifySettings(
        store_domain="emulator.myshopify.com",
        admin_api_token="shpat_emulator_dev",
        api_version=version,
        graphql_url=f"{emulator.url}/admin/api/{version}/graphql.json",
        timeout_s=10,
    )
    limiter = ShopifyCostLimiter(redis_client, f"contract-{uuid.uuid4().hex[:6]}", max_wait_s=5)
    return ShopifyClient(settings, limiter)


def publish_one(client: ShopifyClient, sku: str = "WF338109=K3") -> tuple[dict[str, str], ProductSetResult]:
    for definition in metafield_definition_inputs():
        client.create_metafield_definition(definition)
    locations = {loc.name: loc.id for loc in client.locations() if loc.is_active}
    mapped = {name: locations[name] for name in ("Chicago Warehouse", "Dallas Central", "Miami, FL")}
    request = build_product_set(
        normalized(aviallPartNumber=sku), location_ids=mapped, inventory_location_codes=CODES, image_url=None
    )
    return mapped, client.product_set(request.variables)


def test_every_document_we_send_validates_and_does_what_it_says(
    shopify: Emulator, redis_client: redis_lib.Redis[str]
) -> None:
    client = client_for(shopify, redis_client)
    locations = client.locations()
    assert {loc.name for loc in locations if not loc.is_active} == {"Old Warehouse"}
    outcomes = [client.create_metafield_definition(body) for body in metafield_definition_inputs()]
    assert all(outcome.created for outcome in outcomes)
    assert not client.create_metafield_definition(metafield_definition_inputs()[1]).created, "TAKEN = exists"
    definitions = client.metafield_definitions()
    assert definitions["custom.aviall_part_number"] == ("single_line_text_field", True)
    assert definitions["custom.pma"] == ("boolean", False)

    mapped, result = publish_one(client)
    again = publish_one(client)[1]
    assert again == result, "productSet upserts by customId: the same product, variant and inventory item"
    assert result.handle == "wf338109--k3"

    # The part was just published, so the lookup is not None (index: a None would fail the test).
    assert (
        client.product_by_custom_id("custom", "aviall_part_number", "WF338109=K3")["id"]  # type: ignore[index]
        == result.product_id
    )
    assert client.product_by_custom_id("custom", "aviall_part_number", "NOPE=1") is None
    variants = client.variants_by_sku(["wf338109", "NOPE"])
    assert [v["id"] for v in variants] == [result.variant_id]
    found = client.search_variants(["WF338109"])
    assert found and found[0]["product"]["vendor"] == "BOEING COMMERCIAL AIRPLANES"
    assert {m["key"] for m in found[0]["product"]["metafields"]["nodes"]} >= {"aviall_part_number", "pma"}

    product_id, variant_id = result.product_id, result.variant_id
    assert variant_id is not None and result.inventory_item_id is not None  # a part has one variant
    updated = client.update_variants(
        build_variant_price_update(product_id, variant_id, Decimal("30.00"), Decimal("27.27"))
    )
    assert updated[0]["price"] == "30.00"
    quantities = {mapped["Dallas Central"]: 90, mapped["Chicago Warehouse"]: 50, mapped["Miami, FL"]: 0}
    previous = {mapped["Dallas Central"]: 100, mapped["Chicago Warehouse"]: 50, mapped["Miami, FL"]: 0}
    inventory = build_inventory_set(
        inventory_item_id=result.inventory_item_id,
        quantities=quantities,
        previous=previous,
        api_version="2026-04",
        reference="boeing-sync://contract/1",
    )
    changes = client.set_inventory_quantities(inventory.variables, idempotency_key=inventory.idempotency_key)
    assert any(change["delta"] == -10 for change in changes)
    replay = client.set_inventory_quantities(inventory.variables, idempotency_key=inventory.idempotency_key)
    assert replay == changes, "the same idempotency key replays the original result"
    record = normalized()
    metafields = build_location_summary_metafield(product_id, record, inventory_location_codes=CODES)
    assert {m["key"] for m in client.set_metafields(metafields["metafields"])} == {
        "location_summary",
        "inventory_location_code",
    }
    assert client.update_product_status(product_id, "DRAFT") == "DRAFT"
    assert client.delete_product(product_id) is True
    assert client.delete_product(product_id) is False
    stats = httpx.get(f"{shopify.url}/_emulator/stats").json()
    assert stats["validation_errors"] == 0


def test_compare_quantity_documents_validate_on_an_older_version(
    shopify: Emulator, redis_client: redis_lib.Redis[str]
) -> None:
    client = client_for(shopify, redis_client, version="2025-10")
    mapped, result = publish_one(client)
    assert result.inventory_item_id is not None  # a part has one variant
    inventory = build_inventory_set(
        inventory_item_id=result.inventory_item_id,
        quantities={mapped["Dallas Central"]: 7},
        previous={mapped["Dallas Central"]: 100},
        api_version="2025-10",
        reference="boeing-sync://contract/2",
    )
    assert inventory.idempotency_key is None
    changes = client.set_inventory_quantities(inventory.variables, idempotency_key=None)
    assert changes[0]["quantityAfterChange"] == 7


def test_throttled_waits_the_computed_time_then_succeeds(
    shopify: Emulator, redis_client: redis_lib.Redis[str]
) -> None:
    plan = {"restore_rate": 50, "bucket_size": 100, "max_query_cost": 1000}
    httpx.put(f"{shopify.url}/_emulator/plan", json=plan).raise_for_status()
    httpx.put(f"{shopify.url}/_emulator/bucket", json={"currently_available": 0}).raise_for_status()
    client = client_for(shopify, redis_client)
    with pytest.raises(QuotaWait) as throttled:
        client.locations()
    requested = 2 + 50  # locations(first: 50) with one object per node
    assert throttled.value.wait_s == pytest.approx(requested / 50, abs=0.1)
    assert client.limiter.state().restore_rate == 50
    assert client.limiter.state().maximum_available == 100
    time.sleep(throttled.value.wait_s)
    assert len(client.locations()) == 5
    stats = httpx.get(f"{shopify.url}/_emulator/stats").json()
    assert stats["throttled"] == 1


def test_user_errors_are_permanent_with_shopifys_message(
    shopify: Emulator, redis_client: redis_lib.Redis[str]
) -> None:
    client = client_for(shopify, redis_client)
    for definition in metafield_definition_inputs():
        client.create_metafield_definition(definition)
    inactive = next(loc.id for loc in client.locations() if loc.name == "Old Warehouse")
    request = build_product_set(
        normalized(), location_ids={"Dallas Central": inactive}, inventory_location_codes={}, image_url=None
    )
    with pytest.raises(NonRetryableError) as rejected:
        client.product_set(request.variables)
    assert "productSet" in rejected.value.message
    assert rejected.value.details and "INVALID_VARIANT" in rejected.value.details[0]
    products = httpx.get(f"{shopify.url}/_emulator/products").json()
    assert products.get("total", len(products.get("products", []))) == 0
