"""Extraction and normalization values: Boeing defaults, staging statuses and blocked reasons."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Final

DEFAULT_SUPPLIER: Final = "BDI"
"""Vendor/manufacturer used when Boeing sends no ``supplierName``."""

SYSTEM_USER_ID: Final = "system"
"""``created_by`` of work started by the scheduler rather than an operator."""

BOEING_MAX_CODES_PER_CALL: Final = 10
"""Boeing accepts at most this many part numbers per price-and-availability call."""

VARIANT_SEPARATOR: Final = "="
"""Separates the base part number from a variant suffix: ``WF338109=K3`` → base ``WF338109``."""

PART_NUMBER_MAX_LENGTH: Final = 50
"""Longest part number accepted from operators (HTTP API § 1.7)."""

EXTRACT_CHUNK_MAX_RETRIES: Final = 3
"""Retries of one chunk's Boeing call; a requested part fails after 1 + this many real attempts."""

NORMALIZE_CHUNK_MAX_RETRIES: Final = 3
"""Retries of one chunk's normalization (a database task)."""

NOT_FOUND_AT_BOEING: Final = "not found at Boeing"
"""Failure reason of a requested part number absent from Boeing's answer."""


class StagingStatus(StrEnum):
    """``product_staging.status``; normalization produces only ``FETCHED`` or ``BLOCKED``.

    ``SELLABLE`` holds every status but ``BLOCKED``: a SKU that failed at publishing is still sellable and a
    later publish run takes it again.
    """

    SELLABLE: ClassVar[tuple[StagingStatus, ...]]

    FETCHED = "fetched"
    BLOCKED = "blocked"
    PUBLISHED = "published"
    FAILED = "failed"


StagingStatus.SELLABLE = (StagingStatus.FETCHED, StagingStatus.PUBLISHED, StagingStatus.FAILED)


class BlockedReason(StrEnum):
    """Why a staged SKU cannot be sold; declared in precedence order (the first that applies wins)."""

    NO_PRICE = "no_price"
    NO_STOCK = "no_stock"
    NO_MAPPED_LOCATION = "no_mapped_location"


BLOCKED_REASON_PRECEDENCE: Final[tuple[BlockedReason, ...]] = tuple(BlockedReason)
"""``no_price`` > ``no_stock`` > ``no_mapped_location``."""


class InventoryStatus(StrEnum):
    """Stock status of a normalized SKU: in stock when its total quantity is above zero."""

    IN_STOCK = "in_stock"
    OUT_OF_STOCK = "out_of_stock"
