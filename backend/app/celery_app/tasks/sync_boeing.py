"""Scheduled sync, Boeing step: one price call per group of claimed schedule rows, then change detection."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.core.constants.tasks import Task
from app.services.sync_accounting import describe_error


class SyncBoeingTask(BaseTask):
    """Records a group's final failure (retries exhausted, or a permanent error); quota waits are not one."""

    abstract = True

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        ids = args[0] if args else kwargs.get("schedule_ids") or kwargs.get("schedule_id") or []
        self.container.boeing_fetch_service.record_final_failure(
            [ids] if isinstance(ids, str) else list(ids), describe_error(exc)
        )


@shared_task(name=Task.PROCESS_BOEING_BATCH, base=SyncBoeingTask, bind=True, max_retries=3)
def process_boeing_batch(self: SyncBoeingTask, schedule_ids: list[str]) -> dict[str, int]:
    report = self.container.boeing_fetch_service.process_batch(schedule_ids, priority="sync")
    return {"checked": report.checked, "unchanged": report.unchanged, "changed": report.changed}
