"""Scheduled-sync values: statuses, slot thresholds and the reasons recorded by the sync guards."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from app.core.constants.pricing import DEFAULT_CURRENCY

__all__ = [
    "DEFAULT_CURRENCY",
    "HIGH_FAILURE_THRESHOLD",
    "MIN_PRODUCTS_FOR_ACTIVE_SLOT",
    "SECONDS_PER_DAY",
    "SlotStatus",
    "SyncGuardReason",
    "SyncHistoryKind",
    "SyncStatus",
]

MIN_PRODUCTS_FOR_ACTIVE_SLOT: Final = 10
"""A sync slot (bucket) with at least this many active products is ``active``; 1 to 9 is ``filling``."""

HIGH_FAILURE_THRESHOLD: Final = 3
"""Rows with at least this many ``consecutive_failures`` count in the dashboard's ``high_failure_count``."""

SECONDS_PER_DAY: Final = 86_400


class SyncStatus(StrEnum):
    """``product_sync_schedule.sync_status``."""

    PENDING = "pending"
    SYNCING = "syncing"
    SUCCESS = "success"
    FAILED = "failed"


class SlotStatus(StrEnum):
    """Dashboard state of one sync bucket, by its number of active products."""

    DORMANT = "dormant"
    FILLING = "filling"
    ACTIVE = "active"


class SyncHistoryKind(StrEnum):
    """``sync_history.kind``: a price/stock change, or a final sync failure."""

    CHANGE = "change"
    FAILURE = "failure"


class SyncGuardReason(StrEnum):
    """Reasons recorded in ``sync_history`` when a sync guard overrides Boeing's answer."""

    UNPRICED = "boeing_unpriced"
    """Boeing stopped pricing the part: the last price is kept and stock is set to 0 everywhere."""

    NOT_RETURNED = "boeing_not_returned"
    """Boeing no longer returns the part: it is out of stock at every mapped location."""
