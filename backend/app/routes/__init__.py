"""Aggregates the pipeline routers under ``/api/v1`` (health has no prefix) and the legacy paths."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from app.routes import auth, batches, extraction, health, products, publishing, search, sync
from app.routes.legacy import build_legacy_router

# (router module attribute, mount prefix). Each pipeline adds its router here.
V1_ROUTERS: list[tuple[APIRouter, str]] = [
    (auth.router, "/auth"),
    (sync.router, "/sync"),
    (publishing.router, "/publishing"),
    (search.router, "/search"),
    (extraction.router, "/extraction"),
    (batches.router, "/batches"),
    (products.router, "/products"),
]


def mount_routers(app: FastAPI) -> None:
    """Mount health, every v1 router, then the legacy paths that point at them."""
    app.include_router(health.router)
    mounted = [(router, f"/api/v1{prefix}") for router, prefix in V1_ROUTERS]
    for router, prefix in mounted:
        app.include_router(router, prefix=prefix)
    app.include_router(build_legacy_router(mounted))
