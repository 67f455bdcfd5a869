"""Sync dashboard, product lists, history, failures, reactivation and immediate sync: ``/api/v1/sync``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from app.core.constants.auth import Role
from app.core.inputs import PartNumber, QueryFlag, QueryInteger, SearchText
from app.routes.deps import (
    SyncDashboardServiceDep,
    SyncDispatchServiceDep,
    authenticated_router,
    pagination,
    requires,
)
from app.routes.responses import error_responses
from app.schemas.pagination import Pagination
from app.schemas.sync import (
    HourlyStats,
    ReactivateResponse,
    SyncDashboard,
    SyncFailureItem,
    SyncFailurePage,
    SyncHistoryItem,
    SyncHistoryPage,
    SyncProduct,
    SyncProductPage,
    SyncStatusValue,
    TriggerResponse,
)

router = authenticated_router("sync")

SyncWindow = Annotated[Pagination, Depends(pagination(default=50, maximum=200))]


@router.get("/dashboard", dependencies=[requires(Role.VIEWER)], response_model=SyncDashboard)
def dashboard(service: SyncDashboardServiceDep) -> SyncDashboard:
    return SyncDashboard.from_report(service.dashboard())


@router.get(
    "/products",
    dependencies=[requires(Role.VIEWER)],
    response_model=SyncProductPage,
    responses=error_responses(422),
)
def list_products(
    window: SyncWindow,
    service: SyncDashboardServiceDep,
    status: Annotated[SyncStatusValue | None, Query()] = None,
    hour: Annotated[QueryInteger | None, Query(ge=0, le=23)] = None,
    active_only: Annotated[QueryFlag, Query()] = False,
    search: Annotated[SearchText | None, Query()] = None,
) -> SyncProductPage:
    page = service.list_products(
        status=status,
        hour=hour,
        active_only=active_only,
        search=search,
        limit=window.limit,
        offset=window.offset,
    )
    return SyncProductPage.of(
        [SyncProduct.from_row(row) for row in page.rows], total=page.total, window=window
    )


@router.get(
    "/products/{sku}",
    dependencies=[requires(Role.VIEWER)],
    response_model=SyncProduct,
    responses=error_responses(404, 422),
)
def get_product(sku: PartNumber, service: SyncDashboardServiceDep) -> SyncProduct:
    return SyncProduct.from_row(service.get_product(sku))


@router.post(
    "/products/{sku}/reactivate",
    dependencies=[requires(Role.OPERATOR)],
    response_model=ReactivateResponse,
    responses=error_responses(404, 409, 422),
)
def reactivate(sku: PartNumber, service: SyncDispatchServiceDep) -> ReactivateResponse:
    row = service.reactivate(sku)
    return ReactivateResponse(
        message=f"Sync for {row.sku} is active again; it will be checked at the next dispatch.",
        sku=row.sku,
        sync_status="pending",
        is_active=True,
    )


@router.get(
    "/history",
    dependencies=[requires(Role.VIEWER)],
    response_model=SyncHistoryPage,
    responses=error_responses(422),
)
def history(
    window: SyncWindow,
    service: SyncDashboardServiceDep,
    hours_back: Annotated[QueryInteger, Query(ge=1, le=168)] = 24,
) -> SyncHistoryPage:
    page = service.history(hours_back=hours_back, limit=window.limit, offset=window.offset)
    items = [SyncHistoryItem.model_validate(row, from_attributes=True) for row in page.rows]
    return SyncHistoryPage.of(items, total=page.total, window=window)


@router.get(
    "/failures",
    dependencies=[requires(Role.VIEWER)],
    response_model=SyncFailurePage,
    responses=error_responses(422),
)
def failures(
    window: SyncWindow,
    service: SyncDashboardServiceDep,
    include_inactive: Annotated[QueryFlag, Query()] = False,
) -> SyncFailurePage:
    page = service.failures(include_inactive=include_inactive, limit=window.limit, offset=window.offset)
    items = [SyncFailureItem.model_validate(row, from_attributes=True) for row in page.rows]
    return SyncFailurePage.of(items, total=page.total, window=window)


@router.get("/hourly-stats", dependencies=[requires(Role.VIEWER)], response_model=HourlyStats)
def hourly_stats(service: SyncDashboardServiceDep) -> HourlyStats:
    return HourlyStats.from_report(service.hourly_stats())


@router.post(
    "/trigger/{sku}",
    dependencies=[requires(Role.OPERATOR)],
    response_model=TriggerResponse,
    status_code=202,
    responses=error_responses(404, 409, 422),
)
def trigger(sku: PartNumber, service: SyncDispatchServiceDep) -> TriggerResponse:
    report = service.trigger(sku)
    return TriggerResponse(
        status="queued",
        sku=report.sku,
        message=f"An immediate Boeing check of {report.sku} is queued; the result appears in its sync row.",
    )
