"""The sync beat entries: present only when sync is enabled, at the configured intervals, shown as text."""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab

from app.celery_app.celery_config import TASK_ROUTES, beat_entry_texts, beat_schedule, schedule_text
from app.core.config import Settings
from tests.support.settings import settings_from_env


def _settings(**env: str) -> Settings:
    return settings_from_env(
        {"APP_ENV": "local", "DATABASE_URL": "postgresql://x/y", "REDIS_URL": "redis://x", **env}
    )


def test_enabled_sync_has_its_three_entries_at_the_configured_intervals() -> None:
    schedule = beat_schedule(_settings(SYNC_DISPATCH_INTERVAL_S="5", SYNC_RETRY_INTERVAL_S="7200"))
    assert schedule["dispatch-hourly-sync"] == {
        "task": "tasks.sync_dispatch.dispatch_hourly",
        "schedule": timedelta(seconds=5),
    }
    assert schedule["dispatch-retry-sync"]["schedule"] == timedelta(hours=2)
    cleanup = schedule["end-of-day-cleanup"]
    assert cleanup["task"] == "tasks.sync_dispatch.end_of_day_cleanup"
    assert isinstance(cleanup["schedule"], crontab)
    for entry in ("dispatch-hourly-sync", "dispatch-retry-sync", "end-of-day-cleanup"):
        assert schedule[entry]["task"] in TASK_ROUTES, "every entry names a routed, stable task"


def test_disabled_sync_has_no_sync_entries() -> None:
    schedule = beat_schedule(_settings(SYNC_ENABLED="false"))
    assert not {"dispatch-hourly-sync", "dispatch-retry-sync", "end-of-day-cleanup"} & set(schedule)
    assert "relay-outbox" in schedule, "other periodic work is untouched"


def test_schedules_read_as_text() -> None:
    assert schedule_text(timedelta(seconds=60)) == "every 60 s"
    assert schedule_text(timedelta(seconds=0.5)) == "every 0.5 s"
    assert schedule_text(crontab(minute=55, hour=23)) == "crontab 55 23 * * * (UTC)"
    texts = {name: text for name, _, text in beat_entry_texts(_settings())}
    assert texts["dispatch-hourly-sync"] == "every 60 s"
    assert texts["dispatch-retry-sync"] == "every 14400 s"


def test_retention_runs_daily_whether_or_not_sync_is_enabled() -> None:
    for enabled in ("true", "false"):
        entry = beat_schedule(_settings(SYNC_ENABLED=enabled))["purge-retention"]
        assert entry["task"] == "tasks.maintenance.purge"
        assert isinstance(entry["schedule"], crontab)
        assert entry["schedule"].hour == {3} and entry["schedule"].minute == {17}
