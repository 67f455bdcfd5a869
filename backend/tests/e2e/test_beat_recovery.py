"""Beat as a real process on a Redis of the test's own: a second beat takes over the lock of a SIGKILLed one
within the configured figures (not RedBeat's default 25 minutes), and a running beat outlives a 3 s Redis
outage that wiped Redis, taking its lock and its schedule back."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib

from app.celery_app.celery_config import REDBEAT_KEY_PREFIX, beat_lock, beat_schedule
from app.local.embedded import EmbeddedRedis, free_port, start_redis
from tests.support.processes import wait_until
from tests.support.settings import clean_environ, settings_from_env
from tests.support.sync_stack import BeatProcess

LOCK_KEY = f"{REDBEAT_KEY_PREFIX}:lock"
SCHEDULE_KEY = f"{REDBEAT_KEY_PREFIX}:schedule"


class OwnRedis:
    """A Redis server of this test alone, on a port it keeps when the test restarts it (no persistence)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.server: EmbeddedRedis = start_redis(data_dir, self.port, persist=False)
        self.url = self.server.url
        self.client = redis_lib.Redis.from_url(self.url, decode_responses=True, socket_connect_timeout=1)

    def restart(self) -> None:
        self.server = start_redis(self.data_dir, self.port, persist=False)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(tmp_path / "redis")
    yield redis
    redis.client.close()
    redis.server.stop()


@pytest.fixture
def beat_env(env: dict[str, str], own_redis: OwnRedis) -> dict[str, str]:
    return {**clean_environ(), **env, "REDIS_URL": own_redis.url}


def start_beat(beat_env: dict[str, str], log_dir: Path) -> BeatProcess:
    log_dir.mkdir()
    return BeatProcess.start(beat_env, log_dir)


def test_a_second_beat_takes_over_a_killed_ones_lock_within_the_configured_figures(
    beat_env: dict[str, str], own_redis: OwnRedis, tmp_path: Path
) -> None:
    figures = beat_lock(beat_schedule(settings_from_env(beat_env)))
    first = start_beat(beat_env, tmp_path / "first")
    second: BeatProcess | None = None
    try:
        first_token = wait_until(lambda: own_redis.client.get(LOCK_KEY), timeout_s=40, what="the first lock")
        second = start_beat(beat_env, tmp_path / "second")
        log = second.log
        wait_until(lambda: "beat: Starting" in log.read_text(errors="replace"), timeout_s=40, what="beat 2")
        assert own_redis.client.get(LOCK_KEY) == first_token, "the second beat waits while the first lives"
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
        killed_at = time.monotonic()
        wait_until(
            lambda: own_redis.client.get(LOCK_KEY) not in (None, first_token),
            timeout_s=figures.takeover_s + 15,
            interval_s=0.05,
            what="the second beat's lock",
        )
        took = time.monotonic() - killed_at
        assert took <= figures.takeover_s + 2.0, f"took {took:.1f} s; allowed {figures.takeover_s:g} s"
        assert second.process.poll() is None
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_a_beat_outlives_a_redis_outage_and_takes_its_lock_and_schedule_back(
    beat_env: dict[str, str], own_redis: OwnRedis, tmp_path: Path
) -> None:
    beat = start_beat(beat_env, tmp_path / "beat")
    try:
        wait_until(lambda: own_redis.client.get(LOCK_KEY), timeout_s=40, what="the beat's lock")
        entries = own_redis.client.zcard(SCHEDULE_KEY)
        own_redis.server.stop()
        time.sleep(3.0)  # the outage itself: Redis stays down this long
        assert beat.process.poll() is None, "beat lives through the outage"
        own_redis.restart()  # empty: the lock and the schedule are gone
        wait_until(lambda: own_redis.client.get(LOCK_KEY), timeout_s=20, what="the lock taken back")
        wait_until(
            lambda: own_redis.client.zcard(SCHEDULE_KEY) == entries, timeout_s=10, what="the schedule back"
        )
        assert beat.process.poll() is None
        text = beat.log.read_text(errors="replace")
        assert "Redis unreachable" in text
        assert "lost the scheduler lock" in text
    finally:
        beat.stop()
