"""Housekeeping: send outbox messages a crashed relay left behind; purge what retention allows."""

from __future__ import annotations

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.core.constants.tasks import Task


@shared_task(name=Task.RELAY_OUTBOX, base=BaseTask, bind=True, max_retries=0)
def relay_outbox(self: BaseTask) -> int:
    return self.container.outbox_relay.sweep()


@shared_task(name=Task.PURGE, base=BaseTask, bind=True, max_retries=0)
def purge(self: BaseTask) -> dict[str, int]:
    report = self.container.retention_service.purge()
    return {"raw_answers": report.raw_answers, "outbox_messages": report.outbox_messages}
