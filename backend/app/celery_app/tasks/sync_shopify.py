"""Scheduled sync, Shopify step: targeted writes of a detected change; an operator's immediate sync; the
product status change that follows deactivation or reactivation."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from app.celery_app.tasks.base import BaseTask
from app.celery_app.tasks.sync_boeing import SyncBoeingTask
from app.core.constants.tasks import Task
from app.services.sync_accounting import describe_error


class SyncShopifyTask(BaseTask):
    """Records an update's final failure (retries exhausted, or a permanent error); throttles are not one."""

    abstract = True

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        schedule_id = args[0] if args else kwargs.get("schedule_id")
        self.container.shopify_update_service.record_final_failure(schedule_id, describe_error(exc))


@shared_task(name=Task.UPDATE_SHOPIFY_PRODUCT, base=SyncShopifyTask, bind=True, max_retries=3)
def update_shopify_product(self: SyncShopifyTask, schedule_id: str) -> dict[str, Any]:
    report = self.container.shopify_update_service.update_product(schedule_id)
    return {"sku": report.sku, "writes": report.writes, "recorded": report.recorded}


# The seed names this task ``tasks.sync_shopify.*``, so it lives here under that stable name, but an immediate
# sync starts where every sync starts: the Boeing check (at interactive priority), on queue ``sync_boeing``
# with the Boeing step's failure accounting. A change it finds is written by ``update_shopify_product`` as
# usual.
@shared_task(name=Task.SYNC_SINGLE_PRODUCT_IMMEDIATE, base=SyncBoeingTask, bind=True, max_retries=2)
def sync_single_product_immediate(self: SyncBoeingTask, schedule_id: str) -> dict[str, int]:
    report = self.container.boeing_fetch_service.process_batch([schedule_id], priority="interactive")
    return {"checked": report.checked, "unchanged": report.unchanged, "changed": report.changed}


@shared_task(name=Task.SET_PRODUCT_STATUS, base=BaseTask, bind=True, max_retries=3)
def set_product_status(self: BaseTask, sku: str, status: str) -> str | None:
    return self.container.shopify_update_service.set_product_status(sku, status)
