"""Batches and batch items in any state, written straight into the database, and snapshots of rows.

Store tests need rows in states a flow reaches only after several steps (a lease that ran out, a chunk sent
long ago), so these helpers insert them with plain SQL. Times are SQL expressions on the database clock
(``"now() - interval '1 minute'"``), the clock every lease is compared with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from app.core.constants.batches import BatchStatus, BatchType, ItemStage, ItemStatus

EXPIRED = "now() - interval '1 minute'"
"""A lease that ran out (or a ``sent_at`` a minute old)."""
LIVE = "now() + interval '10 minutes'"
"""A lease some task still holds."""
LONG_AGO = "now() - interval '1 hour'"
"""A ``sent_at`` older than any queue time plus margin the tests use."""


def insert_batch(
    conn: psycopg.Connection,
    *,
    batch_type: BatchType = BatchType.EXTRACT,
    status: BatchStatus = BatchStatus.PROCESSING,
    total_items: int = 0,
    publish_run: int = 0,
    **counters: int,
) -> str:
    """One batch; ``counters`` sets ``*_count`` columns (``failed_count=1``). Returns its id."""
    columns = {
        "batch_type": str(batch_type),
        "status": str(status),
        "total_items": total_items,
        "publish_run": publish_run,
        "created_by": "tester",
        **counters,
    }
    row = conn.execute(
        sql.SQL("INSERT INTO batches ({}) VALUES ({}) RETURNING id").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)),
            sql.SQL(", ").join(sql.Placeholder() * len(columns)),
        ),
        list(columns.values()),
    ).fetchone()
    assert row is not None
    return str(row[0])


def insert_items(
    conn: psycopg.Connection,
    batch_id: str,
    part_numbers: Sequence[str],
    *,
    stage: ItemStage = ItemStage.EXTRACTION,
    status: ItemStatus = ItemStatus.QUEUED,
    run: int = 0,
    chunk_no: int | None = 0,
    first_position: int = 0,
    attempts: int = 0,
    sent_at: str | None = None,
    lease_until: str | None = None,
    raw_data_id: int | None = None,
) -> list[int]:
    """Items of one batch in one state, positions in input order; ``sent_at``/``lease_until`` are SQL
    expressions. Returns their ids in input order."""
    sent = sql.SQL(sent_at) if sent_at else sql.NULL
    lease = sql.SQL(lease_until) if lease_until else sql.NULL
    statement = sql.SQL(
        "INSERT INTO batch_items (batch_id, stage, run, position, part_number, status, chunk_no, attempts,"
        " raw_data_id, sent_at, lease_until) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, {}, {}) RETURNING id"
    ).format(sent, lease)
    ids: list[int] = []
    for offset, part_number in enumerate(part_numbers):
        values = (batch_id, str(stage), run, first_position + offset, part_number, str(status), chunk_no,
                  attempts, raw_data_id)  # fmt: skip
        row = conn.execute(statement, values).fetchone()
        assert row is not None
        ids.append(int(row[0]))
    return ids


def rows_of(
    conn: psycopg.Connection, table: str, ids: Sequence[Any], *, key: str = "id"
) -> list[tuple[Any, ...]]:
    """Every column of these rows, ordered by ``key``: equal snapshots mean nothing touched them (each table's
    ``updated_at`` trigger moves on any update, even one that writes the same values)."""
    query = sql.SQL("SELECT * FROM {} WHERE {} = ANY(%s) ORDER BY {}").format(
        sql.Identifier(table), sql.Identifier(key), sql.Identifier(key)
    )
    rows = conn.execute(query, (list(ids),)).fetchall()
    assert len(rows) == len(set(ids)), f"some {table} rows do not exist"
    return rows


def item_states(conn: psycopg.Connection, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """Each item's (status, attempts)."""
    rows = conn.execute(
        "SELECT id, status, attempts FROM batch_items WHERE id = ANY(%s)", (list(ids),)
    ).fetchall()
    return {int(row[0]): (str(row[1]), int(row[2])) for row in rows}


def counters(conn: psycopg.Connection, batch_id: str) -> dict[str, Any]:
    """A batch's type, status and counters."""
    row = conn.execute(
        "SELECT batch_type, status, total_items, extracted_count, normalized_count, skipped_count,"
        " published_count, failed_count, publish_run, completed_at FROM batches WHERE id = %s",
        (batch_id,),
    ).fetchone()
    assert row is not None
    names = ("batch_type", "status", "total_items", "extracted_count", "normalized_count", "skipped_count",
             "published_count", "failed_count", "publish_run", "completed_at")  # fmt: skip
    return dict(zip(names, row, strict=True))
