"""``/api/v1/batches`` and ``/api/v1/products/staging`` through the ASGI app, with batches run to completion
by an in-process broker against the Boeing emulator (http-api §2.1, §3.5, §3.6)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psycopg
import pytest
import redis as redis_lib
from fastapi.testclient import TestClient

from app.container import build_container
from app.main import create_app
from tests.support import extraction as fixtures
from tests.support.extraction import InlineBroker, sample_codes
from tests.support.settings import settings_from_env

boeing_thread = fixtures.boeing_thread
boeing_control = fixtures.boeing_control
boeing_env = fixtures.boeing_env


@pytest.fixture
def broker() -> InlineBroker:
    return InlineBroker()


@pytest.fixture
def client(
    boeing_env: dict[str, str],
    authed_env: dict[str, str],
    db: str,
    redis_client: redis_lib.Redis[str],
    broker: InlineBroker,
) -> Iterator[TestClient]:
    container = build_container(settings_from_env(authed_env), overrides={"dispatcher": broker})
    broker.container = container
    with TestClient(create_app(container.settings, container), raise_server_exceptions=False) as test_client:
        yield test_client
    container.close()


def run_bulk(client: TestClient, headers: dict[str, str], broker: InlineBroker, parts: list[str]) -> str:
    response = client.post("/api/v1/extraction/bulk", json={"part_numbers": parts}, headers=headers)
    assert response.status_code == 202, response.text
    broker.drain()
    return str(response.json()["batch_id"])


def test_a_completed_batch_reports_counters_progress_failures_and_skipped_parts(
    client: TestClient, auth_headers: dict[str, str], broker: InlineBroker, boeing_control: httpx.Client
) -> None:
    normal = sample_codes(boeing_control, "normal", 3)
    unpriced = sample_codes(boeing_control, "unpriced", 2)
    batch_id = run_bulk(client, auth_headers, broker, [*normal, *unpriced, "NOTFOUND-1"])
    batch = client.get(f"/api/v1/batches/{batch_id}", headers=auth_headers).json()
    assert batch["batch_type"] == "normalize" and batch["status"] == "completed"
    assert batch["extracted_count"] == batch["normalized_count"] + batch["skipped_count"] == 5
    assert batch["failed_count"] == 1
    assert batch["progress_percent"] == 100
    assert batch["completed_at"].endswith("Z") and batch["created_at"].endswith("Z")
    assert sorted(batch["skipped_part_numbers"]) == sorted(unpriced)
    assert batch["failed_items"] == [
        {
            "part_number": "NOTFOUND-1",
            "stage": "extraction",
            "error": "not found at Boeing",
            "attempts": 1,
            "updated_at": batch["failed_items"][0]["updated_at"],
            "timestamp": batch["failed_items"][0]["updated_at"],
        }
    ]
    failures = client.get(f"/api/v1/batches/{batch_id}/failures", headers=auth_headers).json()
    assert failures["total"] == 1 and failures["limit"] == 100 and failures["offset"] == 0
    assert failures["items"][0]["part_number"] == "NOTFOUND-1"
    assert "timestamp" not in failures["items"][0]
    none = client.get(f"/api/v1/batches/{batch_id}/failures?stage=publishing", headers=auth_headers).json()
    assert none["total"] == 0 and none["items"] == []


def test_staging_lists_a_batch_s_products_by_membership_with_filters(
    client: TestClient, auth_headers: dict[str, str], broker: InlineBroker, boeing_control: httpx.Client
) -> None:
    normal = sample_codes(boeing_control, "normal", 4)
    first = run_bulk(client, auth_headers, broker, normal[:3])
    second = run_bulk(client, auth_headers, broker, normal[2:])
    # The shared part now belongs (batch_id column) to the second batch, but stays a member of the first.
    page = client.get("/api/v1/products/staging", params={"batch_id": first}, headers=auth_headers).json()
    titles = {p["title"] for p in page["products"]}
    assert titles == set(normal[:3])
    assert page["total"] == len(page["products"])
    shared = [p for p in page["products"] if p["title"] == normal[2]]
    assert shared and all(p["batch_id"] == second for p in shared)
    product = page["products"][0]
    assert set(product) >= {"id", "batch_id", "shopify_product_id", "image_url", "created_by", "created_at"}
    assert product["created_at"].endswith("Z")
    found = client.get("/api/v1/products/staging", params={"search": normal[0].lower()}, headers=auth_headers)
    assert {p["title"] for p in found.json()["products"]} == {normal[0]}
    fetched = client.get(
        "/api/v1/products/staging", params={"status": "blocked"}, headers=auth_headers
    ).json()
    assert all(p["status"] == "blocked" for p in fetched["products"])
    paged = client.get(
        "/api/v1/products/staging", params={"limit": 1, "offset": 1}, headers=auth_headers
    ).json()
    assert len(paged["products"]) == 1 and paged["limit"] == 1 and paged["offset"] == 1
    unknown = client.get("/api/v1/products/staging", params={"batch_id": "not-a-uuid"}, headers=auth_headers)
    assert unknown.status_code == 200 and unknown.json()["total"] == 0
    legacy = client.get("/api/products/staging", headers=auth_headers)
    assert legacy.status_code == 200 and legacy.headers["Deprecation"] == "true"


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"status": "normalized"}, {"status": "FETCHED"}]
)
def test_staging_rejects_bad_query_values(
    client: TestClient, auth_headers: dict[str, str], params: dict[str, int | str]
) -> None:
    response = client.get("/api/v1/products/staging", params=params, headers=auth_headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_batches_list_newest_first_with_filters_and_pagination(
    client: TestClient, auth_headers: dict[str, str], broker: InlineBroker, boeing_control: httpx.Client
) -> None:
    done = run_bulk(client, auth_headers, broker, sample_codes(boeing_control, "normal", 2))
    failed = run_bulk(client, auth_headers, broker, ["NOTFOUND-9"])
    pending = client.post("/api/v1/extraction/bulk", json={"part_numbers": ["AN3-12A"]}, headers=auth_headers)
    pending_id = pending.json()["batch_id"]
    page = client.get("/api/v1/batches", headers=auth_headers).json()
    assert [b["id"] for b in page["batches"]] == [pending_id, failed, done]
    assert page["total"] == 3 and page["limit"] == 20 and page["offset"] == 0
    assert all(b["part_numbers"] is None and b["skipped_part_numbers"] is None for b in page["batches"])
    assert page["batches"][1]["failed_items"][0]["part_number"] == "NOTFOUND-9"
    slash = client.get("/api/v1/batches/", headers=auth_headers, follow_redirects=False)
    assert slash.status_code == 200 and slash.json()["total"] == 3
    only_failed = client.get("/api/v1/batches", params={"status": "failed"}, headers=auth_headers).json()
    assert [b["id"] for b in only_failed["batches"]] == [failed]
    normalize = client.get("/api/v1/batches", params={"batch_type": "normalize"}, headers=auth_headers).json()
    assert [b["id"] for b in normalize["batches"]] == [done]
    nobody = client.get("/api/v1/batches", params={"created_by": "someone-else"}, headers=auth_headers).json()
    assert nobody["total"] == 0
    second = client.get("/api/v1/batches", params={"limit": 1, "offset": 1}, headers=auth_headers).json()
    assert [b["id"] for b in second["batches"]] == [failed] and second["total"] == 3
    assert client.get("/api/batches", headers=auth_headers).headers["Deprecation"] == "true"
    for bad in ({"limit": 0}, {"limit": 101}, {"status": "done"}, {"batch_type": "sync"}):
        assert client.get("/api/v1/batches", params=bad, headers=auth_headers).status_code == 422


@pytest.mark.parametrize("batch_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_unknown_or_malformed_batch_ids_are_404(
    client: TestClient, auth_headers: dict[str, str], batch_id: str
) -> None:
    for method, path in (
        ("GET", f"/api/v1/batches/{batch_id}"),
        ("GET", f"/api/v1/batches/{batch_id}/failures"),
        ("DELETE", f"/api/v1/batches/{batch_id}"),
        ("GET", f"/api/batches/{batch_id}"),
    ):
        response = client.request(method, path, headers=auth_headers)
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "batch_not_found"


def test_cancel_skips_items_not_started_and_freezes_progress(
    client: TestClient,
    auth_headers: dict[str, str],
    broker: InlineBroker,
    boeing_control: httpx.Client,
    db: str,
) -> None:
    parts = sample_codes(boeing_control, "normal", 25)
    response = client.post("/api/v1/extraction/bulk", json={"part_numbers": parts}, headers=auth_headers)
    batch_id = response.json()["batch_id"]
    broker.drain(limit=3)  # the orchestrator and two chunks: 20 items done, the third chunk still queued
    before = client.get(f"/api/v1/batches/{batch_id}", headers=auth_headers).json()
    assert before["status"] == "processing"
    cancelled = client.delete(f"/api/v1/batches/{batch_id}", headers=auth_headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["batch_id"] == batch_id
    broker.drain()  # the in-flight messages arrive after the cancel: they skip cancelled items
    after = client.get(f"/api/v1/batches/{batch_id}", headers=auth_headers).json()
    assert after["status"] == "cancelled"
    assert after["progress_percent"] == before["progress_percent"]
    with psycopg.connect(db) as conn:
        counts: dict[str, int] = dict(
            conn.execute(
                "SELECT status, count(*) FROM batch_items WHERE batch_id = %s GROUP BY status", (batch_id,)
            ).fetchall()
        )
    assert counts.get("cancelled", 0) >= 5
    assert sum(counts.values()) == 25
    assert set(counts) <= {"normalized", "blocked", "failed", "cancelled"}
    again = client.delete(f"/api/v1/batches/{batch_id}", headers=auth_headers)
    assert again.status_code == 409 and again.json()["code"] == "batch_not_cancellable"
    legacy = client.delete(f"/api/batches/{batch_id}", headers=auth_headers)
    assert legacy.status_code == 409 and legacy.headers["Deprecation"] == "true"


def test_a_completed_batch_cannot_be_cancelled(
    client: TestClient, auth_headers: dict[str, str], broker: InlineBroker
) -> None:
    batch_id = run_bulk(client, auth_headers, broker, ["NOTFOUND-3"])
    response = client.delete(f"/api/v1/batches/{batch_id}", headers=auth_headers)
    assert response.status_code == 409
    assert response.json()["code"] == "batch_not_cancellable"
