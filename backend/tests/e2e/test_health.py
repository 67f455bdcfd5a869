"""``/health`` goes green only when real workers consume every required queue."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.processes import Workers, wait_until


def test_health_is_degraded_without_workers_and_names_the_missing_queues(api: TestClient) -> None:
    response = api.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "ok"
    workers = body["checks"]["workers"]
    assert workers["status"] == "down"
    assert set(workers["missing_queues"]) == {
        "extraction", "normalization", "publishing", "sync_boeing", "sync_shopify", "default"
    }  # fmt: skip


def test_health_is_green_with_every_worker_group(api: TestClient, workers: Workers) -> None:
    workers.start("boeing", "shopify", "default")

    def healthy() -> bool:
        status: int = api.get("/health").status_code
        return status == 200

    wait_until(healthy, timeout_s=20, what="/health to turn green")
    body = api.get("/health").json()
    assert body["status"] == "healthy"
    assert body["checks"]["workers"]["online"] >= 6
    assert body["checks"]["workers"]["missing_queues"] == []
    workers.kill("default")
    wait_until(lambda: api.get("/health").status_code == 503, timeout_s=20, what="/health to notice the loss")
    assert set(api.get("/health").json()["checks"]["workers"]["missing_queues"]) == {
        "normalization",
        "default",
    }
