"""Batch housekeeping: completion check and the periodic sweeper (lost or abandoned work is re-sent)."""

from __future__ import annotations

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.core.constants.tasks import Task
from app.core.exceptions import ServiceUnavailableError


@shared_task(name=Task.CHECK_BATCH_COMPLETION, base=BaseTask, bind=True, max_retries=3,
             autoretry_for=(ServiceUnavailableError,))  # fmt: skip
def check_batch_completion(self: BaseTask, batch_id: str) -> bool:
    """Complete the batch if its current stage has no open item left."""
    return self.container.batch_service.check_completion(batch_id) is not None


@shared_task(name=Task.SWEEP, base=BaseTask, bind=True, max_retries=0)
def sweep(self: BaseTask) -> dict[str, int]:
    """Re-send lost chunks and expired leases, feed batches, complete those with nothing open."""
    return self.container.recovery_service.sweep()
