"""Sync schedule math: buckets anchored to the UTC epoch, slot states, batching, backoff and capacity."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.core.constants.sync import SlotStatus
from app.utils.sync_helpers import (
    bucket_start,
    chunked,
    current_bucket,
    efficiency_percent,
    least_loaded_bucket,
    next_sync_at,
    percent,
    retry_backoff,
    slot_distribution,
    slot_status,
    sync_capacity,
)

HOUR = 3600


def at(hour: int, minute: int = 0, second: int = 0, day: int = 26) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("counts", "bucket"),
    [
        ({}, 0),
        ({0: 3, 1: 1, 2: 1}, 3),
        ({0: 1, 1: 1, 2: 1, 3: 1}, 0),
        ({0: 2, 1: 0, 2: 0, 3: 5}, 1),
        ({3: 9}, 0),
    ],
)
def test_least_loaded_bucket_ties_go_to_the_lowest_index(counts: dict[int, int], bucket: int) -> None:
    assert least_loaded_bucket(counts, 4) == bucket


def test_least_loaded_bucket_ignores_buckets_outside_the_range() -> None:
    assert least_loaded_bucket({0: 5, 1: 5, 7: 0}, 2) == 0
    with pytest.raises(ValueError):
        least_loaded_bucket({}, 0)


def test_hourly_buckets_are_utc_hours() -> None:
    assert current_bucket(at(0), 24, HOUR) == 0
    assert current_bucket(at(13, 59, 59), 24, HOUR) == 13
    assert current_bucket(at(23, 30), 24, HOUR) == 23
    ahead = datetime(2026, 11, 26, 15, 30, tzinfo=timezone(timedelta(hours=2)))  # 13:30 UTC
    assert current_bucket(ahead, 24, HOUR) == 13


def test_buckets_in_a_compressed_cycle() -> None:
    # 4 buckets of 60 s: the cycle repeats every 4 minutes from the epoch.
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert [current_bucket(epoch + timedelta(seconds=s), 4, 60) for s in (0, 59, 60, 179, 180, 240, 301)] == [
        0, 0, 1, 2, 3, 0, 1,
    ]  # fmt: skip


def test_next_sync_at_is_the_next_start_of_the_bucket_strictly_after_now() -> None:
    assert next_sync_at(14, now=at(13, 20), bucket_count=24, bucket_seconds=HOUR) == at(14)
    assert next_sync_at(14, now=at(14, 0), bucket_count=24, bucket_seconds=HOUR) == at(14, day=27)
    assert next_sync_at(14, now=at(14, 0, 1), bucket_count=24, bucket_seconds=HOUR) == at(14, day=27)
    assert next_sync_at(3, now=at(23, 59), bucket_count=24, bucket_seconds=HOUR) == at(3, day=27)
    assert next_sync_at(0, now=at(23, 59, 59), bucket_count=24, bucket_seconds=HOUR) == at(0, day=27)


def test_next_sync_at_in_a_compressed_cycle() -> None:
    now = datetime(
        2026, 11, 26, 10, 0, 30, tzinfo=UTC
    )  # a cycle start (epoch seconds divisible by 240) + 30 s
    epoch_seconds = int(now.timestamp())
    assert epoch_seconds % 240 == 30
    result = next_sync_at(2, now=now, bucket_count=4, bucket_seconds=60)
    assert result == now + timedelta(seconds=90)
    assert current_bucket(result, 4, 60) == 2
    assert result.tzinfo is UTC


def test_next_sync_at_is_always_within_one_cycle_and_in_its_bucket() -> None:
    now = at(7, 42, 17)
    for bucket in range(24):
        result = next_sync_at(bucket, now=now, bucket_count=24, bucket_seconds=HOUR)
        assert now < result <= now + timedelta(hours=24)
        assert current_bucket(result, 24, HOUR) == bucket
        assert result.minute == result.second == 0


def test_bucket_start_in_the_current_cycle() -> None:
    assert bucket_start(5, now=at(13, 20), bucket_count=24, bucket_seconds=HOUR) == at(5)
    assert bucket_start(20, now=at(13, 20), bucket_count=24, bucket_seconds=HOUR) == at(20)


@pytest.mark.parametrize("bucket", [-1, 24])
def test_buckets_outside_the_schedule_are_rejected(bucket: int) -> None:
    with pytest.raises(ValueError):
        next_sync_at(bucket, now=at(1), bucket_count=24, bucket_seconds=HOUR)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        current_bucket(datetime(2026, 11, 26, 10), 24, HOUR)
    with pytest.raises(ValueError):
        next_sync_at(1, now=datetime(2026, 11, 26, 10), bucket_count=24, bucket_seconds=HOUR)


@pytest.mark.parametrize(
    ("count", "status"),
    [(0, SlotStatus.DORMANT), (1, SlotStatus.FILLING), (9, SlotStatus.FILLING), (10, SlotStatus.ACTIVE)],
)
def test_slot_status(count: int, status: SlotStatus) -> None:
    assert slot_status(count) is status


def test_slot_distribution_lists_every_bucket_in_order() -> None:
    distribution = slot_distribution({0: 12, 2: 3, 9: 4}, 3)
    assert [(s.hour, s.count, s.status.value) for s in distribution] == [
        (0, 12, "active"),
        (1, 0, "dormant"),
        (2, 3, "filling"),
    ]


@pytest.mark.parametrize(
    ("products", "active", "filling", "expected"),
    [
        (0, 0, 0, 0.0),
        (25, 2, 1, 100.0),
        (25, 2, 2, 75.0),
        (10, 0, 3, 33.33),
        (5, 0, 6, 16.67),
        (40, 1, 0, 100.0),
    ],
)
def test_efficiency_percent(products: int, active: int, filling: int, expected: float) -> None:
    assert efficiency_percent(products, active, filling) == expected


def test_percent_rounds_half_up_and_clamps() -> None:
    assert percent(1, 8) == 12.5
    assert percent(1, 3) == 33.33
    assert percent(2, 3) == 66.67
    assert percent(0.125, 1) == 12.5
    assert percent(0.00125, 1) == 0.13  # 0.125: half-even would give 0.12
    assert percent(5, 4) == 100.0
    assert percent(-1, 4) == 0.0
    assert percent(3, 0) == 0.0


def test_chunked() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 10)) == []
    assert list(chunked((c for c in "ab"), 10)) == [["a", "b"]]
    with pytest.raises(ValueError):
        list(chunked([1], 0))


def test_retry_backoff_is_exponential_and_capped() -> None:
    delays = [retry_backoff(n, 30, 600).total_seconds() for n in range(8)]
    assert delays == [0, 30, 60, 120, 240, 480, 600, 600]
    assert retry_backoff(10_000, 1, 3600) == timedelta(hours=1)
    with pytest.raises(ValueError):
        retry_backoff(1, -1, 10)


def test_sync_capacity_at_the_default_quota() -> None:
    # 2 calls/60 s = 2,880 calls/day; half for sync = 1,440 calls * 10 codes = 14,400 SKUs/day.
    capacity = sync_capacity(2, 60, 10, 0.5, 7_200)
    assert capacity.skus_per_day == 14_400
    assert capacity.effective_interval_hours == 12.0
    assert sync_capacity(2, 60, 10, 0.5, 7_200, min_interval_hours=24).effective_interval_hours == 24.0
    assert sync_capacity(2, 60, 10, 0.5, 43_200).effective_interval_hours == 72.0


def test_sync_capacity_edge_cases() -> None:
    assert sync_capacity(2, 60, 10, 0.3).skus_per_day == 8_640  # exact decimal share, no float drift
    assert sync_capacity(2, 60, 10, 0.5) == (14_400, 0.0)
    assert sync_capacity(2, 60, 10, 0.0, 5) == (0, math.inf)
    with pytest.raises(ValueError):
        sync_capacity(2, 0, 10, 0.5)
    with pytest.raises(ValueError):
        sync_capacity(2, 60, 10, 1.5)


@pytest.mark.time_sensitive
def test_every_bucket_is_due_once_in_the_next_cycle_across_day_month_and_year_ends(instant: datetime) -> None:
    dues = [next_sync_at(b, now=instant, bucket_count=24, bucket_seconds=HOUR) for b in range(24)]
    assert all(instant < due <= instant + timedelta(days=1) for due in dues)
    assert sorted(due.hour for due in dues) == list(range(24)), "bucket b is due at hour b (UTC)"
    assert [current_bucket(due, 24, HOUR) for due in dues] == list(range(24))
    assert current_bucket(instant, 24, HOUR) == instant.hour
    assert bucket_start(instant.hour, now=instant, bucket_count=24, bucket_seconds=HOUR) == instant.replace(
        minute=0, second=0, microsecond=0
    )
