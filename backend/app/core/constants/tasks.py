"""Celery queues and every task's stable name, each with the queue it is routed to (DESIGN §7).

A task name is the wire format between a service that enqueues it (through the outbox, by name), the worker
that registers it (``@shared_task(name=Task.X)``) and the routes and beat schedule of ``celery_config``: it is
spelled here only. Names never follow module paths, so moving a task's code never renames it.
"""

from __future__ import annotations

from enum import StrEnum


class TaskQueue(StrEnum):
    """The broker queues; each worker group consumes a fixed set of them (``celery_config.WORKER_GROUPS``)."""

    EXTRACTION = "extraction"
    NORMALIZATION = "normalization"
    PUBLISHING = "publishing"
    SYNC_BOEING = "sync_boeing"
    SYNC_SHOPIFY = "sync_shopify"
    DEFAULT = "default"


class Task(StrEnum):
    """Stable task name ``tasks.<pipeline>.<verb>`` (the value) and the queue it is routed to (``queue``).

    Tasks that wait on a quota go to that quota's queue (Boeing: ``extraction``, ``sync_boeing``; Shopify:
    ``publishing``, ``sync_shopify``); orchestration and housekeeping that call no outside API go to
    ``default``.
    """

    _value_: str
    queue: TaskQueue

    def __new__(cls, name: str, queue: TaskQueue) -> Task:
        member = str.__new__(cls, name)
        member._value_ = name
        member.queue = queue
        return member

    PROCESS_BULK_SEARCH = "tasks.extraction.process_bulk_search", TaskQueue.DEFAULT
    EXTRACT_CHUNK = "tasks.extraction.extract_chunk", TaskQueue.EXTRACTION
    NORMALIZE_CHUNK = "tasks.normalization.normalize_chunk", TaskQueue.NORMALIZATION
    PUBLISH_BATCH = "tasks.publishing.publish_batch", TaskQueue.DEFAULT
    PUBLISH_PRODUCT = "tasks.publishing.publish_product", TaskQueue.PUBLISHING
    RECONCILE = "tasks.publishing.reconcile", TaskQueue.PUBLISHING
    DISPATCH_HOURLY = "tasks.sync_dispatch.dispatch_hourly", TaskQueue.DEFAULT
    DISPATCH_RETRY = "tasks.sync_dispatch.dispatch_retry", TaskQueue.DEFAULT
    END_OF_DAY_CLEANUP = "tasks.sync_dispatch.end_of_day_cleanup", TaskQueue.DEFAULT
    PROCESS_BOEING_BATCH = "tasks.sync_boeing.process_boeing_batch", TaskQueue.SYNC_BOEING
    UPDATE_SHOPIFY_PRODUCT = "tasks.sync_shopify.update_shopify_product", TaskQueue.SYNC_SHOPIFY
    # An operator's immediate sync calls Boeing first: it waits on the Boeing quota like the other sync calls.
    SYNC_SINGLE_PRODUCT_IMMEDIATE = "tasks.sync_shopify.sync_single_product_immediate", TaskQueue.SYNC_BOEING
    SET_PRODUCT_STATUS = "tasks.sync_shopify.set_product_status", TaskQueue.SYNC_SHOPIFY
    CHECK_BATCH_COMPLETION = "tasks.batch.check_batch_completion", TaskQueue.DEFAULT
    SWEEP = "tasks.batch.sweep", TaskQueue.DEFAULT
    RELAY_OUTBOX = "tasks.maintenance.relay_outbox", TaskQueue.DEFAULT
    PURGE = "tasks.maintenance.purge", TaskQueue.DEFAULT
