"""Product data models: NormalizedProduct, StagingProduct and raw Boeing data (http-api §2.3, §3.6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainSerializer

from app.core.money import MoneyField
from app.schemas.pagination import Page
from app.schemas.sync import Timestamp

__all__ = ["NormalizedProduct", "RawDataResponse", "StagingPage", "StagingProduct"]

Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
"""A measurement (dimension, weight) rendered as a JSON number."""


class LocationQuantity(BaseModel):
    location: str
    quantity: int


class NormalizedProduct(BaseModel):
    """One Boeing line item after normalization."""

    sku: str
    title: str
    boeing_name: str | None
    boeing_description: str | None
    body_html: str | None
    vendor: str | None
    supplier_name: str | None
    currency: str | None
    list_price: MoneyField | None
    net_price: MoneyField | None
    cost_per_item: MoneyField | None
    price: MoneyField | None
    dim_length: Number | None
    dim_width: Number | None
    dim_height: Number | None
    weight: Number | None
    inventory_quantity: int | None
    inventory_status: Literal["in_stock", "out_of_stock"] | None
    location_summary: str | None
    locations: list[LocationQuantity]
    dim_uom: str | None
    weight_unit: str | None
    base_uom: str | None
    country_of_origin: str | None
    hazmat_code: str | None
    faa_approval_code: str | None
    eccn: str | None
    schedule_b_code: str | None
    condition: str | None
    cert: str | None
    boeing_image_url: str | None
    boeing_thumbnail_url: str | None
    pma: bool | None
    status: Literal["fetched", "blocked"]
    blocked_reason: Literal["no_price", "no_stock", "no_mapped_location"] | None

    @classmethod
    def from_record(cls, record: Any) -> NormalizedProduct:
        """Shape a ``NormalizedRecord``."""
        return cls.model_validate(record.to_dict())


class StagingProduct(NormalizedProduct):
    """A staged SKU: the NormalizedProduct plus its staging row's identity and publishing state."""

    id: str
    batch_id: str | None
    shopify_product_id: str | None
    image_url: str | None
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp
    status: Literal["fetched", "blocked", "published", "failed"]  # type: ignore[assignment]

    @classmethod
    def from_row(cls, row: Any) -> StagingProduct:
        """Shape a staging row (its record carries the staging status)."""
        return cls(
            **row.record.to_dict(),
            id=row.id,
            batch_id=row.batch_id,
            shopify_product_id=row.shopify_product_id,
            image_url=row.image_url,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class StagingPage(Page[StagingProduct]):
    items: list[StagingProduct] = Field(alias="products")


class RawDataResponse(BaseModel):
    part_number: str
    raw_data: dict[str, Any] | None
    search_query: str | None
    fetched_at: Timestamp | None
    message: str | None
