"""System status without a version prefix or auth: ``/health`` and ``/health/sync-status``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from app.routes.deps import get_health_service, get_sync_status_service
from app.schemas.health import HealthResponse, SyncStatusResponse
from app.services.health_service import HealthService
from app.services.sync_status_service import SyncStatusService

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
def health(service: HealthService = Depends(get_health_service)) -> JSONResponse:
    body = HealthResponse.from_report(service.check())
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if body.status == "healthy" else 503)


@router.get("/health/sync-status", response_model=SyncStatusResponse)
def sync_status(service: SyncStatusService = Depends(get_sync_status_service)) -> SyncStatusResponse:
    return SyncStatusResponse.from_report(service.report())
