"""The base of every task: the worker's container, request ids in logs, and the quota/retry policy.

- ``QuotaWait`` (no quota slot yet, 429, THROTTLED): the task is sent again after the wait with the same
  retry count, so waiting for a quota never uses up an attempt (DESIGN §3).
- ``RetryableError``: Celery's autoretry with exponential backoff and jitter, up to ``max_retries``.
- Everything else, or retries exhausted: ``on_failure`` lets the task record a final failure through its
  service."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Celery, Task
from celery.exceptions import Ignore
from celery.signals import worker_init, worker_process_init, worker_process_shutdown, worker_shutdown

from app.celery_app.wiring import celery_container
from app.container import Container
from app.core.config import get_settings
from app.core.exceptions import QuotaWait, RetryableError
from app.core.logging import request_id_var

logger = logging.getLogger(__name__)

MAX_QUOTA_WAIT_S = 300.0

_container: Container | None = None
_container_lock = threading.Lock()
_concurrency = 1


def worker_container(celery: Celery) -> Container:
    """The container of this worker process, built on first use (after any fork) around the worker's own
    Celery app, so the process holds one app and the tasks it sends go through that app's connection."""
    global _container
    if _container is None:
        with _container_lock:
            if _container is None:
                _container = celery_container(get_settings(), celery, db_pool_size=_concurrency + 2)
    return _container


def close_worker_container() -> None:
    """Close pools and clients of this process."""
    global _container
    with _container_lock:
        if _container is not None:
            _container.close()
            _container = None


@worker_init.connect
def _remember_concurrency(sender: Any = None, **_: Any) -> None:
    global _concurrency
    pool_cls = getattr(sender, "pool_cls", None)
    threads = "thread" in str(getattr(pool_cls, "__module__", pool_cls)).lower()
    _concurrency = int(getattr(sender, "concurrency", 1) or 1) if threads else 1


@worker_process_init.connect
def _after_fork(**_: Any) -> None:
    # A forked child must never reuse the parent's sockets: drop the reference, build anew on first use.
    global _container
    _container = None


@worker_process_shutdown.connect
@worker_shutdown.connect
def _on_shutdown(**_: Any) -> None:
    close_worker_container()


class BaseTask(Task):
    """Tasks take ids and primitives, call one service method and own the retry policy."""

    abstract = True
    autoretry_for = (RetryableError,)
    retry_backoff = 2
    retry_backoff_max = 120
    retry_jitter = True
    max_retries = 3
    acks_late = True
    reject_on_worker_lost = True

    @property
    def container(self) -> Container:
        return worker_container(self.app)

    @property
    def attempt(self) -> int:
        """1 for the first attempt; quota waits do not count."""
        return int(self.request.retries or 0) + 1

    @property
    def is_last_attempt(self) -> bool:
        return int(self.request.retries or 0) >= int(self.max_retries or 0)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        token = request_id_var.set(self._request_id())
        try:
            logger.info("%s[%s] attempt %d started", self.name, self.request.id, self.attempt)
            return super().__call__(*args, **kwargs)
        except QuotaWait as wait:
            self._send_again_after(wait)
            raise Ignore() from None
        finally:
            request_id_var.reset(token)

    def _request_id(self) -> str | None:
        request = self.request
        headers = getattr(request, "headers", None) or {}
        request_id = getattr(request, "request_id", None) or headers.get("request_id") or request.id
        return str(request_id) if request_id else None

    def _send_again_after(self, wait: QuotaWait) -> None:
        countdown = min(MAX_QUOTA_WAIT_S, max(0.05, wait.wait_s))
        logger.info("%s waits %.1fs for the %s quota (not an attempt)", self.name, countdown, wait.system)
        headers = {"request_id": request_id_var.get()} if request_id_var.get() else {}
        signature = self.signature_from_request(countdown=countdown, retries=self.request.retries)
        signature.apply_async(headers=headers)
