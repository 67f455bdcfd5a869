"""Stock writes for Shopify: ``productSet`` inventory quantities and ``inventorySetQuantities`` (pure).

``inventorySetQuantities`` is version-gated (``shopify-admin.md`` § 1 and § 2.3):

* before 2026-01: every quantity carries ``compareQuantity`` (when the previous levels are known for every
  location), otherwise the input sets ``ignoreCompareQuantity: true``;
* 2026-01 and later (and ``unstable``): every quantity carries ``changeFromQuantity`` (the previous level, or
  ``null`` to opt out), and the mutation takes an ``@idempotent(key:)``. The key is a UUID5 over the
  canonical input, so a retry of the same write reuses it. ``reference`` (``referenceDocumentUri``) is part of
  that input: give each sync run its own reference so that an identical write in a later run gets a new key.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.core.constants.publishing import (
    CHANGE_FROM_QUANTITY_MIN_VERSION,
    INVENTORY_ADJUSTMENT_REASON,
    INVENTORY_QUANTITY_NAME,
)
from app.core.constants.rate_limiting import SHOPIFY_MAX_INPUT_ARRAY
from app.utils.hash_utils import canonical_json

__all__ = [
    "IDEMPOTENCY_NAMESPACE",
    "InventorySetRequest",
    "build_inventory_set",
    "product_set_inventory_quantities",
    "uses_change_from_quantity",
]

IDEMPOTENCY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "boeing-data-hub:inventorySetQuantities")
"""UUID5 namespace of inventory idempotency keys."""

_VERSION = re.compile(r"^\d{4}-\d{2}$")


@dataclass(frozen=True, slots=True)
class InventorySetRequest:
    """Variables for ``inventorySetQuantities`` and, from 2026-01, the ``@idempotent`` key to send."""

    variables: dict[str, Any]
    idempotency_key: str | None
    api_version: str


def uses_change_from_quantity(api_version: str) -> bool:
    """True for versions with ``changeFromQuantity`` and ``@idempotent`` (2026-01 and later, ``unstable``)."""
    if api_version == "unstable":
        return True
    if not _VERSION.match(api_version):
        raise ValueError(f"not a Shopify API version: {api_version!r}")
    return api_version >= CHANGE_FROM_QUANTITY_MIN_VERSION


def product_set_inventory_quantities(
    mapped_inventory: Iterable[tuple[str, int]], location_ids: Mapping[str, str]
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """``productSet`` inventory quantities for every location in ``location_ids``, sorted by location name.

    A location Boeing has no stock at gets 0. Returns the quantities and the names of locations that have
    stock but no Shopify id (not resolvable in the store), which the caller should report.
    """
    stock: dict[str, int] = {}
    for name, quantity in mapped_inventory:
        stock[name] = stock.get(name, 0) + quantity
    quantities = [
        {
            "locationId": location_ids[name],
            "name": INVENTORY_QUANTITY_NAME,
            "quantity": max(stock.get(name, 0), 0),
        }
        for name in sorted(location_ids)
    ]
    unresolved = tuple(
        sorted(name for name, quantity in stock.items() if quantity > 0 and name not in location_ids)
    )
    return quantities, unresolved


def build_inventory_set(
    *,
    inventory_item_id: str,
    quantities: Mapping[str, int],
    previous: Mapping[str, int | None] | None,
    api_version: str,
    reference: str,
) -> InventorySetRequest:
    """``inventorySetQuantities`` variables setting ``available`` stock of one item per location GID.

    ``quantities`` maps location GIDs to the new absolute quantities; ``previous`` maps them to the levels
    read before (``None`` = unknown). Raises ``ValueError`` for no quantities, more than 250, a negative
    quantity or an unknown API version.
    """
    if not quantities:
        raise ValueError("inventorySetQuantities needs at least one quantity")
    if len(quantities) > SHOPIFY_MAX_INPUT_ARRAY:
        raise ValueError(f"at most {SHOPIFY_MAX_INPUT_ARRAY} quantities per inventorySetQuantities call")
    if any(quantity < 0 for quantity in quantities.values()):
        raise ValueError("inventory quantities cannot be negative")
    modern = uses_change_from_quantity(api_version)
    rows: list[dict[str, Any]] = []
    for location_id in sorted(quantities):
        row: dict[str, Any] = {
            "inventoryItemId": inventory_item_id,
            "locationId": location_id,
            "quantity": int(quantities[location_id]),
        }
        if modern:
            row["changeFromQuantity"] = None if previous is None else previous.get(location_id)
        rows.append(row)
    body: dict[str, Any] = {
        "name": INVENTORY_QUANTITY_NAME,
        "reason": INVENTORY_ADJUSTMENT_REASON,
        "referenceDocumentUri": reference,
        "quantities": rows,
    }
    if not modern:
        if previous is not None and all(previous.get(row["locationId"]) is not None for row in rows):
            for row in rows:
                row["compareQuantity"] = previous[row["locationId"]]
        else:
            body["ignoreCompareQuantity"] = True
    variables = {"input": body}
    key = str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, canonical_json(variables))) if modern else None
    return InventorySetRequest(variables=variables, idempotency_key=key, api_version=api_version)
