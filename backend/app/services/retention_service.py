"""Retention (``tasks.maintenance.purge``, daily on the beat schedule): what the settings allow to go, goes.

- Boeing answers (``boeing_raw_data``) older than ``RAW_DATA_RETENTION_DAYS``. Staging rows normalized from
  them stay, with ``raw_data_id`` set to NULL by the foreign key; only the raw view of such a part is gone.
- Outbox messages sent more than a day ago (an unsent one is never purged: the relay still owes it).

Sync history has its own retention, pruned by the end-of-day cleanup after it has summarised the day.
Deletes run in chunks, each in its own transaction, so a first purge of a large table never holds its locks
for long and a crash loses at most one chunk's progress.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.db.unit_of_work import UnitOfWorkFactory

__all__ = ["RetentionReport", "RetentionService"]

SENT_MESSAGES_KEPT_S = 86_400.0


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """Rows deleted by one purge."""

    raw_answers: int
    outbox_messages: int


class RetentionService:
    """Deletes raw Boeing answers past their retention and sent outbox messages past a day."""

    def __init__(self, uow_factory: UnitOfWorkFactory, *, raw_data_days: int, chunk: int = 5_000) -> None:
        self._uow_factory = uow_factory
        self._raw_data_days = raw_data_days
        self._chunk = chunk

    def purge(self) -> RetentionReport:
        """Run every retention rule to the end; returns how many rows each removed."""
        raw_answers = 0
        while True:
            with self._uow_factory() as uow:
                deleted = uow.raw_data.delete_older_than(self._raw_data_days, limit=self._chunk)
            raw_answers += deleted
            if deleted < self._chunk:
                break
        with self._uow_factory() as uow:
            outbox_messages = uow.outbox.purge_sent(SENT_MESSAGES_KEPT_S)
        return RetentionReport(raw_answers=raw_answers, outbox_messages=outbox_messages)
