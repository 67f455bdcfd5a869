"""Change-detection hashes: the sync hash and the publish content hash (pure, no I/O).

Both are SHA-256 hex digests of a canonical JSON text: keys sorted, no whitespace, UTF-8, no NaN. Equal
inputs give the same digest on every machine and Python version, so digests can be stored and compared later.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping, Set
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from app.core.money import money_to_cents
from app.utils.normalized_record import NormalizedRecord

__all__ = ["canonical_json", "content_hash", "sync_hash", "sync_hash_for"]


def sync_hash(
    price: Decimal | None,
    total_quantity: int,
    inventory_status: str,
    mapped_inventory: Iterable[tuple[str, int]] | Mapping[str, int],
) -> str:
    """SHA-256 over shop price (cents), total quantity, stock status and the sorted (location, quantity) list.

    ``mapped_inventory`` is the stock per mapped Shopify location, as pairs or a mapping; order does not
    matter. The price is compared in whole cents, so ``28.05`` and ``28.050`` hash alike; ``None`` (no
    price) is its own value.
    """
    pairs = mapped_inventory.items() if isinstance(mapped_inventory, Mapping) else mapped_inventory
    document = {
        "inventory_status": str(inventory_status),
        "locations": sorted([str(name), int(quantity)] for name, quantity in pairs),
        "price_cents": None if price is None else money_to_cents(price),
        "total_quantity": int(total_quantity),
    }
    return _sha256(canonical_json(document))


def sync_hash_for(record: NormalizedRecord) -> str:
    """The sync hash of a normalized record (unknown quantity counts as 0)."""
    return sync_hash(
        record.price, record.inventory_quantity or 0, record.inventory_status, record.mapped_inventory
    )


def content_hash(obj: Any) -> str:
    """SHA-256 over the canonical JSON of any JSON-like value (see ``canonical_json``)."""
    return _sha256(canonical_json(obj))


def canonical_json(obj: Any) -> str:
    """Deterministic JSON text: sorted keys, compact separators, UTF-8 characters kept.

    Beyond JSON types it accepts ``Decimal`` (as ``{"$decimal": "<normalized text>"}``, so ``1.50`` equals
    ``1.5`` but not the string ``"1.5"``), enums (their value), dates and datetimes (ISO-8601), tuples
    (lists), sets (sorted lists) and dataclass instances (their fields). NaN and infinities raise
    ``ValueError``; other types raise ``TypeError``.
    """
    return json.dumps(
        _canonical(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def _canonical(obj: Any) -> Any:
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, Enum):
        return _canonical(obj.value)
    if isinstance(obj, float):
        return obj
    if isinstance(obj, Decimal):
        if not obj.is_finite():
            raise ValueError(f"cannot hash a non-finite Decimal: {obj}")
        text = format(obj.normalize(), "f")
        return {"$decimal": "0" if text in {"-0", "0"} else text}
    if isinstance(obj, Mapping):
        return {str(key): _canonical(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_canonical(value) for value in obj]
    if isinstance(obj, Set):
        return sorted((_canonical(value) for value in obj), key=canonical_json)
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {field.name: _canonical(getattr(obj, field.name)) for field in dataclasses.fields(obj)}
    raise TypeError(f"cannot hash a value of type {type(obj).__name__}")


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
