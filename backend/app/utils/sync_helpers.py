"""Sync schedule math: buckets, slots, batching, backoff and quota capacity (pure, no I/O).

Time is anchored to the UTC epoch: the schedule is a cycle of ``bucket_count * bucket_seconds`` seconds
starting at 1970-01-01T00:00:00Z, and bucket ``b`` is the ``b``-th slot of each cycle. With the defaults
(24 buckets of 3600 s) bucket ``b`` is the UTC hour ``b`` of every day. Only timezone-aware datetimes are
accepted; results are in UTC.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import islice
from typing import NamedTuple, TypeVar

from app.core.constants.sync import MIN_PRODUCTS_FOR_ACTIVE_SLOT, SECONDS_PER_DAY, SlotStatus

__all__ = [
    "EPOCH",
    "SlotEntry",
    "SyncCapacity",
    "bucket_start",
    "chunked",
    "current_bucket",
    "efficiency_percent",
    "least_loaded_bucket",
    "next_sync_at",
    "percent",
    "retry_backoff",
    "slot_distribution",
    "slot_status",
    "sync_capacity",
]

T = TypeVar("T")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROS = 1_000_000
_HUNDREDTH = Decimal("0.01")


class SyncCapacity(NamedTuple):
    """What the Boeing quota allows scheduled sync to do."""

    skus_per_day: int
    """Part numbers sync can check per day at its share of the quota."""
    effective_interval_hours: float
    """How often each product can be checked (``inf`` when there are products but no capacity)."""


@dataclass(frozen=True, slots=True)
class SlotEntry:
    """One bucket of the dashboard's slot distribution."""

    hour: int
    count: int
    status: SlotStatus


def current_bucket(now: datetime, bucket_count: int, bucket_seconds: int) -> int:
    """The bucket whose slot contains ``now``."""
    _check_schedule(bucket_count, bucket_seconds)
    return (_epoch_micros(now) // (bucket_seconds * _MICROS)) % bucket_count


def next_sync_at(bucket: int, *, now: datetime, bucket_count: int, bucket_seconds: int) -> datetime:
    """The next start of ``bucket``'s slot strictly after ``now`` (a start equal to ``now`` is skipped)."""
    _check_bucket(bucket, bucket_count, bucket_seconds)
    cycle = bucket_count * bucket_seconds * _MICROS
    offset = bucket * bucket_seconds * _MICROS
    cycles = (_epoch_micros(now) - offset) // cycle + 1
    return EPOCH + timedelta(microseconds=cycles * cycle + offset)


def bucket_start(bucket: int, *, now: datetime, bucket_count: int, bucket_seconds: int) -> datetime:
    """The start of ``bucket``'s slot in the cycle containing ``now`` (may be before or after ``now``)."""
    _check_bucket(bucket, bucket_count, bucket_seconds)
    cycle = bucket_count * bucket_seconds * _MICROS
    cycle_start = _epoch_micros(now) // cycle * cycle
    return EPOCH + timedelta(microseconds=cycle_start + bucket * bucket_seconds * _MICROS)


def least_loaded_bucket(counts: Mapping[int, int], bucket_count: int) -> int:
    """The bucket with the fewest products (missing buckets count 0); ties go to the lowest index."""
    if bucket_count < 1:
        raise ValueError("bucket_count must be at least 1")
    return min(range(bucket_count), key=lambda bucket: (counts.get(bucket, 0), bucket))


def slot_status(active_products: int) -> SlotStatus:
    """``dormant`` (0 active products), ``filling`` (1-9) or ``active`` (10 or more)."""
    if active_products <= 0:
        return SlotStatus.DORMANT
    if active_products < MIN_PRODUCTS_FOR_ACTIVE_SLOT:
        return SlotStatus.FILLING
    return SlotStatus.ACTIVE


def slot_distribution(counts: Mapping[int, int], bucket_count: int) -> list[SlotEntry]:
    """One entry per bucket ``0 … bucket_count-1``, ascending, with its active-product count and status."""
    return [
        SlotEntry(bucket, counts.get(bucket, 0), slot_status(counts.get(bucket, 0)))
        for bucket in range(bucket_count)
    ]


def efficiency_percent(active_products: int, active_slots: int, filling_slots: int) -> float:
    """Slots the products need (``ceil(products / 10)``) over slots in use, as a 0-100 percentage."""
    used = active_slots + filling_slots
    if used <= 0:
        return 0.0
    needed = math.ceil(max(active_products, 0) / MIN_PRODUCTS_FOR_ACTIVE_SLOT)
    return percent(needed, used)


def percent(part: float, whole: float) -> float:
    """``part / whole * 100`` rounded half-up to 2 decimals and clamped to 0-100; 0 when ``whole`` ≤ 0."""
    if whole <= 0:
        return 0.0
    value = Decimal(str(part)) * 100 / Decimal(str(whole))
    return float(min(max(value, Decimal(0)), Decimal(100)).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP))


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items, in order (``size`` ≥ 1)."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def retry_backoff(consecutive_failures: int, base_s: float, cap_s: float) -> timedelta:
    """Exponential delay before the next attempt: ``base_s * 2^(failures-1)``, at most ``cap_s``.

    No failure yet (0 or fewer) means no delay.
    """
    if base_s < 0 or cap_s < 0:
        raise ValueError("backoff base and cap must not be negative")
    if consecutive_failures <= 0:
        return timedelta(0)
    exponent = min(consecutive_failures - 1, 64)
    return timedelta(seconds=min(base_s * 2**exponent, cap_s))


def sync_capacity(
    quota_requests: int,
    window_s: float,
    batch_size: int,
    sync_share: float,
    product_count: int = 0,
    *,
    min_interval_hours: float = 0.0,
) -> SyncCapacity:
    """Daily SKU capacity of sync at its quota share, and the resulting interval per product.

    ``skus_per_day`` = quota calls per day * ``sync_share`` * ``batch_size`` (rounded down). The interval is
    ``product_count`` spread over that capacity, but never shorter than ``min_interval_hours`` (the schedule's
    cycle: a product is checked at most once per cycle); ``min_interval_hours`` when there are no products.
    """
    if quota_requests < 0 or window_s <= 0 or batch_size < 1 or not 0 <= sync_share <= 1 or product_count < 0:
        raise ValueError("invalid quota, batch size, share or product count")
    calls_per_day = Fraction(quota_requests) * SECONDS_PER_DAY / Fraction(str(window_s))
    skus_per_day = math.floor(calls_per_day * Fraction(str(sync_share)) * batch_size)
    if product_count == 0:
        return SyncCapacity(skus_per_day, float(min_interval_hours))
    if skus_per_day == 0:
        return SyncCapacity(0, math.inf)
    hours = product_count * 24 / skus_per_day
    return SyncCapacity(skus_per_day, max(float(min_interval_hours), hours))


def _epoch_micros(now: datetime) -> int:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("schedule times must be timezone-aware (UTC)")
    delta = now - EPOCH
    return (delta.days * SECONDS_PER_DAY + delta.seconds) * _MICROS + delta.microseconds


def _check_schedule(bucket_count: int, bucket_seconds: int) -> None:
    if bucket_count < 1 or bucket_seconds < 1:
        raise ValueError("bucket_count and bucket_seconds must be at least 1")


def _check_bucket(bucket: int, bucket_count: int, bucket_seconds: int) -> None:
    _check_schedule(bucket_count, bucket_seconds)
    if not 0 <= bucket < bucket_count:
        raise ValueError(f"bucket {bucket} is outside 0..{bucket_count - 1}")
