"""The Shopify cost limiter on real Redis with a fake clock: bootstrap, debit/settle, refill, concurrency."""

from __future__ import annotations

from typing import Any

import pytest
import redis as redis_lib

from app.core.exceptions import QuotaWait
from app.utils.shopify_rate_limiter import ShopifyCostLimiter, ThrottleStatus


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(client: redis_lib.Redis[str], clock: FakeClock, **kwargs: Any) -> ShopifyCostLimiter:
    options: dict[str, Any] = {"max_concurrency": 4, "max_wait_s": 5.0, "lease_s": 30.0}
    options.update(kwargs)
    return ShopifyCostLimiter(client, "shop.test", clock=clock, sleep=clock.sleep, **options)


def status(available: float, maximum: float = 100.0, rate: float = 10.0) -> ThrottleStatus:
    return ThrottleStatus(maximum_available=maximum, currently_available=available, restore_rate=rate)


def learn(
    lim: ShopifyCostLimiter, available: float = 100.0, maximum: float = 100.0, rate: float = 10.0
) -> None:
    lim.settle(lim.acquire(1, max_wait_s=0), charged=0, status=status(available, maximum, rate))


def test_before_any_response_calls_go_one_at_a_time_and_the_state_is_unknown(
    redis_client: redis_lib.Redis[str],
) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock)
    assert lim.state().as_dict() == {
        "currently_available": None,
        "maximum_available": None,
        "restore_rate": None,
        "observed_at": None,
    }
    first = lim.acquire(500, max_wait_s=0)
    with pytest.raises(QuotaWait):
        lim.acquire(1, max_wait_s=0)
    lim.settle(first, charged=17, status=status(83, maximum=2000, rate=100), requested=20)
    state = lim.state()
    assert (state.currently_available, state.maximum_available, state.restore_rate) == (83, 2000, 100)
    assert state.observed_at is not None
    assert lim.estimate() == pytest.approx(83)
    # Learned: concurrent calls are now allowed.
    lim.acquire(10, max_wait_s=0)
    lim.acquire(10, max_wait_s=0)


def test_debit_before_sending_and_wait_exactly_the_refill_time(redis_client: redis_lib.Redis[str]) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock)
    learn(lim, available=100)
    lim.acquire(60, max_wait_s=0)
    assert lim.estimate() == pytest.approx(40)
    with pytest.raises(QuotaWait) as refused:
        lim.acquire(40, max_wait_s=0)
    # 40 points plus a 1-point margin (0.1 s of refill) are needed; 40 are there: 0.1 s at 10 points/s.
    assert refused.value.wait_s == pytest.approx(0.1)
    assert refused.value.system == "shopify"
    reservation = lim.acquire(40, max_wait_s=1)
    assert clock.slept and clock.slept[0] == pytest.approx(0.1, rel=0.11)
    assert reservation.cost == 40


def test_settle_refunds_the_unused_reservation_but_never_rises_above_the_report(
    redis_client: redis_lib.Redis[str],
) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock)
    learn(lim, available=100)
    reservation = lim.acquire(50, max_wait_s=0)
    assert lim.estimate() == pytest.approx(50)
    lim.settle(reservation, charged=10, status=status(95))
    assert lim.estimate() == pytest.approx(90)  # 50 + 40 refunded, below the reported 95

    reservation = lim.acquire(20, max_wait_s=0)
    lim.settle(reservation, charged=20, status=status(30))  # someone else spent points: trust the report
    assert lim.estimate() == pytest.approx(30)
    assert lim.state().currently_available == 30


def test_a_throttled_answer_refunds_everything_and_lowers_the_estimate(
    redis_client: redis_lib.Redis[str],
) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock)
    learn(lim, available=100)
    reservation = lim.acquire(80, max_wait_s=0)
    lim.settle(reservation, charged=0, status=status(5))
    assert lim.estimate() == pytest.approx(5)
    with pytest.raises(QuotaWait) as refused:
        lim.acquire(80, max_wait_s=0)
    assert refused.value.wait_s == pytest.approx((81 - 5) / 10)
    clock.now += 7.7
    lim.acquire(80, max_wait_s=0)


def test_refill_is_capped_at_the_bucket_size(redis_client: redis_lib.Redis[str]) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock)
    learn(lim, available=10)
    clock.now += 3600
    assert lim.estimate() == pytest.approx(100)


def test_concurrency_is_bounded_and_a_dead_callers_slot_expires(redis_client: redis_lib.Redis[str]) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock, max_concurrency=2, lease_s=30.0)
    learn(lim)
    lim.acquire(1, max_wait_s=0)
    lim.acquire(1, max_wait_s=0)
    assert lim.in_flight() == 2
    with pytest.raises(QuotaWait):
        lim.acquire(1, max_wait_s=0)
    clock.now += 31  # both callers died without settling: their leases run out
    lim.acquire(1, max_wait_s=0)
    assert lim.in_flight() == 1


def test_release_frees_the_slot_but_keeps_the_points_spent(redis_client: redis_lib.Redis[str]) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock, max_concurrency=1)
    learn(lim, available=100)
    reservation = lim.acquire(30, max_wait_s=0)
    lim.release(reservation)
    assert lim.in_flight() == 0
    assert lim.estimate() == pytest.approx(70)


def test_requested_costs_are_learned_per_operation_and_shared(redis_client: redis_lib.Redis[str]) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock)
    assert lim.expected_cost("ProductSet", 20) == 20
    reservation = lim.acquire(20, operation="ProductSet", max_wait_s=0)
    lim.settle(reservation, charged=15, status=status(90), requested=17)
    other_process = limiter(redis_client, clock)
    assert other_process.expected_cost("ProductSet", 20) == 17
    assert other_process.expected_cost("Locations", 52) == 52


def test_waiting_longer_than_the_bound_raises_quota_wait_with_the_full_wait(
    redis_client: redis_lib.Redis[str],
) -> None:
    clock = FakeClock()
    lim = limiter(redis_client, clock, max_wait_s=0.5)
    learn(lim, available=0)
    with pytest.raises(QuotaWait) as refused:
        lim.acquire(50)
    assert refused.value.wait_s == pytest.approx(5.1)
    assert clock.slept == []
    assert refused.value.headers["Retry-After"] == "6"
