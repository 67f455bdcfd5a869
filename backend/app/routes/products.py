"""Product data views: ``/api/v1/products`` (http-api §3.6)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query

from app.core.auth import Caller, require_caller
from app.routes.deps import get_products_service, get_publishing_service
from app.schemas.products import RawDataResponse, StagingPage, StagingProduct
from app.schemas.publishing import PublishedProduct, PublishedProductPage
from app.services.products_service import ProductsService
from app.services.publishing_service import PublishingService

router = APIRouter(tags=["products"])


@router.get("/staging", response_model=StagingPage)
def staging(
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    batch_id: str | None = Query(None),
    status: Literal["fetched", "blocked", "published", "failed"] | None = Query(None),
    search: str | None = Query(None, max_length=100),
    caller: Caller = Depends(require_caller),
    service: ProductsService = Depends(get_products_service),
) -> StagingPage:
    page = service.staging_page(batch_id=batch_id, status=status, search=search, limit=limit, offset=offset)
    return StagingPage(
        products=[StagingProduct.from_row(row) for row in page.products],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/raw-data/{part_number}", response_model=RawDataResponse)
def raw_data(
    part_number: str,
    caller: Caller = Depends(require_caller),
    service: ProductsService = Depends(get_products_service),
) -> RawDataResponse:
    view = service.raw_data(part_number)
    return RawDataResponse(
        part_number=view.part_number,
        raw_data=view.raw_data,
        search_query=view.search_query,
        fetched_at=view.fetched_at,
        message=view.message,
    )


# The published-product views (``/published``, ``/published/{product_id}``) are added below by publishing.


@router.get("/published", response_model=PublishedProductPage)
def published(
    limit: int = Query(50, ge=1, le=100),
    offset: int = Query(0, ge=0),
    search: str | None = Query(None, max_length=100),
    caller: Caller = Depends(require_caller),
    service: PublishingService = Depends(get_publishing_service),
) -> PublishedProductPage:
    rows, total = service.published_page(limit=limit, offset=offset, search=search)
    return PublishedProductPage(
        products=[PublishedProduct.from_row(row) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
        shopify_store_domain=service.store_handle,
    )


@router.get("/published/{product_id}", response_model=PublishedProduct)
def published_product(
    product_id: str,
    caller: Caller = Depends(require_caller),
    service: PublishingService = Depends(get_publishing_service),
) -> PublishedProduct:
    return PublishedProduct.from_row(service.published_product(product_id))
