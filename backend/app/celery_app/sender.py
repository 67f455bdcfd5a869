"""Hands outbox messages to the broker by stable task name."""

from __future__ import annotations

from typing import Protocol

from celery import Celery


class _Message(Protocol):
    task_name: str
    args: list
    kwargs: dict
    options: dict
    headers: dict


class CeleryTaskSender:
    """Callable used by the outbox relay; routes come from ``task_routes``."""

    def __init__(self, celery: Celery) -> None:
        self._celery = celery

    def __call__(self, message: _Message) -> None:
        self._celery.send_task(
            message.task_name,
            args=message.args,
            kwargs=message.kwargs,
            countdown=message.options.get("countdown"),
            headers=dict(message.headers),
        )
