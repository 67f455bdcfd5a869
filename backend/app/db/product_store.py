"""``product``: what is published in Shopify, with the values last written there.

One row per full SKU, read back as a ``ProductRow``: the published ``NormalizedRecord`` (built once from the
row; its status is ``published``) and the Shopify side. Shopify ids are stored as their digit strings (the
API's id form, http-api § 1.5); ``ProductRow.product_gid`` / ``variant_gid`` / ``inventory_item_gid`` give
the GraphQL ids.

Used by publishing (``upsert_published``), the products/published endpoints and by sync
(``get_by_sku``, ``update_sync_values``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from app.core.constants.extraction import StagingStatus
from app.db.base_store import BaseStore
from app.utils.normalized_record import (
    NORMALIZED_VALUE_FIELDS,
    NormalizedRecord,
    record_from_json,
    record_to_json,
)

__all__ = ["ProductRow", "ProductStore"]

_COLUMNS = (
    "id, sku, shopify_product_id, shopify_variant_id, shopify_inventory_item_id, shopify_handle, image_url,"
    " content_hash, created_by, published_at, created_at, updated_at, " + ", ".join(NORMALIZED_VALUE_FIELDS)
)


@dataclass(frozen=True, slots=True)
class ProductRow:
    """A published product: the record last written to Shopify, and Shopify's ids for it."""

    record: NormalizedRecord
    id: str
    shopify_product_id: str
    shopify_variant_id: str | None
    shopify_inventory_item_id: str | None
    shopify_handle: str | None
    image_url: str | None
    content_hash: str | None
    created_by: str
    published_at: datetime
    created_at: datetime
    updated_at: datetime

    @property
    def sku(self) -> str:
        return self.record.sku

    @property
    def product_gid(self) -> str:
        """The GraphQL id of the product (``gid://shopify/Product/<digits>``)."""
        return _gid("Product", self.shopify_product_id)

    @property
    def variant_gid(self) -> str | None:
        return _gid("ProductVariant", self.shopify_variant_id) if self.shopify_variant_id else None

    @property
    def inventory_item_gid(self) -> str | None:
        item = self.shopify_inventory_item_id
        return _gid("InventoryItem", item) if item else None


def _product(row: Mapping[str, Any]) -> ProductRow:
    return ProductRow(
        record=record_from_json(row["sku"], row, status=StagingStatus.PUBLISHED),
        id=str(row["id"]),
        shopify_product_id=row["shopify_product_id"],
        shopify_variant_id=row["shopify_variant_id"],
        shopify_inventory_item_id=row["shopify_inventory_item_id"],
        shopify_handle=row["shopify_handle"],
        image_url=row["image_url"],
        content_hash=row["content_hash"],
        created_by=row["created_by"],
        published_at=row["published_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _column_values(record: NormalizedRecord) -> dict[str, Any]:
    # Numbers as the record holds them (numeric columns); the JSON columns in the record codec's form.
    values = {name: getattr(record, name) for name in NORMALIZED_VALUE_FIELDS}
    encoded = record_to_json(record)
    values["locations"] = Jsonb(encoded["locations"])
    values["mapped_inventory"] = Jsonb(encoded["mapped_inventory"])
    return values


def _json_value(name: str, value: Any) -> Any:
    if name == "locations":
        return Jsonb([_location_dict(entry) for entry in value or []])
    if name == "mapped_inventory":
        return Jsonb([[str(pair[0]), int(pair[1])] for pair in value or []])
    return value


def _location_dict(entry: Any) -> dict[str, Any]:
    if isinstance(entry, Mapping):
        return {"location": str(entry["location"]), "quantity": int(entry["quantity"])}
    return {"location": str(entry.location), "quantity": int(entry.quantity)}


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, AttributeError, TypeError):
        return None


class ProductStore(BaseStore):
    # --- reads ----------------------------------------------------------------------------------------------
    def get(self, product_id: str) -> ProductRow | None:
        """The product with this UUID (a malformed id is simply not found)."""
        key = _uuid(product_id)
        if key is None:
            return None
        row = self._row("read a product", f"SELECT {_COLUMNS} FROM product WHERE id = %s", (key,))
        return _product(row) if row else None

    def get_by_sku(self, sku: str, *, for_update: bool = False) -> ProductRow | None:
        """The product of a full SKU (locked for the transaction when ``for_update``)."""
        lock = " FOR UPDATE" if for_update else ""
        row = self._row("read a product", f"SELECT {_COLUMNS} FROM product WHERE sku = %s{lock}", (sku,))
        return _product(row) if row else None

    def get_by_shopify_id(self, shopify_product_id: str) -> ProductRow | None:
        """The product with this Shopify product id (digits)."""
        row = self._row(
            "read a product",
            f"SELECT {_COLUMNS} FROM product WHERE shopify_product_id = %s",
            (shopify_product_id,),
        )
        return _product(row) if row else None

    def get_many_by_sku(self, skus: Sequence[str]) -> dict[str, ProductRow]:
        """Products of the given full SKUs, keyed by SKU (missing ones left out)."""
        if not skus:
            return {}
        rows = self._rows(
            "read products", f"SELECT {_COLUMNS} FROM product WHERE sku = ANY(%s)", (list(skus),)
        )
        return {row["sku"]: _product(row) for row in rows}

    def list_published(
        self, *, limit: int, offset: int, search: str | None = None
    ) -> tuple[list[ProductRow], int]:
        """A page of products, newest ``updated_at`` first (id breaks ties), and the total matching count."""
        pattern = f"%{_escape_like(search)}%" if search else None
        params = {"pattern": pattern, "limit": limit, "offset": offset}
        where = "WHERE (%(pattern)s::text IS NULL OR sku ILIKE %(pattern)s)"
        total = int(self._scalar("count products", f"SELECT count(*) FROM product {where}", params) or 0)
        rows = self._rows(
            "list products",
            f"SELECT {_COLUMNS} FROM product {where} ORDER BY updated_at DESC, id DESC"
            " LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        return [_product(row) for row in rows], total

    def references_shopify_product(self, shopify_product_id: str) -> bool:
        """Whether any product or staging row points at this Shopify product."""
        return bool(
            self._scalar(
                "check a Shopify product reference",
                "SELECT EXISTS (SELECT 1 FROM product WHERE shopify_product_id = %(id)s)"
                " OR EXISTS (SELECT 1 FROM product_staging WHERE shopify_product_id = %(id)s)",
                {"id": shopify_product_id},
            )
        )

    # --- writes ---------------------------------------------------------------------------------------------
    def upsert_published(
        self,
        record: NormalizedRecord,
        *,
        shopify_product_id: str,
        shopify_variant_id: str | None,
        shopify_inventory_item_id: str | None,
        shopify_handle: str | None,
        image_url: str | None,
        content_hash: str,
        created_by: str,
    ) -> ProductRow:
        """Insert or update the product of ``record.sku`` with the record just written to Shopify.

        ``created_by`` is kept from the first publish; ``published_at`` moves to now on every write.
        """
        params = _column_values(record)
        params.update(
            sku=record.sku,
            shopify_product_id=shopify_product_id,
            shopify_variant_id=shopify_variant_id,
            shopify_inventory_item_id=shopify_inventory_item_id,
            shopify_handle=shopify_handle,
            image_url=image_url,
            content_hash=content_hash,
            created_by=created_by,
        )
        columns = ["sku", *NORMALIZED_VALUE_FIELDS, "shopify_product_id", "shopify_variant_id"]
        columns += ["shopify_inventory_item_id", "shopify_handle", "image_url", "content_hash", "created_by"]
        updates = [f"{name} = EXCLUDED.{name}" for name in columns if name not in ("sku", "created_by")]
        row = self._row(
            "save a published product",
            f"""
            INSERT INTO product ({", ".join(columns)})
            VALUES ({", ".join(f"%({name})s" for name in columns)})
            ON CONFLICT (sku) DO UPDATE SET {", ".join(updates)}, published_at = now()
            RETURNING {_COLUMNS}
            """,
            params,
        )
        assert row is not None
        return _product(row)

    def update_sync_values(
        self,
        sku: str,
        *,
        price: Decimal | None,
        cost_per_item: Decimal | None,
        list_price: Decimal | None,
        net_price: Decimal | None,
        inventory_quantity: int,
        inventory_status: str,
        location_summary: str | None,
        locations: Sequence[Any],
        mapped_inventory: Sequence[Sequence[Any]],
    ) -> bool:
        """Record price and stock a sync just wrote to Shopify; the publish content hash is cleared, so the
        next publish of the SKU compares against Shopify's new state by writing again. False if unknown."""
        count = self._execute(
            "save synced product values",
            """
            UPDATE product
               SET price = %(price)s, cost_per_item = %(cost)s, list_price = %(list_price)s,
                   net_price = %(net_price)s, inventory_quantity = %(quantity)s,
                   inventory_status = %(status)s, location_summary = %(summary)s, locations = %(locations)s,
                   mapped_inventory = %(mapped)s, content_hash = NULL
             WHERE sku = %(sku)s
            """,
            {
                "sku": sku,
                "price": price,
                "cost": cost_per_item,
                "list_price": list_price,
                "net_price": net_price,
                "quantity": inventory_quantity,
                "status": inventory_status,
                "summary": location_summary,
                "locations": _json_value("locations", locations),
                "mapped": _json_value("mapped_inventory", mapped_inventory),
            },
        )
        return count > 0


def _gid(kind: str, value: str) -> str:
    # Digits are what we store; a full GID (written by older tooling or tests) passes through.
    return value if value.startswith("gid://") else f"gid://shopify/{kind}/{value}"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
