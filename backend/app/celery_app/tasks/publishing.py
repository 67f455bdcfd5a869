"""Publishing tasks (stable names of the seed): a run's start, one product, and reconciliation.

Shopify retry policy (seed table): ``RetryableError`` autoretried up to 3 times with backoff and jitter; a
quota wait (``QuotaWait``) re-sends the task without counting an attempt. No Celery ``rate_limit``: the
shared Shopify cost limiter paces every call.
"""

from __future__ import annotations

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.core.constants.tasks import Task


@shared_task(name=Task.PUBLISH_BATCH, base=BaseTask, bind=True, max_retries=0)
def publish_batch(self: BaseTask, batch_id: str, run: int) -> int:
    return int(self.container.publish_run_service.start_run(batch_id, run))


@shared_task(name=Task.PUBLISH_PRODUCT, base=BaseTask, bind=True, max_retries=3)
def publish_product(self: BaseTask, batch_id: str, item_id: int) -> str:
    return str(
        self.container.publish_run_service.publish_item(batch_id, item_id, last_attempt=self.is_last_attempt)
    )


@shared_task(name=Task.RECONCILE, base=BaseTask, bind=True, max_retries=0)
def reconcile(self: BaseTask, record_id: int | None = None) -> dict[str, int]:
    return dict(self.container.publish_reconciliation_service.reconcile(record_id))
