"""Publishing and published-product models (http-api §2.3 PublishedProduct, §3.4, §3.6 published)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.money import MoneyField
from app.schemas.pagination import Page
from app.schemas.sync import Timestamp

PartNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=50)
]


class PublishRequest(BaseModel):
    part_number: PartNumber
    batch_id: str | None = None


class PublishAccepted(BaseModel):
    """202 of ``POST /publishing/publish`` (``shopifyProductId`` camelCase, as the dashboard reads it)."""

    success: bool
    shopifyProductId: str | None
    batch_id: str
    message: str


class BulkPublishRequest(BaseModel):
    part_numbers: list[str] | None = None
    part_numbers_text: str | None = None
    batch_id: str | None = None
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None


class LocationEntry(BaseModel):
    location: str
    quantity: int


class NormalizedProductFields(BaseModel):
    """The NormalizedProduct fields every product object carries (http-api §2.3)."""

    sku: str
    title: str
    boeing_name: str | None = None
    boeing_description: str | None = None
    body_html: str | None = None
    vendor: str | None = None
    supplier_name: str | None = None
    currency: str | None = None
    list_price: MoneyField | None = None
    net_price: MoneyField | None = None
    cost_per_item: MoneyField | None = None
    price: MoneyField | None = None
    dim_length: float | None = None
    dim_width: float | None = None
    dim_height: float | None = None
    weight: float | None = None
    inventory_quantity: int | None = None
    inventory_status: str | None = None
    location_summary: str | None = None
    locations: list[LocationEntry] = Field(default_factory=list)
    dim_uom: str | None = None
    weight_unit: str | None = None
    base_uom: str | None = None
    country_of_origin: str | None = None
    hazmat_code: str | None = None
    faa_approval_code: str | None = None
    eccn: str | None = None
    schedule_b_code: str | None = None
    condition: str | None = None
    cert: str | None = None
    boeing_image_url: str | None = None
    boeing_thumbnail_url: str | None = None
    pma: bool | None = None


class ProductUpdateRequest(NormalizedProductFields):
    """``PUT /publishing/products/{id}``: a NormalizedProduct; ``status``/``blocked_reason`` are ignored."""

    model_config = ConfigDict(extra="ignore")

    sku: PartNumber
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class ProductUpdated(BaseModel):
    success: bool
    shopifyProductId: str
    batch_id: None
    message: str


class CheckResponse(BaseModel):
    shopifyProductId: str | None


class MetafieldFailure(BaseModel):
    key: str
    error: str


class MetafieldSetupResponse(BaseModel):
    success: bool
    created: list[str]
    existing: list[str]
    failed: list[MetafieldFailure]


class PublishedProduct(NormalizedProductFields):
    id: str
    shopify_product_id: str
    shopify_variant_id: str | None
    shopify_handle: str | None
    image_url: str | None
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_row(cls, row: Any) -> PublishedProduct:
        """Shape a ``ProductRow`` (ids rendered as Shopify's digit strings)."""
        values = row.record.to_dict()
        del values["status"], values["blocked_reason"]  # a product's own record: always published
        for money in ("dim_length", "dim_width", "dim_height", "weight"):
            if values[money] is not None:
                values[money] = float(values[money])
        return cls(
            **values,
            id=row.id,
            shopify_product_id=_digits(row.shopify_product_id) or "",
            shopify_variant_id=_digits(row.shopify_variant_id),
            shopify_handle=row.shopify_handle,
            image_url=row.image_url,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class PublishedProductPage(Page[PublishedProduct]):
    items: list[PublishedProduct] = Field(alias="products")
    shopify_store_domain: str | None


def _digits(value: str | None) -> str | None:
    return value.rsplit("/", 1)[-1] if value else None
