"""Publishing to Shopify: ``/api/v1/publishing`` (http-api §3.4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response, status

from app.core.constants.auth import Role
from app.core.inputs import Identifier, PartNumber
from app.routes.deps import CallerDep, PublishingServiceDep, authenticated_router, requires
from app.routes.responses import IDEMPOTENT_REPEAT, UPSTREAM, bulk_accepted, error_responses
from app.schemas.batches import BulkAccepted
from app.schemas.publishing import (
    BulkPublishRequest,
    CheckResponse,
    MetafieldFailure,
    MetafieldSetupResponse,
    ProductUpdated,
    ProductUpdateRequest,
    PublishAccepted,
    PublishRequest,
)

router = authenticated_router("publishing")


@router.post(
    "/publish",
    dependencies=[requires(Role.OPERATOR)],
    response_model=PublishAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(404, 409, 413, 422),
)
def publish(body: PublishRequest, caller: CallerDep, service: PublishingServiceDep) -> PublishAccepted:
    started = service.publish(body.part_number, batch_id=body.batch_id, created_by=caller.user_id)
    return PublishAccepted(
        success=True,
        shopifyProductId=started.shopify_product_id,
        batch_id=started.batch_id,
        message=started.message,
    )


@router.post(
    "/bulk",
    dependencies=[requires(Role.OPERATOR)],
    response_model=BulkAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**IDEMPOTENT_REPEAT, **error_responses(404, 409, 413, 422)},
)
def bulk(
    body: BulkPublishRequest, response: Response, caller: CallerDep, service: PublishingServiceDep
) -> BulkAccepted:
    result = service.publish_bulk(
        part_numbers=body.part_numbers,
        part_numbers_text=body.part_numbers_text,
        batch_id=body.batch_id,
        idempotency_key=body.idempotency_key,
        created_by=caller.user_id,
    )
    return bulk_accepted(result.accepted, response)


@router.put(
    "/products/{product_id}",
    dependencies=[requires(Role.OPERATOR)],
    response_model=ProductUpdated,
    responses=error_responses(404, 413, 422, *UPSTREAM),
)
def update_product(
    product_id: Identifier, body: ProductUpdateRequest, service: PublishingServiceDep
) -> ProductUpdated:
    shopify_id = service.update_product(product_id, body.model_dump(mode="python"))
    return ProductUpdated(
        success=True,
        shopifyProductId=shopify_id,
        batch_id=None,
        message=f"{body.sku} was updated in Shopify.",
    )


@router.get(
    "/check",
    dependencies=[requires(Role.VIEWER)],
    response_model=CheckResponse,
    responses=error_responses(422, *UPSTREAM),
)
def check(service: PublishingServiceDep, sku: Annotated[PartNumber, Query()]) -> CheckResponse:
    return CheckResponse(shopifyProductId=service.check(sku))


@router.post(
    "/metafields/setup",
    dependencies=[requires(Role.ADMIN)],
    response_model=MetafieldSetupResponse,
    responses=error_responses(*UPSTREAM),
)
def setup_metafields(service: PublishingServiceDep) -> MetafieldSetupResponse:
    report = service.setup_metafields()
    return MetafieldSetupResponse(
        success=report.success,
        created=report.created,
        existing=report.existing,
        failed=[MetafieldFailure(**failure) for failure in report.failed],
    )
