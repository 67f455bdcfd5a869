"""The publishing services in-process against the Shopify emulator and real PostgreSQL/Redis: runs, outcomes,
unchanged products, quota waits, retries and reconciliation (the tasks' bodies, called directly)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest

from app.container import Container, build_container
from app.core.exceptions import DatabaseError, QuotaWait, RetryableError
from app.db.reconciliation_store import ReconciliationStore
from app.utils.hash_utils import sync_hash_for
from tests.support.boeing_items import location, normalized
from tests.support.processes import Emulator, start_emulator
from tests.support.publishing_factories import STORED_RECONCILIATION_PAYLOAD, normalized_batch, stage
from tests.support.settings import settings_from_env


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator("shopify", [])
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def shopify(emulator: Emulator, env: dict[str, str]) -> Emulator:
    httpx.post(f"{emulator.url}/_emulator/reset", json={}).raise_for_status()
    env["SHOPIFY_GRAPHQL_URL"] = f"{emulator.url}/admin/api/2026-04/graphql.json"
    env["SHOPIFY_LIMITER_MAX_WAIT_S"] = "2"
    env["PUBLISH_WINDOW"] = "4"
    return emulator


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection


def drain(container: Container, batch_id: str, *, last_attempt: bool = True) -> dict[str, str]:
    """Run the tasks' bodies in-process: start the run, then publish every item it sends, until done."""
    runner = container.publish_run_service
    with container.uow_factory() as uow:
        batch = uow.batches.get(batch_id)
        assert batch is not None  # created by the caller
        run = batch.publish_run
    runner.start_run(batch_id, run)
    outcomes: dict[str, str] = {}
    for _ in range(100):
        with container.uow_factory() as uow:
            rows = uow.conn.execute(
                "SELECT id, part_number FROM batch_items WHERE batch_id = %s AND stage = 'publishing'"
                " AND run = %s AND status = 'sent' ORDER BY position",
                (batch_id, run),
            ).fetchall()
        if not rows:
            return outcomes
        for item_id, sku in rows:
            outcomes[sku] = runner.publish_item(batch_id, item_id, last_attempt=last_attempt)
    raise AssertionError("the run did not drain")


def emulator_products(shopify: Emulator) -> list[dict[str, Any]]:
    body = httpx.get(f"{shopify.url}/_emulator/products", params={"limit": 1000}).json()
    return list(body["products"])


def product_set_calls(shopify: Emulator) -> int:
    stats = httpx.get(f"{shopify.url}/_emulator/stats").json()
    return int(stats["by_operation"].get("productSet", 0))


def batch_row(conn: psycopg.Connection, batch_id: str) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT batch_type, status, total_items, published_count, failed_count FROM batches WHERE id = %s",
        (batch_id,),
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_bulk_run_publishes_one_product_per_full_sku_and_fails_what_cannot_be_sold(
    container: Container, shopify: Emulator, conn: psycopg.Connection
) -> None:
    stage(
        container,
        [
            normalized(aviallPartNumber="WF338109=K3"),
            normalized(aviallPartNumber="WF338109=K5", listPrice="30.005"),
            normalized(aviallPartNumber="AN3-12A", locationAvailabilities=[location("Miami, FL", "7")]),
            normalized(aviallPartNumber="NOSTOCK-1", quantity="0", locationAvailabilities=[]),
        ],
    )
    result = container.publishing_service.publish_bulk(
        part_numbers=["wf338109=k3", "WF338109=K5", "AN3-12A", "NOSTOCK-1", "NEVER-SEEN", "AN3-12A"],
        part_numbers_text=None,
        batch_id=None,
        idempotency_key=None,
        created_by="operator-1",
    )
    assert (result.batch.batch_type, result.batch.status, result.accepted.duplicates_removed) == (
        "publish",
        "pending",
        1,
    )
    assert batch_row(conn, result.batch.id) == ("publish", "pending", 5, 0, 2)

    outcomes = drain(container, result.batch.id)
    assert outcomes == {"WF338109=K3": "published", "WF338109=K5": "published", "AN3-12A": "published"}
    assert batch_row(conn, result.batch.id) == ("publish", "completed", 5, 3, 2)
    checks = conn.execute(
        "SELECT args FROM task_outbox WHERE task_name = 'tasks.batch.check_batch_completion'"
    ).fetchall()
    assert checks == [([result.batch.id],)], "the last item asks for the completion check"
    errors: dict[str, str] = dict(
        conn.execute(
            "SELECT part_number, error FROM batch_items WHERE batch_id = %s AND status = 'failed'",
            (result.batch.id,),
        ).fetchall()
    )
    assert errors == {
        "NOSTOCK-1": "The staged SKU is blocked (no_stock).",
        "NEVER-SEEN": "The SKU is not in staging.",
    }

    products = {p["metafields"]["custom.aviall_part_number"]: p for p in _flat(emulator_products(shopify))}
    assert set(products) == {"WF338109=K3", "WF338109=K5", "AN3-12A"}, (
        "two variants of one base: two products"
    )
    assert products["WF338109=K5"]["variants"][0]["price"] == "33.01"  # 30.01 x 1.10, half-up
    assert products["AN3-12A"]["inventory"]["Miami, FL"] == 7
    assert products["AN3-12A"]["inventory"]["Dallas Central"] == 0

    staging: dict[str, str] = dict(conn.execute("SELECT sku, status FROM product_staging").fetchall())
    assert staging == {
        "WF338109=K3": "published",
        "WF338109=K5": "published",
        "AN3-12A": "published",
        "NOSTOCK-1": "blocked",
    }
    schedule = conn.execute(
        "SELECT s.sku, s.last_hash IS NOT NULL, s.last_price, p.shopify_product_id ~ '^[0-9]+$'"
        " FROM product_sync_schedule s JOIN product p USING (sku) ORDER BY s.sku"
    ).fetchall()
    assert schedule == [
        ("AN3-12A", True, Decimal("25.50"), True),
        ("WF338109=K3", True, Decimal("25.50"), True),
        ("WF338109=K5", True, Decimal("30.01"), True),
    ]


def test_stock_goes_where_the_location_settings_in_force_at_publish_time_send_it(
    container: Container, shopify: Emulator, authed_env: dict[str, str]
) -> None:
    stage(
        container,
        [normalized(aviallPartNumber="AN3-12A", locationAvailabilities=[location("Miami, FL", "7")])],
    )
    # Miami's warehouse moves to the Dallas store location after the part was normalized.
    remap = json.dumps({"Dallas Central": "Dallas Central", "Miami, FL": "Dallas Central"})
    remapped = build_container(
        settings_from_env({**authed_env, "SHOPIFY_LOCATION_MAP": remap}), task_sender=container.task_sender
    )
    try:
        result = remapped.publishing_service.publish_bulk(
            part_numbers=["AN3-12A"],
            part_numbers_text=None,
            batch_id=None,
            idempotency_key=None,
            created_by="op",
        )
        assert drain(remapped, result.batch.id) == {"AN3-12A": "published"}
    finally:
        remapped.close()
    (product,) = _flat(emulator_products(shopify))
    assert product["inventory"]["Dallas Central"] == 7
    assert "Miami, FL" not in product["inventory"], "a location no longer mapped is not written"


def test_publishing_a_batch_again_sends_nothing_for_unchanged_products(
    container: Container, shopify: Emulator, conn: psycopg.Connection
) -> None:
    stage(container, [normalized(aviallPartNumber="WF338109=K3"), normalized(aviallPartNumber="WF338109=K5")])
    stage(container, [normalized(aviallPartNumber="BLOCKED-1", listPrice="0", netPrice="0")])
    batch_id = normalized_batch(
        container, {"WF338109": ["WF338109=K3", "WF338109=K5"], "BLOCKED-1": ["BLOCKED-1"]}
    )
    first = container.publishing_service.publish_bulk(
        part_numbers=None, part_numbers_text=None, batch_id=batch_id, idempotency_key=None, created_by="op"
    )
    assert first.batch.status == "processing"
    assert first.batch.total_items == 2, "every sellable SKU the batch staged, not the blocked one"
    assert set(drain(container, batch_id).values()) == {"published"}
    calls = product_set_calls(shopify)

    second = container.publishing_service.publish_bulk(
        part_numbers=None, part_numbers_text=None, batch_id=batch_id, idempotency_key=None, created_by="op"
    )
    assert second.batch.publish_run == first.batch.publish_run + 1
    assert set(drain(container, batch_id).values()) == {"unchanged"}
    assert product_set_calls(shopify) == calls, "no productSet for unchanged products"
    assert batch_row(conn, batch_id) == ("publish", "completed", 2, 2, 0)
    assert len(emulator_products(shopify)) == 2

    # A changed price is written again, to the same product.
    stage(container, [normalized(aviallPartNumber="WF338109=K3", listPrice="26.00")])
    container.publishing_service.publish_bulk(
        part_numbers=["WF338109=K3"],
        part_numbers_text=None,
        batch_id=batch_id,
        idempotency_key=None,
        created_by="op",
    )
    assert drain(container, batch_id) == {"WF338109=K3": "published"}
    assert product_set_calls(shopify) == calls + 1
    prices = {
        p["metafields"]["custom.aviall_part_number"]: p["variants"][0]["price"]
        for p in _flat(emulator_products(shopify))
    }
    assert prices == {"WF338109=K3": "28.60", "WF338109=K5": "28.05"}


def test_a_quota_wait_hands_the_item_back_without_counting_an_attempt(
    container: Container, shopify: Emulator, conn: psycopg.Connection
) -> None:
    stage(container, [normalized()])
    result = container.publishing_service.publish_bulk(
        part_numbers=["WF338109=K3"],
        part_numbers_text=None,
        batch_id=None,
        idempotency_key=None,
        created_by="op",
    )
    container.publish_run_service.start_run(result.batch.id, 0)
    container.shopify_setup_service.setup_metafields()
    container.shopify_setup_service.location_ids()
    plan = {"restore_rate": 1, "bucket_size": 100, "max_query_cost": 1000}
    httpx.put(f"{shopify.url}/_emulator/plan", json=plan).raise_for_status()
    httpx.put(f"{shopify.url}/_emulator/bucket", json={"currently_available": 0}).raise_for_status()
    (item_id,) = conn.execute("SELECT id FROM batch_items WHERE batch_id = %s", (result.batch.id,)).fetchone()  # type: ignore[misc]
    with pytest.raises(QuotaWait) as wait:
        container.publish_run_service.publish_item(result.batch.id, item_id, last_attempt=True)
    assert wait.value.wait_s > 2
    assert conn.execute("SELECT status, attempts FROM batch_items WHERE id = %s", (item_id,)).fetchone() == (
        "sent",
        0,
    )


def test_transient_errors_retry_then_fail_with_the_reason_on_the_last_attempt(
    container: Container, shopify: Emulator, conn: psycopg.Connection
) -> None:
    stage(container, [normalized()])
    result = container.publishing_service.publish_bulk(
        part_numbers=["WF338109=K3"],
        part_numbers_text=None,
        batch_id=None,
        idempotency_key=None,
        created_by="op",
    )
    container.publish_run_service.start_run(result.batch.id, 0)
    fault = {"operation": "productSet", "kind": "http_503", "count": 2}
    httpx.post(f"{shopify.url}/_emulator/faults", json=fault).raise_for_status()
    (item_id,) = conn.execute("SELECT id FROM batch_items WHERE batch_id = %s", (result.batch.id,)).fetchone()  # type: ignore[misc]
    with pytest.raises(RetryableError):
        container.publish_run_service.publish_item(result.batch.id, item_id, last_attempt=False)
    assert conn.execute("SELECT status FROM batch_items WHERE id = %s", (item_id,)).fetchone() == ("sent",)
    assert container.publish_run_service.publish_item(result.batch.id, item_id, last_attempt=True) == "failed"
    status, error, attempts = conn.execute(
        "SELECT status, error, attempts FROM batch_items WHERE id = %s", (item_id,)
    ).fetchone()  # type: ignore[misc]
    assert (status, attempts) == ("failed", 2)
    assert "HTTP 503" in error and "after 2 attempts" in error
    assert batch_row(conn, result.batch.id) == ("publish", "failed", 1, 0, 1)
    assert conn.execute("SELECT status FROM product_staging").fetchone() == ("failed",)


def test_a_response_lost_after_the_write_is_retried_without_a_duplicate(
    container: Container, shopify: Emulator, conn: psycopg.Connection
) -> None:
    stage(container, [normalized()])
    result = container.publishing_service.publish_bulk(
        part_numbers=["WF338109=K3"],
        part_numbers_text=None,
        batch_id=None,
        idempotency_key=None,
        created_by="op",
    )
    container.publish_run_service.start_run(result.batch.id, 0)
    fault = {"operation": "productSet", "kind": "http_502", "count": 1, "phase": "after"}
    httpx.post(f"{shopify.url}/_emulator/faults", json=fault).raise_for_status()
    (item_id,) = conn.execute("SELECT id FROM batch_items WHERE batch_id = %s", (result.batch.id,)).fetchone()  # type: ignore[misc]
    with pytest.raises(RetryableError):
        container.publish_run_service.publish_item(result.batch.id, item_id, last_attempt=False)
    assert len(emulator_products(shopify)) == 1, "the write was applied, its answer lost"
    assert (
        container.publish_run_service.publish_item(result.batch.id, item_id, last_attempt=False)
        == "published"
    )
    assert len(emulator_products(shopify)) == 1
    assert batch_row(conn, result.batch.id) == ("publish", "completed", 1, 1, 0)


FAIL_PRODUCT_INSERTS = """
CREATE OR REPLACE FUNCTION fail_product_insert() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'product insert refused by test trigger'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER fail_product_insert BEFORE INSERT ON product
    FOR EACH ROW EXECUTE FUNCTION fail_product_insert();
"""
ALLOW_PRODUCT_INSERTS = "DROP TRIGGER IF EXISTS fail_product_insert ON product"


def publish_with_a_failing_save(container: Container, conn: psycopg.Connection) -> tuple[str, int]:
    """Publish one SKU while product inserts fail: Shopify has the write, its save waits for reconciliation.
    Returns the batch id and the reconciliation record's id."""
    stage(container, [normalized()])
    result = container.publishing_service.publish_bulk(
        part_numbers=["WF338109=K3"],
        part_numbers_text=None,
        batch_id=None,
        idempotency_key=None,
        created_by="op",
    )
    conn.execute(FAIL_PRODUCT_INSERTS)
    try:
        assert drain(container, result.batch.id) == {"WF338109=K3": "pending_db"}
    finally:
        conn.execute(ALLOW_PRODUCT_INSERTS)
    (record_id,) = conn.execute("SELECT id FROM publish_reconciliation").fetchone()  # type: ignore[misc]
    return result.batch.id, record_id


def test_a_failed_save_after_a_shopify_write_is_reconciled_never_deleted(
    container: Container, shopify: Emulator, conn: psycopg.Connection
) -> None:
    batch_id, record_id = publish_with_a_failing_save(container, conn)
    state, attempts, payload_sku = conn.execute(
        "SELECT state, attempts, payload->>'sku' FROM publish_reconciliation"
    ).fetchone()  # type: ignore[misc]
    assert (state, attempts, payload_sku) == ("pending_db", 1, "WF338109=K3")
    assert conn.execute("SELECT status FROM batch_items WHERE batch_id = %s", (batch_id,)).fetchone() == (
        "in_progress",
    )
    report = container.publish_reconciliation_service.reconcile(record_id)
    assert report["resolved"] == 1
    assert conn.execute("SELECT state FROM publish_reconciliation").fetchone() == ("resolved",)
    assert conn.execute("SELECT count(*) FROM product").fetchone() == (1,)
    assert batch_row(conn, batch_id) == ("publish", "completed", 1, 1, 0)
    assert len(emulator_products(shopify)) == 1, "no orphan, nothing deleted"


def test_a_pending_write_is_stored_in_the_established_form(
    container: Container, shopify: Emulator, conn: psycopg.Connection
) -> None:
    batch_id, _ = publish_with_a_failing_save(container, conn)
    (payload,) = conn.execute("SELECT payload FROM publish_reconciliation").fetchone()  # type: ignore[misc]
    assert set(payload) == set(STORED_RECONCILIATION_PAYLOAD)
    assert payload["values"] == STORED_RECONCILIATION_PAYLOAD["values"], "the staged row's values, as stored"
    assert (payload["sku"], payload["batch_id"], payload["created_by"]) == ("WF338109=K3", batch_id, "op")


def test_a_pending_write_stored_in_the_established_form_is_saved(
    container: Container, conn: psycopg.Connection
) -> None:
    with container.uow_factory() as uow:
        pending = uow.reconciliation.record_pending(
            sku="WF338109=K3",
            batch_id=None,
            shopify_product_id="1000000000001",
            shopify_variant_id="1000000000001",
            shopify_inventory_item_id="1000000000001",
            shopify_handle="wf338109--k3",
            payload=STORED_RECONCILIATION_PAYLOAD,
            error="insert failed",
            retry_in_s=0,
        )
    assert container.publish_reconciliation_service.reconcile(pending.id)["resolved"] == 1
    with container.uow_factory() as uow:
        product = uow.products.get_by_sku("WF338109=K3")
    assert product is not None
    assert (product.shopify_product_id, product.content_hash, product.created_by) == (
        "1000000000001",
        STORED_RECONCILIATION_PAYLOAD["content_hash"],
        "operator-1",
    )
    record = product.record
    assert (record.price, record.cost_per_item, record.dim_length) == (
        Decimal("28.05"),
        Decimal("25.50"),
        Decimal("2.5000"),
    )
    assert record.mapped_inventory == (("Chicago Warehouse", 50), ("Dallas Central", 100), ("Miami, FL", 0))
    schedule = conn.execute(
        "SELECT last_price, last_quantity, last_hash FROM product_sync_schedule"
    ).fetchone()
    assert schedule == (Decimal("25.50"), 150, sync_hash_for(record))


def test_a_reconciled_save_commits_together_with_its_record(
    container: Container, shopify: Emulator, conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id, record_id = publish_with_a_failing_save(container, conn)

    def resolution_fails(*_: Any, **__: Any) -> bool:
        raise DatabaseError("Could not resolve a publish reconciliation because of a database error.")

    with monkeypatch.context() as patch:
        patch.setattr(ReconciliationStore, "mark_resolved", resolution_fails)
        assert container.publish_reconciliation_service.reconcile(record_id)["pending"] == 1
    # Nothing of the save was kept without its record: the product, the item and the run wait together.
    assert conn.execute("SELECT count(*) FROM product").fetchone() == (0,)
    assert conn.execute("SELECT state FROM publish_reconciliation").fetchone() == ("pending_db",)
    assert batch_row(conn, batch_id)[:2] == ("publish", "processing")
    assert container.publish_reconciliation_service.reconcile(record_id)["resolved"] == 1
    assert conn.execute("SELECT count(*) FROM product").fetchone() == (1,)
    assert batch_row(conn, batch_id) == ("publish", "completed", 1, 1, 0)


def test_an_unreferenced_product_is_deleted_only_after_the_window(
    container: Container, shopify: Emulator, conn: psycopg.Connection, env: dict[str, str]
) -> None:
    stage(container, [normalized()])
    result = container.publishing_service.publish_bulk(
        part_numbers=["WF338109=K3"],
        part_numbers_text=None,
        batch_id=None,
        idempotency_key=None,
        created_by="op",
    )
    conn.execute(FAIL_PRODUCT_INSERTS)
    try:
        drain(container, result.batch.id)
        (record_id,) = conn.execute("SELECT id FROM publish_reconciliation").fetchone()  # type: ignore[misc]
        assert container.publish_reconciliation_service.reconcile(record_id)["pending"] == 1
        assert len(emulator_products(shopify)) == 1, "within the window nothing is deleted"
        conn.execute(
            "UPDATE publish_reconciliation"
            " SET created_at = now() - interval '25 hours', next_attempt_at = now()"
        )
        report = container.publish_reconciliation_service.reconcile()
    finally:
        conn.execute(ALLOW_PRODUCT_INSERTS)
    assert report["deleted"] == 1
    assert conn.execute("SELECT state FROM publish_reconciliation").fetchone() == ("deleted",)
    assert emulator_products(shopify) == []
    status, error = conn.execute(
        "SELECT status, error FROM batch_items WHERE batch_id = %s", (result.batch.id,)
    ).fetchone()  # type: ignore[misc]
    assert status == "failed" and "deleted" in error
    assert batch_row(conn, result.batch.id) == ("publish", "failed", 1, 0, 1)


def _flat(products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The emulator's product view with metafields keyed ``namespace.key`` and inventory by location."""
    flat = []
    for product in products:
        metafields = product.get("metafields") or {}
        if isinstance(metafields, list):
            metafields = {f"{m['namespace']}.{m['key']}": m["value"] for m in metafields}
        variants = product.get("variants") or []
        inventory = variants[0].get("inventory") if variants else {}
        if isinstance(inventory, list):
            inventory = {entry["location"]: entry["available"] for entry in inventory}
        flat.append({**product, "metafields": metafields, "inventory": inventory or {}})
    return flat
