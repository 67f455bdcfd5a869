"""Multi-part Shopify search: ``/api/v1/search``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app.core.auth import Caller, require_caller
from app.routes.deps import get_search_service
from app.schemas.search import MultiPartSearchRequest, MultiPartSearchResponse, SearchSummary
from app.services.search_service import SearchService

router = APIRouter(tags=["search"])


@router.post("/multi-part", response_model=MultiPartSearchResponse)
def multi_part(
    body: MultiPartSearchRequest,
    caller: Caller = Depends(require_caller),
    service: SearchService = Depends(get_search_service),
) -> MultiPartSearchResponse:
    result = service.multi_part(body.part_numbers, body.part_numbers_text)
    return MultiPartSearchResponse(
        success=True,
        found_products=result.found_products,
        not_found_skus=result.not_found_skus,
        summary=SearchSummary(
            total_requested=result.total_requested,
            unique_searched=result.unique_searched,
            found=result.found,
            not_found=len(result.not_found_skus),
            duplicates_removed=result.duplicates_removed,
        ),
        message=result.message,
    )
