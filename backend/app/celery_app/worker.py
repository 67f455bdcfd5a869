"""Worker and beat entry point: ``celery -A app.celery_app.worker worker|beat``.

The process's one Celery app: tasks registered here build their worker container around it
(``tasks/base.py``), and the worker's one heartbeat writer announces its queues for ``/health``.
"""

from __future__ import annotations

import socket
from typing import Any

from celery.signals import worker_ready, worker_shutdown

from app.celery_app.celery_config import build_celery
from app.core.config import get_settings
from app.core.logging import configure_logging
from app.utils.heartbeats import WorkerHeartbeats

settings = get_settings()
configure_logging(settings.app.log_level, settings.app.log_format or "json")
celery_app = build_celery(settings, include_tasks=True)

_heartbeat: WorkerHeartbeats | None = None


@worker_ready.connect
def _start_heartbeat(sender: Any = None, **_: Any) -> None:
    global _heartbeat
    queues = sorted(sender.app.amqp.queues.consume_from)
    hostname = getattr(sender, "hostname", None) or socket.gethostname()
    _heartbeat = WorkerHeartbeats.from_url(
        settings.redis_url, interval_s=settings.app.worker_heartbeat_interval_s
    )
    _heartbeat.start(hostname, queues)


@worker_shutdown.connect
def _stop_heartbeat(sender: Any = None, **_: Any) -> None:
    if _heartbeat is not None and sender is not None:
        _heartbeat.stop(sender.hostname, sorted(sender.app.amqp.queues.consume_from))
