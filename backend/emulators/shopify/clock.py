"""Virtual clock: wall time plus an offset that the control API can advance or set."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class VirtualClock:
    """Drives buckets, the daily variant limit, search lag and idempotency key expiry. It starts at ``start``
    (epoch seconds) when one is given, else at the wall clock."""

    def __init__(self, start: float | None = None) -> None:
        self.start = start
        self.offset_s = 0.0
        self.reset()

    def now(self) -> float:
        """Current virtual time as a UNIX timestamp."""
        return time.time() + self.offset_s

    def advance(self, seconds: float) -> float:
        """Move virtual time forward and return the new now."""
        self.offset_s += seconds
        return self.now()

    def set(self, timestamp: float) -> float:
        """Show ``timestamp`` now, forward or back, and run on from there; returns the new now."""
        self.offset_s = timestamp - time.time()
        return self.now()

    def reset(self) -> None:
        """Back to the starting instant, or to wall time."""
        self.offset_s = 0.0 if self.start is None else self.start - time.time()

    def day(self, ts: float | None = None) -> int:
        """UTC day number of a timestamp (the daily variant limit resets at UTC midnight)."""
        return int((self.now() if ts is None else ts) // 86_400)


def iso(ts: float) -> str:
    """ISO-8601 UTC timestamp with second precision, the way Shopify prints DateTime."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
