"""Shopify Admin GraphQL payloads built from normalized records (pure: no I/O, no settings).

The publisher writes one product per full SKU with ``productSet``, upserting by the ``customId`` identifier on
``custom.aviall_part_number`` (``catalog-constants.md`` § Shopify product). Sync writes price and cost with
``productVariantsBulkUpdate`` and stock with ``inventorySetQuantities`` (see ``inventory_mapper``).

Metafields live in ``metafield_builder`` and stock in ``inventory_mapper``; this module re-exports both.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core.constants.extraction import DEFAULT_SUPPLIER
from app.core.constants.pricing import DEFAULT_CONDITION
from app.core.constants.publishing import (
    DEFAULT_OPTION_NAME,
    DEFAULT_OPTION_VALUE,
    IMAGE_CONTENT_TYPE,
    ORIGIN_TAG_PREFIX,
    PRODUCT_CATEGORY_GID,
    PRODUCT_STATUS,
    PRODUCT_TAGS,
    PRODUCT_TYPE,
    UPSERT_KEY_KEY,
    UPSERT_KEY_NAMESPACE,
)
from app.core.money import format_money, round_money
from app.services.utils.inventory_mapper import product_set_inventory_quantities
from app.services.utils.metafield_builder import product_metafields
from app.utils.catalog_rules import (
    map_certificate,
    map_uom,
    map_weight_unit,
    render_description_html,
    text_value,
)
from app.utils.hash_utils import content_hash
from app.utils.normalized_record import NormalizedRecord

__all__ = [
    "ProductSetRequest",
    "build_product_set",
    "build_variant_price_update",
    "origin_tag",
    "product_handle",
    "publish_content_hash",
]

_HANDLE_UNSAFE = re.compile(r"[^a-z0-9=]")
_NOT_ALPHANUMERIC_RUN = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class ProductSetRequest:
    """``productSet`` arguments: ``identifier`` and ``input``, ready as GraphQL variables.

    ``unresolved_locations`` names Shopify locations with stock that are missing from ``location_ids``: their
    stock could not be written, and the publisher should report it.
    """

    identifier: dict[str, Any]
    input: dict[str, Any]
    unresolved_locations: tuple[str, ...] = field(default=())

    @property
    def variables(self) -> dict[str, Any]:
        """``{"identifier": ..., "input": ...}`` for the ``ProductSet`` mutation."""
        return {"identifier": self.identifier, "input": self.input}


def product_handle(sku: str) -> str:
    """Handle of a full SKU: lower-case, ``=`` → ``--``, other non-alphanumerics → ``-``: ``wf338109--k3``."""
    return _HANDLE_UNSAFE.sub("-", sku.strip().lower()).replace("=", "--")


def origin_tag(country: str | None) -> str | None:
    """``origin-<country-slug>`` (``"United States"`` → ``origin-united-states``), ``None`` when unknown."""
    slug = _NOT_ALPHANUMERIC_RUN.sub("-", (country or "").strip().lower()).strip("-")
    return f"{ORIGIN_TAG_PREFIX}{slug}" if slug else None


def build_product_set(
    record: NormalizedRecord,
    *,
    location_ids: Mapping[str, str],
    inventory_location_codes: Mapping[str, str],
    image_url: str | None,
    variant_id: str | None = None,
    image_alt: str | None = None,
) -> ProductSetRequest:
    """The ``productSet`` upsert of one SKU: the product, its single variant, stock, metafields and image.

    ``location_ids`` maps every Shopify location name we write to its GID: each gets a quantity (0 where
    Boeing has none). ``variant_id`` keeps the existing variant (and its inventory item) on updates.
    ``image_url`` adds the image as a file; send it on create or when the image changed. ``image_alt`` is
    only sent when given. Raises ``ValueError`` when the record has no price above 0.
    """
    if record.price is None or round_money(record.price) <= 0:
        raise ValueError(f"{record.sku}: cannot publish without a price above 0")
    base = record.base_part_number
    vendor = text_value(record.vendor) or DEFAULT_SUPPLIER
    quantities, unresolved = product_set_inventory_quantities(record.mapped_inventory, location_ids)

    inventory_item: dict[str, Any] = {"tracked": True}
    if record.cost_per_item is not None and record.cost_per_item > 0:
        inventory_item["cost"] = format_money(record.cost_per_item)
    weight_unit = map_weight_unit(record.weight_unit)
    if record.weight is not None and record.weight > 0 and weight_unit is not None:
        inventory_item["measurement"] = {"weight": {"value": float(record.weight), "unit": weight_unit}}

    variant: dict[str, Any] = {}
    if variant_id:
        variant["id"] = variant_id
    variant.update(
        optionValues=[{"optionName": DEFAULT_OPTION_NAME, "name": DEFAULT_OPTION_VALUE}],
        sku=base,
        price=format_money(record.price),
        inventoryItem=inventory_item,
        inventoryQuantities=quantities,
    )

    tags = list(PRODUCT_TAGS)
    country_tag = origin_tag(record.country_of_origin)
    if country_tag is not None and country_tag not in tags:
        tags.append(country_tag)

    body: dict[str, Any] = {
        "handle": product_handle(record.sku),
        "title": base,
        "descriptionHtml": text_value(record.body_html) or _description(record, vendor),
        "vendor": vendor,
        "productType": PRODUCT_TYPE,
        "tags": tags,
        "category": PRODUCT_CATEGORY_GID,
        "status": PRODUCT_STATUS,
        "productOptions": [{"name": DEFAULT_OPTION_NAME, "values": [{"name": DEFAULT_OPTION_VALUE}]}],
        "variants": [variant],
        "metafields": product_metafields(record, inventory_location_codes),
    }
    if image_url:
        image: dict[str, Any] = {"originalSource": image_url, "contentType": IMAGE_CONTENT_TYPE}
        if image_alt:
            image["alt"] = image_alt
        body["files"] = [image]
    identifier = {"customId": {"namespace": UPSERT_KEY_NAMESPACE, "key": UPSERT_KEY_KEY, "value": record.sku}}
    return ProductSetRequest(identifier=identifier, input=body, unresolved_locations=unresolved)


def publish_content_hash(request: ProductSetRequest) -> str:
    """Hash of everything a ``productSet`` would write, for publish de-duplication.

    Variant ids are left out: they address the variant rather than describe it, so the first publish
    (no id yet) and later ones (id known) of the same content hash alike.
    """
    variables = copy.deepcopy(request.variables)
    for variant in variables["input"].get("variants", []):
        variant.pop("id", None)
    return content_hash(variables)


def build_variant_price_update(
    product_id: str, variant_id: str, price: Decimal | None, cost: Decimal | None
) -> dict[str, Any]:
    """``productVariantsBulkUpdate`` variables setting one variant's price (and cost when given).

    Never writes a price ≤ 0 (the sync guard keeps the last price instead): raises ``ValueError``. A cost
    that is ``None`` or not above 0 leaves the stored cost unchanged.
    """
    if price is None or round_money(price) <= 0:
        raise ValueError("refusing to write a price that is missing or not above 0")
    variant: dict[str, Any] = {"id": variant_id, "price": format_money(price)}
    if cost is not None and round_money(cost) > 0:
        variant["inventoryItem"] = {"cost": format_money(cost)}
    return {"productId": product_id, "variants": [variant]}


def _description(record: NormalizedRecord, vendor: str) -> str:
    return render_description_html(
        base=record.base_part_number,
        name=record.boeing_name,
        manufacturer=vendor,
        certificate=map_certificate(record.cert),
        condition=text_value(record.condition) or DEFAULT_CONDITION,
        uom=map_uom(record.base_uom) or record.base_uom,
    )
