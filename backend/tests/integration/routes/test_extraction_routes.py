"""``/api/v1/extraction`` through the ASGI app: single search against the Boeing emulator, bulk validation,
batch creation and idempotency (http-api §1.7, §1.8, §3.3)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.container import Container
from tests.support import extraction as fixtures
from tests.support.extraction import sample_codes

boeing_thread = fixtures.boeing_thread
boeing_control = fixtures.boeing_control
boeing_env = fixtures.boeing_env


@pytest.fixture
def search_api(boeing_env: dict[str, str], api: TestClient) -> TestClient:
    return api


def bulk(api: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return api.post("/api/v1/extraction/bulk", json=body, headers=headers)


# --- single search ------------------------------------------------------------------------------------------
def test_search_returns_every_variant_stages_them_and_keeps_the_raw_answer(
    search_api: TestClient, auth_headers: dict[str, str], boeing_control: httpx.Client, db: str
) -> None:
    base = sample_codes(boeing_control, "multi_variant", 1)[0]
    response = search_api.get(
        "/api/v1/extraction/search", params={"query": f" {base.lower()} "}, headers=auth_headers
    )
    assert response.status_code == 200, response.text
    products = response.json()
    assert len(products) >= 2
    assert {p["title"] for p in products} == {base}
    assert all(p["sku"].startswith(base + "=") for p in products)
    priced = [p for p in products if p["price"] is not None]
    for product in priced:
        assert isinstance(product["price"], float | int) and isinstance(product["cost_per_item"], float | int)
    assert set(products[0]) >= {"sku", "status", "blocked_reason", "locations", "location_summary", "pma"}
    with psycopg.connect(db) as conn:
        staged = conn.execute("SELECT sku, batch_id FROM product_staging ORDER BY sku").fetchall()
        raw = conn.execute("SELECT search_query, part_numbers FROM boeing_raw_data").fetchall()
    assert [sku for sku, _ in staged] == sorted(p["sku"] for p in products)
    assert all(batch_id is None for _, batch_id in staged)
    assert raw == [(base, [base])]
    # The raw data of the base part number is a suffixed line item of that answer, with its currency.
    raw_view = search_api.get(f"/api/v1/products/raw-data/{base}", headers=auth_headers).json()
    assert raw_view["raw_data"]["aviallPartNumber"].startswith(base + "=")
    assert raw_view["raw_data"]["currency"] == "USD"
    assert raw_view["search_query"] == base
    assert raw_view["fetched_at"].endswith("Z")


def test_search_for_an_unknown_part_is_an_empty_list(
    search_api: TestClient, auth_headers: dict[str, str]
) -> None:
    response = search_api.get(
        "/api/v1/extraction/search", params={"query": "NOTFOUND-42"}, headers=auth_headers
    )
    assert response.status_code == 200
    assert response.json() == []
    raw_view = search_api.get("/api/v1/products/raw-data/NOTFOUND-42", headers=auth_headers).json()
    assert raw_view["raw_data"] is None
    assert "NOTFOUND-42" in raw_view["message"]


@pytest.mark.parametrize("query", ["", "   ", "X" * 51, "AN3\x0012"])
def test_search_rejects_bad_part_numbers(
    search_api: TestClient, auth_headers: dict[str, str], query: str
) -> None:
    response = search_api.get("/api/v1/extraction/search", params={"query": query}, headers=auth_headers)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["field"] == "query"


def test_search_is_served_by_the_legacy_path_too(
    search_api: TestClient, auth_headers: dict[str, str]
) -> None:
    response = search_api.get("/api/boeing/product-search", params={"query": "AN3-12A"}, headers=auth_headers)
    assert response.status_code == 200
    assert response.headers["Deprecation"] == "true"
    assert "/api/v1/extraction/search" in response.headers["Link"]


@pytest.fixture
def one_per_minute(boeing_env: dict[str, str]) -> dict[str, str]:
    boeing_env.update(BOEING_QUOTA_REQUESTS="1", BOEING_QUOTA_WINDOW_S="60", BOEING_INTERACTIVE_WAIT_S="0.5")
    return boeing_env


def test_search_answers_429_when_no_slot_opens_within_its_bound(
    one_per_minute: dict[str, str], api: TestClient, auth_headers: dict[str, str]
) -> None:
    assert (
        api.get("/api/v1/extraction/search", params={"query": "AN3-12A"}, headers=auth_headers).status_code
        == 200
    )
    started = time.monotonic()
    response = api.get("/api/v1/extraction/search", params={"query": "AN3-12A"}, headers=auth_headers)
    assert response.status_code == 429
    assert response.json()["code"] == "boeing_rate_limited"
    assert 50 <= int(response.headers["Retry-After"]) <= 62
    assert time.monotonic() - started < 5


def test_search_translates_boeing_failures(
    search_api: TestClient, auth_headers: dict[str, str], boeing_control: httpx.Client
) -> None:
    boeing_control.post(
        "/faults", json={"endpoint": "price", "kind": "http_503", "count": 1}
    ).raise_for_status()
    response = search_api.get("/api/v1/extraction/search", params={"query": "AN3-12A"}, headers=auth_headers)
    assert response.status_code == 502
    assert response.json()["code"] == "boeing_error"


# --- bulk ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"part_numbers": []}, "no_part_numbers", "part_numbers"),
        ({"part_numbers": ["  ", ""]}, "no_part_numbers", "part_numbers"),
        ({"part_numbers_text": " ,; \n "}, "no_part_numbers", "part_numbers_text"),
        ({"part_numbers": ["AN3-12A", "X" * 51]}, "validation_error", "part_numbers[1]"),
        ({"part_numbers": ["AN3\x0712A"]}, "validation_error", "part_numbers[0]"),
        ({"part_numbers_text": "AN3-12A\n" + "Y" * 60}, "validation_error", "part_numbers_text"),
        ({"part_numbers": ["A"], "part_numbers_text": "B"}, "validation_error", "body"),
        ({}, "validation_error", "body"),
        ({"part_numbers": ["A"], "idempotency_key": "k" * 101}, "validation_error", "idempotency_key"),
        ({"part_numbers": "AN3-12A"}, "validation_error", "part_numbers"),
    ],
)
def test_bulk_rejects_bad_input_with_a_readable_422(
    api: TestClient, auth_headers: dict[str, str], db: str, body: dict[str, Any], code: str, field: str
) -> None:
    response = bulk(api, auth_headers, **body)
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["code"] == code
    assert isinstance(payload["detail"], str) and payload["detail"]
    assert payload["errors"][0]["field"] == field
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM batches").fetchone() == (0,)


def test_bulk_over_the_limit_names_the_count_and_the_limit(
    env: dict[str, str], api: TestClient, auth_headers: dict[str, str]
) -> None:
    assert isinstance(api.app, FastAPI)  # the client serves the app itself, unwrapped
    limit = api.app.state.container.settings.app.max_bulk_search_size
    response = bulk(api, auth_headers, part_numbers_text=" ".join(f"P{i}" for i in range(limit + 1)))
    assert response.status_code == 422
    assert response.json()["code"] == "too_many_part_numbers"
    assert response.json()["detail"] == f"{limit + 1} distinct part numbers were given; the limit is {limit}."


@pytest.fixture
def small_limit(env: dict[str, str]) -> dict[str, str]:
    env["MAX_BULK_SEARCH_SIZE"] = "3"
    return env


def test_bulk_limit_counts_distinct_part_numbers(
    small_limit: dict[str, str], api: TestClient, auth_headers: dict[str, str]
) -> None:
    assert bulk(api, auth_headers, part_numbers=["a", "A", "b", "c"]).status_code == 202
    response = bulk(api, auth_headers, part_numbers=["a", "b", "c", "d"])
    assert response.status_code == 422
    assert response.json()["detail"] == "4 distinct part numbers were given; the limit is 3."


def test_bulk_creates_the_batch_and_its_items_and_queues_the_orchestrator(
    api: TestClient, auth_headers: dict[str, str], db: str
) -> None:
    response = bulk(
        api, auth_headers, part_numbers_text="wf338109, AN3-12A;an3-12a\nNAS1149F0332P  WF338109=K3"
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["total_items"] == 4
    assert accepted["duplicates_removed"] == 1
    assert accepted["status"] == "pending"
    assert accepted["idempotency_key"] is None
    batch = api.get(f"/api/v1/batches/{accepted['batch_id']}", headers=auth_headers).json()
    assert batch["part_numbers"] == ["WF338109", "AN3-12A", "NAS1149F0332P", "WF338109=K3"]
    assert batch["batch_type"] == "extract"
    assert batch["total_items"] == 4
    assert batch["progress_percent"] == 0
    with psycopg.connect(db) as conn:
        items = conn.execute(
            "SELECT position, part_number, status, chunk_no FROM batch_items WHERE batch_id = %s"
            " ORDER BY position",
            (accepted["batch_id"],),
        ).fetchall()
        queued = conn.execute("SELECT task_name, args FROM task_outbox").fetchall()
    assert [part for _, part, _, _ in items] == batch["part_numbers"]
    assert {(status, chunk) for _, _, status, chunk in items} == {("queued", 0)}
    assert queued == [("tasks.extraction.process_bulk_search", [accepted["batch_id"]])]


def test_a_repeated_idempotency_key_answers_200_with_the_original_batch(
    api: TestClient, auth_headers: dict[str, str], db: str
) -> None:
    first = bulk(api, auth_headers, part_numbers=["AN3-12A", "AN3-12A"], idempotency_key="run-1")
    assert first.status_code == 202
    again = bulk(api, auth_headers, part_numbers=["SOMETHING-ELSE"], idempotency_key="run-1")
    assert again.status_code == 200
    body = again.json()
    assert body["batch_id"] == first.json()["batch_id"]
    assert body["idempotency_key"] == "run-1"
    assert body["duplicates_removed"] == 1 and body["total_items"] == 1
    assert "idempotent" in body["message"].lower()
    assert bulk(api, auth_headers, part_numbers=["AN3-12A"], idempotency_key="run-2").status_code == 202
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM batches").fetchone() == (2,)
        assert conn.execute("SELECT count(*) FROM task_outbox").fetchone() == (2,)


def test_bulk_is_served_by_the_legacy_path(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.post("/api/bulk-search", json={"part_numbers": ["AN3-12A"]}, headers=auth_headers)
    assert response.status_code == 202
    assert response.headers["Deprecation"] == "true"
    bad = api.post("/api/bulk-search", json={"part_numbers": []}, headers=auth_headers)
    assert bad.status_code == 422 and bad.headers["Deprecation"] == "true"


def test_bulk_requires_a_token(api: TestClient) -> None:
    response = api.post("/api/v1/extraction/bulk", json={"part_numbers": ["AN3-12A"]})
    assert response.status_code == 401
    assert response.json()["code"] == "missing_token"


def test_container_wires_the_pipeline(container: Container) -> None:
    assert container.extraction_service.chunks_in_flight >= 4
