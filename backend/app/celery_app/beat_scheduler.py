"""Beat's scheduler: RedBeat, kept running through a lost Redis and a lost lock.

RedBeat alone ends the beat process on the first tick that cannot reach Redis: renewing the lock and reading
the schedule raise, and Celery's beat loop lets the error out. A beat that started while Redis was away has no
lock at all and fails its first tick the same way. Here a tick that cannot reach Redis logs, schedules nothing
and tries again one loop interval later; a tick that finds its lock gone (it expired while Redis was away, or
another beat holds it now) stops scheduling and takes the lock again as soon as it is free, then installs the
static schedule again (a Redis that came back empty lost it with the lock; entries that survived keep their
last run). Only the holder of the lock ever sends a due task, so one beat schedules at a time, and none exits
for a blip.

The lock's timeout and the loop interval are ``celery_config.beat_lock``'s figures.
"""

from __future__ import annotations

from typing import Any

from celery.utils.log import get_logger
from redbeat.schedulers import LUA_EXTEND_TO_SCRIPT, RedBeatScheduler, get_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import LockError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.lock import Lock

logger = get_logger("celery.beat")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class SteadyRedBeatScheduler(RedBeatScheduler):
    """A RedBeat scheduler that outlives Redis outages and re-takes its lock instead of exiting."""

    lock: Lock | None = None  # RedBeat's: held while this beat schedules

    # Set when this beat takes the lock after start-up: the static schedule is installed again under it.
    _schedule_missing = False

    def tick(self, min: Any = min, **kwargs: Any) -> float:
        """One pass: renew the lock and send what is due; the seconds until the next pass."""
        try:
            if self.lock_key and self.lock is None and not self._take_lock():
                return float(self.max_interval)  # another beat holds the lock: stand by
            if self._schedule_missing:
                self.setup_schedule()
                self._schedule_missing = False
            return float(super().tick(min=min, **kwargs))
        except LockError as exc:
            logger.warning(
                "beat: lost the scheduler lock (%s); scheduling stops until it is taken again", exc
            )
            self.lock = None
            return 0.0  # try to take it again right away
        except UNREACHABLE as exc:
            logger.warning("beat: Redis unreachable (%s); next try in %.1f s", exc, self.max_interval)
            return float(self.max_interval)

    def _take_lock(self) -> bool:
        """Take the lock if it is free (RedBeat's own lock, with its extend script); never wait for it."""
        client = get_redis(self.app)
        lock = client.lock(self.lock_key, timeout=self.lock_timeout, sleep=self.max_interval)
        lock.lua_extend = client.register_script(LUA_EXTEND_TO_SCRIPT)
        if not lock.acquire(blocking=False):
            return False
        logger.info("beat: Acquired lock")
        self.lock = lock
        self._schedule_missing = True
        return True

    def close(self) -> None:
        """Release the lock if Redis answers; if not, the lock expires on its own within its timeout."""
        try:
            super().close()
        except RedisError as exc:
            logger.warning(
                "beat: could not release the lock (%s); it expires in %s s", exc, self.lock_timeout
            )
            self.lock = None
