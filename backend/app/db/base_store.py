"""What every store shares: the unit of work it runs on, and translation of database errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.pq import ExecStatus
from psycopg.rows import dict_row

from app.core.exceptions import ConflictError, DatabaseError, ServiceUnavailableError, ValidationFailed
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
    """A store runs explicit SQL for one table on the unit of work it is given."""

    def _rows(self, uow: UnitOfWork, action: str, sql: str, params: Any = None) -> list[dict[str, Any]]:
        with translate_db_errors(action), uow.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, params)
            # The result's status, not ``cur.description``: that builds a column object per column per query.
            result = cur.pgresult
            return cur.fetchall() if result is not None and result.status == ExecStatus.TUPLES_OK else []

    def _tuples(self, uow: UnitOfWork, action: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Rows as plain tuples: for hot paths that read a few known columns (no dict per row)."""
        with translate_db_errors(action), uow.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def _row(self, uow: UnitOfWork, action: str, sql: str, params: Any = None) -> dict[str, Any] | None:
        rows = self._rows(uow, action, sql, params)
        return rows[0] if rows else None

    def _execute(self, uow: UnitOfWork, action: str, sql: str, params: Any = None) -> int:
        with translate_db_errors(action), uow.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.rowcount

    def _scalar(self, uow: UnitOfWork, action: str, sql: str, params: Any = None) -> Any:
        with translate_db_errors(action), uow.conn.cursor() as cur:
            cur.execute(sql, params)
            row = cur.fetchone()
            return row[0] if row else None
