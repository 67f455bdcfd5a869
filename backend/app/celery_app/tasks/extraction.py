"""Bulk extraction: the orchestrator (never retried) and the Boeing call per chunk of part numbers."""

from __future__ import annotations

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.core.constants.extraction import EXTRACT_CHUNK_MAX_RETRIES
from app.core.constants.tasks import Task
from app.core.exceptions import RetryableError, ServiceUnavailableError


@shared_task(name=Task.PROCESS_BULK_SEARCH, base=BaseTask, bind=True, max_retries=0)
def process_bulk_search(self: BaseTask, batch_id: str) -> int:
    """Start the batch and send its first chunks (the sweeper feeds it again if this message is lost)."""
    return int(self.container.extraction_service.process_bulk(batch_id))


@shared_task(
    name=Task.EXTRACT_CHUNK,
    base=BaseTask,
    bind=True,
    max_retries=EXTRACT_CHUNK_MAX_RETRIES,
    autoretry_for=(RetryableError, ServiceUnavailableError),
)
def extract_chunk(self: BaseTask, batch_id: str, chunk_no: int) -> int:
    """One Boeing call for a chunk; its items count their own attempts and fail at the retry limit."""
    return int(self.container.extraction_service.extract_chunk(batch_id, chunk_no).claimed)
