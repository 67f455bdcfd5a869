"""Every route of the app needs a token except the public ones (http-api §1.2), checked over the app's own
route table: a route added without authentication, or a new kind of route nobody classified, fails here."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from app.schemas.errors import ErrorResponse

PUBLIC_API_ROUTES = {("GET", "/health"), ("GET", "/health/sync-status")}
"""Handlers that answer without a token."""

PUBLIC_OTHER_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/media"}
"""FastAPI's documentation routes and the local profile's public image files."""


def _sample_url(path: str) -> str:
    """The path with each ``{parameter}`` filled with a plausible value."""
    return re.sub(r"\{[^}]+\}", "AN3-12A", path)


def _api_routes(api: TestClient) -> list[tuple[str, str]]:
    """(method, full path) of every API route, included routers flattened; any other route must be public."""
    routes: list[tuple[str, str]] = []
    assert isinstance(api.app, FastAPI)  # the client serves the app itself, unwrapped
    for context in iter_route_contexts(api.app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, APIRoute):
            assert path is not None  # an API route always has its full path
            routes.extend((method, path) for method in sorted(context.methods or ()))
        else:
            assert isinstance(route, Route | Mount), f"unclassified route {route!r}"
            assert path in PUBLIC_OTHER_PATHS, f"{path} is neither an API route nor known public"
    return routes


def test_every_route_but_the_public_ones_answers_401_without_a_token(api: TestClient) -> None:
    routes = _api_routes(api)
    assert len(routes) > 40
    open_routes, wrong_answers = [], []
    for method, path in routes:
        response = api.request(method, _sample_url(path))
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
