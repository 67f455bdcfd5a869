"""Emulator settings: defaults, plan presets and the SHOPIFY_EMU_* environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, field_validator

DEFAULT_VERSIONS = ("2025-10", "2026-01", "2026-04")
DEFAULT_TOKEN = "shpat_emulator_dev"
ENV_PREFIX = "SHOPIFY_EMU_"


class PlanLimits(BaseModel):
    """Leaky-bucket limits of one plan: restore rate (points/s), bucket size, single-query max."""

    name: str = "custom"
    restore_rate: float = Field(gt=0)
    bucket_size: float = Field(gt=0)
    max_query_cost: int = Field(gt=0)


# Shopify's documented restore rates with bucket = 20 s of restore; `unlimited` exists for benchmarks.
PLAN_PRESETS: dict[str, PlanLimits] = {
    "standard": PlanLimits(name="standard", restore_rate=100, bucket_size=2000, max_query_cost=1000),
    "advanced": PlanLimits(name="advanced", restore_rate=200, bucket_size=4000, max_query_cost=1000),
    "plus": PlanLimits(name="plus", restore_rate=1000, bucket_size=20000, max_query_cost=1000),
    "enterprise": PlanLimits(name="enterprise", restore_rate=2000, bucket_size=40000, max_query_cost=1000),
    "unlimited": PlanLimits(
        name="unlimited", restore_rate=1_000_000_000, bucket_size=1_000_000_000, max_query_cost=1_000_000_000
    ),
}


def resolve_plan(plan: str | Mapping[str, Any] | PlanLimits) -> PlanLimits:
    """Turn a preset name, a custom mapping or a PlanLimits into PlanLimits."""
    if isinstance(plan, PlanLimits):
        return plan
    if isinstance(plan, str):
        try:
            return PLAN_PRESETS[plan]
        except KeyError:
            raise ValueError(f"unknown plan {plan!r}; presets: {', '.join(PLAN_PRESETS)}") from None
    return PlanLimits(**dict(plan))


class EmulatorConfig(BaseModel):
    """Start-up settings of one emulator instance."""

    host: str = "127.0.0.1"
    port: int = Field(default=8082, ge=0, le=65535)
    tokens: tuple[str, ...] = (DEFAULT_TOKEN,)
    plan: str = "standard"
    versions: tuple[str, ...] = DEFAULT_VERSIONS
    fetch_files: bool = False
    fetch_timeout_s: float = Field(default=5.0, gt=0)
    search_lag_s: float = Field(default=0.0, ge=0)
    throttle_http_status: int = 200
    seed: int = 0
    shop_name: str = "Emulator Shop"
    shop_domain: str = "emulator.myshopify.com"
    request_log_size: int = Field(default=1000, ge=1)
    idempotency_ttl_s: float = Field(default=86_400.0, gt=0)
    variant_threshold: int = Field(default=50_000, ge=0)
    variant_per_day: int = Field(default=1_000, ge=0)
    store_variant_offset: int = Field(default=0, ge=0)
    # The instant the virtual clock shows at start-up and after every reset; unset: the wall clock.
    clock_start: AwareDatetime | None = None

    @field_validator("tokens", "versions", mode="before")
    @classmethod
    def _split_csv(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("plan")
    @classmethod
    def _known_plan(cls, value: str) -> str:
        resolve_plan(value)
        return value

    @field_validator("throttle_http_status")
    @classmethod
    def _throttle_status(cls, value: int) -> int:
        if value not in (200, 429):
            raise ValueError("throttle_http_status must be 200 or 429")
        return value

    @field_validator("tokens", "versions")
    @classmethod
    def _non_empty(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("must not be empty")
        return value


# Environment variable suffix -> config field.
_ENV_FIELDS = {
    "HOST": "host",
    "PORT": "port",
    "TOKEN": "tokens",
    "PLAN": "plan",
    "VERSIONS": "versions",
    "FETCH_FILES": "fetch_files",
    "FETCH_TIMEOUT_S": "fetch_timeout_s",
    "SEARCH_LAG_S": "search_lag_s",
    "THROTTLE_HTTP_STATUS": "throttle_http_status",
    "SEED": "seed",
    "CLOCK_START": "clock_start",
}


def config_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> EmulatorConfig:
    """Build a config from SHOPIFY_EMU_* variables; explicit (non-None) overrides win."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for suffix, field in _ENV_FIELDS.items():
        raw = env.get(ENV_PREFIX + suffix)
        if raw is not None and raw != "":
            values[field] = raw
    values.update({key: value for key, value in overrides.items() if value is not None})
    return EmulatorConfig(**values)
