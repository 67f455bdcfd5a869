"""Contract conventions every route shares: JSON errors, request ids, CORS preflight, body limit."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient


def test_unknown_path_is_json_404(api: TestClient) -> None:
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "No such resource.", "code": "not_found"}


def test_wrong_method_is_json_405(api: TestClient) -> None:
    response = api.delete("/health")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_request_id_is_accepted_returned_and_logged(
    api: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.request"):
        response = api.get("/api/v1/nothing-here", headers={"X-Request-ID": "dash-1234"})
    assert response.headers["x-request-id"] == "dash-1234"
    assert any(getattr(r, "request_id", None) == "dash-1234" for r in caplog.records)
    generated = api.get("/api/v1/nothing-here", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["x-request-id"] != "bad id with spaces"
    assert len(generated.headers["x-request-id"]) == 32


def test_cors_preflight_answers_204_without_auth(api: TestClient) -> None:
    response = api.options(
        "/api/v1/auth/me",
        headers={
            "Origin": "http://dashboard.test",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://dashboard.test"
    assert "DELETE" in response.headers["access-control-allow-methods"]


def test_cors_refuses_unknown_origins(api: TestClient) -> None:
    response = api.options(
        "/api/v1/auth/me",
        headers={"Origin": "http://evil.test", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


def test_body_over_the_limit_is_413(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.post(
        "/api/v1/auth/logout",
        content=b"x" * (4 * 1024 * 1024 + 1),
        headers={**auth_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_health_needs_no_auth_and_openapi_lists_legacy_paths_as_deprecated(api: TestClient) -> None:
    assert api.get("/health").status_code in (200, 503)
    spec = api.get("/openapi.json").json()
    assert spec["paths"]["/api/auth/me"]["get"]["deprecated"] is True


def test_malformed_json_body_is_a_readable_422(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.post(
        "/api/v1/extraction/bulk",
        content=b'{"part_numbers": ["AN3-12A",',
        headers={**auth_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["detail"] == "The request body is not valid JSON."
    assert body["errors"][0]["field"] == "body"


def test_field_errors_name_the_json_path(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.post("/api/v1/extraction/bulk", json={"part_numbers": "AN3-12A"}, headers=auth_headers)
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert all(set(error) == {"field", "message"} for error in body["errors"])
