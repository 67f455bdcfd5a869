"""FastAPI dependencies that hand a route its service from the container in ``app.state``."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.container import Container
from app.services.auth_service import AuthService
from app.services.batch_service import BatchService
from app.services.extraction_service import ExtractionService
from app.services.health_service import HealthService
from app.services.products_service import ProductsService
from app.services.publishing_service import PublishingService
from app.services.search_service import SearchService
from app.services.sync_dashboard_service import SyncDashboardService
from app.services.sync_dispatch_service import SyncDispatchService
from app.services.sync_status_service import SyncStatusService


def get_container(request: Request) -> Container:
    return request.app.state.container


def _service(request: Request, name: str) -> Any:
    return getattr(get_container(request), name)


def get_health_service(request: Request) -> HealthService:
    return _service(request, "health_service")


def get_auth_service(request: Request) -> AuthService:
    return _service(request, "auth_service")


def get_sync_dispatch_service(request: Request) -> SyncDispatchService:
    return _service(request, "sync_dispatch_service")


def get_sync_dashboard_service(request: Request) -> SyncDashboardService:
    return _service(request, "sync_dashboard_service")


def get_sync_status_service(request: Request) -> SyncStatusService:
    return _service(request, "sync_status_service")


def get_publishing_service(request: Request) -> PublishingService:
    return _service(request, "publishing_service")


def get_search_service(request: Request) -> SearchService:
    return _service(request, "search_service")


def get_extraction_service(request: Request) -> ExtractionService:
    return _service(request, "extraction_service")


def get_batch_service(request: Request) -> BatchService:
    return _service(request, "batch_service")


def get_products_service(request: Request) -> ProductsService:
    return _service(request, "products_service")
