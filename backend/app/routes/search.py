"""Multi-part Shopify search: ``/api/v1/search``."""

from __future__ import annotations

from app.core.constants.auth import Role
from app.routes.deps import SearchServiceDep, authenticated_router, requires
from app.routes.responses import UPSTREAM, error_responses
from app.schemas.search import MultiPartSearchRequest, MultiPartSearchResponse, SearchSummary

router = authenticated_router("search")


@router.post(
    "/multi-part",
    dependencies=[requires(Role.VIEWER)],
    response_model=MultiPartSearchResponse,
    responses=error_responses(413, 422, *UPSTREAM),
)
def multi_part(body: MultiPartSearchRequest, service: SearchServiceDep) -> MultiPartSearchResponse:
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
