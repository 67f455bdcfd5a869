"""RedBeat's lock figures come from the schedule: a new beat takes over a dead one's lock within the shortest
beat interval (so within one sync dispatch interval), and a live beat renews it at least twice per timeout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from celery.schedules import crontab

from app.celery_app.celery_config import (
    MIN_BEAT_LOCK_TIMEOUT_S,
    MIN_BEAT_TAKEOVER_S,
    BeatLock,
    beat_lock,
    beat_schedule,
    build_celery,
)
from app.core.config import Settings
from tests.support.settings import settings_from_env


def _settings(**env: str) -> Settings:
    return settings_from_env(
        {"APP_ENV": "local", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x", **env}
    )


def _every(*seconds: float) -> dict[str, dict[str, Any]]:
    schedule: dict[str, dict[str, Any]] = {
        f"e{i}": {"task": "t", "schedule": timedelta(seconds=s)} for i, s in enumerate(seconds)
    }
    schedule["nightly"] = {"task": "t", "schedule": crontab(minute=0, hour=3)}
    return schedule


def test_the_default_schedule_hands_over_within_its_shortest_interval() -> None:
    settings = _settings()
    lock = beat_lock(beat_schedule(settings))
    assert lock == BeatLock(loop_s=2.5, timeout_s=7)  # the outbox relay runs every 10 s
    assert lock.takeover_s <= 10.0
    assert lock.takeover_s <= settings.sync.dispatch_interval_s


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ((10.0, 30.0, 60.0), BeatLock(2.5, 7)),
        ((60.0, 14_400.0), BeatLock(15.0, 45)),
        ((5.0,), BeatLock(1.25, 3)),
        ((1.0, 60.0), BeatLock(1.0, MIN_BEAT_LOCK_TIMEOUT_S)),  # a 1 s test sweeper: the floor
        ((), BeatLock(1.0, MIN_BEAT_LOCK_TIMEOUT_S)),  # crontab entries only
    ],
)
def test_lock_figures_follow_the_shortest_interval(intervals: tuple[float, ...], expected: BeatLock) -> None:
    lock = beat_lock(_every(*intervals))
    assert lock == expected
    shortest = min(intervals, default=MIN_BEAT_TAKEOVER_S)
    assert lock.takeover_s <= max(shortest, MIN_BEAT_TAKEOVER_S)
    assert lock.timeout_s >= 2 * lock.loop_s, "a live beat renews at least twice per timeout"


@pytest.mark.parametrize("dispatch_s", ["5", "30", "60", "3600"])
def test_a_dead_beat_is_replaced_within_one_dispatch_interval(dispatch_s: str) -> None:
    settings = _settings(SYNC_DISPATCH_INTERVAL_S=dispatch_s)
    lock = beat_lock(beat_schedule(settings))
    assert lock.takeover_s <= settings.sync.dispatch_interval_s


def test_celery_gets_the_figures_and_the_steady_scheduler() -> None:
    settings = _settings(SYNC_DISPATCH_INTERVAL_S="6", BATCH_SWEEP_INTERVAL_S="8")
    conf = build_celery(settings).conf
    assert conf.redbeat_lock_timeout == 4  # 6 s: a 1.5 s loop, the rest as the timeout
    assert conf.beat_max_loop_interval == 1.5
    assert conf.beat_scheduler == "app.celery_app.beat_scheduler:SteadyRedBeatScheduler"
    assert conf.redbeat_redis_options["socket_timeout"] > 0, "a hung Redis fails a tick, never freezes beat"
