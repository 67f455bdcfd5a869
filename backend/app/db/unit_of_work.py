"""One connection, one transaction, handed by a service to every store it uses.

Callbacks registered with ``after_commit`` run once the transaction has committed (never after a rollback):
that is how the transactional outbox sends a task only when the work that asked for it is durable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType

import psycopg
from psycopg_pool import ConnectionPool

from app.core.exceptions import ServiceUnavailableError

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


@contextmanager
def autocommit_connection(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """A pooled connection outside any transaction (health checks, maintenance)."""
    with pool.connection(timeout=5.0) as conn:
        conn.autocommit = True
        try:
            yield conn
        finally:
            conn.autocommit = False
