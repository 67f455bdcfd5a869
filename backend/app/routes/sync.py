"""Sync dashboard, product lists, history, failures, reactivation and immediate sync: ``/api/v1/sync``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from app.core.auth import Caller, require_caller
from app.routes.deps import get_sync_dashboard_service, get_sync_dispatch_service
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
    TriggerResponse,
)
from app.services.sync_dashboard_service import SyncDashboardService
from app.services.sync_dispatch_service import SyncDispatchService

router = APIRouter(tags=["sync"])


@router.get("/dashboard", response_model=SyncDashboard)
def dashboard(
    caller: Caller = Depends(require_caller),
    service: SyncDashboardService = Depends(get_sync_dashboard_service),
) -> SyncDashboard:
    return SyncDashboard.from_report(service.dashboard())


@router.get("/products", response_model=SyncProductPage)
def list_products(
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    status: Literal["pending", "syncing", "success", "failed"] | None = Query(None),
    hour: int | None = Query(None, ge=0, le=23),
    active_only: bool = Query(False),
    search: str | None = Query(None, max_length=80),
    caller: Caller = Depends(require_caller),
    service: SyncDashboardService = Depends(get_sync_dashboard_service),
) -> SyncProductPage:
    page = service.list_products(
        status=status, hour=hour, active_only=active_only, search=search, limit=limit, offset=offset
    )
    return SyncProductPage(
        products=[SyncProduct.from_row(row) for row in page.rows],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/products/{sku}", response_model=SyncProduct)
def get_product(
    sku: str,
    caller: Caller = Depends(require_caller),
    service: SyncDashboardService = Depends(get_sync_dashboard_service),
) -> SyncProduct:
    return SyncProduct.from_row(service.get_product(sku))


@router.post("/products/{sku}/reactivate", response_model=ReactivateResponse)
def reactivate(
    sku: str,
    caller: Caller = Depends(require_caller),
    service: SyncDispatchService = Depends(get_sync_dispatch_service),
) -> ReactivateResponse:
    row = service.reactivate(sku)
    return ReactivateResponse(
        message=f"Sync for {row.sku} is active again; it will be checked at the next dispatch.",
        sku=row.sku,
        sync_status="pending",
        is_active=True,
    )


@router.get("/history", response_model=SyncHistoryPage)
def history(
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    hours_back: int = Query(24, ge=1, le=168),
    caller: Caller = Depends(require_caller),
    service: SyncDashboardService = Depends(get_sync_dashboard_service),
) -> SyncHistoryPage:
    page = service.history(hours_back=hours_back, limit=limit, offset=offset)
    return SyncHistoryPage(
        items=[SyncHistoryItem.model_validate(row, from_attributes=True) for row in page.rows],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/failures", response_model=SyncFailurePage)
def failures(
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
    include_inactive: bool = Query(False),
    caller: Caller = Depends(require_caller),
    service: SyncDashboardService = Depends(get_sync_dashboard_service),
) -> SyncFailurePage:
    page = service.failures(include_inactive=include_inactive, limit=limit, offset=offset)
    return SyncFailurePage(
        products=[SyncFailureItem.model_validate(row, from_attributes=True) for row in page.rows],
        total=page.total,
        limit=limit,
        offset=offset,
    )


@router.get("/hourly-stats", response_model=HourlyStats)
def hourly_stats(
    caller: Caller = Depends(require_caller),
    service: SyncDashboardService = Depends(get_sync_dashboard_service),
) -> HourlyStats:
    return HourlyStats.from_report(service.hourly_stats())


@router.post("/trigger/{sku}", response_model=TriggerResponse, status_code=202)
def trigger(
    sku: str,
    caller: Caller = Depends(require_caller),
    service: SyncDispatchService = Depends(get_sync_dispatch_service),
) -> TriggerResponse:
    report = service.trigger(sku)
    return TriggerResponse(
        status="queued",
        sku=report.sku,
        message=f"An immediate Boeing check of {report.sku} is queued; the result appears in its sync row.",
    )
