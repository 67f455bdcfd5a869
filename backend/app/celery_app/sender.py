"""Hands outbox messages to the broker by stable task name."""

from __future__ import annotations

from typing import Any, Protocol

from celery import Celery


class _Message(Protocol):
    """An outbox message as the relay hands it over (read-only)."""

    @property
    def task_name(self) -> str: ...
    @property
    def args(self) -> list[Any]: ...
    @property
    def kwargs(self) -> dict[str, Any]: ...
    @property
    def options(self) -> dict[str, Any]: ...
    @property
    def headers(self) -> dict[str, Any]: ...


class CeleryTaskSender:
    """The outbox relay's ``TaskSender`` for a process's Celery app; routes come from ``task_routes``."""

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
