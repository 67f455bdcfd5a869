"""The global Boeing limiter (DESIGN §6): one sliding-window log in Redis, shared by every caller and process.

Rules, applied atomically by one Lua script on Redis server time (``TIME``):

* **Window.** At most ``N`` admitted calls in any ``W + margin`` seconds (the margin absorbs the jitter
  between our admission and Boeing's receipt, so a paced call never arrives early). Admitted calls are
  logged per priority; entries older than the window are dropped.
* **Pacing.** Non-interactive calls (``sync``, ``bulk``) are at least one interval ``(W + margin) / N`` apart,
  so a slot for an interactive call is never more than one interval away.
* **Interactive first.** While an interactive caller waits, non-interactive callers leave it the next slot.
* **Reserved share.** While a sync caller waits and sync has fewer than ``sync_share * N`` calls in the
  window, bulk callers leave the slot to sync; otherwise bulk uses whatever sync leaves.
* **Throttle.** A 429 that slips through (``note_throttled``) stops every caller until its ``Retry-After``.
* **Fails closed.** If Redis cannot be reached no call is admitted: ``ServiceUnavailableError``.

Waiting callers register their demand in a short-lived set, so one that gives up stops holding others back.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import redis

from app.core.constants.rate_limiting import BOEING_LIMITER_KEY_PREFIX
from app.core.exceptions import QuotaWait, ServiceUnavailableError

__all__ = ["BoeingRateLimiter", "Decision", "Priority"]

Priority = Literal["interactive", "sync", "bulk"]
PRIORITIES: tuple[Priority, ...] = ("interactive", "sync", "bulk")
THROTTLE_HISTORY_S = 3600.0

# KEYS: 1-3 logs (interactive, sync, bulk), 4 pace, 5 interactive waiters, 6 sync waiters, 7 throttled-until,
#       8 429 history.
# ARGV: 1 mode (acquire|peek|demand|throttle), 2 priority, 3 N, 4 window, 5 interval, 6 share, 7 member,
#       8 demand ttl (or Retry-After for throttle), 9 injected now ('' = Redis TIME).
_SCRIPT = """
local mode, prio = ARGV[1], ARGV[2]
local n, window, interval, share = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local member, ttl = ARGV[7], tonumber(ARGV[8])
local now
if ARGV[9] ~= '' then now = tonumber(ARGV[9]) else
  local t = redis.call('TIME'); now = tonumber(t[1]) + tonumber(t[2]) / 1000000 end
local function fmt(x) return string.format('%.6f', x) end
local keep = math.ceil((window + THROTTLE_PAD) * 1000)
if mode == 'throttle' then
  local until_ = now + ttl
  local current = tonumber(redis.call('GET', KEYS[7]) or '0')
  if until_ > current then redis.call('SET', KEYS[7], fmt(until_), 'PX', math.ceil(ttl * 1000) + 1000) end
  redis.call('ZADD', KEYS[8], now, member)
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', now - HISTORY)
  redis.call('PEXPIRE', KEYS[8], math.ceil(HISTORY * 1000))
  return {1, fmt(ttl), 0, fmt(until_)}
end
if mode == 'demand' then
  local key = (prio == 'interactive') and KEYS[5] or KEYS[6]
  redis.call('ZADD', key, now + ttl, member)
  redis.call('PEXPIRE', key, math.ceil(ttl * 1000) + 1000)
  return {1, '0', 0, fmt(now)}
end
local counts, total, oldest = {}, 0, nil
for i = 1, 3 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  counts[i] = redis.call('ZCARD', KEYS[i])
  total = total + counts[i]
  if counts[i] > 0 then
    local first = tonumber(redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')[2])
    if oldest == nil or first < oldest then oldest = first end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
local wait = 0
if total >= n then wait = oldest + window - now end
local throttled = tonumber(redis.call('GET', KEYS[7]) or '0')
if throttled > now then wait = math.max(wait, throttled - now) end
if prio ~= 'interactive' then
  local last = tonumber(redis.call('GET', KEYS[4]) or '-1e18')
  if last + interval > now then wait = math.max(wait, last + interval - now) end
end
local yield = false
if wait <= 0 and prio ~= 'interactive' then
  if redis.call('ZCARD', KEYS[5]) > 0 then yield = true end
  if prio == 'bulk' and not yield and redis.call('ZCARD', KEYS[6]) > 0 and counts[2] < share * n then
    yield = true
  end
end
if mode == 'peek' then return {0, fmt(wait), total, fmt(now + wait)} end
if wait > 0 or yield then
  if prio == 'interactive' then redis.call('ZADD', KEYS[5], now + ttl, member)
  elseif prio == 'sync' then redis.call('ZADD', KEYS[6], now + ttl, member) end
  redis.call('PEXPIRE', KEYS[5], keep)
  redis.call('PEXPIRE', KEYS[6], keep)
  if wait <= 0 then wait = math.min(interval, 0.25) end
  return {0, fmt(wait), total, fmt(now + wait)}
end
local index = 3
if prio == 'interactive' then index = 1 elseif prio == 'sync' then index = 2 end
redis.call('ZADD', KEYS[index], now, fmt(now) .. ':' .. member)
redis.call('PEXPIRE', KEYS[index], keep)
if prio ~= 'interactive' then redis.call('SET', KEYS[4], fmt(now), 'PX', keep) end
redis.call('ZREM', KEYS[5], member)
redis.call('ZREM', KEYS[6], member)
return {1, '0', total + 1, fmt(now)}
""".replace("THROTTLE_PAD", "60").replace("HISTORY", str(int(THROTTLE_HISTORY_S)))


@dataclass(frozen=True, slots=True)
class Decision:
    """One admission attempt: admitted or not, the wait until the next chance, and the calls in the window."""

    admitted: bool
    wait_s: float
    used_in_window: int
    at: float
    """Redis time of the admission (or of the next chance when not admitted), epoch seconds."""


class BoeingRateLimiter:
    """Shared Boeing quota: ``acquire(priority, max_wait_s)`` before every price call."""

    def __init__(
        self,
        client: redis.Redis[str],
        *,
        client_id: str,
        requests: int,
        window_s: float,
        margin_s: float,
        sync_share: float,
        max_poll_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if requests < 1 or window_s <= 0:
            raise ValueError("the quota needs at least one request per positive window")
        self._redis = client
        self.requests = requests
        self.window_s = window_s
        self.effective_window_s = window_s + margin_s
        self.interval_s = self.effective_window_s / requests
        self.sync_share = sync_share
        self._max_poll_s = max_poll_s
        self._sleep = sleep
        self._monotonic = monotonic
        prefix = f"{BOEING_LIMITER_KEY_PREFIX}{client_id}:"
        self._keys = [
            f"{prefix}log:interactive",
            f"{prefix}log:sync",
            f"{prefix}log:bulk",
            f"{prefix}pace",
            f"{prefix}waiting:interactive",
            f"{prefix}waiting:sync",
            f"{prefix}throttled_until",
            f"{prefix}throttled_429",
        ]
        self._script = client.register_script(_SCRIPT)

    # --- the calls every Boeing caller makes ----------------------------------------------------------------
    def acquire(self, priority: Priority, max_wait_s: float) -> Decision:
        """Wait at most ``max_wait_s`` for a slot at ``priority``, else raise ``QuotaWait`` with the wait."""
        self._check_priority(priority)
        member = uuid.uuid4().hex
        deadline = self._monotonic() + max_wait_s
        while True:
            decision = self.try_acquire(priority, member=member)
            if decision.admitted:
                return decision
            left = deadline - self._monotonic()
            if decision.wait_s > left:
                raise QuotaWait(
                    f"No Boeing quota slot within {max_wait_s:.1f} s ({priority} priority).",
                    system="boeing",
                    wait_s=decision.wait_s,
                )
            self._sleep(max(0.001, min(decision.wait_s, self._max_poll_s, left)))

    def try_acquire(
        self, priority: Priority, *, member: str | None = None, now: float | None = None
    ) -> Decision:
        """One admission attempt (``now`` injects the time for tests); a refusal registers the demand."""
        self._check_priority(priority)
        return self._run("acquire", priority, member or uuid.uuid4().hex, self._demand_ttl_s(), now)

    def note_throttled(self, retry_after_s: float, *, now: float | None = None) -> None:
        """A 429 slipped through: nobody calls Boeing until ``retry_after_s`` has passed."""
        self._run("throttle", "bulk", uuid.uuid4().hex, max(0.0, float(retry_after_s)), now)

    def note_demand(self, priority: Priority, ttl_s: float, *, now: float | None = None) -> None:
        """Announce waiting work of ``priority`` for ``ttl_s`` (sync claims its floor share ahead of time)."""
        if priority == "bulk":
            return
        self._run("demand", priority, uuid.uuid4().hex, ttl_s, now)

    def state(self, *, now: float | None = None) -> dict[str, Any]:
        """The ``rate_limiters.boeing`` object of ``/health/sync-status`` (http-api §3.1)."""
        decision = self._run("peek", "bulk", "peek", 0.0, now)
        try:
            history = self._redis.zcount(
                self._keys[7], decision.at - decision.wait_s - THROTTLE_HISTORY_S, "+inf"
            )
        except redis.RedisError as exc:
            raise self._unavailable() from exc
        next_slot = None
        if decision.wait_s > 0:
            next_slot = datetime.fromtimestamp(decision.at, tz=UTC)
        return {
            "requests_per_window": self.requests,
            "window_s": self.window_s,
            "used_in_window": decision.used_in_window,
            "next_slot_at": next_slot,
            "sync_share": self.sync_share,
            "throttled_429_last_hour": int(history),
        }

    # --- internals ------------------------------------------------------------------------------------------
    def _demand_ttl_s(self) -> float:
        # Refreshed on every poll: long enough to survive one sleep, short enough to lapse after a give-up.
        return 2 * self._max_poll_s + 0.5

    @staticmethod
    def _check_priority(priority: str) -> None:
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}; use one of {', '.join(PRIORITIES)}")

    def _run(self, mode: str, priority: str, member: str, ttl: float, now: float | None) -> Decision:
        args = [
            mode,
            priority,
            self.requests,
            repr(self.effective_window_s),
            repr(self.interval_s),
            repr(self.sync_share),
            member,
            repr(ttl),
            "" if now is None else repr(float(now)),
        ]
        try:
            admitted, wait, used, at = self._script(keys=self._keys, args=args)
        except redis.RedisError as exc:
            raise self._unavailable() from exc
        wait_s = float(wait)
        return Decision(
            bool(int(admitted)), max(0.0, wait_s) if math.isfinite(wait_s) else 0.0, int(used), float(at)
        )

    @staticmethod
    def _unavailable() -> ServiceUnavailableError:
        return ServiceUnavailableError(
            "The Boeing rate limiter (Redis) is unreachable; no Boeing call was made."
        )
