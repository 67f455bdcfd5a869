"""The app's own route table, walked by the tests that check every route (authentication, roles)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

PUBLIC_API_ROUTES = {("GET", "/health"), ("GET", "/health/sync-status")}
"""Handlers that answer without a token."""

PUBLIC_OTHER_PATHS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/media"}
"""FastAPI's documentation routes and the local profile's public image files."""


@dataclass(frozen=True, slots=True)
class ApiRoute:
    method: str
    path: str
    route: APIRoute


def sample_url(path: str) -> str:
    """The path with each ``{parameter}`` filled with a plausible value."""
    return re.sub(r"\{[^}]+\}", "AN3-12A", path)


def api_routes(app: FastAPI) -> list[ApiRoute]:
    """Every API route (method, full path, route), included routers flattened; any other route must be one of
    the known public ones."""
    routes: list[ApiRoute] = []
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path
        if isinstance(route, APIRoute):
            assert path is not None  # an API route always has its full path
            routes.extend(ApiRoute(method, path, route) for method in sorted(context.methods or ()))
        else:
            assert isinstance(route, Route | Mount), f"unclassified route {route!r}"
            assert path in PUBLIC_OTHER_PATHS, f"{path} is neither an API route nor known public"
    return routes


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every callable a route's dependency tree runs, the route's own handler excluded."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from dependency_calls(sub)
