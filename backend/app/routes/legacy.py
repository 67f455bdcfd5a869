"""The dashboard's old paths, each served by its v1 successor's handler.

http-api §1.9; removed in Phase B once their traffic is zero.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute

# (method, legacy path, v1 successor). Placeholders carry the v1 handler's parameter names.
LEGACY_ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/api/boeing/product-search", "/api/v1/extraction/search"),
    ("POST", "/api/shopify/publish", "/api/v1/publishing/publish"),
    ("PUT", "/api/shopify/products/{product_id}", "/api/v1/publishing/products/{product_id}"),
    ("GET", "/api/shopify/check", "/api/v1/publishing/check"),
    ("POST", "/api/bulk-search", "/api/v1/extraction/bulk"),
    ("POST", "/api/bulk-publish", "/api/v1/publishing/bulk"),
    ("GET", "/api/batches", "/api/v1/batches"),
    ("GET", "/api/batches/{batch_id}", "/api/v1/batches/{batch_id}"),
    ("DELETE", "/api/batches/{batch_id}", "/api/v1/batches/{batch_id}"),
    ("GET", "/api/products/staging", "/api/v1/products/staging"),
    ("GET", "/api/products/raw-data/{part_number}", "/api/v1/products/raw-data/{part_number}"),
    ("GET", "/api/sync/dashboard", "/api/v1/sync/dashboard"),
    ("GET", "/api/sync/products", "/api/v1/sync/products"),
    ("GET", "/api/sync/history", "/api/v1/sync/history"),
    ("GET", "/api/sync/failures", "/api/v1/sync/failures"),
    ("GET", "/api/sync/hourly-stats", "/api/v1/sync/hourly-stats"),
    ("GET", "/api/sync/product/{sku}", "/api/v1/sync/products/{sku}"),
    ("POST", "/api/sync/product/{sku}/reactivate", "/api/v1/sync/products/{sku}/reactivate"),
    ("POST", "/api/sync/trigger/{sku}", "/api/v1/sync/trigger/{sku}"),
    ("GET", "/api/auth/me", "/api/v1/auth/me"),
    ("POST", "/api/auth/logout", "/api/v1/auth/logout"),
)


def legacy_successors() -> list[tuple[str, str]]:
    """(legacy path template, successor template) pairs for the deprecation headers."""
    return sorted({(legacy, successor) for _, legacy, successor in LEGACY_ROUTES})


def build_legacy_router(v1_routers: list[tuple[APIRouter, str]]) -> APIRouter:
    """Re-mount each v1 handler (router, full prefix) at its legacy path, with the same deps and models."""
    v1 = {
        (method, prefix + route.path): route
        for router, prefix in v1_routers
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    router = APIRouter()
    for method, legacy, successor in LEGACY_ROUTES:
        route = v1.get((method, successor))
        if route is None:
            continue
        router.add_api_route(
            legacy,
            route.endpoint,
            methods=[method],
            response_model=route.response_model,
            status_code=route.status_code,
            responses=route.responses,
            dependencies=route.dependencies,
            response_class=route.response_class,
            summary=route.summary,
            name=f"legacy_{route.name}_{method.lower()}",
            tags=["legacy"],
            deprecated=True,
        )
    return router
