"""The normalized product columns ``product_staging`` and ``product`` share (a NormalizedProduct's values).

Both tables store the same values of a Boeing line item; their rows extend ``NormalizedColumns`` with what is
particular to each (staging status, or the Shopify ids and published-at time).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.utils.normalized_record import LocationQuantity

__all__ = ["NORMALIZED_VALUE_FIELDS", "NormalizedColumns", "read_normalized_json"]

NORMALIZED_VALUE_FIELDS: tuple[str, ...] = (
    "base_part_number", "title", "boeing_name", "boeing_description", "body_html", "vendor", "supplier_name",
    "currency", "list_price", "net_price", "cost_per_item", "price", "dim_length", "dim_width", "dim_height",
    "dim_uom", "weight", "weight_unit", "base_uom", "inventory_quantity", "inventory_status",
    "location_summary", "locations", "mapped_inventory", "country_of_origin", "hazmat_code",
    "faa_approval_code", "eccn", "schedule_b_code", "condition", "cert", "pma", "boeing_image_url",
    "boeing_thumbnail_url",
)  # fmt: skip
"""The normalized values stored per SKU (besides ``sku``, ``status`` and ``blocked_reason``)."""


@dataclass(frozen=True, slots=True)
class NormalizedColumns:
    """The normalized values of one SKU as read back (``locations`` and ``mapped_inventory`` as tuples)."""

    base_part_number: str
    title: str
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
    inventory_status: str | None
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

    def values(self) -> dict[str, Any]:
        """The normalized values as plain data (locations as dicts, mapped inventory as pairs)."""
        data = {name: getattr(self, name) for name in NORMALIZED_VALUE_FIELDS}
        data["locations"] = [entry.to_dict() for entry in self.locations]
        data["mapped_inventory"] = [[name, qty] for name, qty in self.mapped_inventory]
        return data


def read_normalized_json(values: MutableMapping[str, Any]) -> None:
    """Turn a selected row's JSON ``locations`` and ``mapped_inventory`` into the row types, in place."""
    values["locations"] = tuple(
        LocationQuantity(str(entry.get("location")), int(entry.get("quantity") or 0))
        for entry in values.get("locations") or []
        if isinstance(entry, dict)
    )
    values["mapped_inventory"] = tuple(
        (str(pair[0]), int(pair[1])) for pair in values.get("mapped_inventory") or [] if len(pair) == 2
    )
