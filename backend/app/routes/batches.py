"""Batch tracking: ``/api/v1/batches`` (http-api §3.5)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from app.core.auth import Caller, require_caller
from app.routes.deps import get_batch_service
from app.schemas.batches import Batch, BatchCancelled, BatchPage, FailurePage
from app.services.batch_service import BatchService

router = APIRouter(tags=["batches"])

BatchStatus = Literal["pending", "processing", "completed", "failed", "cancelled"]
BatchType = Literal["extract", "normalize", "publish"]


@router.get("", response_model=BatchPage)
@router.get("/", response_model=BatchPage, include_in_schema=False)
def list_batches(
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
    status: BatchStatus | None = Query(None),
    batch_type: BatchType | None = Query(None),
    created_by: str | None = Query(None),
    caller: Caller = Depends(require_caller),
    service: BatchService = Depends(get_batch_service),
) -> BatchPage:
    page = service.list_batches(
        status=status, batch_type=batch_type, created_by=created_by, limit=limit, offset=offset
    )
    return BatchPage(
        batches=[Batch.from_detail(detail) for detail in page.batches],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{batch_id}", response_model=Batch)
def get_batch(
    batch_id: str,
    caller: Caller = Depends(require_caller),
    service: BatchService = Depends(get_batch_service),
) -> Batch:
    return Batch.from_detail(service.get(batch_id))


@router.get("/{batch_id}/failures", response_model=FailurePage)
def batch_failures(
    batch_id: str,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
    stage: Literal["extraction", "normalization", "publishing"] | None = Query(None),
    caller: Caller = Depends(require_caller),
    service: BatchService = Depends(get_batch_service),
) -> FailurePage:
    return FailurePage.from_page(service.failures(batch_id, stage=stage, limit=limit, offset=offset))


@router.delete("/{batch_id}", response_model=BatchCancelled)
def cancel_batch(
    batch_id: str,
    caller: Caller = Depends(require_caller),
    service: BatchService = Depends(get_batch_service),
) -> BatchCancelled:
    batch = service.cancel(batch_id)
    message = f"Batch {batch.id} cancelled: items not started are skipped; items in flight finish."
    return BatchCancelled(batch_id=batch.id, status="cancelled", message=message)
