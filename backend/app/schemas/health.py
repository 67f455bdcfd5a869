"""Health responses (http-api §3.1)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel


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
