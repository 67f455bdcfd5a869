"""Enqueue follow-up work by stable task name through the transactional outbox (DESIGN §3).

``TaskDispatcher.enqueue`` writes the message in the caller's unit of work. After that transaction
commits, the relay sends it to the broker and marks it sent; a rollback sends nothing. If the process dies
between commit and send (or between send and mark), the periodic sweep sends it again: tasks are
idempotent, so a duplicate is harmless."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from app.core.logging import request_id_var
from app.db.outbox_store import OutboxMessage
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger(__name__)


class TaskSender(Protocol):
    """Hands one committed message to the broker by its stable task name.

    The entrypoint that builds the container provides it (the API and each worker pass their Celery app's
    sender), so nothing below the entrypoints depends on Celery."""

    def __call__(self, message: OutboxMessage) -> None: ...


class TaskDispatcher(Protocol):
    def enqueue(
        self, uow: UnitOfWork, task_name: str, *args: Any, countdown: float | None = None, **kwargs: Any
    ) -> None: ...


class OutboxRelay:
    """Moves committed outbox messages to the broker."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        sender: TaskSender,
        *,
        claim_s: float = 30.0,
        sweep_age_s: float = 5.0,
    ) -> None:
        self._uow_factory = uow_factory
        self._sender = sender
        self._claim_s = claim_s
        self._sweep_age_s = sweep_age_s

    def flush(self, ids: list[int]) -> int:
        """Send the given committed messages now; return how many were sent."""
        return self._relay(ids=ids, limit=len(ids))

    def sweep(self, limit: int = 500) -> int:
        """Send every message still unsent a few seconds after its commit (a crashed relay's leftovers)."""
        return self._relay(ids=None, limit=limit)

    def _relay(self, *, ids: list[int] | None, limit: int) -> int:
        with self._uow_factory() as uow:
            messages = uow.outbox.claim(
                ids=ids, older_than_s=self._sweep_age_s, limit=limit, claim_s=self._claim_s
            )
        sent: list[int] = []
        try:
            for message in messages:
                self._sender(message)
                sent.append(message.id)
        finally:
            if sent:
                with self._uow_factory() as uow:
                    uow.outbox.mark_sent(sent)
        return len(sent)


class OutboxTaskDispatcher:
    """The production dispatcher: outbox row now, broker message after commit."""

    def __init__(self, relay: OutboxRelay) -> None:
        self._relay = relay

    def enqueue(
        self, uow: UnitOfWork, task_name: str, *args: Any, countdown: float | None = None, **kwargs: Any
    ) -> None:
        """Write ``task_name(*args, **kwargs)`` into the outbox of ``uow``."""
        options: dict[str, Any] = {}
        if countdown:
            options["countdown"] = float(countdown)
        headers = {"request_id": request_id_var.get()} if request_id_var.get() else {}
        message_id = uow.outbox.add(task_name, list(args), kwargs, options, headers)
        if not uow.outbox_ids:
            uow.after_commit(lambda: self._flush_after_commit(uow.outbox_ids))
        uow.outbox_ids.append(message_id)

    def _flush_after_commit(self, ids: list[int]) -> None:
        try:
            self._relay.flush(ids)
        except Exception:
            logger.exception("sending %d queued task(s) failed; the outbox sweep will resend them", len(ids))
