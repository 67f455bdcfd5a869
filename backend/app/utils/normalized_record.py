"""The normalized form of one Boeing line item: one shape from normalization to the Shopify payload.

Normalization produces a ``NormalizedRecord``; ``product_staging`` and ``product`` store its values in the
columns named by ``NORMALIZED_VALUE_FIELDS`` (defined here, once), and their stores read each row back into a
record once; the payload builders read the record. ``record_to_json`` and ``record_from_json`` are the
record's one codec: the JSON object the staging upsert sends and a reconciliation payload stores (money and
measures as decimal text, never a float), and its inverse, which also reads a row's own columns. A stored
record is taken as stored: it is never normalized again (``boeing_normalize.record_from_dict`` is for an
operator's edited product only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.core.constants.extraction import BlockedReason, InventoryStatus, StagingStatus
from app.core.money import parse_decimal

__all__ = [
    "NORMALIZED_VALUE_FIELDS",
    "LocationQuantity",
    "NormalizedRecord",
    "record_from_json",
    "record_to_json",
]

NORMALIZED_VALUE_FIELDS: tuple[str, ...] = (
    "base_part_number", "title", "boeing_name", "boeing_description", "body_html", "vendor", "supplier_name",
    "currency", "list_price", "net_price", "cost_per_item", "price", "dim_length", "dim_width", "dim_height",
    "dim_uom", "weight", "weight_unit", "base_uom", "inventory_quantity", "inventory_status",
    "location_summary", "locations", "mapped_inventory", "country_of_origin", "hazmat_code",
    "faa_approval_code", "eccn", "schedule_b_code", "condition", "cert", "pma", "boeing_image_url",
    "boeing_thumbnail_url",
)  # fmt: skip
"""The values stored per SKU, as columns of ``product_staging`` and ``product`` (besides ``sku``, and the
staging row's ``status`` and ``blocked_reason``)."""

DECIMAL_FIELDS = frozenset(
    {"list_price", "net_price", "cost_per_item", "price", "dim_length", "dim_width", "dim_height", "weight"}
)
"""Money (``numeric(12,2)``) and measures (``numeric(14,4)``): ``Decimal`` in a record, decimal text in
JSON."""


@dataclass(frozen=True, slots=True)
class LocationQuantity:
    """Stock Boeing reports at one of its warehouses."""

    location: str
    quantity: int

    def to_dict(self) -> dict[str, Any]:
        """``{"location": str, "quantity": int}`` as in the NormalizedProduct contract."""
        return {"location": self.location, "quantity": self.quantity}


@dataclass(frozen=True, slots=True)
class NormalizedRecord:
    """One Boeing line item after normalization: the NormalizedProduct fields plus publishing extras.

    Extras: ``base_part_number`` (the SKU before ``=``) and ``mapped_inventory``, the stock per Shopify
    location name for every location we write, sorted by name. Money is ``Decimal`` in cents; dimensions and
    weight are ``Decimal`` as Boeing sent them (or as stored: ``2.5000``); ``None`` means unknown.
    Normalization fills ``body_html``, ``vendor``, ``currency``, ``condition`` and ``cert``; a stored row may
    hold them blank, and the payload builders then fall back to the catalogue defaults. ``status`` is the
    staging status (``published`` for a ``product`` row).
    """

    sku: str
    title: str
    base_part_number: str
    boeing_name: str | None
    boeing_description: str | None
    body_html: str | None
    vendor: str | None
    supplier_name: str | None
    currency: str | None
    list_price: Decimal | None
    net_price: Decimal | None
    cost_per_item: Decimal | None
    price: Decimal | None
    dim_length: Decimal | None
    dim_width: Decimal | None
    dim_height: Decimal | None
    dim_uom: str | None
    weight: Decimal | None
    weight_unit: str | None
    base_uom: str | None
    inventory_quantity: int | None
    inventory_status: InventoryStatus
    location_summary: str | None
    locations: tuple[LocationQuantity, ...]
    mapped_inventory: tuple[tuple[str, int], ...]
    country_of_origin: str | None
    hazmat_code: str | None
    faa_approval_code: str | None
    eccn: str | None
    schedule_b_code: str | None
    condition: str | None
    cert: str | None
    pma: bool | None
    boeing_image_url: str | None
    boeing_thumbnail_url: str | None
    status: StagingStatus
    blocked_reason: BlockedReason | None

    @property
    def total_quantity(self) -> int:
        """Total stock (``inventory_quantity``, 0 when unknown)."""
        return self.inventory_quantity or 0

    def to_dict(self) -> dict[str, Any]:
        """The NormalizedProduct of ``http-api.md`` § 2.3; numbers stay ``Decimal`` for the API layer."""
        return {
            "sku": self.sku,
            "title": self.title,
            "boeing_name": self.boeing_name,
            "boeing_description": self.boeing_description,
            "body_html": self.body_html,
            "vendor": self.vendor,
            "supplier_name": self.supplier_name,
            "currency": self.currency,
            "list_price": self.list_price,
            "net_price": self.net_price,
            "cost_per_item": self.cost_per_item,
            "price": self.price,
            "dim_length": self.dim_length,
            "dim_width": self.dim_width,
            "dim_height": self.dim_height,
            "weight": self.weight,
            "inventory_quantity": self.inventory_quantity,
            "inventory_status": self.inventory_status.value,
            "location_summary": self.location_summary,
            "locations": [entry.to_dict() for entry in self.locations],
            "dim_uom": self.dim_uom,
            "weight_unit": self.weight_unit,
            "base_uom": self.base_uom,
            "country_of_origin": self.country_of_origin,
            "hazmat_code": self.hazmat_code,
            "faa_approval_code": self.faa_approval_code,
            "eccn": self.eccn,
            "schedule_b_code": self.schedule_b_code,
            "condition": self.condition,
            "cert": self.cert,
            "boeing_image_url": self.boeing_image_url,
            "boeing_thumbnail_url": self.boeing_thumbnail_url,
            "pma": self.pma,
            "status": self.status.value,
            "blocked_reason": None if self.blocked_reason is None else self.blocked_reason.value,
        }


def record_to_json(record: NormalizedRecord) -> dict[str, Any]:
    """The record's ``NORMALIZED_VALUE_FIELDS`` as a JSON object (without ``sku`` and the status).

    Money and measures are decimal text (exact: ``"28.05"``, ``"2.5000"``), the stock status its value,
    ``locations`` a list of ``{"location", "quantity"}`` objects and ``mapped_inventory`` ``[name, quantity]``
    pairs. A reconciliation payload stores this object as its ``values``; keep it stable.
    """
    values = {name: getattr(record, name) for name in NORMALIZED_VALUE_FIELDS}
    for name in DECIMAL_FIELDS:
        if values[name] is not None:
            values[name] = str(values[name])
    values["inventory_status"] = record.inventory_status.value
    values["locations"] = [entry.to_dict() for entry in record.locations]
    values["mapped_inventory"] = [[location, quantity] for location, quantity in record.mapped_inventory]
    return values


def record_from_json(
    sku: str,
    values: Mapping[str, Any],
    *,
    status: StagingStatus | str,
    blocked_reason: BlockedReason | str | None = None,
) -> NormalizedRecord:
    """The record of ``sku`` from ``record_to_json``'s object, or from a row's columns as the driver reads
    them (numbers as ``Decimal``, JSON columns decoded).

    Values are taken as stored, not normalized again. A missing stock status follows the total quantity, as
    normalization sets it.
    """
    data: dict[str, Any] = {name: values.get(name) for name in NORMALIZED_VALUE_FIELDS}
    for name in DECIMAL_FIELDS:
        if data[name] is not None:
            data[name] = parse_decimal(data[name])
    stock = data["inventory_status"]
    if stock is None:
        in_stock = (data["inventory_quantity"] or 0) > 0
        stock = InventoryStatus.IN_STOCK if in_stock else InventoryStatus.OUT_OF_STOCK
    data["inventory_status"] = InventoryStatus(stock)
    data["locations"] = tuple(
        LocationQuantity(str(entry.get("location")), int(entry.get("quantity") or 0))
        for entry in data["locations"] or ()
        if isinstance(entry, Mapping)
    )
    data["mapped_inventory"] = tuple(
        (str(pair[0]), int(pair[1])) for pair in data["mapped_inventory"] or () if len(pair) == 2
    )
    return NormalizedRecord(
        sku=sku,
        status=StagingStatus(status),
        blocked_reason=None if blocked_reason is None else BlockedReason(blocked_reason),
        **data,
    )
