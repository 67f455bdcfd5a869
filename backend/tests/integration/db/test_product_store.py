"""ProductStore, ReconciliationStore and sync enrollment against real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest

from app.container import Container
from app.core.exceptions import ConflictError
from app.utils.hash_utils import sync_hash_for
from app.utils.sync_helpers import current_bucket
from tests.support.publishing_factories import published_record


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection


def publish(container: Container, sku: str, product_id: str = "1001", **overrides: object) -> None:
    with container.uow_factory() as uow:
        uow.products.upsert_published(
            published_record(sku, **overrides),
            shopify_product_id=product_id,
            shopify_variant_id=f"{product_id}1",
            shopify_inventory_item_id=f"{product_id}2",
            shopify_handle=sku.lower().replace("=", "--"),
            image_url="http://127.0.0.1:8000/media/images/x.png",
            content_hash="hash-1",
            created_by="operator-1",
        )


def test_upsert_inserts_then_updates_in_place_keeping_the_creator(container: Container) -> None:
    publish(container, "WF338109=K3")
    with container.uow_factory() as uow:
        first = uow.products.get_by_sku("WF338109=K3")
    assert first is not None
    assert first.shopify_product_id == "1001"
    assert first.product_gid == "gid://shopify/Product/1001"
    assert first.variant_gid == "gid://shopify/ProductVariant/10011"
    assert first.inventory_item_gid == "gid://shopify/InventoryItem/10012"
    assert first.record.price == Decimal("28.05")
    assert first.record.mapped_inventory == (
        ("Chicago Warehouse", 50),
        ("Dallas Central", 100),
        ("Miami, FL", 0),
    )
    assert [(e.location, e.quantity) for e in first.record.locations] == [
        ("Dallas Central", 100),
        ("Chicago Warehouse", 50),
    ]
    # The row's record feeds the sync hash directly.
    assert len(sync_hash_for(first.record)) == 64

    with container.uow_factory() as uow:
        updated = uow.products.upsert_published(
            published_record("WF338109=K3", price=Decimal("30.00")),
            shopify_product_id="1001",
            shopify_variant_id="10011",
            shopify_inventory_item_id="10012",
            shopify_handle="wf338109--k3",
            image_url=None,
            content_hash="hash-2",
            created_by="someone-else",
        )
    assert updated.id == first.id
    assert updated.record.price == Decimal("30.00")
    assert updated.content_hash == "hash-2"
    assert updated.created_by == "operator-1"
    assert updated.published_at >= first.published_at


def test_reads_by_id_shopify_id_and_many_skus_and_a_malformed_id_is_not_found(container: Container) -> None:
    publish(container, "A-1", "11")
    publish(container, "B-2", "22")
    with container.uow_factory() as uow:
        row = uow.products.get_by_sku("A-1")
        assert row is not None
        assert uow.products.get(row.id) == row
        assert uow.products.get("not-a-uuid") is None
        assert uow.products.get_by_shopify_id("22").sku == "B-2"  # type: ignore[union-attr]
        assert set(uow.products.get_many_by_sku(["A-1", "B-2", "C-3"])) == {"A-1", "B-2"}
        assert uow.products.references_shopify_product("11")
        assert not uow.products.references_shopify_product("99")


def test_list_is_newest_first_with_a_case_insensitive_literal_search(container: Container) -> None:
    for index, sku in enumerate(["AN3-12A", "WF338109=K3", "WF338109", "X_1%"]):
        publish(container, sku, str(100 + index))
    with container.uow_factory() as uow:
        rows, total = uow.products.list_published(limit=2, offset=0)
        assert total == 4
        assert [r.sku for r in rows] == ["X_1%", "WF338109"]
        rows, total = uow.products.list_published(limit=10, offset=0, search="wf338")
        assert total == 2
        assert {r.sku for r in rows} == {"WF338109", "WF338109=K3"}
        rows, total = uow.products.list_published(limit=10, offset=0, search="_1%")
        assert [r.sku for r in rows] == ["X_1%"]


def test_a_shopify_product_belongs_to_one_sku(container: Container) -> None:
    publish(container, "A-1", "11")
    with pytest.raises(ConflictError):
        publish(container, "B-2", "11")


def test_sync_values_update_price_and_stock_and_clear_the_publish_hash(container: Container) -> None:
    publish(container, "A-1")
    with container.uow_factory() as uow:
        assert uow.products.update_sync_values(
            "A-1",
            price=Decimal("33.00"),
            cost_per_item=Decimal("30.00"),
            list_price=Decimal("30.00"),
            net_price=None,
            inventory_quantity=7,
            inventory_status="in_stock",
            location_summary="Dallas Central: 7",
            locations=[{"location": "Dallas Central", "quantity": 7}],
            mapped_inventory=[("Chicago Warehouse", 0), ("Dallas Central", 7), ("Miami, FL", 0)],
        )
        assert not uow.products.update_sync_values(
            "NOPE",
            price=None,
            cost_per_item=None,
            list_price=None,
            net_price=None,
            inventory_quantity=0,
            inventory_status="out_of_stock",
            location_summary=None,
            locations=[],
            mapped_inventory=[],
        )
        row = uow.products.get_by_sku("A-1")
    assert row is not None
    assert (row.record.price, row.record.inventory_quantity, row.content_hash) == (Decimal("33.00"), 7, None)


def test_enrollment_picks_the_least_loaded_bucket_and_its_next_slot(container: Container) -> None:
    for sku in ["A-1", "B-2", "C-3"]:
        publish(container, sku, str(abs(hash(sku)) % 10**9))
    with container.uow_factory() as uow:
        rows = []
        for sku in ["A-1", "B-2", "C-3"]:
            product = uow.products.get_by_sku(sku)
            assert product is not None
            rows.append(
                uow.schedule.enroll(
                    sku=sku,
                    base_price=product.record.cost_per_item,
                    quantity=150,
                    inventory_status="in_stock",
                    location_summary=product.record.location_summary,
                    mapped_inventory=product.record.mapped_inventory,
                    sync_hash="h-" + sku,
                    created_by="operator-1",
                    bucket_count=2,
                    bucket_seconds=3600,
                )
            )
        now = uow.conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    assert [row.hour_bucket for row in rows] == [0, 1, 0]
    for row in rows:
        assert row.next_sync_at > now
        assert row.next_sync_at - now <= timedelta(hours=2)
        assert row.sync_status == "pending"
        assert row.last_price == Decimal("25.50")
        assert row.last_mapped_inventory == [
            ["Chicago Warehouse", 50],
            ["Dallas Central", 100],
            ["Miami, FL", 0],
        ]
        assert current_bucket(row.next_sync_at, 2, 3600) == row.hour_bucket


def test_re_enrollment_refreshes_values_and_hash_but_keeps_the_schedule(container: Container) -> None:
    publish(container, "A-1")
    kwargs = {
        "sku": "A-1",
        "base_price": Decimal("25.50"),
        "quantity": 150,
        "inventory_status": "in_stock",
        "location_summary": None,
        "mapped_inventory": [("Dallas Central", 150)],
        "created_by": "operator-1",
        "bucket_count": 24,
        "bucket_seconds": 3600,
    }
    with container.uow_factory() as uow:
        first = uow.schedule.enroll(sync_hash="old", **kwargs)  # type: ignore[arg-type]
    with container.uow_factory() as uow:
        again = uow.schedule.enroll(sync_hash="new", **{**kwargs, "quantity": 3})  # type: ignore[arg-type]
    assert (again.id, again.hour_bucket, again.next_sync_at) == (
        first.id,
        first.hour_bucket,
        first.next_sync_at,
    )
    assert (again.last_hash, again.last_quantity) == ("new", 3)


def test_reconciliation_records_reschedule_and_close(container: Container, conn: psycopg.Connection) -> None:
    with container.uow_factory() as uow:
        record = uow.reconciliation.record_pending(
            sku="A-1",
            batch_id=None,
            shopify_product_id="1001",
            shopify_variant_id="10011",
            shopify_inventory_item_id="10012",
            shopify_handle="a-1",
            payload={"run": 1},
            error="insert failed",
            retry_in_s=0,
        )
        # The same Shopify product again refreshes the pending record rather than adding one.
        again = uow.reconciliation.record_pending(
            sku="A-1",
            batch_id=None,
            shopify_product_id="1001",
            shopify_variant_id="10011",
            shopify_inventory_item_id="10012",
            shopify_handle="a-1",
            payload={"run": 2},
            error="insert failed again",
            retry_in_s=0,
        )
    assert again.id == record.id
    assert (again.attempts, again.payload, again.state) == (2, {"run": 2}, "pending_db")
    with container.uow_factory() as uow:
        assert uow.reconciliation.due_ids(limit=10) == [record.id]
        assert uow.reconciliation.pending_for_sku("A-1").id == record.id  # type: ignore[union-attr]
        assert uow.reconciliation.reschedule(record.id, error="still failing", retry_in_s=3600)
        assert uow.reconciliation.due_ids(limit=10) == []
        assert uow.reconciliation.age_s(record.id) >= 0
        assert uow.reconciliation.mark_resolved(record.id)
        assert not uow.reconciliation.mark_deleted(record.id, "late"), "only pending records change state"
        assert uow.reconciliation.pending_for_sku("A-1") is None
    state = conn.execute("SELECT state, resolved_at IS NOT NULL FROM publish_reconciliation").fetchone()
    assert state == ("resolved", True)
