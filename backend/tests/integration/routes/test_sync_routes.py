"""``/api/v1/sync`` through the ASGI app: shapes, aggregates, pagination, errors and legacy paths."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.support.sync_factories import Published, insert_published

PRODUCT_KEYS = {
    "id", "sku", "hour_bucket", "sync_status", "last_sync_at", "consecutive_failures", "last_error",
    "last_price", "last_quantity", "last_inventory_status", "last_location_summary", "is_active",
    "created_by", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection


@pytest.fixture
def sync_env(authed_env: dict[str, str]) -> dict[str, str]:
    authed_env.update(SYNC_BUCKET_COUNT="24", BOEING_QUOTA_REQUESTS="2", BOEING_QUOTA_WINDOW_S="60")
    return authed_env


def _seed(conn: psycopg.Connection) -> None:
    """12 active products in bucket 3 (an active slot), 2 in bucket 5 (filling), 1 inactive in bucket 7."""
    insert_published(
        conn,
        [Published(f"B3-{i:02d}") for i in range(10)],
        bucket=3,
        sync_status="success",
        last_sync_at=datetime.now(UTC),
        last_attempt_at=datetime.now(UTC),
    )
    insert_published(
        conn,
        [Published("B3-FAIL-1"), Published("B3-FAIL-2")],
        bucket=3,
        sync_status="failed",
        consecutive_failures=3,
        last_error="RetryableError: Boeing 503",
        last_attempt_at=datetime.now(UTC),
    )
    insert_published(conn, [Published("B5-01"), Published("B5-02")], bucket=5)
    insert_published(conn, [Published("B7-OFF")], bucket=7, is_active=False, sync_status="failed",
                     consecutive_failures=5, last_error="NonRetryableError: userErrors",
                     last_attempt_at=datetime.now(UTC) - timedelta(hours=30))  # fmt: skip


def test_empty_schedule_gives_zeros_never_an_error(
    sync_env: dict[str, str], api: TestClient, auth_headers: dict[str, str]
) -> None:
    dashboard = api.get("/api/v1/sync/dashboard", headers=auth_headers)
    assert dashboard.status_code == 200
    body = dashboard.json()
    assert (
        body["total_products"] == 0 and body["success_rate_percent"] == 0 and body["efficiency_percent"] == 0
    )
    assert body["status_counts"] == {"pending": 0, "syncing": 0, "success": 0, "failed": 0}
    assert len(body["slot_distribution"]) == 24 and {s["status"] for s in body["slot_distribution"]} == {
        "dormant"
    }
    # 2 calls/min * 1440 * share 0.5 * 10 SKUs.
    assert body["catalog_capacity_per_day"] == 14_400
    assert body["effective_sync_interval_hours"] == 24.0
    assert body["last_updated"].endswith("Z")
    for path, key in (("history", "items"), ("failures", "products"), ("products", "products")):
        page = api.get(f"/api/v1/sync/{path}", headers=auth_headers).json()
        assert page[key] == [] and page["total"] == 0
    hourly = api.get("/api/v1/sync/hourly-stats", headers=auth_headers).json()
    assert len(hourly["hours"]) == 24 and all(hour["total"] == 0 for hour in hourly["hours"])


def test_dashboard_and_hourly_stats_aggregate_the_schedule(
    sync_env: dict[str, str], api: TestClient, auth_headers: dict[str, str], conn: psycopg.Connection
) -> None:
    _seed(conn)
    body = api.get("/api/v1/sync/dashboard", headers=auth_headers).json()
    assert (body["total_products"], body["active_products"], body["inactive_products"]) == (15, 14, 1)
    assert body["status_counts"] == {"pending": 2, "syncing": 0, "success": 10, "failed": 3}
    assert body["high_failure_count"] == 3
    assert body["success_rate_percent"] == pytest.approx(66.67)
    assert (body["active_slots"], body["filling_slots"], body["dormant_slots"]) == (1, 1, 22)
    # ceil(14 / 10) slots needed over 2 used.
    assert body["efficiency_percent"] == 100.0
    slots = {slot["hour"]: (slot["count"], slot["status"]) for slot in body["slot_distribution"]}
    assert slots[3] == (12, "active") and slots[5] == (2, "filling") and slots[7] == (0, "dormant")
    assert body["sync_mode"] == "production" and body["max_buckets"] == 24
    assert body["current_hour"] == datetime.now(UTC).hour
    hourly = api.get("/api/v1/sync/hourly-stats", headers=auth_headers).json()
    hour3 = hourly["hours"][3]
    assert hour3 == {"hour": 3, "total": 12, "pending": 0, "syncing": 0, "success": 10, "failed": 2}
    assert hourly["hours"][7]["total"] == 0, "inactive products are not counted"


def test_products_list_filters_and_paginates(
    sync_env: dict[str, str], api: TestClient, auth_headers: dict[str, str], conn: psycopg.Connection
) -> None:
    _seed(conn)
    page = api.get("/api/v1/sync/products", params={"limit": 5, "offset": 10}, headers=auth_headers).json()
    assert page["total"] == 15 and (page["limit"], page["offset"]) == (5, 10)
    assert [p["sku"] for p in page["products"]] == ["B3-FAIL-1", "B3-FAIL-2", "B5-01", "B5-02", "B7-OFF"]
    first = page["products"][0]
    assert set(first) == PRODUCT_KEYS
    assert isinstance(first["last_price"], float) and first["last_price"] == 25.5
    every = api.get("/api/v1/sync/products", params={"limit": 200}, headers=auth_headers).json()["products"]
    order = [(p["hour_bucket"], p["sku"]) for p in every]
    assert order == sorted(order)
    failed = api.get(
        "/api/v1/sync/products", params={"status": "failed", "active_only": "true"}, headers=auth_headers
    )
    assert {p["sku"] for p in failed.json()["products"]} == {"B3-FAIL-1", "B3-FAIL-2"}
    by_hour = api.get(
        "/api/v1/sync/products", params={"hour": 5, "search": "b5-0"}, headers=auth_headers
    ).json()
    assert [p["sku"] for p in by_hour["products"]] == ["B5-01", "B5-02"]
    one = api.get("/api/v1/sync/products/b5-01", headers=auth_headers)
    assert one.status_code == 200 and one.json()["sku"] == "B5-01"
    insert_published(conn, [Published("WF338109=K3")], bucket=9)
    variant = api.get("/api/v1/sync/products/WF338109%3DK3", headers=auth_headers)
    assert (variant.status_code, variant.json()["sku"]) == (200, "WF338109=K3"), "a percent-encoded = suffix"


def test_history_and_failures_follow_the_contract(
    sync_env: dict[str, str], api: TestClient, auth_headers: dict[str, str], conn: psycopg.Connection
) -> None:
    _seed(conn)
    history = api.get("/api/v1/sync/history", params={"hours_back": 24}, headers=auth_headers).json()
    assert history["total"] == 12, "rows attempted in the last 24 h"
    times = [item["updated_at"] for item in history["items"]]
    assert times == sorted(times, reverse=True)
    assert set(history["items"][0]) == {
        "sku", "sync_status", "last_sync_at", "last_price", "last_quantity", "last_inventory_status",
        "last_error", "hour_bucket", "updated_at",
    }  # fmt: skip
    wider = api.get("/api/v1/sync/history", params={"hours_back": 48}, headers=auth_headers).json()
    assert wider["total"] == 13
    failures = api.get("/api/v1/sync/failures", headers=auth_headers).json()
    assert [f["sku"] for f in failures["products"]] == ["B3-FAIL-2", "B3-FAIL-1"], "newest first on a tie"
    assert failures["total"] == 2
    everything = api.get(
        "/api/v1/sync/failures", params={"include_inactive": "true"}, headers=auth_headers
    ).json()
    assert everything["products"][0]["sku"] == "B7-OFF", "most failures first"
    assert everything["products"][0]["is_active"] is False


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("products", {"limit": 0}),
        ("products", {"limit": 201}),
        ("products", {"offset": -1}),
        ("products", {"hour": 24}),
        ("products", {"status": "done"}),
        ("history", {"hours_back": 169}),
        ("failures", {"limit": 500}),
    ],
)
def test_out_of_range_queries_are_422_not_clamped(
    sync_env: dict[str, str],
    api: TestClient,
    auth_headers: dict[str, str],
    path: str,
    params: dict[str, int | str],
) -> None:
    response = api.get(f"/api/v1/sync/{path}", params=params, headers=auth_headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["field"] == next(iter(params))


def test_reactivate_and_trigger_errors_and_success(
    sync_env: dict[str, str], api: TestClient, auth_headers: dict[str, str], conn: psycopg.Connection
) -> None:
    _seed(conn)
    assert (
        api.get("/api/v1/sync/products/NOPE", headers=auth_headers).json()["code"] == "sync_product_not_found"
    )
    for method, path in (("post", "products/NOPE/reactivate"), ("post", "trigger/NOPE")):
        response = getattr(api, method)(f"/api/v1/sync/{path}", headers=auth_headers)
        assert (response.status_code, response.json()["code"]) == (404, "sync_product_not_found")
    active = api.post("/api/v1/sync/products/B5-01/reactivate", headers=auth_headers)
    assert (active.status_code, active.json()["code"]) == (409, "sync_product_already_active")
    inactive = api.post("/api/v1/sync/trigger/B7-OFF", headers=auth_headers)
    assert (inactive.status_code, inactive.json()["code"]) == (409, "sync_product_inactive")
    revived = api.post("/api/v1/sync/products/B7-OFF/reactivate", headers=auth_headers)
    assert revived.status_code == 200
    assert revived.json() | {"message": ""} == {
        "message": "",
        "sku": "B7-OFF",
        "sync_status": "pending",
        "is_active": True,
    }
    queued = api.post("/api/v1/sync/trigger/B7-OFF", headers=auth_headers)
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    busy = api.post("/api/v1/sync/trigger/B7-OFF", headers=auth_headers)
    assert (busy.status_code, busy.json()["code"]) == (409, "sync_in_progress")
    outbox = conn.execute("SELECT task_name, args FROM task_outbox").fetchall()
    assert [row[0] for row in outbox] == ["tasks.sync_shopify.sync_single_product_immediate"]


def test_trigger_when_sync_is_disabled_is_409_with_the_reason(
    authed_env: dict[str, str], conn: psycopg.Connection, request: pytest.FixtureRequest
) -> None:
    authed_env["SYNC_ENABLED"] = "false"
    api: TestClient = request.getfixturevalue("api")
    headers = request.getfixturevalue("auth_headers")
    insert_published(conn, [Published("P-1")])
    response = api.post("/api/v1/sync/trigger/P-1", headers=headers)
    assert (response.status_code, response.json()["code"]) == (409, "sync_disabled")
    assert "SYNC_ENABLED" in response.json()["detail"]


def test_legacy_paths_serve_the_same_answers_with_deprecation_headers(
    sync_env: dict[str, str], api: TestClient, auth_headers: dict[str, str], conn: psycopg.Connection
) -> None:
    _seed(conn)
    pairs = [
        ("get", "/api/sync/dashboard", "/api/v1/sync/dashboard"),
        ("get", "/api/sync/products?limit=3", "/api/v1/sync/products?limit=3"),
        ("get", "/api/sync/history", "/api/v1/sync/history"),
        ("get", "/api/sync/failures", "/api/v1/sync/failures"),
        ("get", "/api/sync/hourly-stats", "/api/v1/sync/hourly-stats"),
        ("get", "/api/sync/product/B5-01", "/api/v1/sync/products/B5-01"),
    ]
    for method, legacy, current in pairs:
        old = getattr(api, method)(legacy, headers=auth_headers)
        new = getattr(api, method)(current, headers=auth_headers)
        assert old.status_code == new.status_code == 200, legacy
        assert old.headers["deprecation"] == "true"
        assert "successor-version" in old.headers["link"]
        if "dashboard" not in legacy:
            assert old.json() == new.json(), legacy
    missing = api.post("/api/sync/product/NOPE/reactivate", headers=auth_headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "sync_product_not_found")
    assert missing.headers["deprecation"] == "true"
    assert "/api/v1/sync/products/NOPE/reactivate" in missing.headers["link"]
    assert api.post("/api/sync/trigger/NOPE", headers=auth_headers).status_code == 404


def test_every_sync_route_needs_a_token(sync_env: dict[str, str], api: TestClient) -> None:
    for method, path in (
        ("get", "dashboard"),
        ("get", "products"),
        ("post", "trigger/X"),
        ("get", "hourly-stats"),
    ):
        response = getattr(api, method)(f"/api/v1/sync/{path}")
        assert (response.status_code, response.json()["code"]) == (401, "missing_token")
