"""``batch_items``: the truth for "nothing lost" (DESIGN §5). One row per requested part number (extraction)
or per SKU of a publish run.

Every transition is a compare-and-set (``... WHERE status = ANY(expected) RETURNING``), so a redelivered or
duplicated task changes nothing twice. Lifecycle of an extraction item: ``queued`` -> ``sent`` (its chunk is
in the broker) -> ``in_progress`` (a task works on it: lease and attempt) -> ``normalized`` / ``blocked`` /
``failed``; ``cancelled`` from ``queued`` or ``sent``.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg.types.json import Jsonb

from app.core.constants.batches import ErrorStage, ItemStage, ItemStatus
from app.db.base_store import BaseStore, translate_db_errors
from app.db.batch_item_rows import (
    ITEM_COLUMNS,
    ItemOutcome,
    ItemRow,
    MovedItem,
    StaleChunk,
    WaitingAnswer,
    WaitingItem,
    item_row,
)

__all__ = [
    "BatchItemStore",
    "ItemOutcome",
    "ItemRow",
    "MovedItem",
    "StaleChunk",
    "WaitingAnswer",
    "WaitingItem",
]


class BatchItemStore(BaseStore):
    # --- creation and feeding -----------------------------------------------------------------------------
    def insert_many(
        self,
        batch_id: str,
        part_numbers: Sequence[str],
        *,
        stage: ItemStage,
        run: int = 0,
        chunk_size: int | None = None,
    ) -> int:
        """One ``queued`` item per part number in input order (COPY); ``chunk_size`` numbers their chunks."""
        with translate_db_errors("create batch items"), self._uow.conn.cursor() as cur:
            copy_sql = "COPY batch_items (batch_id, stage, run, position, part_number, chunk_no) FROM STDIN"
            with cur.copy(copy_sql) as copy:
                for position, part_number in enumerate(part_numbers):
                    chunk = position // chunk_size if chunk_size else None
                    copy.write_row((batch_id, stage, run, position, part_number, chunk))
        return len(part_numbers)

    def next_queued_chunks(self, batch_id: str, stage: ItemStage, limit: int) -> list[int]:
        """The lowest chunk numbers that still have queued items."""
        rows = self._rows(
            "find the next chunks",
            """
            SELECT DISTINCT chunk_no FROM batch_items
            WHERE batch_id = %s AND stage = %s AND status = 'queued' AND chunk_no IS NOT NULL
            ORDER BY chunk_no LIMIT %s
            """,
            (batch_id, stage, limit),
        )
        return [int(row["chunk_no"]) for row in rows]

    def count_chunks_in_flight(self, batch_id: str, stage: ItemStage) -> int:
        """Chunks sent to the broker or being called, whose answer is not stored yet."""
        return int(
            self._scalar(
                "count chunks in flight",
                """
                SELECT count(DISTINCT chunk_no) FROM batch_items
                WHERE batch_id = %s AND stage = %s AND status IN ('sent', 'in_progress')
                  AND raw_data_id IS NULL
                """,
                (batch_id, stage),
            )
        )

    def count_chunks_waiting(self, stage: ItemStage) -> int:
        """Chunks of every batch sent but not started (what the broker's queue holds)."""
        return int(
            self._scalar(
                "count waiting chunks",
                "SELECT count(*) FROM (SELECT DISTINCT batch_id, chunk_no FROM batch_items"
                " WHERE stage = %s AND status = 'sent') AS waiting",
                (stage,),
            )
        )

    def mark_chunks_sent(self, batch_id: str, stage: ItemStage, chunk_nos: Sequence[int]) -> int:
        """``queued`` -> ``sent`` for the items of these chunks."""
        return self._execute(
            "mark chunks sent",
            """
            UPDATE batch_items SET status = 'sent', sent_at = now()
            WHERE batch_id = %s AND stage = %s AND chunk_no = ANY(%s) AND status = 'queued'
            """,
            (batch_id, stage, list(chunk_nos)),
        )

    # --- work on a chunk ------------------------------------------------------------------------------------
    def claim_chunk(self, batch_id: str, stage: ItemStage, chunk_no: int, *, lease_s: float) -> list[ItemRow]:
        """Start work on a chunk's items that are ``sent`` (or whose task died before storing an answer)."""
        rows = self._rows(
            "claim a chunk",
            f"""
            UPDATE batch_items SET status = 'in_progress', attempts = attempts + 1,
                   lease_until = now() + make_interval(secs => %(lease)s)
            WHERE batch_id = %(batch)s AND stage = %(stage)s AND chunk_no = %(chunk)s
              AND (status = 'sent'
                   OR (status = 'in_progress' AND raw_data_id IS NULL AND lease_until < now()))
            RETURNING {ITEM_COLUMNS}
            """,
            {"lease": lease_s, "batch": batch_id, "stage": stage, "chunk": chunk_no},
        )
        return sorted((item_row(row) for row in rows), key=lambda item: item.position)

    def release(self, item_ids: Sequence[int], *, refund_attempt: bool, resend_after_s: float) -> int:
        """``in_progress`` -> ``sent`` (the task will come back); a quota wait refunds the attempt."""
        return self._execute(
            "release items",
            """
            UPDATE batch_items SET status = 'sent', lease_until = NULL,
                   attempts = GREATEST(attempts - %s, 0),
                   sent_at = now() + make_interval(secs => %s)
            WHERE id = ANY(%s) AND status = 'in_progress' AND raw_data_id IS NULL
            """,
            (1 if refund_attempt else 0, resend_after_s, list(item_ids)),
        )

    def record_raw(self, item_ids: Sequence[int], raw_data_id: int, *, lease_s: float) -> int:
        """Attach the stored Boeing answer; the items wait (leased) for normalization."""
        return self._execute(
            "attach a Boeing answer",
            """
            UPDATE batch_items SET raw_data_id = %s, sent_at = now(),
                   lease_until = now() + make_interval(secs => %s)
            WHERE id = ANY(%s) AND status = 'in_progress'
            """,
            (raw_data_id, lease_s, list(item_ids)),
        )

    def waiting_for_answer(self, raw_data_id: int) -> WaitingAnswer | None:
        """The items waiting for this Boeing answer, locked for this transaction, with the answer itself.

        ``None`` when no item waits (a duplicate task). Locked and still ``in_progress``, the items are
        exactly those a ``finish`` in this transaction moves. The answer's payload comes in the same
        statement, saving a normalization one of its few round trips.
        """
        rows = self._tuples(
            "read a Boeing answer and its waiting items",
            """
            WITH waiting AS (
                SELECT id, batch_id, part_number FROM batch_items
                WHERE raw_data_id = %(raw)s AND status = 'in_progress' ORDER BY id FOR UPDATE
            ), items AS (
                SELECT array_agg(id ORDER BY id) AS ids, array_agg(batch_id::text ORDER BY id) AS batch_ids,
                       array_agg(part_number ORDER BY id) AS part_numbers
                FROM waiting HAVING count(*) > 0
            )
            SELECT r.raw_payload, r.created_by, items.ids, items.batch_ids, items.part_numbers
            FROM items LEFT JOIN boeing_raw_data AS r ON r.id = %(raw)s
            """,
            {"raw": raw_data_id},
        )
        if not rows:
            return None
        payload, created_by, ids, batch_ids, part_numbers = rows[0]
        items = [WaitingItem(*item) for item in zip(ids, batch_ids, part_numbers, strict=True)]
        return WaitingAnswer(raw_data_id, payload, created_by, items)

    # --- transitions ----------------------------------------------------------------------------------------
    def finish(self, outcomes: Sequence[ItemOutcome], *, expected: Sequence[ItemStatus]) -> list[MovedItem]:
        """Move each item to its outcome if it is still in an ``expected`` status; returns the items moved."""
        if not outcomes:
            return []
        payload = [
            {"id": o.item_id, "status": o.status, "skus": list(o.staged_skus), "error": o.error,
             "error_stage": o.error_stage}
            for o in outcomes
        ]  # fmt: skip
        rows = self._tuples(
            "finish batch items",
            """
            UPDATE batch_items AS b
               SET status = v.status, error = v.error, error_stage = v.error_stage, lease_until = NULL,
                   staged_skus = COALESCE(v.skus, '{}')
              FROM jsonb_to_recordset(%s)
                   AS v(id bigint, status text, skus text[], error text, error_stage text)
             WHERE b.id = v.id AND b.id = ANY(%s) AND b.status = ANY(%s)
            RETURNING b.id, b.stage, b.run, b.status
            """,
            # The id list lets the planner reach the rows by primary key instead of scanning the table.
            (Jsonb(payload), [o.item_id for o in outcomes], list(expected)),
        )
        return [
            MovedItem(item_id, ItemStage(stage), run, ItemStatus(status))
            for item_id, stage, run, status in rows
        ]

    def transition(
        self,
        item_ids: Sequence[int],
        status: ItemStatus,
        *,
        expected: Sequence[ItemStatus],
        error: str | None = None,
        error_stage: ErrorStage | None = None,
    ) -> list[ItemRow]:
        """Move every listed item still in an ``expected`` status to ``status``; returns the rows moved."""
        rows = self._rows(
            "change batch items",
            f"""
            UPDATE batch_items SET status = %s, error = %s, error_stage = %s, lease_until = NULL
            WHERE id = ANY(%s) AND status = ANY(%s)
            RETURNING {ITEM_COLUMNS}
            """,
            (status, error, error_stage, list(item_ids), list(expected)),
        )
        return [item_row(row) for row in rows]

    def cancel_unstarted(self, batch_id: str) -> int:
        """``queued``/``sent`` -> ``cancelled``: chunk tasks skip them; in-flight items finish."""
        return self._execute(
            "cancel batch items",
            "UPDATE batch_items SET status = 'cancelled', lease_until = NULL"
            " WHERE batch_id = %s AND status IN ('queued', 'sent')",
            (batch_id,),
        )

    # --- the sweeper ----------------------------------------------------------------------------------------
    def resend_stale_sent(self, stage: ItemStage, *, older_than_s: float, limit: int) -> list[StaleChunk]:
        """Chunks ``sent`` longer ago than ``older_than_s`` (lost messages): stamped as sent now, returned."""
        rows = self._rows(
            "find lost chunks",
            """
            UPDATE batch_items SET sent_at = now()
            WHERE id IN (SELECT id FROM batch_items
                         WHERE stage = %s AND status = 'sent' AND sent_at < now() - make_interval(secs => %s)
                         ORDER BY sent_at LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING batch_id, chunk_no
            """,
            (stage, older_than_s, limit),
        )
        chunks = {(str(row["batch_id"]), int(row["chunk_no"])) for row in rows if row["chunk_no"] is not None}
        return [StaleChunk(batch_id, chunk_no) for batch_id, chunk_no in sorted(chunks)]

    def expired_leases(self, stage: ItemStage, *, limit: int) -> list[ItemRow]:
        """``in_progress`` items whose lease ran out (their task died), locked for this transaction."""
        rows = self._rows(
            "find expired leases",
            f"""
            SELECT {ITEM_COLUMNS} FROM batch_items
            WHERE stage = %s AND status = 'in_progress' AND lease_until < now()
            ORDER BY lease_until LIMIT %s FOR UPDATE SKIP LOCKED
            """,
            (stage, limit),
        )
        return [item_row(row) for row in rows]

    def renew_lease(self, item_ids: Sequence[int], *, lease_s: float, count_attempt: bool) -> int:
        """Give ``in_progress`` items a new lease (their follow-up task is sent again)."""
        return self._execute(
            "renew leases",
            """
            UPDATE batch_items SET lease_until = now() + make_interval(secs => %s), sent_at = now(),
                   attempts = attempts + %s
            WHERE id = ANY(%s) AND status = 'in_progress'
            """,
            (lease_s, 1 if count_attempt else 0, list(item_ids)),
        )

    def resend_expired(self, item_ids: Sequence[int]) -> int:
        """Expired ``in_progress`` items without a stored answer go back to ``sent``."""
        return self._execute(
            "resend expired items",
            "UPDATE batch_items SET status = 'sent', sent_at = now(), lease_until = NULL"
            " WHERE id = ANY(%s) AND status = 'in_progress' AND raw_data_id IS NULL",
            (list(item_ids),),
        )

    # --- reads ----------------------------------------------------------------------------------------------
    def count_open(self, batch_id: str, stage: ItemStage, run: int) -> int:
        """Items of a stage run not yet terminal."""
        return int(
            self._scalar(
                "count open items",
                "SELECT count(*) FROM batch_items WHERE batch_id = %s AND stage = %s AND run = %s"
                " AND status IN ('queued', 'sent', 'in_progress')",
                (batch_id, stage, run),
            )
        )

    def part_numbers_in(self, batch_id: str, stage: ItemStage, status: ItemStatus) -> list[str]:
        """Part numbers of a stage's items in one status, in input order."""
        rows = self._rows(
            "list part numbers",
            "SELECT part_number FROM batch_items WHERE batch_id = %s AND stage = %s AND status = %s"
            " ORDER BY run, position",
            (batch_id, stage, status),
        )
        return [row["part_number"] for row in rows]

    def failures_page(
        self,
        batch_id: str,
        *,
        publish_run: int,
        error_stage: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ItemRow], int]:
        """Failed items, oldest first: every extraction failure and the current publish run's failures."""
        where = """WHERE batch_id = %(batch)s AND status = 'failed'
                     AND (stage = 'extraction' OR run = %(run)s)
                     AND (%(stage)s::text IS NULL OR COALESCE(error_stage, stage) = %(stage)s)"""
        params = {
            "batch": batch_id,
            "run": publish_run,
            "stage": error_stage,
            "limit": limit,
            "offset": offset,
        }
        rows = self._rows(
            "list failed items",
            f"SELECT {ITEM_COLUMNS} FROM batch_items {where}"
            " ORDER BY updated_at, id LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        total = self._scalar("count failed items", f"SELECT count(*) FROM batch_items {where}", params)
        return [item_row(row) for row in rows], int(total)
