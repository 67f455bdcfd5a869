"""Publishing, published products and multi-part search through the ASGI app: contract shapes and 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from app.container import Container
from tests.support.boeing_items import normalized
from tests.support.processes import Emulator, start_emulator
from tests.support.publishing_factories import normalized_batch, stage


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator("shopify", [])
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def shopify(emulator: Emulator, env: dict[str, str]) -> Emulator:
    httpx.post(f"{emulator.url}/_emulator/reset", json={}).raise_for_status()
    env["SHOPIFY_GRAPHQL_URL"] = f"{emulator.url}/admin/api/2026-04/graphql.json"
    env["MAX_BULK_PUBLISH_SIZE"] = "3"
    return emulator


def publish_now(container: Container, *skus: str) -> str:
    """Publish staged SKUs in-process (the tasks' bodies) and return the batch id."""
    result = container.publishing_service.publish_bulk(
        part_numbers=list(skus), part_numbers_text=None, batch_id=None, idempotency_key=None, created_by="op"
    )
    container.publish_run_service.start_run(result.batch.id, result.batch.publish_run)
    with container.uow_factory() as uow:
        ids = uow.conn.execute(
            "SELECT id FROM batch_items WHERE batch_id = %s", (result.batch.id,)
        ).fetchall()
    for (item_id,) in ids:
        container.publish_run_service.publish_item(result.batch.id, item_id, last_attempt=True)
    return result.batch.id


def error(response: httpx.Response | Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


def test_single_publish_queues_a_one_item_batch(
    api: TestClient, auth_headers: dict[str, str], container: Container
) -> None:
    stage(container, [normalized()])
    response = api.post(
        "/api/v1/publishing/publish", json={"part_number": " wf338109=k3 "}, headers=auth_headers
    )
    assert response.status_code == 202
    body = response.json()
    assert body["success"] is True
    assert body["shopifyProductId"] is None
    batch = api.get(f"/api/v1/batches/{body['batch_id']}", headers=auth_headers).json()
    assert (batch["batch_type"], batch["status"], batch["total_items"]) == ("publish", "pending", 1)
    assert batch["publish_part_numbers"] == ["WF338109=K3"]


def test_single_publish_errors(
    api: TestClient, auth_headers: dict[str, str], container: Container, db: str
) -> None:
    stage(container, [normalized(aviallPartNumber="BLOCKED-1", listPrice="0", netPrice="0")])
    post = lambda body: api.post("/api/v1/publishing/publish", json=body, headers=auth_headers)  # noqa: E731
    assert error(post({"part_number": "UNKNOWN-1"})) == (404, "product_not_found")
    blocked = post({"part_number": "BLOCKED-1"})
    assert error(blocked) == (409, "product_not_publishable")
    assert "no_price" in blocked.json()["detail"]
    assert error(post({"part_number": ""})) == (422, "validation_error")
    assert error(post({"part_number": "X" * 51})) == (422, "validation_error")
    stage(container, [normalized()])
    missing = "00000000-0000-0000-0000-000000000000"
    assert error(post({"part_number": "WF338109=K3", "batch_id": missing})) == (404, "batch_not_found")
    assert error(post({"part_number": "WF338109=K3", "batch_id": "not-a-uuid"})) == (404, "batch_not_found")
    with psycopg.connect(db, autocommit=True) as conn:
        extract = conn.execute(
            "INSERT INTO batches (batch_type, status, created_by)"
            " VALUES ('extract', 'processing', 'op') RETURNING id"
        ).fetchone()
        running = conn.execute(
            "INSERT INTO batches (batch_type, status, created_by)"
            " VALUES ('publish', 'processing', 'op') RETURNING id"
        ).fetchone()
        assert extract is not None and running is not None  # INSERT ... RETURNING gives one row
        (extract_id,), (running_id,) = extract, running
    assert error(post({"part_number": "WF338109=K3", "batch_id": str(extract_id)})) == (
        409,
        "batch_not_ready",
    )
    assert error(post({"part_number": "WF338109=K3", "batch_id": str(running_id)})) == (
        409,
        "publish_in_progress",
    )


def test_bulk_publish_from_a_batch_is_a_new_run_and_idempotent_by_key(
    api: TestClient, auth_headers: dict[str, str], container: Container
) -> None:
    stage(container, [normalized(aviallPartNumber="WF338109=K3"), normalized(aviallPartNumber="WF338109=K5")])
    batch_id = normalized_batch(container, {"WF338109": ["WF338109=K3", "WF338109=K5"]})
    body = {"batch_id": batch_id, "idempotency_key": "run-1"}
    first = api.post("/api/v1/publishing/bulk", json=body, headers=auth_headers)
    assert first.status_code == 202
    accepted = first.json()
    assert accepted == {
        "batch_id": batch_id,
        "total_items": 2,
        "duplicates_removed": 0,
        "status": "processing",
        "message": accepted["message"],
        "idempotency_key": "run-1",
    }
    again = api.post("/api/v1/publishing/bulk", json=body, headers=auth_headers)
    assert again.status_code == 200
    assert again.json()["batch_id"] == batch_id
    assert "idempotent" in again.json()["message"]
    assert error(api.post("/api/v1/publishing/bulk", json={"batch_id": batch_id}, headers=auth_headers)) == (
        409,
        "publish_in_progress",
    )
    legacy = api.post("/api/bulk-publish", json={"part_numbers": ["A", "B", "C", "D"]}, headers=auth_headers)
    assert error(legacy) == (422, "too_many_part_numbers")
    assert legacy.headers["Deprecation"] == "true"


def test_bulk_publish_input_errors(api: TestClient, auth_headers: dict[str, str]) -> None:
    post = lambda body: api.post("/api/v1/publishing/bulk", json=body, headers=auth_headers)  # noqa: E731
    assert error(post({})) == (422, "validation_error")
    assert error(post({"part_numbers": ["A"], "part_numbers_text": "B"})) == (422, "validation_error")
    assert error(post({"part_numbers_text": " ,; "})) == (422, "no_part_numbers")
    over = post({"part_numbers_text": "A B C D"})
    assert error(over) == (422, "too_many_part_numbers")
    assert "4" in over.json()["detail"] and "3" in over.json()["detail"]
    accepted = post({"part_numbers_text": "a, A; b"})
    assert accepted.status_code == 202
    assert (accepted.json()["total_items"], accepted.json()["duplicates_removed"]) == (2, 1)
    missing = "00000000-0000-0000-0000-000000000000"
    assert error(post({"batch_id": missing})) == (404, "batch_not_found")


def test_metafield_setup_creates_then_reports_existing(api: TestClient, auth_headers: dict[str, str]) -> None:
    first = api.post("/api/v1/publishing/metafields/setup", headers=auth_headers).json()
    assert first["success"] is True
    assert "custom.aviall_part_number" in first["created"]
    assert len(first["created"]) == 17 and first["existing"] == [] and first["failed"] == []
    second = api.post("/api/v1/publishing/metafields/setup", headers=auth_headers).json()
    assert second["created"] == [] and len(second["existing"]) == 17


def test_metafield_setup_reports_a_definition_of_the_wrong_type(
    api: TestClient, auth_headers: dict[str, str], shopify: Emulator
) -> None:
    seeded = [{"namespace": "custom", "key": "pma", "type": "date"}]
    httpx.put(f"{shopify.url}/_emulator/metafield-definitions", json=seeded).raise_for_status()
    body = api.post("/api/v1/publishing/metafields/setup", headers=auth_headers).json()
    assert body["success"] is False
    assert body["failed"] == [{"key": "custom.pma", "error": "exists with type date, expected boolean"}]


def test_check_resolves_full_and_base_skus(
    api: TestClient, auth_headers: dict[str, str], container: Container
) -> None:
    stage(container, [normalized(aviallPartNumber="WF338109=K3")])
    publish_now(container, "WF338109=K3")
    with container.uow_factory() as uow:
        product = uow.products.get_by_sku("WF338109=K3")
        assert product is not None  # published above
        product_id = product.shopify_product_id
    check = lambda sku: api.get("/api/v1/publishing/check", params={"sku": sku}, headers=auth_headers)  # noqa: E731
    assert check("WF338109=K3").json() == {"shopifyProductId": product_id}
    assert check("wf338109").json() == {"shopifyProductId": product_id}
    assert check("WF338109=K9").json() == {"shopifyProductId": None}
    assert check("NOPE").json() == {"shopifyProductId": None}
    assert api.get("/api/shopify/check", params={"sku": "WF338109=K3"}, headers=auth_headers).json() == {
        "shopifyProductId": product_id
    }
    assert error(api.get("/api/v1/publishing/check", headers=auth_headers)) == (422, "validation_error")


def test_published_products_list_and_detail(
    api: TestClient, auth_headers: dict[str, str], container: Container
) -> None:
    stage(container, [normalized(aviallPartNumber="WF338109=K3"), normalized(aviallPartNumber="AN3-12A")])
    publish_now(container, "WF338109=K3", "AN3-12A")
    page = api.get("/api/v1/products/published", params={"search": "wf3"}, headers=auth_headers).json()
    assert (page["total"], page["limit"], page["offset"]) == (1, 50, 0)
    assert page["shopify_store_domain"] == "boeing-emulator"
    product = page["products"][0]
    assert product["sku"] == "WF338109=K3"
    assert product["price"] == 28.05 and product["cost_per_item"] == 25.5
    assert product["shopify_product_id"].isdigit() and product["shopify_variant_id"].isdigit()
    assert product["shopify_handle"] == "wf338109--k3"
    assert product["locations"] == [
        {"location": "Chicago Warehouse", "quantity": 50},
        {"location": "Dallas Central", "quantity": 100},
    ]
    assert product["image_url"].startswith("http://127.0.0.1:8000/media/images/")
    assert product["created_at"].endswith("Z")
    assert "status" not in product and "blocked_reason" not in product
    detail = api.get(f"/api/v1/products/published/{product['id']}", headers=auth_headers)
    assert detail.status_code == 200 and detail.json() == product
    assert error(api.get("/api/v1/products/published/nope", headers=auth_headers)) == (
        404,
        "product_not_found",
    )
    assert error(api.get("/api/v1/products/published", params={"limit": 101}, headers=auth_headers)) == (
        422,
        "validation_error",
    )


def test_update_writes_shopify_then_the_record(
    api: TestClient, auth_headers: dict[str, str], container: Container, shopify: Emulator
) -> None:
    stage(container, [normalized()])
    publish_now(container, "WF338109=K3")
    page = api.get("/api/v1/products/published", headers=auth_headers).json()
    product = page["products"][0]
    edited = {**product, "price": 31.5, "boeing_name": "GASKET, EDITED"}
    response = api.put(
        f"/api/v1/publishing/products/{product['shopify_product_id']}", json=edited, headers=auth_headers
    )
    assert response.status_code == 200
    assert response.json()["shopifyProductId"] == product["shopify_product_id"]
    assert response.json()["batch_id"] is None
    stored = api.get(f"/api/v1/products/published/{product['id']}", headers=auth_headers).json()
    assert (stored["price"], stored["boeing_name"]) == (31.5, "GASKET, EDITED")
    in_shopify = httpx.get(f"{shopify.url}/_emulator/products").json()["products"]
    assert len(in_shopify) == 1 and in_shopify[0]["variants"][0]["price"] == "31.50"
    put = lambda pid, body: api.put(f"/api/v1/publishing/products/{pid}", json=body, headers=auth_headers)  # noqa: E731
    assert error(put("999999", edited)) == (404, "shopify_product_not_found")
    assert error(put(product["shopify_product_id"], {**edited, "sku": "AN3-12A"})) == (
        422,
        "validation_error",
    )
    assert error(put(product["shopify_product_id"], {"title": "no sku"})) == (422, "validation_error")


def test_multi_part_search(api: TestClient, auth_headers: dict[str, str], container: Container) -> None:
    stage(container, [normalized(aviallPartNumber="WF338109=K3"), normalized(aviallPartNumber="AN3-12A")])
    publish_now(container, "WF338109=K3", "AN3-12A")
    body = {"part_numbers": ["wf338109=K9", "AN3-12A", "AN3-12A", "MISSING-1"]}
    result = api.post("/api/v1/search/multi-part", json=body, headers=auth_headers).json()
    assert result["success"] is True
    assert result["summary"] == {
        "total_requested": 4,
        "unique_searched": 3,
        "found": 2,
        "not_found": 1,
        "duplicates_removed": 1,
    }
    assert result["not_found_skus"] == ["MISSING-1"]
    found = {item["sku"]: item for item in result["found_products"]}
    assert set(found) == {"WF338109", "AN3-12A"}
    item = found["WF338109"]
    assert item["price"] == 28.05 and item["status"] == "active" and item["inventory_quantity"] == 150
    assert item["product_type"] == "Aircraft Parts" and "boeing" in item["tags"]
    assert {"namespace": "custom", "key": "aviall_part_number", "value": "WF338109=K3"} in item["metafields"]
    too_many = {"part_numbers": [f"P-{i}" for i in range(51)]}
    assert error(api.post("/api/v1/search/multi-part", json=too_many, headers=auth_headers)) == (
        422,
        "too_many_part_numbers",
    )
    assert api.post("/api/v1/search/multi-part", json=body).status_code == 401
