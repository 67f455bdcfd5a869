"""Multi-part Shopify search models (http-api §3.7)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from app.core.inputs import PartNumberEntry, PartNumberText, part_number_choice
from app.core.money import MoneyField


class MultiPartSearchRequest(BaseModel):
    """Exactly one of ``part_numbers`` or ``part_numbers_text`` (http-api §1.7; at most 50)."""

    model_config = ConfigDict(json_schema_extra=part_number_choice())

    part_numbers: list[PartNumberEntry] | None = None
    part_numbers_text: PartNumberText | None = None


class FoundImage(BaseModel):
    url: str
    alt_text: str | None


class FoundMetafield(BaseModel):
    namespace: str
    key: str
    value: str


class FoundProduct(BaseModel):
    sku: str
    shopify_product_id: str
    shopify_variant_id: str
    title: str
    handle: str
    status: str
    vendor: str
    product_type: str
    description: str | None
    price: MoneyField | None
    compare_at_price: MoneyField | None
    inventory_quantity: int | None
    tags: list[str]
    images: list[FoundImage]
    metafields: list[FoundMetafield]


class SearchSummary(BaseModel):
    total_requested: int
    unique_searched: int
    found: int
    not_found: int
    duplicates_removed: int


class MultiPartSearchResponse(BaseModel):
    success: bool
    found_products: list[FoundProduct]
    not_found_skus: list[str]
    summary: SearchSummary
    message: str | None
