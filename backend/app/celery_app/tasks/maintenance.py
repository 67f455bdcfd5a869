"""Housekeeping: send outbox messages a crashed relay left behind; purge what retention allows."""

from __future__ import annotations

from celery import shared_task

from app.celery_app.tasks.base import BaseTask


@shared_task(name="tasks.maintenance.relay_outbox", base=BaseTask, bind=True, max_retries=0)
def relay_outbox(self: BaseTask) -> int:
    return self.container.outbox_relay.sweep()


@shared_task(name="tasks.maintenance.purge", base=BaseTask, bind=True, max_retries=0)
def purge(self: BaseTask) -> int:
    return self.container.outbox_relay.purge()
