"""What a process that talks to Celery hands the composition root: its app's sender and the beat schedule.

The API (``main.py``'s lifespan) and each worker process (``tasks/base.py``) build their container here with
the Celery app they already own, so a process holds one Celery app, and the container itself imports nothing
from Celery: it sees a ``TaskSender`` and the beat entries as plain data.
"""

from __future__ import annotations

from collections.abc import Mapping

from celery import Celery

from app.celery_app.celery_config import beat_entry_texts
from app.celery_app.sender import CeleryTaskSender
from app.container import Container, build_container
from app.core.config import Settings
from app.services.sync_status_service import BeatEntrySpec

__all__ = ["beat_entries", "celery_container"]


def beat_entries(settings: Settings) -> list[BeatEntrySpec]:
    """Every configured beat entry (name, task, schedule text), for ``/health/sync-status``."""
    return [BeatEntrySpec(name, task, schedule) for name, task, schedule in beat_entry_texts(settings)]


def celery_container(
    settings: Settings,
    celery: Celery,
    *,
    db_pool_size: int = 6,
    overrides: Mapping[str, object] | None = None,
) -> Container:
    """The container of a process whose tasks go to ``celery``'s broker and whose beat runs its schedule."""
    return build_container(
        settings,
        task_sender=CeleryTaskSender(celery),
        beat_entries=beat_entries(settings),
        redbeat_prefix=str(celery.conf.redbeat_key_prefix),
        db_pool_size=db_pool_size,
        overrides=overrides,
    )
