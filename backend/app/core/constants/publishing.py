"""Shopify product values and the store's mapping tables (``catalog-constants.md`` § Shopify product)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

UPSERT_KEY_NAMESPACE: Final = "custom"
UPSERT_KEY_KEY: Final = "aviall_part_number"
"""``productSet`` upserts by ``identifier.customId`` on this metafield, which holds the full SKU."""

PRODUCT_TYPE: Final = "Aircraft Parts"
PRODUCT_TAGS: Final[tuple[str, ...]] = ("boeing", "aerospace", "Aircraft Parts & Accessories")
ORIGIN_TAG_PREFIX: Final = "origin-"
"""Tag added per product from its country of origin: ``origin-united-states``."""
PRODUCT_CATEGORY_GID: Final = "gid://shopify/TaxonomyCategory/vp-1-1"
PRODUCT_STATUS: Final = "ACTIVE"
DISTRIBUTION_SOURCE: Final = "Boeing Distribution"

DEFAULT_OPTION_NAME: Final = "Title"
DEFAULT_OPTION_VALUE: Final = "Default Title"
"""The single option every product has, since each product carries exactly one variant."""

INVENTORY_QUANTITY_NAME: Final = "available"
INVENTORY_ADJUSTMENT_REASON: Final = "correction"
IMAGE_CONTENT_TYPE: Final = "IMAGE"

CHANGE_FROM_QUANTITY_MIN_VERSION: Final = "2026-01"
"""First Admin API version with ``changeFromQuantity`` and ``@idempotent`` on inventory mutations; earlier
versions use ``compareQuantity`` / ``ignoreCompareQuantity`` instead."""

UOM_MAPPING: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(("EA", "EACH", "PC", "PCS", "PIECE", "PIECES", "UNIT", "UNITS"), "EA"),
        **dict.fromkeys(("IN", "INCH", "INCHES"), "Inches"),
        **dict.fromkeys(("LB", "LBS", "POUND", "POUNDS"), "Pound"),
        **dict.fromkeys(("PK", "PACK"), "Pack (1PK = 25EA)"),
    }
)
"""Boeing unit of measure (upper-cased, trimmed) → the store's unit-of-measure choice value."""

CERT_MAPPING: Final[tuple[tuple[tuple[str, ...], str], ...]] = (
    (("8130", "FAA"), "FAA 8130-3"),
    (("EASA",), "EASA Form 1"),
    (("BRAZIL", "SEGV"), "Brazil Form SEGV00 003"),
    (("OEM",), "OEM Cert"),
    (("121",), "121 Trace"),
    (("129",), "129 Trace"),
    (("145",), "145 Trace"),
    (("CANADA", "TRANSPORT"), "Transport Canada Form 1"),
    (("C OF C", "COC", "CERTIFICATE OF CONFORMANCE"), "C of C"),
    (("CAA",), "CAA UK"),
)
"""Ordered (keywords, store value) pairs: the first entry with a keyword found in the upper-cased text wins;
``DEFAULT_CERTIFICATE`` when none matches."""

WEIGHT_UNIT_MAPPING: Final[Mapping[str, str]] = MappingProxyType(
    {
        **dict.fromkeys(("LB", "LBS", "POUND", "POUNDS"), "POUNDS"),
        **dict.fromkeys(("KG", "KGS", "KILOGRAM", "KILOGRAMS"), "KILOGRAMS"),
        **dict.fromkeys(("G", "GRAM", "GRAMS"), "GRAMS"),
        **dict.fromkeys(("OZ", "OUNCE", "OUNCES"), "OUNCES"),
    }
)
"""Boeing weight unit (upper-cased, trimmed) → Shopify ``WeightUnit``; unmapped units omit the weight."""


class ReconciliationState(StrEnum):
    """``publish_reconciliation.state``: a Shopify write whose save failed is ``pending_db`` until the save
    succeeds (``resolved``) or, still unreferenced after the configured window, its Shopify product is
    deleted (``deleted``)."""

    PENDING_DB = "pending_db"
    RESOLVED = "resolved"
    DELETED = "deleted"
