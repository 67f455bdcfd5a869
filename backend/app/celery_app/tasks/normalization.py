"""Normalization of one stored Boeing answer (a database task: the answer is reloaded by id)."""

from __future__ import annotations

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.core.constants.extraction import NORMALIZE_CHUNK_MAX_RETRIES
from app.core.constants.tasks import Task
from app.core.exceptions import RetryableError, ServiceUnavailableError


@shared_task(
    name=Task.NORMALIZE_CHUNK,
    base=BaseTask,
    bind=True,
    max_retries=NORMALIZE_CHUNK_MAX_RETRIES,
    autoretry_for=(RetryableError, ServiceUnavailableError),
)
def normalize_chunk(self: BaseTask, raw_data_id: int) -> int:
    """Stage the answer and settle its items; on the last attempt a failure is recorded on the items."""
    report = self.container.normalization_service.normalize_chunk(
        raw_data_id, final_attempt=self.is_last_attempt
    )
    return int(report.items)
