"""The publishing slice of ``batch_items``: one item per SKU of a publish run, addressed by id.

``BatchItemStore`` owns the table's shared operations (creation, transitions, failures); this store holds the
publish-run feeding, claiming and sweeping queries, split out to keep each file small. Every change is a
compare-and-set on the item's status, so duplicated or redelivered tasks change nothing twice.
"""

from __future__ import annotations

from app.db.base_store import BaseStore
from app.db.batch_item_rows import ITEM_COLUMNS, ItemRow, item_row

__all__ = ["PublishItemStore"]


class PublishItemStore(BaseStore):
    def send_next_publish_items(self, batch_id: str, run: int, limit: int) -> list[ItemRow]:
        """``queued`` -> ``sent`` for the next ``limit`` items of a run (input order); returns them."""
        if limit <= 0:
            return []
        rows = self._rows(
            "send publish items",
            f"""
            UPDATE batch_items SET status = 'sent', sent_at = now()
            WHERE id IN (SELECT id FROM batch_items
                         WHERE batch_id = %s AND stage = 'publishing' AND run = %s AND status = 'queued'
                         ORDER BY position LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING {ITEM_COLUMNS}
            """,
            (batch_id, run, limit),
        )
        return sorted((item_row(row) for row in rows), key=lambda item: item.position)

    def count_publish_in_flight(self, batch_id: str, run: int) -> int:
        """Items of a publish run in the broker or being published."""
        return int(
            self._scalar(
                "count publish items in flight",
                "SELECT count(*) FROM batch_items WHERE batch_id = %s AND stage = 'publishing' AND run = %s"
                " AND status IN ('sent', 'in_progress')",
                (batch_id, run),
            )
        )

    def claim_publish_item(self, item_id: int, *, lease_s: float) -> ItemRow | None:
        """Start publishing an item that is ``sent`` (or ``queued``, or whose previous task died): lease and
        attempt. None when it is terminal or another task holds a live lease on it."""
        row = self._row(
            "claim a publish item",
            f"""
            UPDATE batch_items SET status = 'in_progress', attempts = attempts + 1,
                   lease_until = now() + make_interval(secs => %s)
            WHERE id = %s AND stage = 'publishing'
              AND (status IN ('queued', 'sent') OR (status = 'in_progress' AND lease_until < now()))
            RETURNING {ITEM_COLUMNS}
            """,
            (lease_s, item_id),
        )
        return item_row(row) if row else None

    def get_item(self, item_id: int) -> ItemRow | None:
        """One item by id."""
        row = self._row(
            "read a batch item", f"SELECT {ITEM_COLUMNS} FROM batch_items WHERE id = %s", (item_id,)
        )
        return item_row(row) if row else None

    def extend_lease(self, item_id: int, *, lease_s: float) -> int:
        """Keep an ``in_progress`` item leased for ``lease_s`` more (e.g. while its save is reconciled)."""
        return self._execute(
            "extend a lease",
            "UPDATE batch_items SET lease_until = now() + make_interval(secs => %s)"
            " WHERE id = %s AND status = 'in_progress'",
            (lease_s, item_id),
        )

    def stale_items_of_run(
        self, batch_id: str, run: int, *, sent_older_than_s: float, limit: int
    ) -> list[ItemRow]:
        """Like ``stale_publish_items``, for one run: lost or abandoned items back to ``sent``, returned."""
        rows = self._rows(
            "find stale items of a publish run",
            f"""
            UPDATE batch_items SET status = 'sent', sent_at = now(), lease_until = NULL
            WHERE id IN (SELECT id FROM batch_items
                         WHERE batch_id = %s AND stage = 'publishing' AND run = %s
                           AND ((status = 'sent' AND sent_at < now() - make_interval(secs => %s))
                                OR (status = 'in_progress' AND lease_until < now()))
                         ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING {ITEM_COLUMNS}
            """,
            (batch_id, run, sent_older_than_s, limit),
        )
        return [item_row(row) for row in rows]

    def stale_publish_items(self, *, sent_older_than_s: float, limit: int) -> list[ItemRow]:
        """Publish items whose message was lost (``sent`` too long) or whose task died (lease ran out):
        back to ``sent``, stamped now, and returned so their task can be sent again."""
        rows = self._rows(
            "find stale publish items",
            f"""
            UPDATE batch_items SET status = 'sent', sent_at = now(), lease_until = NULL
            WHERE id IN (SELECT id FROM batch_items
                         WHERE stage = 'publishing'
                           AND ((status = 'sent' AND sent_at < now() - make_interval(secs => %s))
                                OR (status = 'in_progress' AND lease_until < now()))
                         ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
            RETURNING {ITEM_COLUMNS}
            """,
            (sent_older_than_s, limit),
        )
        return [item_row(row) for row in rows]

    def open_publish_runs(self, *, limit: int = 100) -> list[tuple[str, int]]:
        """(batch id, run) of publish runs that still have queued items, for the window top-up."""
        rows = self._rows(
            "list open publish runs",
            "SELECT DISTINCT i.batch_id, i.run FROM batch_items i JOIN batches b ON b.id = i.batch_id"
            " WHERE i.stage = 'publishing' AND i.status = 'queued' AND i.run = b.publish_run"
            " AND b.status = 'processing' LIMIT %s",
            (limit,),
        )
        return [(str(row["batch_id"]), int(row["run"])) for row in rows]

    def items_of_run(self, batch_id: str, run: int, part_numbers: list[str]) -> list[ItemRow]:
        """The items of a publish run for these SKUs, in input order."""
        rows = self._rows(
            "read publish items",
            f"SELECT {ITEM_COLUMNS} FROM batch_items"
            " WHERE batch_id = %s AND stage = 'publishing' AND run = %s AND part_number = ANY(%s)"
            " ORDER BY position",
            (batch_id, run, part_numbers),
        )
        return [item_row(row) for row in rows]
