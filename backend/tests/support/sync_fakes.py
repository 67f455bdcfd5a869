"""In-memory stand-ins for the Boeing client, the Boeing limiter, the Shopify client and the task sender."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.exceptions import NonRetryableError, QuotaWait
from app.db.outbox_store import OutboxMessage


class RecordingSender:
    """The outbox relay's sender: records (task name, args) instead of talking to a broker."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Any]]] = []

    def __call__(self, message: OutboxMessage) -> None:
        self.sent.append((message.task_name, list(message.args)))

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]


@dataclass
class FakeBoeing:
    """Answers price calls from ``items`` (SKU → line item); ``error`` is raised by the next call."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[list[str]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def close(self) -> None:
        """Nothing to release."""

    def price_availability(self, part_numbers: Sequence[str]) -> dict[str, Any]:
        self.calls.append(list(part_numbers))
        if self.errors:
            raise self.errors.pop(0)
        return {
            "currency": "USD",
            "lineItems": [self.items[code] for code in part_numbers if code in self.items],
        }


@dataclass
class FakeLimiter:
    """Admits every call unless ``waits`` holds a wait to raise; records what sync asked of it."""

    waits: list[float] = field(default_factory=list)
    acquired: list[str] = field(default_factory=list)
    throttled: list[float] = field(default_factory=list)
    demands: list[tuple[str, float]] = field(default_factory=list)

    def acquire(self, priority: str, max_wait_s: float) -> None:
        if self.waits:
            raise QuotaWait("no slot yet", system="boeing", wait_s=self.waits.pop(0))
        self.acquired.append(priority)

    def note_throttled(self, retry_after_s: float) -> None:
        self.throttled.append(retry_after_s)

    def note_demand(self, priority: str, ttl_s: float) -> None:
        self.demands.append((priority, ttl_s))

    def state(self) -> dict[str, Any]:
        return {
            "requests_per_window": 2,
            "window_s": 60.0,
            "used_in_window": len(self.acquired),
            "next_slot_at": None,
            "sync_share": 0.5,
            "throttled_429_last_hour": len(self.throttled),
        }


@dataclass(frozen=True)
class FakeLocation:
    id: str
    name: str
    is_active: bool = True


@dataclass
class FakeShopify:
    """Records every mutation by operation; ``stale_once`` answers the next inventory write as stale."""

    api_version: str = "2026-04"
    calls: list[tuple[str, Any]] = field(default_factory=list)
    stale_once: bool = False
    errors: list[BaseException] = field(default_factory=list)
    locations_list: list[FakeLocation] = field(
        default_factory=lambda: [
            FakeLocation("gid://shopify/Location/1", "Dallas Central"),
            FakeLocation("gid://shopify/Location/2", "Chicago Warehouse"),
            FakeLocation("gid://shopify/Location/3", "Miami, FL"),
        ]
    )

    def close(self) -> None:
        """Nothing to release."""

    def writes(self, operation: str | None = None) -> list[Any]:
        return [args for name, args in self.calls if operation is None or name == operation]

    def _maybe_fail(self) -> None:
        if self.errors:
            raise self.errors.pop(0)

    def locations(self) -> list[FakeLocation]:
        return list(self.locations_list)

    def update_variants(self, variables: dict[str, Any]) -> list[dict[str, Any]]:
        self._maybe_fail()
        self.calls.append(("update_variants", variables))
        return []

    def set_inventory_quantities(
        self, variables: dict[str, Any], *, idempotency_key: str | None
    ) -> list[Any]:
        self._maybe_fail()
        if self.stale_once:
            self.stale_once = False
            self.calls.append(("stale_inventory_attempt", (variables, idempotency_key)))
            message = (
                "The changeFromQuantity value does not match (input.quantities.0, CHANGE_FROM_QUANTITY_STALE)"
            )
            raise NonRetryableError(
                "Shopify rejected inventorySetQuantities", system="shopify", details=[message]
            )
        self.calls.append(("set_inventory_quantities", (variables, idempotency_key)))
        return []

    def set_metafields(self, metafields: list[dict[str, Any]]) -> list[Any]:
        self._maybe_fail()
        self.calls.append(("set_metafields", metafields))
        return []

    def update_product_status(self, product_id: str, status: str) -> str:
        self.calls.append(("update_product_status", (product_id, status)))
        return status
