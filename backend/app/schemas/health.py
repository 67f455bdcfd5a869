"""Health responses (http-api §3.1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.schemas.sync import Timestamp


class Check(BaseModel):
    status: Literal["ok", "down"]
    latency_ms: float | None
    error: str | None


class WorkerCheck(Check):
    online: int
    missing_queues: list[str]


class HealthChecks(BaseModel):
    database: Check
    redis: Check
    workers: WorkerCheck


class HealthResponse(BaseModel):
    status: Literal["healthy", "degraded"]
    checks: HealthChecks

    @classmethod
    def from_report(cls, report: Any) -> HealthResponse:
        """Shape a ``HealthReport`` of the health service."""
        checks = {
            name: {"status": c.status, "latency_ms": c.latency_ms, "error": c.error, **c.extra}
            for name, c in report.checks.items()
        }
        return cls(
            status="healthy" if report.healthy else "degraded", checks=HealthChecks.model_validate(checks)
        )


class BeatEntry(BaseModel):
    name: str
    task: str
    schedule: str
    next_run_at: Timestamp | None
    last_run_at: Timestamp | None


class SchedulerStatus(BaseModel):
    enabled: bool
    mode: Literal["production", "testing"]
    max_buckets: int
    beat_alive: bool
    entries: list[BeatEntry]


class BoeingLimiterStatus(BaseModel):
    requests_per_window: int
    window_s: float
    used_in_window: int
    next_slot_at: Timestamp | None
    sync_share: float
    throttled_429_last_hour: int


class ShopifyLimiterStatus(BaseModel):
    currently_available: float | None
    maximum_available: float | None
    restore_rate: float | None
    observed_at: Timestamp | None


class RateLimiters(BaseModel):
    boeing: BoeingLimiterStatus
    shopify: ShopifyLimiterStatus


class CycleStatus(BaseModel):
    """Where the current schedule cycle stands (beyond the contract's fields)."""

    current_bucket: int
    cycle_started_at: Timestamp
    active_products: int
    due_now: int
    fetching: int
    writing: int
    synced_in_cycle: int
    failed_in_cycle: int
    progress_percent: float


class SyncStatusResponse(BaseModel):
    scheduler: SchedulerStatus
    rate_limiters: RateLimiters
    cycle: CycleStatus
    checked_at: Timestamp

    @classmethod
    def from_report(cls, report: Any) -> SyncStatusResponse:
        """Shape a ``SyncStatusReport`` of the sync status service."""
        return cls(
            scheduler=SchedulerStatus(
                enabled=report.enabled,
                mode=report.mode,
                max_buckets=report.max_buckets,
                beat_alive=report.beat_alive,
                entries=[BeatEntry.model_validate(entry, from_attributes=True) for entry in report.entries],
            ),
            rate_limiters=RateLimiters(
                boeing=BoeingLimiterStatus.model_validate(report.boeing),
                shopify=ShopifyLimiterStatus.model_validate(report.shopify),
            ),
            cycle=CycleStatus.model_validate(report.cycle, from_attributes=True),
            checked_at=report.checked_at,
        )
