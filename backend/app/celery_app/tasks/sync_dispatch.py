"""Scheduled-sync dispatch: claim due rows and queue Boeing work; retry failed rows; end-of-day cleanup."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.core.constants.tasks import Task


@shared_task(name=Task.DISPATCH_HOURLY, base=BaseTask, bind=True, max_retries=0)
def dispatch_hourly(self: BaseTask) -> dict[str, Any]:
    report = self.container.sync_dispatch_service.dispatch_hourly()
    return {"budget": report.budget, "claimed": report.claimed, "tasks": report.tasks}


@shared_task(name=Task.DISPATCH_RETRY, base=BaseTask, bind=True, max_retries=0)
def dispatch_retry(self: BaseTask) -> dict[str, Any]:
    report = self.container.sync_dispatch_service.dispatch_retry()
    return {"budget": report.budget, "claimed": report.claimed, "tasks": report.tasks}


@shared_task(name=Task.END_OF_DAY_CLEANUP, base=BaseTask, bind=True, max_retries=2)
def end_of_day_cleanup(self: BaseTask) -> dict[str, Any]:
    report = self.container.sync_dispatch_service.end_of_day_cleanup()
    return {"day": report.summary.day.isoformat(), "pruned_history": report.pruned_history}
