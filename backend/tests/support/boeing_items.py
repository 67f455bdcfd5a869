"""Factories for Boeing price-and-availability line items and the records normalized from them."""

from __future__ import annotations

from typing import Any

from app.utils.boeing_normalize import normalize_line_item
from app.utils.normalized_record import NormalizedRecord

US_LOCATION_MAP = {
    "Dallas Central": "Dallas Central",
    "Chicago Warehouse": "Chicago Warehouse",
    "Miami, FL": "Miami, FL",
}
"""The local profile's ``SHOPIFY_LOCATION_MAP``: the US warehouses, ``Germany CSC`` deliberately unmapped."""

DROP = object()
"""Pass as a field's value to ``line_item`` to remove that field."""


def location(name: str, quantity: Any) -> dict[str, Any]:
    """One ``locationAvailabilities`` entry."""
    return {"location": name, "availQuantity": quantity}


def line_item(**overrides: Any) -> dict[str, Any]:
    """The contract's in-stock fixture (``boeing-pna.md`` § 4.2) with fields replaced or ``DROP``-ped."""
    item: dict[str, Any] = {
        "aviallPartNumber": "WF338109=K3",
        "productCode": "WF338109",
        "name": "GASKET, O-RING",
        "description": "O-Ring Gasket for hydraulic system",
        "listPrice": "25.50",
        "netPrice": "23.00",
        "quantity": "150",
        "inStock": True,
        "baseUOM": "EA",
        "countryOfOrigin": "United States",
        "dim": "2.5 x 1.0 x 0.5",
        "dimUOM": "IN",
        "weight": "0.1",
        "weightUOM": "LB",
        "supplierName": "BOEING COMMERCIAL AIRPLANES",
        "faaApprovalCode": "PMA",
        "hazmatCode": "N",
        "eccn": "EAR99",
        "scheduleBCode": "8484.10",
        "productImage": "http://127.0.0.1:8081/media/products/WF338109%3DK3.png",
        "thumbnailImage": "http://127.0.0.1:8081/media/thumbnails/WF338109%3DK3.png",
        "locationAvailabilities": [location("Dallas Central", "100"), location("Chicago Warehouse", "50")],
    }
    for key, value in overrides.items():
        if value is DROP:
            item.pop(key, None)
        else:
            item[key] = value
    return item


def normalized(
    *,
    currency: str | None = "USD",
    location_map: dict[str, str] | None = None,
    default_location: str | None = None,
    **overrides: Any,
) -> NormalizedRecord:
    """``line_item(**overrides)`` normalized with the US location map (unless another map is given)."""
    return normalize_line_item(
        line_item(**overrides),
        currency=currency,
        location_map=US_LOCATION_MAP if location_map is None else location_map,
        default_location=default_location,
    )
