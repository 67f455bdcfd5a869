"""Every answer carries ``X-Content-Type-Options: nosniff`` (successes, errors raised anywhere in the stack,
preflights, the 413 of the body limit, and an unexpected 500) and none names the server software."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.container import Container, build_container
from app.core.config import Settings
from app.main import create_app


def _assert_hardened(response: httpx.Response) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", response.request.url
    assert "server" not in response.headers


def test_every_kind_of_answer_carries_nosniff(api: TestClient, auth_headers: dict[str, str]) -> None:
    answers = [
        api.get("/health"),
        api.get("/openapi.json"),
        api.get("/api/v1/sync/dashboard", headers=auth_headers),
        api.get("/api/v1/sync/dashboard"),  # 401
        api.get("/api/v1/nothing-here"),  # 404
        api.delete("/health"),  # 405
        api.get("/api/v1/sync/history?limit=0", headers=auth_headers),  # 422
        api.get("/api/sync/dashboard", headers=auth_headers),  # legacy path
        api.post(
            "/api/v1/extraction/bulk",
            content=b"x" * (4 * 1024 * 1024 + 1),
            headers={**auth_headers, "Content-Type": "application/json"},
        ),  # 413
        api.options(
            "/api/v1/batches",
            headers={"Origin": "http://dashboard.test", "Access-Control-Request-Method": "GET"},
        ),  # preflight
    ]
    assert [response.status_code for response in answers] == [
        503,
        200,
        200,
        401,
        404,
        405,
        422,
        200,
        413,
        204,
    ]
    for response in answers:
        _assert_hardened(response)


class _Exploding:
    def report(self) -> None:
        raise RuntimeError("an unexpected fault")


@pytest.fixture
def failing_api(settings: Settings) -> Iterator[TestClient]:
    container: Container = build_container(settings, overrides={"sync_status_service": _Exploding()})
    with TestClient(create_app(settings, container), raise_server_exceptions=False) as client:
        yield client
    container.close()


def test_an_unexpected_500_carries_nosniff_too(failing_api: TestClient) -> None:
    response = failing_api.get("/health/sync-status")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    _assert_hardened(response)
