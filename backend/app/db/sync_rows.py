"""Typed rows of ``product_sync_schedule`` and the values sync writes back to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.core.constants.sync import SyncStatus

SCHEDULE_COLUMNS = (
    "id, sku, hour_bucket, next_sync_at, sync_status, lease_until, last_sync_at, last_attempt_at,"
    " consecutive_failures, last_error, last_price, last_quantity, last_inventory_status,"
    " last_location_summary, last_mapped_inventory, last_hash, is_active, created_by, created_at, updated_at,"
    " pending_target"
)


@dataclass(frozen=True, slots=True)
class SyncScheduleRow:
    """One schedule row; ``last_price`` is Boeing's base price (before markup), as the API reports it."""

    id: str
    sku: str
    hour_bucket: int
    next_sync_at: datetime
    sync_status: SyncStatus
    lease_until: datetime | None
    last_sync_at: datetime | None
    last_attempt_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    last_price: Decimal | None
    last_quantity: int | None
    last_inventory_status: str | None
    last_location_summary: str | None
    last_mapped_inventory: list[Any]
    last_hash: str | None
    is_active: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    pending_target: dict[str, Any] | None

    def in_flight(self, now: datetime) -> bool:
        """True while a dispatcher claim or a task lease holds the row."""
        return self.lease_until is not None and self.lease_until > now


def schedule_row(data: dict[str, Any]) -> SyncScheduleRow:
    """A typed row from a ``SCHEDULE_COLUMNS`` result."""
    return SyncScheduleRow(**{**data, "id": str(data["id"]), "sync_status": SyncStatus(data["sync_status"])})


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    """A row the dispatcher claimed: what a Boeing task needs to be sent."""

    id: str
    sku: str
    next_sync_at: datetime


@dataclass(frozen=True, slots=True)
class SyncSuccess:
    """A finished sync: the values now in Shopify and when the row is due next."""

    id: str
    next_sync_at: datetime
    price: Decimal | None
    quantity: int
    inventory_status: str
    location_summary: str | None
    mapped_inventory: list[list[Any]]
    sync_hash: str


@dataclass(frozen=True, slots=True)
class SyncFailure:
    """A final failure: the new failure count, when to try again and whether the row stays active."""

    id: str
    consecutive_failures: int
    next_sync_at: datetime
    is_active: bool
    error: str
