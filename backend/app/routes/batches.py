"""Batch tracking: ``/api/v1/batches`` (http-api §3.5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from app.core.constants.auth import Role
from app.core.inputs import Identifier
from app.routes.deps import BatchServiceDep, authenticated_router, pagination, requires
from app.routes.responses import error_responses
from app.schemas.batches import (
    Batch,
    BatchCancelled,
    BatchPage,
    BatchStatusValue,
    BatchTypeValue,
    ErrorStageValue,
    FailurePage,
    FailurePageItem,
)
from app.schemas.pagination import Pagination

router = authenticated_router("batches")

BatchWindow = Annotated[Pagination, Depends(pagination(default=20, maximum=100))]
FailureWindow = Annotated[Pagination, Depends(pagination(default=100, maximum=500))]


@router.get(
    "", dependencies=[requires(Role.VIEWER)], response_model=BatchPage, responses=error_responses(422)
)
@router.get(
    "/",
    dependencies=[requires(Role.VIEWER)],
    response_model=BatchPage,
    responses=error_responses(422),
    include_in_schema=False,
)
def list_batches(
    window: BatchWindow,
    service: BatchServiceDep,
    status: Annotated[BatchStatusValue | None, Query()] = None,
    batch_type: Annotated[BatchTypeValue | None, Query()] = None,
    created_by: Annotated[Identifier | None, Query()] = None,
) -> BatchPage:
    page = service.list_batches(
        status=status, batch_type=batch_type, created_by=created_by, limit=window.limit, offset=window.offset
    )
    return BatchPage.of(
        [Batch.from_detail(detail) for detail in page.batches], total=page.total, window=window
    )


@router.get(
    "/{batch_id}",
    dependencies=[requires(Role.VIEWER)],
    response_model=Batch,
    responses=error_responses(404, 422),
)
def get_batch(batch_id: Identifier, service: BatchServiceDep) -> Batch:
    return Batch.from_detail(service.get(batch_id))


@router.get(
    "/{batch_id}/failures",
    dependencies=[requires(Role.VIEWER)],
    response_model=FailurePage,
    responses=error_responses(404, 422),
)
def batch_failures(
    batch_id: Identifier,
    window: FailureWindow,
    service: BatchServiceDep,
    stage: Annotated[ErrorStageValue | None, Query()] = None,
) -> FailurePage:
    page = service.failures(batch_id, stage=stage, limit=window.limit, offset=window.offset)
    return FailurePage.of(
        [FailurePageItem.from_item(item) for item in page.items], total=page.total, window=window
    )


@router.delete(
    "/{batch_id}",
    dependencies=[requires(Role.OPERATOR)],
    response_model=BatchCancelled,
    responses=error_responses(404, 409, 422),
)
def cancel_batch(batch_id: Identifier, service: BatchServiceDep) -> BatchCancelled:
    batch = service.cancel(batch_id)
    message = f"Batch {batch.id} cancelled: items not started are skipped; items in flight finish."
    return BatchCancelled(batch_id=batch.id, status="cancelled", message=message)
