"""System status without a version prefix or auth: ``/health`` and ``/health/sync-status``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.routes.deps import HealthServiceDep, SyncStatusServiceDep
from app.schemas.health import HealthResponse, SyncStatusResponse

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
def health(service: HealthServiceDep) -> JSONResponse:
    body = HealthResponse.from_report(service.check())
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if body.status == "healthy" else 503)


@router.get("/health/sync-status", response_model=SyncStatusResponse)
def sync_status(service: SyncStatusServiceDep) -> SyncStatusResponse:
    return SyncStatusResponse.from_report(service.report())
