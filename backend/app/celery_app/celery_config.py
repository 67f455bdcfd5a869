"""Routes built from the task names, the beat schedule and the worker groups (DESIGN §4, §7).

Queues and stable task names are ``app.core.constants.tasks``; this module only wires them into Celery.

No per-worker ``rate_limit`` is set anywhere: the global Redis limiters pace Boeing and Shopify (DESIGN §6).
"""

from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

from app.core.config import Settings
from app.core.constants.tasks import Task, TaskQueue

REDBEAT_KEY_PREFIX = "boeing-hub:redbeat:"

# Every task is routed to the queue its ``Task`` member names (plain strings: what kombu puts on the wire).
TASK_ROUTES: dict[str, dict[str, str]] = {task.value: {"queue": task.queue.value} for task in Task}


def task_modules() -> list[str]:
    """Every task module of ``app.celery_app.tasks`` (workers import them all)."""
    from app.celery_app import tasks

    return [
        f"{tasks.__name__}.{module.name}"
        for module in pkgutil.iter_modules(tasks.__path__)
        if module.name != "base"
    ]


@dataclass(frozen=True, slots=True)
class WorkerGroup:
    name: str
    queues: tuple[TaskQueue, ...]
    pool: str
    concurrency: int


# Waiting on one quota never starves the other: each quota has its own group of workers.
WORKER_GROUPS: dict[str, WorkerGroup] = {
    "boeing": WorkerGroup("boeing", (TaskQueue.EXTRACTION, TaskQueue.SYNC_BOEING), "threads", 4),
    "shopify": WorkerGroup("shopify", (TaskQueue.PUBLISHING, TaskQueue.SYNC_SHOPIFY), "threads", 8),
    "default": WorkerGroup("default", (TaskQueue.NORMALIZATION, TaskQueue.DEFAULT), "prefork", 4),
}


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Every periodic entry, by stable task name."""
    schedule: dict[str, dict[str, Any]] = {
        "relay-outbox": {"task": Task.RELAY_OUTBOX, "schedule": timedelta(seconds=10)},
        "purge-retention": {"task": Task.PURGE, "schedule": crontab(minute=17, hour=3)},
        # Re-sends lost or abandoned batch work and completes batches with nothing open (DESIGN §5).
        "sweep-batches": {
            "task": Task.SWEEP,
            "schedule": timedelta(seconds=settings.app.batch_sweep_interval_s),
        },
    }
    schedule.update(sync_beat_entries(settings))
    # Completes Shopify writes whose save failed and re-sends stuck publish items.
    schedule["reconcile-publishing"] = {
        "task": Task.RECONCILE,
        "schedule": timedelta(seconds=settings.publishing.reconcile_interval_s),
    }
    return schedule


def sync_beat_entries(settings: Settings) -> dict[str, dict[str, Any]]:
    """Scheduled sync (only when ``SYNC_ENABLED``): dispatch every dispatch interval, retry failed rows every
    retry interval, and the day's summary and history pruning at 23:55 UTC, the end of the day it sums up."""
    sync = settings.sync
    if not sync.enabled:
        return {}
    return {
        "dispatch-hourly-sync": {
            "task": Task.DISPATCH_HOURLY,
            "schedule": timedelta(seconds=sync.dispatch_interval_s),
        },
        "dispatch-retry-sync": {
            "task": Task.DISPATCH_RETRY,
            "schedule": timedelta(seconds=sync.retry_interval_s),
        },
        "end-of-day-cleanup": {
            "task": Task.END_OF_DAY_CLEANUP,
            "schedule": crontab(minute=55, hour=23),
        },
    }


def beat_entry_texts(settings: Settings) -> list[tuple[str, str, str]]:
    """Every beat entry as (name, task, schedule text), for ``/health/sync-status``."""
    return [
        (name, str(entry["task"]), schedule_text(entry["schedule"]))
        for name, entry in beat_schedule(settings).items()
    ]


def schedule_text(schedule: Any) -> str:
    """``every 60 s`` for an interval; ``crontab 55 23 * * * (UTC)`` (minute hour day month weekday)."""
    if isinstance(schedule, timedelta):
        return f"every {schedule.total_seconds():g} s"
    if isinstance(schedule, crontab):
        fields = (
            schedule._orig_minute,
            schedule._orig_hour,
            schedule._orig_day_of_month,
            schedule._orig_month_of_year,
            schedule._orig_day_of_week,
        )
        return "crontab " + " ".join(str(field) for field in fields) + " (UTC)"
    return str(schedule)


@dataclass(frozen=True, slots=True)
class BeatLock:
    """RedBeat's lock figures. A live beat renews its lock on every tick, at least every ``loop_s``; the lock
    expires ``timeout_s`` after the last renewal; a waiting beat tries to take it every ``loop_s``. So a beat
    that dies is replaced within ``takeover_s``, and a live one renews more than twice per timeout."""

    loop_s: float
    timeout_s: int

    @property
    def takeover_s(self) -> float:
        """The longest a dead beat's lock keeps a new beat from scheduling."""
        return self.timeout_s + self.loop_s


# Redis expires keys in whole seconds here (RedBeat renews with ``int(timeout)``): 3 s is the shortest lock
# that still leaves room for two renewals at the shortest loop (1 s).
MIN_BEAT_LOCK_TIMEOUT_S = 3
MIN_BEAT_TAKEOVER_S = MIN_BEAT_LOCK_TIMEOUT_S + 1.0


def beat_lock(schedule: dict[str, dict[str, Any]]) -> BeatLock:
    """Lock figures such that a new beat takes over within the shortest interval of ``schedule`` (no entry
    misses more than one run), but never below ``MIN_BEAT_TAKEOVER_S``: a quarter of that interval between
    ticks, the rest as the lock's timeout."""
    intervals = [
        e["schedule"].total_seconds() for e in schedule.values() if isinstance(e["schedule"], timedelta)
    ]
    budget = max(MIN_BEAT_TAKEOVER_S, min(intervals, default=MIN_BEAT_TAKEOVER_S))
    loop_s = budget / 4
    return BeatLock(loop_s=loop_s, timeout_s=max(MIN_BEAT_LOCK_TIMEOUT_S, int(budget - loop_s)))


def build_celery(settings: Settings, *, include_tasks: bool = False) -> Celery:
    """The Celery app for this process: a producer for the API, the task registry for workers."""
    app = Celery("boeing_hub", include=task_modules() if include_tasks else [])
    schedule = beat_schedule(settings)
    lock = beat_lock(schedule)
    app.conf.update(
        broker_url=settings.redis_url,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": settings.app.celery_visibility_timeout_s},
        task_ignore_result=True,
        task_queues=[Queue(queue.value) for queue in TaskQueue],
        task_default_queue=TaskQueue.DEFAULT.value,
        task_routes=TASK_ROUTES,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_consumer="app.celery_app.consumer:BrokerConsumer",
        task_serializer="json",
        accept_content=["json"],
        enable_utc=True,
        timezone="UTC",
        task_time_limit=settings.app.celery_visibility_timeout_s,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        beat_schedule=schedule,
        beat_scheduler="app.celery_app.beat_scheduler:SteadyRedBeatScheduler",
        beat_max_loop_interval=lock.loop_s,
        redbeat_redis_url=settings.redis_url,
        redbeat_key_prefix=REDBEAT_KEY_PREFIX,
        redbeat_lock_timeout=lock.timeout_s,
        # A Redis that stops answering fails a tick (which the scheduler survives) instead of freezing beat.
        redbeat_redis_options={"socket_timeout": 5.0, "socket_connect_timeout": 5.0},
    )
    return app
