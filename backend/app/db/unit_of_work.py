"""One connection, one transaction, and the stores that run on it.

A service opens ``with uow_factory() as uow:`` and reaches every table through the unit of work's stores
(``uow.batches``, ``uow.items``, ``uow.staging``, ...): each is built on first use, once per unit of work, and
runs on its connection, so everything a block writes commits or rolls back together.

Callbacks registered with ``after_commit`` run once the transaction has committed (never after a rollback):
that is how the transactional outbox sends a task only when the work that asked for it is durable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import cached_property
from types import TracebackType

import psycopg
from psycopg_pool import ConnectionPool

from app.core.exceptions import ServiceUnavailableError
from app.db.batch_item_store import BatchItemStore
from app.db.batch_store import BatchStore
from app.db.idempotency_store import IdempotencyStore
from app.db.outbox_store import OutboxStore
from app.db.product_store import ProductStore
from app.db.publish_item_store import PublishItemStore
from app.db.raw_data_store import RawDataStore
from app.db.reconciliation_store import ReconciliationStore
from app.db.staging_store import StagingStore
from app.db.sync_analytics import SyncAnalytics
from app.db.sync_history_store import SyncDailySummaryStore, SyncHistoryStore
from app.db.sync_store import SyncStore
from app.db.user_store import UserStore

logger = logging.getLogger(__name__)


class UnitOfWork(AbstractContextManager["UnitOfWork"]):
    """A transaction on one pooled connection; commit on success, rollback on any exception."""

    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._conn_cm: AbstractContextManager[psycopg.Connection] | None = None
        self._conn: psycopg.Connection | None = None
        self._after_commit: list[Callable[[], None]] = []
        # Ids of task messages this transaction wrote to the outbox (sent after commit).
        self.outbox_ids: list[int] = []

    @property
    def conn(self) -> psycopg.Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    # --- the stores (built on first use, on this connection) ------------------------------------------------
    @cached_property
    def batches(self) -> BatchStore:
        return BatchStore(self)

    @cached_property
    def items(self) -> BatchItemStore:
        """Batch items: creation, extraction chunks, transitions and failures."""
        return BatchItemStore(self)

    @cached_property
    def publish_items(self) -> PublishItemStore:
        """Batch items of publish runs: feeding, claiming and sweeping."""
        return PublishItemStore(self)

    @cached_property
    def staging(self) -> StagingStore:
        return StagingStore(self)

    @cached_property
    def products(self) -> ProductStore:
        return ProductStore(self)

    @cached_property
    def raw_data(self) -> RawDataStore:
        return RawDataStore(self)

    @cached_property
    def idempotency(self) -> IdempotencyStore:
        return IdempotencyStore(self)

    @cached_property
    def outbox(self) -> OutboxStore:
        return OutboxStore(self)

    @cached_property
    def reconciliation(self) -> ReconciliationStore:
        return ReconciliationStore(self)

    @cached_property
    def schedule(self) -> SyncStore:
        """The sync schedule (``product_sync_schedule``)."""
        return SyncStore(self)

    @cached_property
    def analytics(self) -> SyncAnalytics:
        """Read models over the sync schedule."""
        return SyncAnalytics(self)

    @cached_property
    def history(self) -> SyncHistoryStore:
        return SyncHistoryStore(self)

    @cached_property
    def summaries(self) -> SyncDailySummaryStore:
        return SyncDailySummaryStore(self)

    @cached_property
    def users(self) -> UserStore:
        return UserStore(self)

    # --- the transaction ------------------------------------------------------------------------------------
    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after a successful commit."""
        self._after_commit.append(callback)

    def __enter__(self) -> UnitOfWork:
        try:
            self._conn_cm = self._pool.connection(timeout=10.0)
            self._conn = self._conn_cm.__enter__()
        except Exception as exc:  # PoolTimeout or a connection failure
            self._conn_cm = None
            raise ServiceUnavailableError("The database is unreachable; try again shortly.") from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn_cm is not None and self._conn is not None
        committed = False
        try:
            if exc_type is None:
                try:
                    self._conn.commit()
                    committed = True
                except psycopg.OperationalError as commit_exc:
                    raise ServiceUnavailableError("The database is unreachable; try again shortly.") from (
                        commit_exc
                    )
            else:
                self._conn.rollback()
        finally:
            self._conn_cm.__exit__(exc_type, exc, tb)
            self._conn = None
            self._conn_cm = None
        if committed:
            callbacks, self._after_commit = self._after_commit, []
            for callback in callbacks:
                try:
                    callback()
                except Exception:  # the outbox sweep repairs what a callback could not do
                    logger.exception("after-commit callback failed")


UnitOfWorkFactory = Callable[[], UnitOfWork]


def unit_of_work_factory(pool: ConnectionPool) -> UnitOfWorkFactory:
    """Bind a pool: services call the result to open a new unit of work."""

    def factory() -> UnitOfWork:
        return UnitOfWork(pool)

    return factory
