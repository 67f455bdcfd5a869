"""Boeing single search and bulk extraction: ``/api/v1/extraction`` (http-api §3.3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from app.core.constants.auth import Role
from app.core.inputs import PartNumber
from app.routes.deps import CallerDep, ExtractionServiceDep, authenticated_router, requires
from app.routes.responses import IDEMPOTENT_REPEAT, UPSTREAM, bulk_accepted, error_responses
from app.schemas.batches import BulkAccepted
from app.schemas.extraction import BulkExtractionRequest, NormalizedProduct

router = authenticated_router("extraction")


@router.get(
    "/search",
    dependencies=[requires(Role.OPERATOR)],
    response_model=list[NormalizedProduct],
    responses=error_responses(422, *UPSTREAM),
)
def search(
    caller: CallerDep,
    service: ExtractionServiceDep,
    query: Annotated[
        PartNumber, Query(description="A part number, 1-50 characters once trimmed; upper-cased.")
    ],
) -> list[NormalizedProduct]:
    records = service.search(query, created_by=caller.user_id)
    return [NormalizedProduct.from_record(record) for record in records]


@router.post(
    "/bulk",
    dependencies=[requires(Role.OPERATOR)],
    response_model=BulkAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**IDEMPOTENT_REPEAT, **error_responses(413, 422)},
)
def bulk(
    body: BulkExtractionRequest, response: Response, caller: CallerDep, service: ExtractionServiceDep
) -> BulkAccepted:
    accepted = service.start_bulk(
        part_numbers=body.part_numbers,
        part_numbers_text=body.part_numbers_text,
        idempotency_key=body.idempotency_key,
        created_by=caller.user_id,
    )
    return bulk_accepted(accepted, response)
