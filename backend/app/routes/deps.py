"""FastAPI dependencies that hand a route its service from the container in ``app.state``."""

from __future__ import annotations

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
    container: Container = request.app.state.container
    return container


def get_health_service(request: Request) -> HealthService:
    return get_container(request).health_service


def get_auth_service(request: Request) -> AuthService:
    return get_container(request).auth_service


def get_sync_dispatch_service(request: Request) -> SyncDispatchService:
    return get_container(request).sync_dispatch_service


def get_sync_dashboard_service(request: Request) -> SyncDashboardService:
    return get_container(request).sync_dashboard_service


def get_sync_status_service(request: Request) -> SyncStatusService:
    return get_container(request).sync_status_service


def get_publishing_service(request: Request) -> PublishingService:
    return get_container(request).publishing_service


def get_search_service(request: Request) -> SearchService:
    return get_container(request).search_service


def get_extraction_service(request: Request) -> ExtractionService:
    return get_container(request).extraction_service


def get_batch_service(request: Request) -> BatchService:
    return get_container(request).batch_service


def get_products_service(request: Request) -> ProductsService:
    return get_container(request).products_service
