"""Beat's scheduler against real Redis: it stands by while another beat holds the lock, takes the lock once it
is free, survives a tick that cannot reach Redis, and re-takes a lost lock (re-installing a schedule that a
Redis restart emptied) instead of exiting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis as redis_lib
from celery import Celery

from app.celery_app.beat_scheduler import SteadyRedBeatScheduler
from app.celery_app.celery_config import beat_lock, beat_schedule, build_celery
from app.local.embedded import free_port
from tests.support.settings import settings_from_env


@pytest.fixture
def celery(redis_client: redis_lib.Redis[str], redis_url: str) -> Iterator[Celery]:
    settings = settings_from_env(
        {"APP_ENV": "local", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": redis_url}
    )
    app = build_celery(settings)
    yield app
    app.close()


@pytest.fixture
def scheduler(celery: Celery) -> Iterator[SteadyRedBeatScheduler]:
    beat = SteadyRedBeatScheduler(app=celery)
    yield beat
    beat.close()


def lock_key(celery: Celery) -> str:
    return str(celery.redbeat_conf.lock_key)


def test_the_configured_lock_figures_reach_the_scheduler(
    celery: Celery, scheduler: SteadyRedBeatScheduler
) -> None:
    settings = settings_from_env(
        {"APP_ENV": "local", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x"}
    )
    figures = beat_lock(beat_schedule(settings))
    assert scheduler.lock_timeout == figures.timeout_s
    assert scheduler.max_interval == figures.loop_s


def test_a_second_beat_stands_by_until_the_lock_is_free(
    celery: Celery, scheduler: SteadyRedBeatScheduler, redis_client: redis_lib.Redis[str]
) -> None:
    redis_client.set(lock_key(celery), "another-beat", px=60_000)
    assert scheduler.tick() == scheduler.max_interval
    assert scheduler.lock is None, "it sends nothing while another beat holds the lock"
    redis_client.delete(lock_key(celery))
    scheduler.tick()
    assert scheduler.lock is not None
    assert redis_client.get(lock_key(celery)) == scheduler.lock.local.token.decode()
    assert 0 < redis_client.ttl(lock_key(celery)) <= scheduler.lock_timeout


def test_a_tick_that_cannot_reach_redis_is_survived(
    celery: Celery, scheduler: SteadyRedBeatScheduler
) -> None:
    scheduler.tick()
    lock = scheduler.lock
    assert lock is not None
    reachable = celery.redbeat_redis
    dead = redis_lib.Redis(port=free_port(), socket_connect_timeout=0.5, decode_responses=True)
    celery.redbeat_redis, lock.redis = dead, dead
    try:
        assert scheduler.tick() == scheduler.max_interval
    finally:
        celery.redbeat_redis, lock.redis = reachable, reachable
    scheduler.tick()
    assert scheduler.lock is lock, "Redis answers again within the lock's timeout: the same lock goes on"


def test_a_lost_lock_and_an_emptied_schedule_are_taken_back(
    celery: Celery, scheduler: SteadyRedBeatScheduler, redis_client: redis_lib.Redis[str]
) -> None:
    scheduler.tick()
    schedule_key = celery.redbeat_conf.schedule_key
    entries = redis_client.zcard(schedule_key)
    assert entries >= len(celery.conf.beat_schedule), "every configured entry (and Celery's own)"
    redis_client.flushdb()  # a Redis that came back without its data: no lock, no schedule
    assert scheduler.tick() == 0.0, "the lost lock is noticed, and taken again at once"
    assert scheduler.lock is None
    scheduler.tick()
    assert scheduler.lock is not None
    assert redis_client.get(lock_key(celery)) == scheduler.lock.local.token.decode()
    assert redis_client.zcard(schedule_key) == entries


def test_a_lock_taken_by_another_beat_meanwhile_turns_this_one_into_a_standby(
    celery: Celery, scheduler: SteadyRedBeatScheduler, redis_client: redis_lib.Redis[str]
) -> None:
    scheduler.tick()
    redis_client.set(lock_key(celery), "another-beat", px=60_000)
    assert scheduler.tick() == 0.0
    assert scheduler.tick() == scheduler.max_interval
    assert scheduler.lock is None
    assert redis_client.get(lock_key(celery)) == "another-beat", "the other beat's lock is left alone"
