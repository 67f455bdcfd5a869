"""The Boeing limiter's rules with a fake clock: the real Lua script on the suite's Redis, time injected.

Simulated callers attempt at chosen instants; the admitted instants must respect the window, the pacing, the
priority order and the reserved sync share.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
import redis as redis_lib
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.core.exceptions import QuotaWait, ServiceUnavailableError
from app.utils.rate_limiter import BoeingRateLimiter, Priority

T0 = 1_800_000_000.0


def make(client: redis_lib.Redis[str], *, n: int = 4, window: float = 10.0, margin: float = 0.0,
         share: float = 0.5) -> BoeingRateLimiter:  # fmt: skip
    return BoeingRateLimiter(
        client, client_id="test-client", requests=n, window_s=window, margin_s=margin, sync_share=share
    )


def max_in_any_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_never_more_than_n_calls_in_any_window_whatever_the_callers(
    redis_client: redis_lib.Redis[str],
) -> None:
    limiter = make(redis_client, n=5, window=10.0, margin=0.2)
    rng = random.Random(7)
    admitted: list[float] = []
    now = T0
    while now < T0 + 100:
        priority: Priority = rng.choice(["interactive", "sync", "bulk", "bulk"])
        decision = limiter.try_acquire(priority, now=now)
        if decision.admitted:
            admitted.append(now)
        now += rng.uniform(0.0, 0.4)
    assert max_in_any_window(admitted, 10.0) <= 5
    assert max_in_any_window(admitted, 10.2) <= 5
    # The quota is used: about N per (window + margin) over ten windows.
    assert len(admitted) >= 45


def test_non_interactive_calls_are_paced_one_interval_apart(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=4, window=10.0, margin=0.0)
    admitted: list[float] = []
    for tick in range(600):
        now = T0 + tick / 10
        for priority in ("bulk", "sync"):
            if limiter.try_acquire(priority, now=now).admitted:
                admitted.append(now)
    gaps = [b - a for a, b in itertools.pairwise(admitted)]
    assert min(gaps) >= 2.5 - 1e-4
    # Paced, not starved: one call per interval.
    assert len(admitted) == pytest.approx(60 / 2.5, abs=1)


def test_a_refused_call_is_told_when_its_slot_opens(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=2, window=60.0)
    assert limiter.try_acquire("bulk", now=T0).admitted
    refused = limiter.try_acquire("bulk", now=T0 + 1)
    assert not refused.admitted
    assert refused.wait_s == pytest.approx(29.0)
    assert limiter.try_acquire("bulk", now=T0 + 30).admitted
    # The window is now full: the next slot is when the first call leaves it.
    full = limiter.try_acquire("interactive", now=T0 + 31)
    assert not full.admitted
    assert full.wait_s == pytest.approx(29.0)


def test_interactive_goes_first_and_waits_at_most_one_interval(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=4, window=10.0)
    now = T0
    for _ in range(4):
        assert limiter.try_acquire("bulk", now=now).admitted
        now += 2.5
    # Window full (calls at 0, 2.5, 5, 7.5); an interactive caller arrives at 8 and must wait for t=10.
    waiting = limiter.try_acquire("interactive", member="op-1", now=T0 + 8)
    assert not waiting.admitted
    assert waiting.wait_s == pytest.approx(2.0)
    assert waiting.wait_s <= limiter.interval_s
    # At t=10 bulk tries first, but leaves the slot to the waiting interactive caller.
    assert not limiter.try_acquire("bulk", now=T0 + 10).admitted
    assert limiter.try_acquire("interactive", member="op-1", now=T0 + 10.01).admitted
    # Its demand is gone: bulk is served at the following expiry.
    assert limiter.try_acquire("bulk", now=T0 + 12.6).admitted


def test_sync_keeps_its_reserved_share_and_bulk_takes_the_rest(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=10, window=10.0, share=0.5)
    got: Counter[str] = Counter()
    for tick in range(2000):
        now = T0 + tick / 20
        # Bulk always asks first: without the reservation it would take every slot.
        for priority in ("bulk", "sync"):
            if limiter.try_acquire(priority, member=f"{priority}-caller", now=now).admitted:
                got[priority] += 1
    total = got["bulk"] + got["sync"]
    assert total == pytest.approx(100, abs=2)
    assert got["sync"] >= 0.5 * total - 1
    assert got["bulk"] >= 0.3 * total


def test_bulk_uses_everything_when_sync_has_no_work(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=10, window=10.0, share=0.5)
    got = 0
    for tick in range(1000):
        got += limiter.try_acquire("bulk", now=T0 + tick / 20).admitted
    assert got == pytest.approx(50, abs=1)


def test_sync_demand_expires_so_bulk_is_not_held_back_forever(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=10, window=10.0, share=0.5)
    limiter.note_demand("sync", ttl_s=3.0, now=T0)
    assert not limiter.try_acquire("bulk", now=T0 + 1).admitted
    assert limiter.try_acquire("bulk", now=T0 + 3.5).admitted


def test_a_slipped_429_stops_every_caller_until_retry_after(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=100, window=10.0)
    limiter.note_throttled(5.0, now=T0)
    for priority in ("interactive", "sync", "bulk"):
        refused = limiter.try_acquire(priority, now=T0 + 1)
        assert not refused.admitted
        assert refused.wait_s == pytest.approx(4.0)
    assert limiter.try_acquire("interactive", now=T0 + 5.01).admitted
    assert limiter.state(now=T0 + 6)["throttled_429_last_hour"] == 1
    assert limiter.state(now=T0 + 3700)["throttled_429_last_hour"] == 0


def test_acquire_gives_up_with_quota_wait_carrying_the_wait(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=1, window=60.0)
    limiter.acquire("bulk", max_wait_s=1.0)
    with pytest.raises(QuotaWait) as caught:
        limiter.acquire("bulk", max_wait_s=1.0)
    assert caught.value.system == "boeing"
    assert 55 <= caught.value.wait_s <= 61
    assert caught.value.status_code == 429
    assert caught.value.headers["Retry-After"] in {str(s) for s in range(55, 62)}


def test_state_reports_the_window(redis_client: redis_lib.Redis[str]) -> None:
    limiter = make(redis_client, n=2, window=60.0, share=0.25)
    assert limiter.state(now=T0)["next_slot_at"] is None
    limiter.try_acquire("bulk", now=T0)
    state = limiter.state(now=T0 + 1)
    assert state["requests_per_window"] == 2
    assert state["window_s"] == 60.0
    assert state["used_in_window"] == 1
    assert state["sync_share"] == 0.25
    assert state["next_slot_at"].timestamp() == pytest.approx(T0 + 30)


def test_unknown_priority_is_a_programming_error(redis_client: redis_lib.Redis[str]) -> None:
    with pytest.raises(ValueError, match="priority"):
        make(redis_client).try_acquire("urgent", now=T0)  # type: ignore[arg-type]  # not a Priority, on purpose


def test_an_unreachable_redis_fails_closed() -> None:
    dead = redis_lib.Redis(
        host="127.0.0.1",
        port=1,
        socket_connect_timeout=0.2,
        socket_timeout=0.2,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
    )
    limiter = make(dead)
    with pytest.raises(ServiceUnavailableError):
        limiter.acquire("interactive", max_wait_s=5.0)
