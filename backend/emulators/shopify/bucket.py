"""Leaky buckets per access token, in cost points, driven by the virtual clock."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .clock import VirtualClock
from .config import PlanLimits


@dataclass
class LeakyBucket:
    """Points available to one token; refills at the plan's restore rate up to the bucket size."""

    available: float
    updated_at: float


class BucketRegistry:
    """One bucket per token, all sharing the current plan limits."""

    def __init__(self, limits: PlanLimits, clock: VirtualClock) -> None:
        self.limits = limits
        self.clock = clock
        self.buckets: dict[str, LeakyBucket] = {}

    def set_limits(self, limits: PlanLimits) -> None:
        """Switch plan; every bucket starts full under the new limits."""
        self.limits = limits
        self.buckets.clear()

    def clear(self) -> None:
        """Forget every bucket (they start full on next use)."""
        self.buckets.clear()

    def bucket(self, token: str) -> LeakyBucket:
        """A token's bucket, refilled up to now."""
        now = self.clock.now()
        bucket = self.buckets.get(token)
        if bucket is None:
            bucket = self.buckets[token] = LeakyBucket(self.limits.bucket_size, now)
        elif now > bucket.updated_at:
            refill = (now - bucket.updated_at) * self.limits.restore_rate
            bucket.available = min(self.limits.bucket_size, bucket.available + refill)
            bucket.updated_at = now
        return bucket

    def set_available(self, token: str, available: float) -> LeakyBucket:
        """Drain or fill a bucket to an exact level."""
        bucket = self.bucket(token)
        bucket.available = max(0.0, min(float(available), self.limits.bucket_size))
        bucket.updated_at = self.clock.now()
        return bucket

    def throttle_status(self, token: str) -> dict[str, Any]:
        """extensions.cost.throttleStatus as Shopify shapes it."""
        bucket = self.bucket(token)
        return {
            "maximumAvailable": float(self.limits.bucket_size),
            "currentlyAvailable": math.floor(bucket.available),
            "restoreRate": float(self.limits.restore_rate),
        }
