"""Boeing single search and bulk extraction: ``/api/v1/extraction`` (http-api §3.3)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response, status

from app.core.auth import Caller, require_caller
from app.routes.deps import get_extraction_service
from app.schemas.batches import BulkAccepted
from app.schemas.extraction import BulkExtractionRequest, NormalizedProduct
from app.services.extraction_service import ExtractionService

router = APIRouter(tags=["extraction"])


@router.get("/search", response_model=list[NormalizedProduct])
def search(
    query: str = Query(..., description="A part number, 1-50 characters; upper-cased."),
    caller: Caller = Depends(require_caller),
    service: ExtractionService = Depends(get_extraction_service),
) -> list[NormalizedProduct]:
    records = service.search(query, created_by=caller.user_id)
    return [NormalizedProduct.from_record(record) for record in records]


@router.post(
    "/bulk",
    response_model=BulkAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": BulkAccepted, "description": "A repeated idempotency key: the original batch."}
    },
)
def bulk(
    body: BulkExtractionRequest,
    response: Response,
    caller: Caller = Depends(require_caller),
    service: ExtractionService = Depends(get_extraction_service),
) -> BulkAccepted:
    accepted = service.start_bulk(
        part_numbers=body.part_numbers,
        part_numbers_text=body.part_numbers_text,
        idempotency_key=body.idempotency_key,
        created_by=caller.user_id,
    )
    if not accepted.created:
        response.status_code = status.HTTP_200_OK
    return BulkAccepted.model_validate(accepted, from_attributes=True)
