"""Fault injection rules (contract §7.6): which call gets which failure, reproducibly."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

FaultEndpoint = Literal["oauth_token", "part_token", "price", "image", "any"]
FaultKind = Literal[
    "http_401",
    "http_429",
    "http_500",
    "http_502",
    "http_503",
    "http_504",
    "timeout",
    "slow",
    "malformed_json",
    "html_body",
    "empty_body",
    "drop_connection",
]
DEFAULT_TIMEOUT_HOLD_S = 90.0
DEFAULT_SLOW_DELAY_S = 5.0


class FaultRule(BaseModel):
    """A rule as posted to ``/_emulator/faults``; selectors combine (all given ones must match)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: FaultEndpoint = "any"
    kind: FaultKind
    rate: float | None = Field(
        default=None, ge=0, le=1, description="probability per matching call; null = always"
    )
    count: int | None = Field(default=None, ge=1, description="fire on the next N matching calls only")
    part_codes: list[str] | None = Field(default=None, min_length=1)
    client_id: str | None = None
    delay_s: float | None = Field(default=None, ge=0, le=600)
    retry_after_s: int | None = Field(default=None, ge=0, le=86_400)

    @field_validator("part_codes")
    @classmethod
    def _normalise_codes(cls, codes: list[str] | None) -> list[str] | None:
        if codes is None:
            return None
        cleaned = [c.strip().upper() for c in codes if c.strip()]
        if not cleaned:
            raise ValueError("part_codes must contain at least one non-empty code")
        return cleaned


@dataclass(slots=True)
class ActiveRule:
    """A stored rule with its own seeded RNG and counters."""

    id: str
    rule: FaultRule
    rng: random.Random
    fired: int = 0
    remaining: int | None = None
    codes: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> dict[str, Any]:
        """JSON form: the rule plus id, fired and remaining."""
        return {"id": self.id, **self.rule.model_dump(), "fired": self.fired, "remaining": self.remaining}


class FaultInjector:
    """Holds rules in insertion order; the first rule that selects a call fires."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rules: dict[str, ActiveRule] = {}
        self._next_id = 1

    def add(self, rule: FaultRule) -> str:
        """Store a rule and return its id (``f1``, ``f2``, …)."""
        rule_id = f"f{self._next_id}"
        self._next_id += 1
        # One RNG per rule, seeded from the emulator seed and rule id: the same rules replay the same draws.
        self._rules[rule_id] = ActiveRule(
            id=rule_id,
            rule=rule,
            rng=random.Random(f"{self.seed}|{rule_id}"),
            remaining=rule.count,
            codes=frozenset(rule.part_codes or ()),
        )
        return rule_id

    def remove(self, rule_id: str) -> bool:
        """Delete one rule; False when unknown."""
        return self._rules.pop(rule_id, None) is not None

    def clear(self) -> int:
        """Delete every rule; returns how many there were."""
        count = len(self._rules)
        self._rules.clear()
        return count

    def reset(self, seed: int) -> None:
        """Delete every rule and restart ids and RNGs from ``seed``."""
        self.seed = seed
        self._rules.clear()
        self._next_id = 1

    def describe(self) -> list[dict[str, Any]]:
        """All rules, JSON form."""
        return [active.describe() for active in self._rules.values()]

    def select(self, endpoint: str, client_id: str | None, codes: Iterable[str] = ()) -> ActiveRule | None:
        """The rule that fires for this call, if any; consumes its count and RNG draw."""
        if not self._rules:
            return None
        code_set: set[str] | None = None
        for active in self._rules.values():
            rule = active.rule
            if active.remaining == 0:
                continue
            if rule.endpoint != "any" and rule.endpoint != endpoint:
                continue
            if rule.client_id is not None and rule.client_id != client_id:
                continue
            if active.codes:
                if code_set is None:
                    # A rule code matches a requested code exactly or as its base (``X`` matches ``X=K3``).
                    code_set = set()
                    for code in codes:
                        code_set.add(code)
                        code_set.add(code.partition("=")[0])
                if active.codes.isdisjoint(code_set):
                    continue
            # The RNG is drawn only for calls the other selectors accept, so a sequence replays exactly.
            if rule.rate is not None and active.rng.random() >= rule.rate:
                continue
            active.fired += 1
            if active.remaining is not None:
                active.remaining -= 1
            return active
        return None
