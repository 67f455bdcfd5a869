"""Per-queue worker heartbeats in Redis, so ``/health`` never needs a slow ``inspect()`` round trip."""

from __future__ import annotations

import contextlib
import threading
import time

import redis

KEY_PREFIX = "boeing-hub:heartbeat:"


class WorkerHeartbeats:
    """Workers write ``<prefix><queue>:<hostname>`` with a short TTL; readers count live keys per queue."""

    def __init__(self, client: redis.Redis[str], *, interval_s: float = 5.0) -> None:
        self._redis = client
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_url(cls, redis_url: str, *, interval_s: float = 5.0) -> WorkerHeartbeats:
        """A heartbeat writer with its own small connection (workers start it before any container)."""
        return cls(
            redis.Redis.from_url(redis_url, socket_timeout=2.0, decode_responses=True), interval_s=interval_s
        )

    @property
    def ttl_s(self) -> int:
        return max(3, int(self._interval_s * 3))

    def beat(self, hostname: str, queues: list[str]) -> None:
        """Announce that ``hostname`` consumes ``queues`` right now."""
        pipe = self._redis.pipeline(transaction=False)
        for queue in queues:
            pipe.set(f"{KEY_PREFIX}{queue}:{hostname}", str(time.time()), ex=self.ttl_s)
        pipe.execute()

    def start(self, hostname: str, queues: list[str]) -> None:
        """Beat from a daemon thread until ``stop``."""

        def run() -> None:
            while not self._stop.is_set():
                # Redis down: the keys expire and /health reports the workers missing.
                with contextlib.suppress(redis.RedisError):
                    self.beat(hostname, queues)
                self._stop.wait(self._interval_s)

        self._thread = threading.Thread(target=run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self, hostname: str, queues: list[str]) -> None:
        """Stop beating and withdraw this worker's keys."""
        self._stop.set()
        with contextlib.suppress(redis.RedisError):
            self._redis.delete(*(f"{KEY_PREFIX}{queue}:{hostname}" for queue in queues))

    def online(self) -> dict[str, int]:
        """Live workers per queue."""
        counts: dict[str, int] = {}
        for key in self._redis.scan_iter(match=f"{KEY_PREFIX}*", count=500):
            queue = key[len(KEY_PREFIX) :].split(":", 1)[0]
            counts[queue] = counts.get(queue, 0) + 1
        return counts
