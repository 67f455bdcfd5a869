"""Fault rules (§4.5): which requests fail, how, and whether the write happens first."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

FaultKind = Literal[
    "http_500",
    "http_502",
    "http_503",
    "http_504",
    "http_429",
    "http_402",
    "http_403",
    "http_423",
    "throttled",
    "timeout",
    "malformed_json",
    "drop",
]
DEFAULT_TIMEOUT_HOLD_S = 60.0


class FaultRule(BaseModel):
    """One fault rule as posted to /_emulator/faults."""

    operation: str = "*"
    kind: FaultKind
    rate: float | None = Field(default=None, ge=0, le=1)
    count: int | None = Field(default=None, ge=1)
    match_sku: str | None = None
    phase: Literal["before", "after"] = "before"
    delay_s: float | None = Field(default=None, ge=0, le=600)

    @model_validator(mode="after")
    def _default_rate(self) -> FaultRule:
        if self.rate is None and self.count is None:
            self.rate = 1.0
        return self

    def hold_s(self) -> float:
        """How long to wait before answering (timeouts hold by default)."""
        if self.delay_s is not None:
            return self.delay_s
        return DEFAULT_TIMEOUT_HOLD_S if self.kind == "timeout" else 0.0


@dataclass
class ActiveFault:
    """A registered rule and how often it fired."""

    id: int
    rule: FaultRule
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        """Whether a counted rule has fired its count."""
        return self.rule.count is not None and self.fired >= self.rule.count

    def view(self) -> dict[str, Any]:
        """JSON view for the control API."""
        remaining = None if self.rule.count is None else max(0, self.rule.count - self.fired)
        return {"id": self.id, **self.rule.model_dump(), "fired": self.fired, "remaining": remaining}


class FaultInjector:
    """Holds the rules and a seeded RNG so rate-based faults are reproducible."""

    def __init__(self, seed: int) -> None:
        self.reseed(seed)
        self.rules: dict[int, ActiveFault] = {}
        self._next_id = 1

    def reseed(self, seed: int) -> None:
        """Restart the random sequence."""
        self.rng = random.Random(seed)

    def clear(self) -> None:
        """Remove every rule."""
        self.rules.clear()

    def add(self, rule: FaultRule) -> ActiveFault:
        """Register a rule."""
        fault = ActiveFault(self._next_id, rule)
        self.rules[fault.id] = fault
        self._next_id += 1
        return fault

    def pick(self, phase: str, operations: list[str], skus: Callable[[], set[str]]) -> ActiveFault | None:
        """First live rule matching this request in this phase (rules are tried in creation order)."""
        for fault in self.rules.values():
            rule = fault.rule
            if rule.phase != phase or fault.exhausted:
                continue
            if rule.operation != "*" and rule.operation not in operations:
                continue
            if rule.match_sku is not None and rule.match_sku.lower() not in skus():
                continue
            if rule.rate is not None and self.rng.random() >= rule.rate:
                continue
            fault.fired += 1
            return fault
        return None
