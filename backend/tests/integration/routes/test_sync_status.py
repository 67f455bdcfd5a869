"""``GET /health/sync-status``: beat entries and run times, both limiters, the cycle; 503 without Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import redis as redis_lib
from fastapi.testclient import TestClient
from redbeat.decoder import RedBeatJSONEncoder

from app.container import build_container
from app.core.config import Settings
from app.main import create_app
from tests.support.sync_factories import Published, insert_published

PREFIX = "boeing-hub:redbeat:"


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection


def test_sync_status_without_auth_reports_scheduler_limiters_and_cycle(
    authed_env: dict[str, str], request: pytest.FixtureRequest, conn: psycopg.Connection
) -> None:
    authed_env.update(
        SYNC_MODE="testing", SYNC_BUCKET_COUNT="4", SYNC_BUCKET_SECONDS="5", SYNC_DISPATCH_INTERVAL_S="2"
    )
    api: TestClient = request.getfixturevalue("api")
    client: redis_lib.Redis[str] = request.getfixturevalue("redis_client")
    last = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    key = f"{PREFIX}dispatch-hourly-sync"
    client.hset(key, "meta", json.dumps({"last_run_at": last, "total_run_count": 3}, cls=RedBeatJSONEncoder))
    client.zadd(f"{PREFIX}:schedule", {key: last.timestamp() + 2})
    client.set(f"{PREFIX}:lock", "beat")
    insert_published(conn, [Published(f"C-{i}") for i in range(4)], last_sync_at=datetime.now(UTC))
    insert_published(conn, [Published("C-DUE")])
    insert_published(conn, [Published("C-BUSY")], lease_until=datetime.now(UTC) + timedelta(minutes=1))

    response = api.get("/health/sync-status")
    assert response.status_code == 200
    body = response.json()
    scheduler = body["scheduler"]
    assert (scheduler["enabled"], scheduler["mode"], scheduler["max_buckets"], scheduler["beat_alive"]) == (
        True,
        "testing",
        4,
        True,
    )
    entries = {entry["name"]: entry for entry in scheduler["entries"]}
    assert {"dispatch-hourly-sync", "dispatch-retry-sync", "end-of-day-cleanup"} <= set(entries)
    hourly = entries["dispatch-hourly-sync"]
    assert (hourly["task"], hourly["schedule"]) == ("tasks.sync_dispatch.dispatch_hourly", "every 2 s")
    assert hourly["last_run_at"] == last.isoformat().replace("+00:00", "Z")
    assert hourly["next_run_at"].startswith((last + timedelta(seconds=2)).isoformat()[:19])
    assert entries["end-of-day-cleanup"]["schedule"] == "crontab 55 23 * * * (UTC)"
    assert entries["end-of-day-cleanup"]["next_run_at"] is None, "not yet run by the scheduler"
    boeing = body["rate_limiters"]["boeing"]
    assert set(boeing) == {
        "requests_per_window", "window_s", "used_in_window", "next_slot_at", "sync_share",
        "throttled_429_last_hour",
    }  # fmt: skip
    assert boeing["sync_share"] == 0.5
    assert body["rate_limiters"]["shopify"] == {
        "currently_available": None,
        "maximum_available": None,
        "restore_rate": None,
        "observed_at": None,
    }
    cycle = body["cycle"]
    assert (cycle["active_products"], cycle["due_now"], cycle["fetching"], cycle["synced_in_cycle"]) == (
        6,
        5,
        1,
        4,
    )
    assert body["checked_at"].endswith("Z")


def test_sync_status_lists_no_sync_entries_when_sync_is_disabled(
    authed_env: dict[str, str], request: pytest.FixtureRequest
) -> None:
    authed_env["SYNC_ENABLED"] = "false"
    api: TestClient = request.getfixturevalue("api")
    body = api.get("/health/sync-status").json()
    assert body["scheduler"]["enabled"] is False
    assert not {e["name"] for e in body["scheduler"]["entries"]} & {
        "dispatch-hourly-sync",
        "dispatch-retry-sync",
    }


def test_sync_status_is_503_when_redis_is_unreachable(settings: Settings) -> None:
    dead = redis_lib.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    container = build_container(settings, overrides={"redis": dead})
    try:
        with TestClient(create_app(settings, container), raise_server_exceptions=False) as api:
            response = api.get("/health/sync-status")
    finally:
        container.close()
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert "retry-after" in response.headers
