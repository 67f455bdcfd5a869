"""The public ``/health`` names the dependency that is down in a sentence of its own; the driver's error text,
which can carry host names, ports and user names, goes to the log only."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import psycopg
import pytest
import redis as redis_lib
from fastapi.testclient import TestClient
from psycopg_pool import ConnectionPool
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.container import Container, build_container
from app.core.config import Settings
from app.main import create_app
from app.services.health_service import DOWN_REASONS, HealthService
from app.utils.heartbeats import WorkerHeartbeats

DRIVER_TEXT = 'connection to server at "db.internal" (10.0.0.5), port 5432 failed: password for user "boeing"'


def _unreachable_pool() -> ConnectionPool:
    raise psycopg.OperationalError(DRIVER_TEXT)


@pytest.fixture
def dead_redis() -> Iterator[redis_lib.Redis[str]]:
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once (and not retried).
    client = redis_lib.Redis(
        host="127.0.0.1",
        port=9,
        socket_connect_timeout=0.5,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )
    yield client
    client.close()


@pytest.fixture
def down(dead_redis: redis_lib.Redis[str]) -> HealthService:
    return HealthService(
        pool=_unreachable_pool,
        redis=dead_redis,
        heartbeats=WorkerHeartbeats(dead_redis),
        required_queues=["extraction", "default"],
    )


def test_each_failed_check_names_its_dependency_not_the_drivers_error(
    down: HealthService, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="app.services.health_service"):
        report = down.check()
    assert not report.healthy
    errors = {name: check.error for name, check in report.checks.items()}
    assert errors == DOWN_REASONS
    assert all(check.status == "down" for check in report.checks.values())
    assert report.checks["workers"].extra == {"online": 0, "missing_queues": ["extraction", "default"]}
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "db.internal" in logged
    assert "health check redis failed" in logged


@pytest.fixture
def down_api(settings: Settings, down: HealthService) -> Iterator[TestClient]:
    container: Container = build_container(settings, overrides={"health_service": down})
    with TestClient(create_app(settings, container), raise_server_exceptions=False) as client:
        yield client
    container.close()


def test_the_public_answer_carries_no_driver_text(down_api: TestClient) -> None:
    response = down_api.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == {
        "status": "down",
        "latency_ms": None,
        "error": "PostgreSQL is unreachable",
    }
    assert body["checks"]["redis"]["error"] == "Redis is unreachable"
    for text in ("db.internal", "10.0.0.5", "5432", "boeing", "Error", "refused"):
        assert text not in response.text
