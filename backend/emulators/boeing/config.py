"""Settings of the Boeing PNA emulator: defaults, validation and the ``BOEING_EMU_*`` environment."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

ENV_PREFIX = "BOEING_EMU_"
DEFAULT_SCOPE = "api://helixapis.com/.default"

NumericStyle = Literal["string", "number", "mixed"]
QuotaScope = Literal["price", "all"]


class Shares(BaseModel):
    """Share of base codes in each catalogue class (contract §7.2); each a fraction of all bases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    multi_variant: float = Field(default=0.10, ge=0, le=1)
    no_stock: float = Field(default=0.10, ge=0, le=0.9)
    unpriced: float = Field(default=0.03, ge=0, le=1)
    net_only: float = Field(default=0.02, ge=0, le=1)
    non_us_only: float = Field(default=0.05, ge=0, le=1)
    no_locations: float = Field(default=0.02, ge=0, le=1)
    no_image: float = Field(default=0.05, ge=0, le=1)
    broken_image: float = Field(default=0.01, ge=0, le=1)

    @model_validator(mode="after")
    def _check_sums(self) -> Shares:
        # Exclusive classes are drawn from the stock-holding remainder, so each group must fit in it.
        stocked = 1 - self.no_stock
        for group in (
            ("unpriced", "net_only"),
            ("non_us_only", "no_locations"),
            ("no_image", "broken_image"),
        ):
            total = sum(getattr(self, name) for name in group)
            if total > stocked + 1e-9:
                raise ValueError(f"shares {' + '.join(group)} = {total:g} exceed 1 - no_stock = {stocked:g}")
        return self


def _parse_pairs(value: Any) -> Any:
    """Accept a JSON object or ``id:secret,id2:secret2`` for credential maps."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("{"):
        return json.loads(text)
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, secret = item.partition(":")
        if not sep or not name:
            raise ValueError(f"expected id:secret, got {item!r}")
        pairs[name] = secret
    return pairs


class EmulatorConfig(BaseModel):
    """Every live setting of the emulator; all keys are readable and patchable via ``/_emulator/config``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    seed: int = Field(default=42, ge=0, le=2**63)
    catalog_size: int = Field(default=50_000, ge=1_000, le=500_000)
    shares: Shares = Field(default_factory=Shares)
    quota_requests: int = Field(default=2, ge=1, le=10**9)
    quota_window_s: float = Field(default=60.0, gt=0, le=86_400)
    quota_scope: QuotaScope = "price"
    public_base_url: str | None = None
    access_token_ttl_s: float = Field(default=3600.0, gt=0, le=7 * 86_400)
    part_token_ttl_s: float = Field(default=3600.0, gt=0, le=7 * 86_400)
    latency_scale: float = Field(default=1.0, ge=0, le=100)
    numeric_style: NumericStyle = "string"
    drift_window_s: float = Field(default=3600.0, gt=0, le=30 * 86_400)
    clients: dict[str, str] = Field(default_factory=lambda: {"emu-client": "emu-secret"})
    users: dict[str, str] = Field(default_factory=lambda: {"emu-user": "emu-pass"})
    accept_any_credentials: bool = False
    scope: str = DEFAULT_SCOPE
    request_log_size: int = Field(default=1000, ge=1, le=100_000)
    # The instant the virtual clock shows at start-up and after every reset; unset: the wall clock.
    clock_start: AwareDatetime | None = None

    @field_validator("clients", "users", mode="before")
    @classmethod
    def _credential_pairs(cls, value: Any) -> Any:
        return _parse_pairs(value)

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("public_base_url must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("shares", mode="before")
    @classmethod
    def _shares_json(cls, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def patched(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """Return a validated copy with ``changes`` applied; nested ``shares`` are merged key by key."""
        data = self.model_dump()
        for key, value in changes.items():
            if key == "shares" and isinstance(value, Mapping):
                data["shares"] = {**data["shares"], **value}
            else:
                data[key] = value
        return EmulatorConfig.model_validate(data)


def config_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> EmulatorConfig:
    """Build a config from ``BOEING_EMU_<KEY>`` variables, then apply non-None ``overrides`` (the CLI)."""
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    for name in EmulatorConfig.model_fields:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            data[name] = raw
    data.update({key: value for key, value in overrides.items() if value is not None})
    return EmulatorConfig.model_validate(data)
