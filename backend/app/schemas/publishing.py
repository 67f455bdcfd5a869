"""Publishing and published-product models (http-api §2.3 PublishedProduct, §3.4, §3.6 published)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import (
    Flag,
    Identifier,
    Measurement,
    Money,
    PartNumber,
    PartNumberEntry,
    PartNumberText,
    Quantity,
    Text,
    Title,
    part_number_choice,
)
from app.core.money import MoneyField
from app.schemas.pagination import Page
from app.schemas.sync import Timestamp


class PublishRequest(BaseModel):
    part_number: PartNumber
    batch_id: Identifier | None = None


class PublishAccepted(BaseModel):
    """202 of ``POST /publishing/publish`` (``shopifyProductId`` camelCase, as the dashboard reads it)."""

    success: bool
    shopifyProductId: str | None
    batch_id: str
    message: str


class BulkPublishRequest(BaseModel):
    """Exactly one of ``part_numbers`` or ``part_numbers_text``, or neither with a ``batch_id`` (§3.4)."""

    model_config = ConfigDict(json_schema_extra=part_number_choice(batch_alternative=True))

    part_numbers: list[PartNumberEntry] | None = None
    part_numbers_text: PartNumberText | None = None
    batch_id: Identifier | None = None
    idempotency_key: Identifier | None = None


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


class LocationInput(BaseModel):
    location: Title
    quantity: Quantity


class ProductUpdateRequest(BaseModel):
    """``PUT /publishing/products/{id}``: the fields of a NormalizedProduct (a unit test keeps the two lists
    equal), each of its input kind; ``status``, ``blocked_reason`` and unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    sku: PartNumber
    title: Title
    boeing_name: Text | None = None
    boeing_description: Text | None = None
    body_html: Text | None = None
    vendor: Text | None = None
    supplier_name: Text | None = None
    currency: Text | None = None
    list_price: Money | None = None
    net_price: Money | None = None
    cost_per_item: Money | None = None
    price: Money | None = None
    dim_length: Measurement | None = None
    dim_width: Measurement | None = None
    dim_height: Measurement | None = None
    weight: Measurement | None = None
    inventory_quantity: Quantity | None = None
    inventory_status: Text | None = None
    location_summary: Text | None = None
    locations: list[LocationInput] = Field(default_factory=list)
    dim_uom: Text | None = None
    weight_unit: Text | None = None
    base_uom: Text | None = None
    country_of_origin: Text | None = None
    hazmat_code: Text | None = None
    faa_approval_code: Text | None = None
    eccn: Text | None = None
    schedule_b_code: Text | None = None
    condition: Text | None = None
    cert: Text | None = None
    boeing_image_url: Text | None = None
    boeing_thumbnail_url: Text | None = None
    pma: Flag | None = None


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
