"""The normalized form of one Boeing line item, shared by normalization, publishing and sync."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from app.core.constants.extraction import BlockedReason, InventoryStatus, StagingStatus

__all__ = ["LocationQuantity", "LocationQuantityLike", "NormalizedRecord", "PublishableRecord"]


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
    weight are ``Decimal`` as Boeing sent them; ``None`` means unknown.
    """

    sku: str
    title: str
    base_part_number: str
    boeing_name: str | None
    boeing_description: str | None
    body_html: str
    vendor: str
    supplier_name: str | None
    currency: str
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
    condition: str
    cert: str
    pma: bool | None
    boeing_image_url: str | None
    boeing_thumbnail_url: str | None
    status: StagingStatus
    blocked_reason: BlockedReason | None

    @property
    def total_quantity(self) -> int:
        """Total stock (``inventory_quantity``, 0 when unknown)."""
        return self.inventory_quantity or 0

    @property
    def mapped_quantity(self) -> int:
        """Stock at the Shopify locations we sell from."""
        return sum(quantity for _, quantity in self.mapped_inventory)

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


class LocationQuantityLike(Protocol):
    """A warehouse entry: ``LocationQuantity`` or any object with these attributes."""

    @property
    def location(self) -> str: ...
    @property
    def quantity(self) -> int: ...


class PublishableRecord(Protocol):
    """The attributes publishing reads: a ``NormalizedRecord`` or any object providing them."""

    @property
    def sku(self) -> str: ...
    @property
    def base_part_number(self) -> str: ...
    @property
    def boeing_name(self) -> str | None: ...
    @property
    def body_html(self) -> str | None: ...
    @property
    def vendor(self) -> str | None: ...
    @property
    def price(self) -> Decimal | None: ...
    @property
    def cost_per_item(self) -> Decimal | None: ...
    @property
    def dim_length(self) -> Decimal | None: ...
    @property
    def dim_width(self) -> Decimal | None: ...
    @property
    def dim_height(self) -> Decimal | None: ...
    @property
    def dim_uom(self) -> str | None: ...
    @property
    def weight(self) -> Decimal | None: ...
    @property
    def weight_unit(self) -> str | None: ...
    @property
    def base_uom(self) -> str | None: ...
    @property
    def country_of_origin(self) -> str | None: ...
    @property
    def hazmat_code(self) -> str | None: ...
    @property
    def faa_approval_code(self) -> str | None: ...
    @property
    def eccn(self) -> str | None: ...
    @property
    def schedule_b_code(self) -> str | None: ...
    @property
    def condition(self) -> str | None: ...
    @property
    def cert(self) -> str | None: ...
    @property
    def pma(self) -> bool | None: ...
    @property
    def location_summary(self) -> str | None: ...
    @property
    def locations(self) -> Iterable[LocationQuantityLike]: ...
    @property
    def mapped_inventory(self) -> Iterable[tuple[str, int]]: ...
