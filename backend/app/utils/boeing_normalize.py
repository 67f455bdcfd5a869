"""Boeing price-and-availability line items → normalized staging records (pure, no I/O).

Rules (``catalog-constants.md``, ``boeing-pna.md`` § 4, ``http-api.md`` § 2.3):

* Numbers may arrive as JSON numbers or numeric strings; missing, ``null`` and ``""`` all mean "not given"
  and stay distinct from ``0``. A price, dimension or weight of ``0`` means unknown and becomes ``None``;
  quantities keep a real ``0``.
* Base cost = ``listPrice`` if > 0, else ``netPrice`` if > 0, else none. ``cost_per_item`` = base cost;
  ``price`` = base cost times ``PRICE_MARKUP_FACTOR``, rounded half-up to cents.
* ``status`` is ``fetched`` unless a blocked reason applies, the first of: ``no_price``, ``no_stock`` (total
  quantity ≤ 0), ``no_mapped_location`` (no stock at any mapped Shopify location).
* ``mapped_inventory`` lists every Shopify location we write (all values of the location map, plus the
  default location when given), with the stock of the Boeing warehouses mapped to it (0 where none). Stock
  reported without any per-warehouse entry goes to the default location when one is given.

Decisions where the contracts are silent:

* ``pma`` is ``None`` when ``faaApprovalCode`` is not given (Boeing omits compliance fields for parts without
  stock, so "not PMA" would be a guess); otherwise whether it equals ``"PMA"`` (case-insensitive).
* ``inventory_quantity`` is Boeing's ``quantity``; when that is not given, the sum of the warehouse
  quantities; ``None`` when neither is given (then treated as 0 stock).
* ``inventory_status`` follows the total quantity (``in_stock`` when > 0), not Boeing's ``inStock`` flag.
* ``locations`` lists every named warehouse entry Boeing sent (zeros included, duplicates summed, nameless
  entries dropped), sorted by name; ``location_summary`` is built from it (``None`` without entries).
* Boeing sends no certificate, so every record gets ``DEFAULT_CERTIFICATE``; publishing maps edited values
  through ``map_certificate``.
* ``sku`` is ``aviallPartNumber`` trimmed and upper-cased, like every part number the API accepts.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from app.core.constants.extraction import DEFAULT_SUPPLIER, BlockedReason, InventoryStatus, StagingStatus
from app.core.constants.pricing import (
    DEFAULT_CERTIFICATE,
    DEFAULT_CONDITION,
    DEFAULT_CURRENCY,
    PRICE_MARKUP_FACTOR,
)
from app.core.money import parse_decimal, round_money
from app.utils.catalog_rules import (
    base_part_number,
    map_uom,
    parse_dimensions,
    positive_or_none,
    price_value,
    quantity_value,
    render_description_html,
    text_value,
)
from app.utils.normalized_record import LocationQuantity, NormalizedRecord

__all__ = [
    "classify",
    "location_summary",
    "map_inventory",
    "normalize_line_item",
    "normalize_response",
    "record_from_dict",
]


def normalize_response(
    payload: Mapping[str, Any],
    *,
    location_map: Mapping[str, str],
    default_location: str | None,
) -> list[NormalizedRecord]:
    """Normalize every line item of a Boeing response; items without ``aviallPartNumber`` are skipped.

    ``lineItems`` missing or ``null`` gives no records; ``currency`` missing or ``null`` means USD.
    """
    items = payload.get("lineItems")
    if not isinstance(items, list):
        return []
    currency = text_value(payload.get("currency"))
    targets = _mapped_targets(location_map, default_location)
    return [
        _normalize(item, currency, location_map, default_location, targets)
        for item in items
        if isinstance(item, Mapping) and text_value(item.get("aviallPartNumber")) is not None
    ]


def normalize_line_item(
    item: Mapping[str, Any],
    *,
    currency: str | None,
    location_map: Mapping[str, str],
    default_location: str | None,
) -> NormalizedRecord:
    """Normalize one Boeing line item.

    ``currency`` is the response's top-level currency (``None`` → USD); ``location_map`` maps Boeing
    warehouse names to Shopify location names; ``default_location`` (a Shopify location name) receives stock
    reported without per-warehouse data. Raises ``ValueError`` when ``aviallPartNumber`` is missing.
    """
    if text_value(item.get("aviallPartNumber")) is None:
        raise ValueError("a Boeing line item needs an aviallPartNumber")
    targets = _mapped_targets(location_map, default_location)
    return _normalize(item, text_value(currency), location_map, default_location, targets)


def _normalize(
    item: Mapping[str, Any],
    currency: str | None,
    location_map: Mapping[str, str],
    default_location: str | None,
    targets: tuple[str, ...],
) -> NormalizedRecord:
    sku = str(item["aviallPartNumber"]).strip().upper()
    base = base_part_number(sku)
    list_price = price_value(item.get("listPrice"))
    net_price = price_value(item.get("netPrice"))
    cost = list_price if list_price is not None else net_price
    per_warehouse = _warehouse_quantities(item.get("locationAvailabilities"), "availQuantity")
    quantity = quantity_value(item.get("quantity"))
    if quantity is None and per_warehouse:
        quantity = sum(per_warehouse.values())
    name = text_value(item.get("name"))
    supplier = text_value(item.get("supplierName"))
    vendor = supplier or DEFAULT_SUPPLIER
    base_uom = text_value(item.get("baseUOM"))
    faa_code = text_value(item.get("faaApprovalCode"))
    length, width, height = parse_dimensions(item.get("dim"))
    return NormalizedRecord(
        sku=sku,
        title=base,
        base_part_number=base,
        boeing_name=name,
        boeing_description=text_value(item.get("description")),
        body_html=render_description_html(
            base=base,
            name=name,
            manufacturer=vendor,
            certificate=DEFAULT_CERTIFICATE,
            condition=DEFAULT_CONDITION,
            uom=map_uom(base_uom) or base_uom,
        ),
        vendor=vendor,
        supplier_name=supplier,
        currency=(currency or DEFAULT_CURRENCY).upper(),
        list_price=list_price,
        net_price=net_price,
        cost_per_item=cost,
        price=None if cost is None else round_money(cost * PRICE_MARKUP_FACTOR),
        dim_length=length,
        dim_width=width,
        dim_height=height,
        dim_uom=text_value(item.get("dimUOM")),
        weight=positive_or_none(parse_decimal(item.get("weight"))),
        weight_unit=text_value(item.get("weightUOM")),
        base_uom=base_uom,
        country_of_origin=text_value(item.get("countryOfOrigin")),
        hazmat_code=text_value(item.get("hazmatCode")),
        faa_approval_code=faa_code,
        eccn=text_value(item.get("eccn")),
        schedule_b_code=text_value(item.get("scheduleBCode")),
        condition=DEFAULT_CONDITION,
        cert=DEFAULT_CERTIFICATE,
        pma=None if faa_code is None else faa_code.upper() == "PMA",
        boeing_image_url=text_value(item.get("productImage")),
        boeing_thumbnail_url=text_value(item.get("thumbnailImage")),
        **_stock_fields(cost, quantity, per_warehouse, location_map, default_location, targets),
    )


def record_from_dict(
    data: Mapping[str, Any],
    *,
    location_map: Mapping[str, str],
    default_location: str | None,
) -> NormalizedRecord:
    """Rebuild a record from a NormalizedProduct object (a staging row, or an operator's edited product).

    Values are taken as given (money re-rounded, numbers parsed as in normalization, blank texts ``None``);
    ``base_part_number``, ``mapped_inventory``, ``location_summary``, ``status`` and ``blocked_reason`` are
    recomputed with the given location settings. Raises ``ValueError`` without a ``sku``.
    """
    sku = text_value(data.get("sku"))
    if sku is None:
        raise ValueError("a NormalizedProduct needs a sku")
    sku = sku.upper()
    base = base_part_number(sku)
    cost = price_value(data.get("cost_per_item"))
    price = price_value(data.get("price"))
    per_warehouse = _warehouse_quantities(data.get("locations"), "quantity")
    vendor = text_value(data.get("vendor")) or text_value(data.get("supplier_name")) or DEFAULT_SUPPLIER
    condition = text_value(data.get("condition")) or DEFAULT_CONDITION
    cert = text_value(data.get("cert")) or DEFAULT_CERTIFICATE
    name = text_value(data.get("boeing_name"))
    base_uom = text_value(data.get("base_uom"))
    pma = data.get("pma")
    body_html = text_value(data.get("body_html")) or render_description_html(
        base=base,
        name=name,
        manufacturer=vendor,
        certificate=cert,
        condition=condition,
        uom=map_uom(base_uom),
    )
    return NormalizedRecord(
        sku=sku,
        title=text_value(data.get("title")) or base,
        base_part_number=base,
        boeing_name=name,
        boeing_description=text_value(data.get("boeing_description")),
        body_html=body_html,
        vendor=vendor,
        supplier_name=text_value(data.get("supplier_name")),
        currency=(text_value(data.get("currency")) or DEFAULT_CURRENCY).upper(),
        list_price=price_value(data.get("list_price")),
        net_price=price_value(data.get("net_price")),
        cost_per_item=cost,
        price=price,
        dim_length=positive_or_none(parse_decimal(data.get("dim_length"))),
        dim_width=positive_or_none(parse_decimal(data.get("dim_width"))),
        dim_height=positive_or_none(parse_decimal(data.get("dim_height"))),
        dim_uom=text_value(data.get("dim_uom")),
        weight=positive_or_none(parse_decimal(data.get("weight"))),
        weight_unit=text_value(data.get("weight_unit")),
        base_uom=base_uom,
        country_of_origin=text_value(data.get("country_of_origin")),
        hazmat_code=text_value(data.get("hazmat_code")),
        faa_approval_code=text_value(data.get("faa_approval_code")),
        eccn=text_value(data.get("eccn")),
        schedule_b_code=text_value(data.get("schedule_b_code")),
        condition=condition,
        cert=cert,
        pma=pma if isinstance(pma, bool) else None,
        boeing_image_url=text_value(data.get("boeing_image_url")),
        boeing_thumbnail_url=text_value(data.get("boeing_thumbnail_url")),
        **_stock_fields(
            cost if price is not None else None,
            quantity_value(data.get("inventory_quantity")),
            per_warehouse,
            location_map,
            default_location,
            _mapped_targets(location_map, default_location),
        ),
    )


def with_location_settings(
    record: NormalizedRecord, *, location_map: Mapping[str, str], default_location: str | None
) -> NormalizedRecord:
    """The record with its stock mapped by the given location settings: ``mapped_inventory``, the summary,
    ``status`` and ``blocked_reason`` recomputed from its warehouses. Publishing writes stock with the
    settings in force when it writes, not those in force when the part was normalized."""
    per_warehouse = {entry.location: entry.quantity for entry in record.locations}
    stock = _stock_fields(
        record.cost_per_item if record.price is not None else None,
        record.inventory_quantity,
        per_warehouse,
        location_map,
        default_location,
        _mapped_targets(location_map, default_location),
    )
    return dataclasses.replace(record, **stock)


def classify(
    cost: Decimal | None, total_quantity: int, mapped_inventory: Iterable[tuple[str, int]]
) -> BlockedReason | None:
    """The first blocked reason that applies (no_price > no_stock > no_mapped_location), or None."""
    if cost is None:
        return BlockedReason.NO_PRICE
    if total_quantity <= 0:
        return BlockedReason.NO_STOCK
    if not any(quantity > 0 for _, quantity in mapped_inventory):
        return BlockedReason.NO_MAPPED_LOCATION
    return None


def map_inventory(
    per_warehouse: Mapping[str, int],
    total_quantity: int,
    location_map: Mapping[str, str],
    default_location: str | None,
) -> tuple[tuple[str, int], ...]:
    """Stock per Shopify location: every mapped location (and the default one), sorted by name.

    Warehouses mapping to the same Shopify location are summed; unmapped warehouses (non-US stock) are left
    out. When Boeing gave no per-warehouse entry, ``total_quantity`` goes to ``default_location`` if set.
    """
    return _map_inventory(
        per_warehouse,
        total_quantity,
        location_map,
        default_location,
        _mapped_targets(location_map, default_location),
    )


def location_summary(locations: Iterable[LocationQuantity]) -> str | None:
    """``"Chicago Warehouse: 50; Dallas Central: 100"`` (from entries sorted by name), ``None`` when empty."""
    text = "; ".join(f"{entry.location}: {entry.quantity}" for entry in locations)
    return text or None


def _stock_fields(
    cost: Decimal | None,
    quantity: int | None,
    per_warehouse: Mapping[str, int],
    location_map: Mapping[str, str],
    default_location: str | None,
    targets: tuple[str, ...],
) -> dict[str, Any]:
    total = quantity or 0
    locations = tuple(LocationQuantity(name, qty) for name, qty in sorted(per_warehouse.items()))
    mapped = _map_inventory(per_warehouse, total, location_map, default_location, targets)
    reason = classify(cost, total, mapped)
    return {
        "inventory_quantity": quantity,
        "inventory_status": InventoryStatus.IN_STOCK if total > 0 else InventoryStatus.OUT_OF_STOCK,
        "location_summary": location_summary(locations),
        "locations": locations,
        "mapped_inventory": mapped,
        "status": StagingStatus.FETCHED if reason is None else StagingStatus.BLOCKED,
        "blocked_reason": reason,
    }


def _map_inventory(
    per_warehouse: Mapping[str, int],
    total_quantity: int,
    location_map: Mapping[str, str],
    default_location: str | None,
    targets: tuple[str, ...],
) -> tuple[tuple[str, int], ...]:
    mapped = dict.fromkeys(targets, 0)
    for warehouse, quantity in per_warehouse.items():
        target = location_map.get(warehouse)
        if target is not None:
            mapped[target] += quantity
    if not per_warehouse and total_quantity > 0 and default_location:
        mapped[default_location] += total_quantity
    return tuple(sorted(mapped.items()))


def _mapped_targets(location_map: Mapping[str, str], default_location: str | None) -> tuple[str, ...]:
    targets = set(location_map.values())
    if default_location:
        targets.add(default_location)
    return tuple(sorted(targets))


def _warehouse_quantities(entries: object, quantity_key: str) -> dict[str, int]:
    """Quantity per named warehouse entry (duplicates summed); ``quantity_key`` is the entry's count field."""
    result: dict[str, int] = {}
    if not isinstance(entries, list):
        return result
    for entry in entries:
        if isinstance(entry, Mapping):
            name = text_value(entry.get("location"))
            if name is not None:
                result[name] = result.get(name, 0) + (quantity_value(entry.get(quantity_key)) or 0)
    return result
