"""Published products and their sync schedule rows, written straight into the database for sync tests."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg

from app.container import Container
from app.utils.hash_utils import sync_hash_for
from app.utils.normalized_record import NormalizedRecord


@dataclass(frozen=True, slots=True)
class Published:
    """One published product as the sync sees it."""

    sku: str
    price: Decimal = Decimal("28.05")
    cost: Decimal = Decimal("25.50")
    mapped_inventory: tuple[tuple[str, int], ...] = (
        ("Chicago Warehouse", 50),
        ("Dallas Central", 100),
        ("Miami, FL", 0),
    )
    shopify_product_id: str | None = None
    shopify_variant_id: str | None = None
    shopify_inventory_item_id: str | None = None

    @property
    def quantity(self) -> int:
        return sum(quantity for _, quantity in self.mapped_inventory)


def insert_published(
    conn: psycopg.Connection,
    products: Iterable[Published],
    *,
    bucket: int | Sequence[int] = 0,
    next_sync_at: datetime | str = "now() - interval '1 minute'",
    sync_hash: str | None = None,
    created_by: str = "tester",
    **schedule: Any,
) -> list[str]:
    """Insert ``product`` rows and their schedule rows; return the schedule ids in input order.

    ``next_sync_at`` is a datetime or an SQL expression; extra keyword arguments set schedule columns.
    """
    ids: list[str] = []
    for index, product in enumerate(products):
        number = 10_000_000 + zlib.crc32(product.sku.encode())
        locations = [[name, qty] for name, qty in product.mapped_inventory]
        total = product.quantity
        conn.execute(
            """
            INSERT INTO product (sku, base_part_number, title, shopify_product_id, shopify_variant_id,
                                 shopify_inventory_item_id, price, cost_per_item, list_price,
                                 inventory_quantity, inventory_status, mapped_inventory, created_by)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            """,
            (
                product.sku,
                product.sku.split("=")[0],
                product.sku.split("=")[0],
                product.shopify_product_id or str(number),
                product.shopify_variant_id or str(number),
                product.shopify_inventory_item_id or str(number),
                product.price,
                product.cost,
                product.cost,
                total,
                "in_stock" if total > 0 else "out_of_stock",
                json.dumps(locations),
                created_by,
            ),
        )
        bucket_value = bucket[index] if isinstance(bucket, Sequence) else bucket
        columns = {
            "sku": product.sku,
            "hour_bucket": bucket_value,
            "last_price": product.cost,
            "last_quantity": total,
            "last_inventory_status": "in_stock" if total > 0 else "out_of_stock",
            "last_mapped_inventory": json.dumps(locations),
            "last_hash": sync_hash,
            "created_by": created_by,
            **schedule,
        }
        names = ", ".join(columns)
        values = ", ".join(["%s"] * len(columns))
        if isinstance(next_sync_at, datetime):
            sql = (
                f"INSERT INTO product_sync_schedule ({names}, next_sync_at)"
                f" VALUES ({values}, %s) RETURNING id"
            )
            params = [*columns.values(), next_sync_at]
        else:
            sql = (
                f"INSERT INTO product_sync_schedule ({names}, next_sync_at)"
                f" VALUES ({values}, {next_sync_at}) RETURNING id"
            )
            params = list(columns.values())
        row = conn.execute(sql, params).fetchone()
        assert row is not None
        ids.append(str(row[0]))
    return ids


def insert_many_scheduled(conn: psycopg.Connection, count: int, *, bucket_count: int = 24) -> None:
    """``count`` published products spread over ``bucket_count`` buckets, in two set-based statements.

    Statuses, failures and timestamps vary deterministically by row number, like a schedule in use.
    """
    conn.execute(
        """
        INSERT INTO product (sku, base_part_number, title, shopify_product_id, price, cost_per_item,
                             inventory_quantity, inventory_status, created_by)
        SELECT 'BENCH-' || lpad(n::text, 7, '0'), 'BENCH-' || lpad(n::text, 7, '0'),
               'BENCH-' || lpad(n::text, 7, '0'), (1000000 + n)::text, 28.05, 25.50,
               n %% 500, CASE WHEN n %% 500 > 0 THEN 'in_stock' ELSE 'out_of_stock' END, 'bench'
          FROM generate_series(1, %(count)s) AS n
        """,
        {"count": count},
    )
    conn.execute(
        """
        INSERT INTO product_sync_schedule (sku, hour_bucket, next_sync_at, sync_status, last_sync_at,
                                           last_attempt_at, consecutive_failures, last_error, last_price,
                                           last_quantity, last_inventory_status, is_active, created_by,
                                           updated_at)
        SELECT 'BENCH-' || lpad(n::text, 7, '0'), n %% %(buckets)s,
               date_trunc('hour', now()) + make_interval(hours => n %% %(buckets)s),
               (ARRAY['success', 'success', 'success', 'pending', 'failed'])[1 + n %% 5],
               now() - make_interval(mins => n %% 1440),
               now() - make_interval(mins => n %% 2880),
               CASE WHEN n %% 5 = 4 THEN 1 + n %% 7 ELSE 0 END,
               CASE WHEN n %% 5 = 4 THEN 'RetryableError: Boeing answered 503' END,
               25.50, n %% 500, CASE WHEN n %% 500 > 0 THEN 'in_stock' ELSE 'out_of_stock' END,
               n %% 97 <> 0, 'bench', now() - make_interval(secs => n)
          FROM generate_series(1, %(count)s) AS n
        """,
        {"count": count, "buckets": bucket_count},
    )


def publish_record(
    container: Container,
    conn: psycopg.Connection,
    record: NormalizedRecord,
    *,
    number: int,
    bucket: int = 0,
    next_sync_at: str = "now() - interval '1 minute'",
    **schedule: Any,
) -> str:
    """Save ``record`` as published (through the product store) and enroll it with its sync hash; return the
    schedule id. Shopify ids are ``number`` for the product, variant and inventory item."""
    with container.uow_factory() as uow:
        uow.products.upsert_published(
            record,
            shopify_product_id=str(number),
            shopify_variant_id=str(number),
            shopify_inventory_item_id=str(number),
            shopify_handle=record.sku.lower(),
            image_url=None,
            content_hash="publish-hash",
            created_by="tester",
        )
    columns = {
        "sku": record.sku,
        "hour_bucket": bucket,
        "last_price": record.cost_per_item,
        "last_quantity": record.total_quantity,
        "last_inventory_status": str(record.inventory_status),
        "last_location_summary": record.location_summary,
        "last_mapped_inventory": json.dumps([[name, qty] for name, qty in record.mapped_inventory]),
        "last_hash": sync_hash_for(record),
        "created_by": "tester",
        **schedule,
    }
    row = conn.execute(
        f"INSERT INTO product_sync_schedule ({', '.join(columns)}, next_sync_at)"
        f" VALUES ({', '.join(['%s'] * len(columns))}, {next_sync_at}) RETURNING id",
        list(columns.values()),
    ).fetchone()
    assert row is not None
    return str(row[0])
