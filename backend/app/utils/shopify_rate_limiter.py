"""The Shopify cost limiter: one leaky-bucket model per store in Redis, shared by every process (DESIGN §6).

Shopify meters GraphQL calls in cost points: a bucket of ``maximumAvailable`` points refilled at
``restoreRate`` points per second; a call whose *requested* cost exceeds what is available is refused
(THROTTLED) and not run.
This limiter keeps our own estimate of that bucket, in Redis so that API, workers and sync all draw from the
same model:

* ``acquire(cost)`` debits the expected (requested) cost before a call is sent, atomically, and grants it only
  when the estimate holds enough points (less a small safety margin) and fewer than ``max_concurrency`` calls
  are in flight. Otherwise it sleeps for exactly the refill time it computed, up to ``max_wait_s``; past that
  it raises ``QuotaWait`` so a task is re-sent later without counting an attempt.
* ``settle(...)`` refunds the difference between the reservation and the cost Shopify actually charged, and
  learns ``restoreRate`` and ``maximumAvailable`` from the response's ``throttleStatus``. The estimate never
  stays above what Shopify reported, so our model only errs on the cautious side.
* Before the first response of a store nothing is known: calls then go one at a time (a conservative
  bootstrap); the first answer teaches the bucket and the rate. Nothing about the plan is hard-coded.

Concurrency slots are leases in a sorted set, so a process that dies mid-call frees its slot when the lease
expires. The Lua scripts use Redis server time unless a test passes ``now`` explicitly (a fake clock).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis

from app.core.constants.rate_limiting import SHOPIFY_LIMITER_KEY_PREFIX
from app.core.exceptions import QuotaWait

logger = logging.getLogger(__name__)

__all__ = ["Reservation", "ShopifyCostLimiter", "ThrottleState", "ThrottleStatus"]

# Points kept in reserve, as seconds of refill: absorbs clock skew between our model and Shopify's bucket.
SAFETY_MARGIN_S = 0.1
# How long a waiter sleeps when only the concurrency bound (not the bucket) holds it back.
CONCURRENCY_POLL_S = 0.02

_ACQUIRE = """
local state, inflight = KEYS[1], KEYS[2]
local cost = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local lease_s, max_conc, token = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local margin_s, poll_s = tonumber(ARGV[6]), tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)
local busy = redis.call('ZCARD', inflight)
local s = redis.call('HMGET', state, 'available', 'ts', 'max', 'rate')
local max, rate = tonumber(s[3]), tonumber(s[4])
if max == nil or rate == nil then
  -- Nothing learned yet: one call at a time until Shopify tells us the bucket and the rate.
  if busy > 0 then return {0, tostring(poll_s * 5), '-1'} end
  redis.call('ZADD', inflight, now + lease_s, token)
  redis.call('PEXPIRE', inflight, math.ceil(lease_s * 2000))
  return {1, '0', '-1'}
end
local available = tonumber(s[1]) or max
local ts = tonumber(s[2]) or now
if now > ts then available = math.min(max, available + (now - ts) * rate) end
local need = math.min(cost, max) + math.min(margin_s * rate, max * 0.05)
if need > max then need = max end
if busy >= max_conc then
  redis.call('HSET', state, 'available', tostring(available), 'ts', tostring(now))
  return {0, tostring(poll_s), tostring(available)}
end
if available >= need then
  available = available - cost
  redis.call('HSET', state, 'available', tostring(available), 'ts', tostring(now))
  redis.call('ZADD', inflight, now + lease_s, token)
  redis.call('PEXPIRE', inflight, math.ceil(lease_s * 2000))
  return {1, '0', tostring(available)}
end
redis.call('HSET', state, 'available', tostring(available), 'ts', tostring(now))
return {0, tostring((need - available) / rate), tostring(available)}
"""

_SETTLE = """
local state, inflight = KEYS[1], KEYS[2]
local token, reserved = ARGV[1], tonumber(ARGV[2])
local charged = tonumber(ARGV[3])
local reported, max, rate = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = tonumber(ARGV[7])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local op, requested = ARGV[8], tonumber(ARGV[9])
redis.call('ZREM', inflight, token)
local s = redis.call('HMGET', state, 'available', 'ts', 'max', 'rate')
local old_max, old_rate = tonumber(s[3]), tonumber(s[4])
local available = tonumber(s[1])
local ts = tonumber(s[2]) or now
if old_max ~= nil and old_rate ~= nil and available ~= nil and now > ts then
  available = math.min(old_max, available + (now - ts) * old_rate)
end
if max ~= nil and rate ~= nil then
  -- Learned limits. The refund is what was reserved but not charged; the estimate never exceeds the report.
  if available == nil or old_max == nil then available = reported end
  if charged ~= nil and reserved > 0 then available = available + math.max(0, reserved - charged) end
  available = math.min(available, reported, max)
  redis.call('HSET', state, 'available', tostring(available), 'ts', tostring(now), 'max', tostring(max),
    'rate', tostring(rate), 'reported', tostring(reported), 'observed_at', tostring(now))
elseif available ~= nil and charged ~= nil and reserved > 0 then
  -- No throttle status (an error answer): refund only what we know was not charged.
  available = math.min(old_max or available, available + math.max(0, reserved - charged))
  redis.call('HSET', state, 'available', tostring(available), 'ts', tostring(now))
end
if op ~= '' and requested ~= nil then redis.call('HSET', state, 'cost:' .. op, tostring(requested)) end
return tostring(available or -1)
"""


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    """``extensions.cost.throttleStatus`` of one response."""

    maximum_available: float
    currently_available: float
    restore_rate: float

    @classmethod
    def from_cost(cls, cost: dict[str, Any] | None) -> ThrottleStatus | None:
        """Parse ``extensions.cost``; ``None`` when absent or malformed."""
        status = (cost or {}).get("throttleStatus") or {}
        try:
            return cls(
                maximum_available=float(status["maximumAvailable"]),
                currently_available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True, slots=True)
class ThrottleState:
    """What ``/health/sync-status`` shows: the last throttle status Shopify reported (all ``None`` before)."""

    currently_available: float | None
    maximum_available: float | None
    restore_rate: float | None
    observed_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "currently_available": self.currently_available,
            "maximum_available": self.maximum_available,
            "restore_rate": self.restore_rate,
            "observed_at": self.observed_at,
        }


@dataclass(frozen=True, slots=True)
class Reservation:
    """Points debited for one call; hand it back to ``settle`` or ``release``."""

    token: str
    cost: float
    operation: str


class ShopifyCostLimiter:
    """Cost-aware, concurrency-bounded access to one store's Shopify bucket, shared through Redis."""

    def __init__(
        self,
        client: redis.Redis[str],
        store: str,
        *,
        max_concurrency: int = 8,
        max_wait_s: float = 10.0,
        lease_s: float = 60.0,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._redis = client
        self._state_key = f"{SHOPIFY_LIMITER_KEY_PREFIX}{store}"
        self._inflight_key = f"{SHOPIFY_LIMITER_KEY_PREFIX}{store}:inflight"
        self._max_concurrency = max_concurrency
        self._max_wait_s = max_wait_s
        self._lease_s = lease_s
        self._clock = clock
        self._sleep = sleep
        self._acquire_script = client.register_script(_ACQUIRE)
        self._settle_script = client.register_script(_SETTLE)

    # --- the call protocol ----------------------------------------------------------------------------------
    def expected_cost(self, operation: str, default: float) -> float:
        """The requested cost Shopify last reported for ``operation``, else ``default``."""
        learned = self._redis.hget(self._state_key, f"cost:{operation}")
        try:
            return float(learned) if learned is not None else float(default)
        except ValueError:
            return float(default)

    def acquire(self, cost: float, *, operation: str = "", max_wait_s: float | None = None) -> Reservation:
        """Debit ``cost`` points and take a concurrency slot, waiting up to ``max_wait_s``, else QuotaWait."""
        bound = self._max_wait_s if max_wait_s is None else max_wait_s
        token = uuid.uuid4().hex
        started = time.monotonic()
        while True:
            granted, wait_s = self._try_acquire(cost, token)
            if granted:
                return Reservation(token=token, cost=cost, operation=operation)
            waited = time.monotonic() - started
            if waited + wait_s > bound:
                raise QuotaWait(
                    f"The Shopify cost quota needs {wait_s:.2f} s to refill for {operation or 'this call'}.",
                    system="shopify",
                    wait_s=wait_s,
                )
            # A little jitter keeps waiters of equal cost from waking in lock-step.
            self._sleep(wait_s * (1 + random.random() * 0.1))

    def settle(
        self,
        reservation: Reservation,
        *,
        charged: float | None,
        status: ThrottleStatus | None,
        requested: float | None = None,
    ) -> None:
        """Free the slot, refund ``reservation.cost - charged`` and learn from ``status`` (None = unknown)."""
        args: list[Any] = [
            reservation.token,
            reservation.cost,
            "" if charged is None else charged,
            "" if status is None else status.currently_available,
            "" if status is None else status.maximum_available,
            "" if status is None else status.restore_rate,
            self._now_arg(),
            reservation.operation if requested is not None else "",
            "" if requested is None else requested,
        ]
        self._settle_script(keys=[self._state_key, self._inflight_key], args=args)

    def release(self, reservation: Reservation) -> None:
        """Free the slot of a call whose cost is unknown (no answer): its reservation stays spent."""
        self.settle(reservation, charged=None, status=None)

    def state(self) -> ThrottleState:
        """The last throttle status Shopify reported, for the health endpoint."""
        raw = self._redis.hmget(self._state_key, ["reported", "max", "rate", "observed_at"])
        reported, maximum, rate, observed = (_float(value) for value in raw)
        return ThrottleState(
            currently_available=reported,
            maximum_available=maximum,
            restore_rate=rate,
            observed_at=None if observed is None else datetime.fromtimestamp(observed, tz=UTC),
        )

    def estimate(self) -> float | None:
        """Our current estimate of available points (``None`` before the first response)."""
        raw = self._redis.hmget(self._state_key, ["available", "ts", "max", "rate"])
        available, ts, maximum, rate = (_float(value) for value in raw)
        if available is None or maximum is None or rate is None or ts is None:
            return None
        now = self._clock() if self._clock else _redis_now(self._redis)
        return min(maximum, available + max(0.0, now - ts) * rate)

    def in_flight(self) -> int:
        """Calls currently holding a slot (expired leases excluded)."""
        now = self._clock() if self._clock else _redis_now(self._redis)
        return int(self._redis.zcount(self._inflight_key, f"({now}", "+inf"))

    def reset(self) -> None:
        """Forget everything learned (tests and operators after a plan change)."""
        self._redis.delete(self._state_key, self._inflight_key)

    # --- internals ------------------------------------------------------------------------------------------
    def _try_acquire(self, cost: float, token: str) -> tuple[bool, float]:
        result = self._acquire_script(
            keys=[self._state_key, self._inflight_key],
            args=[
                cost,
                self._now_arg(),
                self._lease_s,
                self._max_concurrency,
                token,
                SAFETY_MARGIN_S,
                CONCURRENCY_POLL_S,
            ],
        )
        granted, wait_s = int(result[0]), float(result[1])
        return granted == 1, max(0.0, wait_s)

    def _now_arg(self) -> str:
        return "" if self._clock is None else repr(self._clock())


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _redis_now(client: redis.Redis[str]) -> float:
    seconds, micros = client.time()
    return float(seconds) + float(micros) / 1_000_000
