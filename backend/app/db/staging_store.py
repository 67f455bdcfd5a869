"""``product_staging``: one normalized record per full SKU (``WF338109=K3``).

An upsert never loses what publishing wrote: an existing row keeps its ``shopify_product_id`` and re-hosted
``image_url``; a ``published`` row keeps that status; a single search (no batch) keeps the row's ``batch_id``
(http-api §3.3). Batch membership comes from ``batch_items.staged_skus``, never from the mutable ``batch_id``.
A row satisfies ``PublishableRecord`` (``locations`` and ``mapped_inventory`` come back as tuples).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from app.db.base_store import BaseStore
from app.db.batch_store import as_uuid
from app.db.normalized_columns import NORMALIZED_VALUE_FIELDS, NormalizedColumns, read_normalized_json
from app.utils.normalized_record import NormalizedRecord

__all__ = ["STAGING_VALUE_FIELDS", "StagingRow", "StagingStore"]

STAGING_VALUE_FIELDS = NORMALIZED_VALUE_FIELDS

_COLUMNS = (
    "id, sku, batch_id, raw_data_id, status, blocked_reason, shopify_product_id, image_url, created_by,"
    " created_at, updated_at, " + ", ".join(STAGING_VALUE_FIELDS)
)
_INSERTED = (
    "sku",
    *STAGING_VALUE_FIELDS,
    "status",
    "blocked_reason",
    "batch_id",
    "raw_data_id",
    "created_by",
)
_UPSERT_SET = ",\n".join(
    [f"{name} = EXCLUDED.{name}" for name in STAGING_VALUE_FIELDS]
    + [
        "raw_data_id = EXCLUDED.raw_data_id",
        "batch_id = COALESCE(EXCLUDED.batch_id, product_staging.batch_id)",
        "status = CASE WHEN product_staging.status = 'published' THEN 'published' ELSE EXCLUDED.status END",
        "blocked_reason = CASE WHEN product_staging.status = 'published' THEN NULL"
        " ELSE EXCLUDED.blocked_reason END",
    ]
)
_NUMERIC = {
    "list_price",
    "net_price",
    "cost_per_item",
    "price",
    "dim_length",
    "dim_width",
    "dim_height",
    "weight",
}
_JSON = {"locations", "mapped_inventory"}


def _sql_type(name: str) -> str:
    if name in _NUMERIC:
        return "numeric"
    if name in _JSON:
        return "jsonb"
    return {"inventory_quantity": "integer", "pma": "boolean"}.get(name, "text")


_RECORDSET = ", ".join(
    f"{name} {_sql_type(name)}" for name in ("sku", *STAGING_VALUE_FIELDS, "status", "blocked_reason")
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
class StagingRow(NormalizedColumns):
    """A staged SKU: its normalized values, staging status and what publishing recorded."""

    id: str
    sku: str
    batch_id: str | None
    raw_data_id: int | None
    status: str
    blocked_reason: str | None
    shopify_product_id: str | None
    image_url: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


def _staging(data: dict[str, Any]) -> StagingRow:
    data["id"] = str(data["id"])
    data["batch_id"] = str(data["batch_id"]) if data["batch_id"] is not None else None
    read_normalized_json(data)
    return StagingRow(**data)


def _record_json(record: NormalizedRecord) -> dict[str, Any]:
    row: dict[str, Any] = {"sku": record.sku}
    for name in STAGING_VALUE_FIELDS:
        value = getattr(record, name)
        if name == "locations":
            value = [entry.to_dict() for entry in record.locations]
        elif name == "mapped_inventory":
            value = [[location, quantity] for location, quantity in record.mapped_inventory]
        elif value is not None and name in _NUMERIC:
            value = str(value)  # exact: Decimal text, never a float
        elif name == "inventory_status":
            value = str(value)
        row[name] = value
    row["status"] = str(record.status)
    row["blocked_reason"] = None if record.blocked_reason is None else str(record.blocked_reason)
    return row


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
                "rows": Jsonb([_record_json(unique[sku]) for sku in sorted(unique)]),
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
