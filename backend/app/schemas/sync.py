"""Sync dashboard and management models (http-api §2.4 and §3.8)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PlainSerializer

from app.core.money import MoneyField
from app.schemas.pagination import Page

SyncStatusValue = Literal["pending", "syncing", "success", "failed"]
SlotStatusValue = Literal["active", "filling", "dormant"]
SyncModeValue = Literal["production", "testing"]


def _iso_utc(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


Timestamp = Annotated[datetime, PlainSerializer(_iso_utc, return_type=str, when_used="json")]
"""A UTC timestamp rendered as ISO-8601 with a ``Z`` suffix (http-api §1.6)."""


class SyncProduct(BaseModel):
    id: str
    sku: str
    hour_bucket: int
    sync_status: SyncStatusValue
    last_sync_at: Timestamp | None
    consecutive_failures: int
    last_error: str | None
    last_price: MoneyField | None
    last_quantity: int | None
    last_inventory_status: str | None
    last_location_summary: str | None
    is_active: bool
    created_by: str
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_row(cls, row: Any) -> SyncProduct:
        """Shape a ``SyncScheduleRow``."""
        return cls.model_validate(row, from_attributes=True)


class SyncProductPage(Page[SyncProduct]):
    items: list[SyncProduct] = Field(alias="products")


class StatusCounts(BaseModel):
    pending: int
    syncing: int
    success: int
    failed: int


class SlotEntry(BaseModel):
    hour: int
    count: int
    status: SlotStatusValue


class SyncDashboard(BaseModel):
    total_products: int
    active_products: int
    inactive_products: int
    high_failure_count: int
    success_rate_percent: float
    efficiency_percent: float
    status_counts: StatusCounts
    current_hour: int
    current_hour_products: int
    max_buckets: int
    active_slots: int
    filling_slots: int
    dormant_slots: int
    sync_mode: SyncModeValue
    slot_distribution: list[SlotEntry]
    last_updated: Timestamp
    effective_sync_interval_hours: float | None
    catalog_capacity_per_day: int

    @classmethod
    def from_report(cls, report: Any) -> SyncDashboard:
        """Shape a ``DashboardReport``."""
        data = {name: getattr(report, name) for name in cls.model_fields}
        data["slot_distribution"] = [
            {"hour": slot.hour, "count": slot.count, "status": str(slot.status)}
            for slot in report.slot_distribution
        ]
        return cls.model_validate(data)


class SyncHistoryItem(BaseModel):
    sku: str
    sync_status: str
    last_sync_at: Timestamp | None
    last_price: MoneyField | None
    last_quantity: int | None
    last_inventory_status: str | None
    last_error: str | None
    hour_bucket: int
    updated_at: Timestamp


class SyncHistoryPage(Page[SyncHistoryItem]):
    pass


class SyncFailureItem(BaseModel):
    sku: str
    sync_status: str
    consecutive_failures: int
    hour_bucket: int
    last_error: str | None
    last_sync_at: Timestamp | None
    is_active: bool
    updated_at: Timestamp


class SyncFailurePage(Page[SyncFailureItem]):
    items: list[SyncFailureItem] = Field(alias="products")


class HourlyStat(BaseModel):
    hour: int
    total: int
    pending: int
    syncing: int
    success: int
    failed: int


class HourlyStats(BaseModel):
    hours: list[HourlyStat]
    current_hour: int
    max_buckets: int
    sync_mode: SyncModeValue

    @classmethod
    def from_report(cls, report: Any) -> HourlyStats:
        """Shape an ``HourlyReport``."""
        return cls(
            hours=[HourlyStat(hour=entry.hour, total=entry.total, **entry.counts) for entry in report.hours],
            current_hour=report.current_hour,
            max_buckets=report.max_buckets,
            sync_mode=report.sync_mode,
        )


class ReactivateResponse(BaseModel):
    message: str
    sku: str
    sync_status: Literal["pending"]
    is_active: Literal[True]


class TriggerResponse(BaseModel):
    status: Literal["queued"]
    sku: str
    message: str
