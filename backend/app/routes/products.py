"""Product data views: ``/api/v1/products`` (http-api §3.6): staging, raw Boeing data, published products."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query

from app.core.constants.auth import Role
from app.core.inputs import Identifier, PartNumber, SearchText
from app.routes.deps import ProductsServiceDep, authenticated_router, pagination, requires
from app.routes.responses import error_responses
from app.schemas.pagination import Pagination
from app.schemas.products import RawDataResponse, StagingPage, StagingProduct
from app.schemas.publishing import PublishedProduct, PublishedProductPage

router = authenticated_router("products")

StagingWindow = Annotated[Pagination, Depends(pagination(default=100, maximum=1000))]
PublishedWindow = Annotated[Pagination, Depends(pagination(default=50, maximum=100))]
StagingStatusValue = Literal["fetched", "blocked", "published", "failed"]
"""The wire spelling of ``StagingStatus`` (a unit test keeps them equal)."""


@router.get(
    "/staging",
    dependencies=[requires(Role.VIEWER)],
    response_model=StagingPage,
    responses=error_responses(422),
)
def staging(
    window: StagingWindow,
    service: ProductsServiceDep,
    batch_id: Annotated[Identifier | None, Query()] = None,
    status: Annotated[StagingStatusValue | None, Query()] = None,
    search: Annotated[SearchText | None, Query()] = None,
) -> StagingPage:
    page = service.staging_page(
        batch_id=batch_id, status=status, search=search, limit=window.limit, offset=window.offset
    )
    return StagingPage.of(
        [StagingProduct.from_row(row) for row in page.products], total=page.total, window=window
    )


@router.get(
    "/raw-data/{part_number}",
    dependencies=[requires(Role.VIEWER)],
    response_model=RawDataResponse,
    responses=error_responses(422),
)
def raw_data(part_number: PartNumber, service: ProductsServiceDep) -> RawDataResponse:
    view = service.raw_data(part_number)
    return RawDataResponse(
        part_number=view.part_number,
        raw_data=view.raw_data,
        search_query=view.search_query,
        fetched_at=view.fetched_at,
        message=view.message,
    )


@router.get(
    "/published",
    dependencies=[requires(Role.VIEWER)],
    response_model=PublishedProductPage,
    responses=error_responses(422),
)
def published(
    window: PublishedWindow,
    service: ProductsServiceDep,
    search: Annotated[SearchText | None, Query()] = None,
) -> PublishedProductPage:
    page = service.published_page(search=search, limit=window.limit, offset=window.offset)
    return PublishedProductPage(
        items=[PublishedProduct.from_row(row) for row in page.products],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        shopify_store_domain=page.store_handle,
    )


@router.get(
    "/published/{product_id}",
    dependencies=[requires(Role.VIEWER)],
    response_model=PublishedProduct,
    responses=error_responses(404, 422),
)
def published_product(product_id: Identifier, service: ProductsServiceDep) -> PublishedProduct:
    return PublishedProduct.from_row(service.published_product(product_id))
