"""``product_staging``: one normalized record per full SKU (``WF338109=K3``).

An upsert never loses what publishing wrote: an existing row keeps its ``shopify_product_id`` and re-hosted
``image_url``; a ``published`` row keeps that status; a single search (no batch) keeps the row's ``batch_id``
(http-api §3.3). Batch membership comes from ``batch_items.staged_skus``, never from the mutable ``batch_id``.
A row is read back as a ``StagingRow``: its ``NormalizedRecord`` (built once, with the staging status) and
the columns that belong to staging alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from app.db.base_store import BaseStore
from app.db.batch_store import as_uuid
from app.utils.normalized_record import (
    DECIMAL_FIELDS,
    NORMALIZED_VALUE_FIELDS,
    NormalizedRecord,
    record_from_json,
    record_to_json,
)

__all__ = ["StagingRow", "StagingStore"]

_COLUMNS = (
    "id, sku, batch_id, raw_data_id, status, blocked_reason, shopify_product_id, image_url, created_by,"
    " created_at, updated_at, " + ", ".join(NORMALIZED_VALUE_FIELDS)
)
_INSERTED = (
    "sku",
    *NORMALIZED_VALUE_FIELDS,
    "status",
    "blocked_reason",
    "batch_id",
    "raw_data_id",
    "created_by",
)
_UPSERT_SET = ",\n".join(
    [f"{name} = EXCLUDED.{name}" for name in NORMALIZED_VALUE_FIELDS]
    + [
        "raw_data_id = EXCLUDED.raw_data_id",
        "batch_id = COALESCE(EXCLUDED.batch_id, product_staging.batch_id)",
        "status = CASE WHEN product_staging.status = 'published' THEN 'published' ELSE EXCLUDED.status END",
        "blocked_reason = CASE WHEN product_staging.status = 'published' THEN NULL"
        " ELSE EXCLUDED.blocked_reason END",
    ]
)
_JSON = {"locations", "mapped_inventory"}


def _sql_type(name: str) -> str:
    if name in DECIMAL_FIELDS:
        return "numeric"
    if name in _JSON:
        return "jsonb"
    return {"inventory_quantity": "integer", "pma": "boolean"}.get(name, "text")


_RECORDSET = ", ".join(
    f"{name} {_sql_type(name)}" for name in ("sku", *NORMALIZED_VALUE_FIELDS, "status", "blocked_reason")
)
# One constant statement for any number of rows (the rows travel as one JSON array), so it is parsed and
# prepared once per connection instead of once per answer.
_UPSERT_SQL = f"""
    INSERT INTO product_staging ({", ".join(_INSERTED)})
    SELECT x.*, %(batch)s::uuid, %(raw)s::bigint, %(by)s::text
    FROM jsonb_to_recordset(%(rows)s) AS x({_RECORDSET})
    ORDER BY x.sku
    ON CONFLICT (sku) DO UPDATE SET {_UPSERT_SET}
    RETURNING sku, status
"""


@dataclass(frozen=True, slots=True)
class StagingRow:
    """A staged SKU: its normalized record (``record.status`` is the staging status) and what staging and
    publishing recorded beside it."""

    record: NormalizedRecord
    id: str
    batch_id: str | None
    raw_data_id: int | None
    shopify_product_id: str | None
    image_url: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def sku(self) -> str:
        return self.record.sku


def _staging(row: dict[str, Any]) -> StagingRow:
    record = record_from_json(row["sku"], row, status=row["status"], blocked_reason=row["blocked_reason"])
    return StagingRow(
        record=record,
        id=str(row["id"]),
        batch_id=None if row["batch_id"] is None else str(row["batch_id"]),
        raw_data_id=row["raw_data_id"],
        shopify_product_id=row["shopify_product_id"],
        image_url=row["image_url"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _upsert_json(record: NormalizedRecord) -> dict[str, Any]:
    # The record codec's values, plus the key and the status the recordset's columns name.
    return {
        "sku": record.sku,
        **record_to_json(record),
        "status": record.status.value,
        "blocked_reason": None if record.blocked_reason is None else record.blocked_reason.value,
    }


class StagingStore(BaseStore):
    # --- writes ---------------------------------------------------------------------------------------------
    def upsert_many(
        self,
        records: Iterable[NormalizedRecord],
        *,
        batch_id: str | None,
        raw_data_id: int | None,
        created_by: str,
    ) -> dict[str, str]:
        """Insert or update one row per SKU (last record wins); returns each SKU's stored status."""
        unique = {record.sku: record for record in records}
        if not unique:
            return {}
        # Rows in SKU order, so concurrent upserts lock in the same order.
        rows = self._rows(
            "stage normalized products",
            _UPSERT_SQL,
            {
                "rows": Jsonb([_upsert_json(unique[sku]) for sku in sorted(unique)]),
                "batch": batch_id,
                "raw": raw_data_id,
                "by": created_by,
            },
        )
        return {row["sku"]: row["status"] for row in rows}

    def mark_published(self, sku: str, *, shopify_product_id: str, image_url: str | None = None) -> bool:
        """Record a successful publish: status ``published`` with the Shopify id (and re-hosted image)."""
        return (
            self._execute(
                "mark a staged product published",
                "UPDATE product_staging SET status = 'published', blocked_reason = NULL,"
                " shopify_product_id = %s,"
                " image_url = COALESCE(%s, image_url) WHERE sku = %s",
                (shopify_product_id, image_url, sku),
            )
            == 1
        )

    def mark_failed(self, sku: str) -> bool:
        """Record a failed publish (a sellable row only: a blocked row stays blocked)."""
        return (
            self._execute(
                "mark a staged product failed",
                "UPDATE product_staging SET status = 'failed'"
                " WHERE sku = %s AND status IN ('fetched', 'failed')",
                (sku,),
            )
            == 1
        )

    # --- reads ----------------------------------------------------------------------------------------------
    def get_by_sku(self, sku: str, *, for_update: bool = False) -> StagingRow | None:
        """The staged row of a full SKU."""
        lock = " FOR UPDATE" if for_update else ""
        row = self._row(
            "read a staged product",
            f"SELECT {_COLUMNS} FROM product_staging WHERE sku = %s{lock}",
            (sku,),
        )
        return _staging(row) if row else None

    def get_many(self, skus: Sequence[str]) -> dict[str, StagingRow]:
        """Staged rows of these SKUs, by SKU (missing ones absent)."""
        rows = self._rows(
            "read staged products",
            f"SELECT {_COLUMNS} FROM product_staging WHERE sku = ANY(%s)",
            (list(skus),),
        )
        return {row["sku"]: _staging(row) for row in rows}

    def skus_of_batch(self, batch_id: str, *, statuses: Sequence[str] | None = None) -> list[str]:
        """SKUs the batch's extraction items staged (optionally only in ``statuses``), sorted."""
        rows = self._rows(
            "list a batch's staged SKUs",
            """
            SELECT s.sku FROM product_staging s
            WHERE s.sku IN (SELECT unnest(staged_skus) FROM batch_items
                            WHERE batch_id = %(batch)s AND stage = 'extraction')
              AND (%(statuses)s::text[] IS NULL OR s.status = ANY(%(statuses)s::text[]))
            ORDER BY s.sku
            """,
            {"batch": batch_id, "statuses": list(statuses) if statuses is not None else None},
        )
        return [row["sku"] for row in rows]

    def list_page(
        self,
        *,
        batch_id: str | None,
        status: str | None,
        search: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[StagingRow], int]:
        """Newest ``created_at`` first (then id), filtered by batch membership, status and SKU substring."""
        if batch_id is not None and as_uuid(batch_id) is None:
            return [], 0
        where = """WHERE (%(batch)s::uuid IS NULL OR sku IN (
                            SELECT unnest(staged_skus) FROM batch_items
                            WHERE batch_id = %(batch)s::uuid AND stage = 'extraction'))
                     AND (%(status)s::text IS NULL OR status = %(status)s)
                     AND (%(search)s::text IS NULL OR sku ILIKE %(search)s)"""
        pattern = None
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params = {"batch": batch_id, "status": status, "search": pattern, "limit": limit, "offset": offset}
        rows = self._rows(
            "list staged products",
            f"SELECT {_COLUMNS} FROM product_staging {where}"
            " ORDER BY created_at DESC, id DESC LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        total = self._scalar("count staged products", f"SELECT count(*) FROM product_staging {where}", params)
        return [_staging(row) for row in rows], int(total)
