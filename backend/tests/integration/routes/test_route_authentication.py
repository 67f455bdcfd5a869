"""Every route of the app needs a token except the public ones (http-api §1.2), checked over the app's own
route table: a route added without authentication, or a new kind of route nobody classified, fails here."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.schemas.errors import ErrorResponse
from tests.support.routes import PUBLIC_API_ROUTES, api_routes, sample_url


def _api_routes(api: TestClient) -> list[tuple[str, str]]:
    """(method, full path) of every API route."""
    assert isinstance(api.app, FastAPI)  # the client serves the app itself, unwrapped
    return [(entry.method, entry.path) for entry in api_routes(api.app)]


def test_every_route_but_the_public_ones_answers_401_without_a_token(api: TestClient) -> None:
    routes = _api_routes(api)
    assert len(routes) > 40
    open_routes, wrong_answers = [], []
    for method, path in routes:
        response = api.request(method, sample_url(path))
        if (method, path) in PUBLIC_API_ROUTES:
            assert response.status_code != 401, (method, path)
            continue
        if response.status_code != 401:
            open_routes.append((method, path, response.status_code))
            continue
        body = ErrorResponse.model_validate(response.json())
        if body.code != "missing_token" or not response.headers["www-authenticate"].startswith("Bearer"):
            wrong_answers.append((method, path, response.json()))
    assert open_routes == []
    assert wrong_answers == []


def test_every_public_api_route_exists(api: TestClient) -> None:
    assert set(_api_routes(api)) >= PUBLIC_API_ROUTES


def test_documentation_needs_no_token(api: TestClient) -> None:
    assert api.get("/openapi.json").status_code == 200
    assert api.get("/docs").status_code == 200


def test_a_valid_token_passes_the_router_level_check(api: TestClient, auth_headers: dict[str, str]) -> None:
    assert api.get("/api/v1/sync/dashboard", headers=auth_headers).status_code == 200
    assert api.get("/api/sync/dashboard", headers=auth_headers).status_code == 200
    missing = api.get("/api/v1/batches/00000000-0000-0000-0000-000000000000", headers=auth_headers)
    assert missing.status_code == 404
    assert ErrorResponse.model_validate(missing.json()).code == "batch_not_found"
