"""FastAPI dependencies of the routes: each service from the container in ``app.state``, the caller, the
role a route needs, the list window, and the router every authenticated pipeline mounts.

A handler names what it needs by type (``service: BatchServiceDep``); mypy and an IDE follow it to the
service class. Authentication is declared once per router (``authenticated_router``); a handler takes
``CallerDep`` only when it uses the caller (FastAPI resolves ``require_caller`` once per request). Every route
of a role-checked router declares the role it needs on itself, ``dependencies=[requires(Role.OPERATOR)]``,
so the rule sits next to the handler it guards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, params

from app.container import Container
from app.core.auth import Caller, require_caller
from app.core.constants.auth import Role
from app.core.inputs import PageLimit, PageOffset
from app.routes.responses import error_responses
from app.schemas.pagination import Pagination
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


HealthServiceDep = Annotated[HealthService, Depends(get_health_service)]
AuthServiceDep = Annotated[AuthService, Depends(get_auth_service)]
SyncDispatchServiceDep = Annotated[SyncDispatchService, Depends(get_sync_dispatch_service)]
SyncDashboardServiceDep = Annotated[SyncDashboardService, Depends(get_sync_dashboard_service)]
SyncStatusServiceDep = Annotated[SyncStatusService, Depends(get_sync_status_service)]
PublishingServiceDep = Annotated[PublishingService, Depends(get_publishing_service)]
SearchServiceDep = Annotated[SearchService, Depends(get_search_service)]
ExtractionServiceDep = Annotated[ExtractionService, Depends(get_extraction_service)]
BatchServiceDep = Annotated[BatchService, Depends(get_batch_service)]
ProductsServiceDep = Annotated[ProductsService, Depends(get_products_service)]

CallerDep = Annotated[Caller, Depends(require_caller)]
"""The authenticated caller, for a handler that records or acts as it (``created_by``, logout)."""


RoleCheck = Callable[[Caller, AuthService], Caller]


def _role_check(role: Role) -> RoleCheck:
    def check(caller: CallerDep, service: AuthServiceDep) -> Caller:
        service.authorize(caller.claims, role)
        return caller

    check.__name__ = f"require_{role}"
    return check


ROLE_CHECKS: dict[Role, RoleCheck] = {role: _role_check(role) for role in Role}
"""The one dependency per role (one object each, so FastAPI runs a check once per request)."""


def requires(role: Role) -> params.Depends:
    """Declare on a route the role it needs: ``dependencies=[requires(Role.OPERATOR)]``; a caller whose
    groups do not grant it gets 403 ``insufficient_role``."""
    return params.Depends(ROLE_CHECKS[role])


def authenticated_router(tag: str, *, role_checked: bool = True) -> APIRouter:
    """A router whose every route needs a valid access token and documents the 401 it answers without one.

    On a role-checked router each route also declares its role (``requires``) and documents the 403; the
    identity routes (who am I, logout) need a valid token only, so a user in no group can still log out."""
    statuses = (401, 403) if role_checked else (401,)
    return APIRouter(tags=[tag], dependencies=[Depends(require_caller)], responses=error_responses(*statuses))


def pagination(*, default: int, maximum: int) -> Callable[[int, int], Pagination]:
    """The ``limit``/``offset`` query of a list endpoint: ``limit`` 1..``maximum`` (default ``default``),
    ``offset`` >= 0 (up to ``PAGE_OFFSET_MAX``); out of range answers 422, never clamped (http-api §1.4)."""

    def window(limit: int = default, offset: int = 0) -> Pagination:
        return Pagination(limit=limit, offset=offset)

    # The limit's maximum is the endpoint's, a value of this call: the annotations FastAPI reads (the kinds of
    # ``core/inputs.py``) are set here, as objects, because the module's postponed annotations are text.
    window.__annotations__.update(
        limit=Annotated[PageLimit, Query(le=maximum)], offset=Annotated[PageOffset, Query()]
    )

    return window
