"""What every store shares: the unit of work it runs on, and translation of database errors.

A store is built by its unit of work (``uow.batches``, ``uow.staging``, ...) and runs every statement on that
unit of work's connection, so the stores a service uses in one ``with`` block share one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import ExecStatus
from psycopg.rows import dict_row

from app.core.exceptions import ConflictError, DatabaseError, ServiceUnavailableError, ValidationFailed

if TYPE_CHECKING:  # the unit of work builds the stores, so it imports this module
    from app.db.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


@contextmanager
def translate_db_errors(action: str) -> Iterator[None]:
    """Turn psycopg errors into the application's exceptions (never ``HTTPException``)."""
    try:
        yield
    except pg_errors.UniqueViolation as exc:
        raise ConflictError(f"Could not {action}: a record with the same key already exists.") from exc
    except (pg_errors.CheckViolation, pg_errors.NotNullViolation, pg_errors.InvalidTextRepresentation) as exc:
        raise ValidationFailed(f"Could not {action}: the data does not satisfy the table's rules.") from exc
    except (psycopg.OperationalError, pg_errors.AdminShutdown, pg_errors.QueryCanceled) as exc:
        logger.warning("database unavailable while trying to %s: %s", action, exc)
        raise ServiceUnavailableError("The database is unreachable; try again shortly.") from exc
    except psycopg.Error as exc:
        logger.exception("database error while trying to %s", action)
        raise DatabaseError(f"Could not {action} because of a database error.") from exc


class BaseStore:
    """A store runs explicit SQL for one table on the unit of work that built it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def _rows(self, action: str, sql: str, params: Any = None) -> list[dict[str, Any]]:
        with translate_db_errors(action), self._uow.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, params)
            # The result's status, not ``cur.description``: that builds a column object per column per query.
            result = cur.pgresult
            return cur.fetchall() if result is not None and result.status == ExecStatus.TUPLES_OK else []

    def _tuples(self, action: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Rows as plain tuples: for hot paths that read a few known columns (no dict per row)."""
        with translate_db_errors(action), self._uow.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def _row(self, action: str, sql: str, params: Any = None) -> dict[str, Any] | None:
        rows = self._rows(action, sql, params)
        return rows[0] if rows else None

    def _execute(self, action: str, sql: str, params: Any = None) -> int:
        with translate_db_errors(action), self._uow.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.rowcount

    def _scalar(self, action: str, sql: str, params: Any = None) -> Any:
        with translate_db_errors(action), self._uow.conn.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
            return row[0] if row else None
