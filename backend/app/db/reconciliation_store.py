"""``publish_reconciliation``: Shopify writes whose database save failed (``shopify_created_pending_db``).

A record keeps what is needed to finish the save later (``payload``). It is ``pending_db`` until the save
succeeds (``resolved``) or, still unreferenced after the configured window, the Shopify product is deleted
(``deleted``). At most one pending record exists per Shopify product.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from app.core.constants.publishing import ReconciliationState
from app.db.base_store import BaseStore

__all__ = ["ReconciliationRow", "ReconciliationStore"]

_COLUMNS = (
    "id, sku, batch_id, publish_state, state, shopify_product_id, shopify_variant_id,"
    " shopify_inventory_item_id, shopify_handle, payload, attempts, last_error, next_attempt_at, created_at,"
    " updated_at, resolved_at"
)


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    id: int
    sku: str
    batch_id: str | None
    publish_state: str
    state: ReconciliationState
    shopify_product_id: str
    shopify_variant_id: str | None
    shopify_inventory_item_id: str | None
    shopify_handle: str | None
    payload: dict[str, Any]
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None


def _row(data: Mapping[str, Any]) -> ReconciliationRow:
    values = dict(data)
    values["batch_id"] = None if values["batch_id"] is None else str(values["batch_id"])
    values["payload"] = dict(values.get("payload") or {})
    values["state"] = ReconciliationState(values["state"])
    return ReconciliationRow(**values)


class ReconciliationStore(BaseStore):
    def record_pending(
        self,
        *,
        sku: str,
        batch_id: str | None,
        shopify_product_id: str,
        shopify_variant_id: str | None,
        shopify_inventory_item_id: str | None,
        shopify_handle: str | None,
        payload: Mapping[str, Any],
        error: str,
        retry_in_s: float,
    ) -> ReconciliationRow:
        """Record (or refresh) the pending save of a Shopify product; due again in ``retry_in_s``."""
        row = self._row(
            "record a pending publish reconciliation",
            f"""
            INSERT INTO publish_reconciliation
                   (sku, batch_id, shopify_product_id, shopify_variant_id, shopify_inventory_item_id,
                    shopify_handle, payload, attempts, last_error, next_attempt_at)
            VALUES (%(sku)s, %(batch_id)s, %(product)s, %(variant)s, %(item)s, %(handle)s, %(payload)s, 1,
                    %(error)s, now() + make_interval(secs => %(retry)s))
            ON CONFLICT (shopify_product_id) WHERE state = 'pending_db' DO UPDATE
               SET payload = EXCLUDED.payload, last_error = EXCLUDED.last_error,
                   attempts = publish_reconciliation.attempts + 1, next_attempt_at = EXCLUDED.next_attempt_at
            RETURNING {_COLUMNS}
            """,
            {
                "sku": sku,
                "batch_id": batch_id,
                "product": shopify_product_id,
                "variant": shopify_variant_id,
                "item": shopify_inventory_item_id,
                "handle": shopify_handle,
                "payload": Jsonb(dict(payload)),
                "error": error[:1000],
                "retry": float(retry_in_s),
            },
        )
        assert row is not None
        return _row(row)

    def get(self, record_id: int, *, for_update: bool = False) -> ReconciliationRow | None:
        """One record (locked for the transaction when ``for_update``)."""
        lock = " FOR UPDATE SKIP LOCKED" if for_update else ""
        row = self._row(
            "read a publish reconciliation",
            f"SELECT {_COLUMNS} FROM publish_reconciliation WHERE id = %s{lock}",
            (record_id,),
        )
        return _row(row) if row else None

    def pending_for_sku(self, sku: str) -> ReconciliationRow | None:
        """The pending record of a SKU, if any."""
        row = self._row(
            "read a pending publish reconciliation",
            f"SELECT {_COLUMNS} FROM publish_reconciliation WHERE sku = %s AND state = 'pending_db'"
            " ORDER BY id DESC LIMIT 1",
            (sku,),
        )
        return _row(row) if row else None

    def due_ids(self, *, limit: int) -> list[int]:
        """Ids of pending records whose next attempt is due, oldest first."""
        rows = self._rows(
            "list due publish reconciliations",
            "SELECT id FROM publish_reconciliation WHERE state = 'pending_db' AND next_attempt_at <= now()"
            " ORDER BY next_attempt_at, id LIMIT %s",
            (limit,),
        )
        return [int(row["id"]) for row in rows]

    def mark_resolved(self, record_id: int) -> bool:
        """The save completed: ``resolved``."""
        return (
            self._execute(
                "resolve a publish reconciliation",
                "UPDATE publish_reconciliation SET state = 'resolved', resolved_at = now(), last_error = NULL"
                " WHERE id = %s AND state = 'pending_db'",
                (record_id,),
            )
            > 0
        )

    def mark_deleted(self, record_id: int, reason: str) -> bool:
        """The unreferenced Shopify product was deleted: ``deleted``."""
        return (
            self._execute(
                "close a publish reconciliation",
                "UPDATE publish_reconciliation SET state = 'deleted', resolved_at = now(), last_error = %s"
                " WHERE id = %s AND state = 'pending_db'",
                (reason[:1000], record_id),
            )
            > 0
        )

    def reschedule(self, record_id: int, *, error: str, retry_in_s: float) -> bool:
        """Another save attempt failed: count it and try again in ``retry_in_s``."""
        return (
            self._execute(
                "reschedule a publish reconciliation",
                "UPDATE publish_reconciliation SET attempts = attempts + 1, last_error = %s,"
                " next_attempt_at = now() + make_interval(secs => %s) WHERE id = %s AND state = 'pending_db'",
                (error[:1000], float(retry_in_s), record_id),
            )
            > 0
        )

    def age_s(self, record_id: int) -> float:
        """Seconds since the record was created (database clock)."""
        value = self._scalar(
            "read a publish reconciliation age",
            "SELECT extract(epoch FROM now() - created_at) FROM publish_reconciliation WHERE id = %s",
            (record_id,),
        )
        return float(value or 0.0)
