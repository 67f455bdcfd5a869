"""Redis connection factory (broker, limiters, progress, locks, deny-list, heartbeats)."""

from __future__ import annotations

import redis


def create_redis(redis_url: str, *, socket_timeout_s: float = 5.0) -> redis.Redis[str]:
    """A thread-safe client with bounded timeouts, so an unreachable Redis fails fast."""
    return redis.Redis.from_url(
        redis_url,
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=2.0,
        health_check_interval=30,
        decode_responses=True,
    )
