"""Turn a record and its snapshot into a ``lineItems[]`` entry in the configured numeric style."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .drift import Snapshot
from .parts import Record


def cents_text(cents: int) -> str:
    """Cents as a two-decimal string (``2550`` → ``"25.50"``)."""
    return f"{cents // 100}.{cents % 100:02d}"


def _cents_number(cents: int) -> int | float:
    # Whole amounts come out as JSON integers (``23``), others as decimals (``25.5``), as real answers vary.
    return cents // 100 if cents % 100 == 0 else cents / 100


def image_urls(base_url: str, code: str) -> tuple[str, str]:
    """Product and thumbnail URLs for a code (the code is percent-encoded, ``=`` included)."""
    encoded = quote(code, safe="")
    return f"{base_url}/media/products/{encoded}.png", f"{base_url}/media/thumbnails/{encoded}.png"


def line_item(
    rec: Record, snap: Snapshot, *, style: str, base_url: str, show_location: bool
) -> dict[str, Any]:
    """One ``lineItems`` entry; ``style`` is ``string``, ``number`` or ``mixed`` (per part, deterministic)."""
    as_text = style == "string" or (style == "mixed" and rec.numbers_as_strings)
    price: Any = cents_text if as_text else _cents_number
    qty: Any = str if as_text else int
    item: dict[str, Any] = {
        "aviallPartNumber": rec.code,
        "productCode": rec.base,
        "name": rec.name,
        "description": rec.description,
        "listPrice": price(snap.list_cents),
        "netPrice": price(snap.net_cents),
        "quantity": qty(snap.quantity),
        "inStock": snap.in_stock,
        "baseUOM": rec.base_uom,
        "countryOfOrigin": rec.country,
        "dim": rec.dim,
        "dimUOM": "IN",
        "weight": rec.weight,
        "weightUOM": "LB",
        "supplierName": rec.supplier,
    }
    for key, value in rec.compliance:
        item[key] = value
    if rec.has_image:
        item["productImage"], item["thumbnailImage"] = image_urls(base_url, rec.code)
    if show_location and snap.locations is not None:
        item["locationAvailabilities"] = [
            {"location": name, "availQuantity": qty(amount)} for name, amount in snap.locations
        ]
    return item
