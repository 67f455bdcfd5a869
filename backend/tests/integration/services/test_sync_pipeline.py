"""Boeing fetch and Shopify update against real PostgreSQL, with in-memory Boeing and Shopify clients:
change detection, the sync guards, targeted writes, one unit of work per outcome and failure accounting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest
import redis as redis_lib

from app.container import Container, build_container
from app.core.exceptions import QuotaWait, RetryableError
from app.utils.sync_helpers import next_sync_at
from tests.support.boeing_items import line_item, location, normalized
from tests.support.settings import settings_from_env
from tests.support.sync_factories import publish_record
from tests.support.sync_fakes import FakeBoeing, FakeLimiter, FakeShopify, RecordingSender


class Pipeline:
    def __init__(
        self,
        container: Container,
        conn: psycopg.Connection,
        fakes: tuple[FakeBoeing, FakeLimiter, FakeShopify, RecordingSender],
    ) -> None:
        self.container = container
        self.conn = conn
        self.boeing, self.limiter, self.shopify, self.sender = fakes

    def publish(self, sku: str, number: int, **item: Any) -> str:
        """Publish the normalized line item and make Boeing answer the same until changed."""
        self.boeing.items[sku] = line_item(aviallPartNumber=sku, **item)
        return publish_record(
            self.container, self.conn, normalized(aviallPartNumber=sku, **item), number=number
        )

    def dispatch(self) -> list[list[str]]:
        before = len(self.sender.sent)
        self.container.sync_dispatch_service.dispatch_hourly()
        return [args[0] for name, args in self.sender.sent[before:] if name.endswith("process_boeing_batch")]

    def queued_updates(self) -> list[str]:
        return [
            args[0] for name, args in self.sender.sent if name == "tasks.sync_shopify.update_shopify_product"
        ]

    def row(self, schedule_id: str) -> dict[str, Any]:
        cur = self.conn.execute("SELECT * FROM product_sync_schedule WHERE id = %s", (schedule_id,))
        names = [col.name for col in cur.description or []]
        values = cur.fetchone()
        assert values is not None
        return dict(zip(names, values, strict=True))

    def product(self, sku: str) -> tuple[Any, ...]:
        row = self.conn.execute(
            "SELECT price, cost_per_item, inventory_quantity, mapped_inventory, location_summary"
            " FROM product WHERE sku = %s",
            (sku,),
        ).fetchone()
        assert row is not None
        return row


@pytest.fixture
def pipeline(authed_env: dict[str, str], db: str, redis_client: redis_lib.Redis[str]) -> Iterator[Pipeline]:
    env = {**authed_env, "BOEING_QUOTA_REQUESTS": "60", "SHOPIFY_DRAFT_ON_DEACTIVATE": "true"}
    fakes = boeing, limiter, shopify, sender = FakeBoeing(), FakeLimiter(), FakeShopify(), RecordingSender()
    overrides = {
        "boeing_client": boeing,
        "boeing_limiter": limiter,
        "shopify_client": shopify,
        "task_sender": sender,
    }
    container = build_container(settings_from_env(env), overrides=overrides)
    with psycopg.connect(db, autocommit=True) as conn:
        yield Pipeline(container, conn, fakes)
    container.close()


def test_unchanged_parts_succeed_without_shopify_and_changes_are_written_with_targeted_mutations(
    pipeline: Pipeline,
) -> None:
    same = pipeline.publish("SAME-1", 101)
    price = pipeline.publish("PRICE-1", 102)
    stock = pipeline.publish("STOCK-1", 103)
    (group,) = pipeline.dispatch()
    assert sorted(group) == sorted([same, price, stock])
    pipeline.boeing.items["PRICE-1"]["listPrice"] = "30.00"
    pipeline.boeing.items["STOCK-1"]["locationAvailabilities"] = [location("Miami, FL", "7")]
    pipeline.boeing.items["STOCK-1"]["quantity"] = "7"

    report = pipeline.container.boeing_fetch_service.process_batch(group)
    assert (report.checked, report.unchanged, report.changed) == (3, 1, 2)
    assert (
        pipeline.boeing.calls == [sorted(["SAME-1", "PRICE-1", "STOCK-1"])] or len(pipeline.boeing.calls) == 1
    )
    assert pipeline.limiter.acquired == ["sync"]
    unchanged = pipeline.row(same)
    assert unchanged["sync_status"] == "success" and unchanged["lease_until"] is None
    assert unchanged["next_sync_at"] == next_sync_at(
        0, now=datetime.now(UTC), bucket_count=24, bucket_seconds=3600
    )
    assert sorted(pipeline.queued_updates()) == sorted([price, stock])
    assert pipeline.shopify.calls == [], "change detection alone never calls Shopify"
    raw = pipeline.conn.execute(
        "SELECT part_numbers, returned_skus, created_by FROM boeing_raw_data"
    ).fetchall()
    assert raw == [(["PRICE-1", "SAME-1", "STOCK-1"], ["PRICE-1", "SAME-1", "STOCK-1"], "system")]

    for schedule_id in pipeline.queued_updates():
        pipeline.container.shopify_update_service.update_product(schedule_id)
    price_writes = pipeline.shopify.writes("update_variants")
    assert price_writes == [
        {
            "productId": "gid://shopify/Product/102",
            "variants": [
                {
                    "id": "gid://shopify/ProductVariant/102",
                    "price": "33.00",
                    "inventoryItem": {"cost": "30.00"},
                }
            ],
        }
    ]
    (inventory,) = pipeline.shopify.writes("set_inventory_quantities")
    variables, key = inventory
    quantities = {
        q["locationId"]: (q["quantity"], q["changeFromQuantity"]) for q in variables["input"]["quantities"]
    }
    assert quantities == {
        "gid://shopify/Location/1": (0, 100),
        "gid://shopify/Location/2": (0, 50),
        "gid://shopify/Location/3": (7, 0),
    }, "every mapped location, zero where Boeing no longer lists stock, compared with what we last wrote"
    assert key and variables["input"]["quantities"][0]["inventoryItemId"] == "gid://shopify/InventoryItem/103"
    (metafields,) = pipeline.shopify.writes("set_metafields")
    assert [m["value"] for m in metafields if m["key"] == "location_summary"] == ["Miami, FL: 7"]
    assert pipeline.product("PRICE-1")[:2] == (Decimal("33.00"), Decimal("30.00"))
    assert pipeline.product("STOCK-1")[2:] == (
        7,
        [["Chicago Warehouse", 0], ["Dallas Central", 0], ["Miami, FL", 7]],
        "Miami, FL: 7",
    )
    history = pipeline.conn.execute(
        "SELECT sku, old_price, new_price, old_quantity, new_quantity, new_locations, reason"
        " FROM sync_history ORDER BY sku"
    ).fetchall()
    assert history == [
        ("PRICE-1", Decimal("25.50"), Decimal("30.00"), 150, 150,
         [["Chicago Warehouse", 50], ["Dallas Central", 100], ["Miami, FL", 0]], None),
        ("STOCK-1", Decimal("25.50"), Decimal("25.50"), 150, 7,
         [["Chicago Warehouse", 0], ["Dallas Central", 0], ["Miami, FL", 7]], None),
    ]  # fmt: skip
    assert {pipeline.row(i)["sync_status"] for i in (price, stock)} == {"success"}

    # The next cycle finds nothing new: no Shopify call at all.
    pipeline.conn.execute("UPDATE product_sync_schedule SET next_sync_at = now() - interval '1 second'")
    calls = len(pipeline.shopify.calls)
    (group,) = pipeline.dispatch()
    assert pipeline.container.boeing_fetch_service.process_batch(group).unchanged == 3
    assert len(pipeline.shopify.calls) == calls and len(pipeline.queued_updates()) == 2


def test_sync_guards_zero_stock_and_keep_the_price_with_the_reason(pipeline: Pipeline) -> None:
    gone = pipeline.publish("GONE-1", 201)
    unpriced = pipeline.publish("NOPRICE-1", 202)
    (group,) = pipeline.dispatch()
    del pipeline.boeing.items["GONE-1"]
    pipeline.boeing.items["NOPRICE-1"].update(listPrice="0", netPrice="0")
    assert pipeline.container.boeing_fetch_service.process_batch(group).changed == 2
    for schedule_id in pipeline.queued_updates():
        pipeline.container.shopify_update_service.update_product(schedule_id)
    assert pipeline.shopify.writes("update_variants") == [], (
        "a price ≤ 0 is never written; the last one stays"
    )
    for variables, _ in pipeline.shopify.writes("set_inventory_quantities"):
        assert {q["quantity"] for q in variables["input"]["quantities"]} == {0}
        assert len(variables["input"]["quantities"]) == 3
    for sku in ("GONE-1", "NOPRICE-1"):
        price, cost, quantity, mapped, summary = pipeline.product(sku)
        assert (price, cost, quantity) == (Decimal("28.05"), Decimal("25.50"), 0)
        assert {qty for _, qty in mapped} == {0}
        assert summary == "Chicago Warehouse: 0; Dallas Central: 0"
    reasons: dict[str, str] = dict(
        pipeline.conn.execute("SELECT sku, reason FROM sync_history WHERE kind = 'change'").fetchall()
    )
    assert reasons == {"GONE-1": "boeing_not_returned", "NOPRICE-1": "boeing_unpriced"}
    assert pipeline.row(gone)["last_inventory_status"] == "out_of_stock"
    assert pipeline.row(unpriced)["last_price"] == Decimal("25.50")


def test_quota_waits_and_throttles_are_not_failures(pipeline: Pipeline) -> None:
    schedule_id = pipeline.publish("WAIT-1", 301)
    (group,) = pipeline.dispatch()
    pipeline.limiter.waits.append(12.0)
    with pytest.raises(QuotaWait):
        pipeline.container.boeing_fetch_service.process_batch(group)
    row = pipeline.row(schedule_id)
    assert row["sync_status"] == "syncing" and row["consecutive_failures"] == 0
    assert row["lease_until"] > datetime.now(UTC) + timedelta(seconds=12), "the lease covers the wait"
    assert pipeline.limiter.demands and pipeline.limiter.demands[0][0] == "sync"
    pipeline.boeing.errors.append(QuotaWait("429", system="boeing", wait_s=7.0))
    with pytest.raises(QuotaWait):
        pipeline.container.boeing_fetch_service.process_batch(group)
    assert pipeline.limiter.throttled == [7.0], "a 429 pauses every Boeing caller"
    pipeline.boeing.errors.append(RetryableError("Boeing answered 503", system="boeing"))
    with pytest.raises(RetryableError):
        pipeline.container.boeing_fetch_service.process_batch(group)  # a retried attempt, not counted
    assert pipeline.container.boeing_fetch_service.process_batch(group).unchanged == 1
    row = pipeline.row(schedule_id)
    assert (row["sync_status"], row["consecutive_failures"], row["last_error"]) == ("success", 0, None)


def test_final_failures_back_off_deactivate_at_the_limit_and_reactivation_restores(
    pipeline: Pipeline,
) -> None:
    schedule_id = pipeline.publish("FAIL-1", 401)
    service = pipeline.container.boeing_fetch_service
    for attempt in range(1, 6):
        pipeline.conn.execute(
            "UPDATE product_sync_schedule"
            " SET sync_status = 'syncing', lease_until = now() + interval '1 minute'"
        )
        before = datetime.now(UTC)
        outcome = service.record_final_failure([schedule_id], "RetryableError: Boeing answered 503")
        row = pipeline.row(schedule_id)
        assert (outcome.recorded, row["consecutive_failures"], row["sync_status"]) == (1, attempt, "failed")
        delay = min(900 * 2 ** (attempt - 1), 24 * 3600)
        assert (
            before + timedelta(seconds=delay - 5)
            < row["next_sync_at"]
            < datetime.now(UTC) + timedelta(seconds=delay + 5)
        )
        assert row["is_active"] is (attempt < 5)
    assert outcome.deactivated == ["FAIL-1"]
    assert ("tasks.sync_shopify.set_product_status", ["FAIL-1", "DRAFT"]) in pipeline.sender.sent
    failures = pipeline.conn.execute("SELECT count(*) FROM sync_history WHERE kind = 'failure'").fetchone()
    assert failures == (5,)
    # Recording again for a row that is no longer being synced changes nothing.
    assert service.record_final_failure([schedule_id], "late duplicate").recorded == 0
    revived = pipeline.container.sync_dispatch_service.reactivate("FAIL-1")
    assert (revived.is_active, revived.consecutive_failures, revived.sync_status) == (True, 0, "pending")
    assert ("tasks.sync_shopify.set_product_status", ["FAIL-1", "ACTIVE"]) in pipeline.sender.sent
    assert pipeline.container.shopify_update_service.set_product_status("FAIL-1", "ACTIVE") == "ACTIVE"
    assert pipeline.shopify.writes("update_product_status") == [("gid://shopify/Product/401", "ACTIVE")]


def test_a_stale_inventory_compare_writes_boeings_figure_without_the_compare(pipeline: Pipeline) -> None:
    pipeline.publish("CAS-1", 501)
    (group,) = pipeline.dispatch()
    pipeline.boeing.items["CAS-1"]["locationAvailabilities"] = [location("Dallas Central", "90")]
    pipeline.boeing.items["CAS-1"]["quantity"] = "90"
    pipeline.container.boeing_fetch_service.process_batch(group)
    pipeline.shopify.stale_once = True
    (update,) = pipeline.queued_updates()
    report = pipeline.container.shopify_update_service.update_product(update)
    assert report.recorded and report.writes == 3  # stock twice (stale, then forced) and the summary
    (attempt,) = pipeline.shopify.writes("stale_inventory_attempt")
    (forced,) = pipeline.shopify.writes("set_inventory_quantities")
    assert {q["changeFromQuantity"] for q in attempt[0]["input"]["quantities"]} == {100, 50, 0}
    assert {q["changeFromQuantity"] for q in forced[0]["input"]["quantities"]} == {None}
    assert attempt[1] != forced[1], "a different input gets a different idempotency key"
    # A duplicated update task finds the row already recorded and writes nothing.
    calls = len(pipeline.shopify.calls)
    assert pipeline.container.shopify_update_service.update_product(update).recorded is False
    assert len(pipeline.shopify.calls) == calls


def test_immediate_sync_uses_interactive_priority_and_disabled_sync_releases_claims(
    pipeline: Pipeline, authed_env: dict[str, str]
) -> None:
    schedule_id = pipeline.publish("NOW-1", 601)
    pipeline.conn.execute("UPDATE product_sync_schedule SET next_sync_at = now() + interval '1 hour'")
    report = pipeline.container.sync_dispatch_service.trigger("NOW-1")
    pipeline.container.boeing_fetch_service.process_batch([report.schedule_id], priority="interactive")
    assert pipeline.limiter.acquired == ["interactive"]
    assert pipeline.row(schedule_id)["sync_status"] == "success"

    pipeline.container.sync_dispatch_service.trigger("NOW-1")
    disabled = build_container(
        settings_from_env({**authed_env, "SYNC_ENABLED": "false"}),
        overrides={
            "boeing_client": FakeBoeing(),
            "boeing_limiter": FakeLimiter(),
            "task_sender": RecordingSender(),
        },
    )
    try:
        assert disabled.boeing_fetch_service.process_batch([schedule_id]).released == 1
    finally:
        disabled.close()
    row = pipeline.row(schedule_id)
    assert (row["sync_status"], row["lease_until"]) == ("success", None)


def test_a_throttled_shopify_write_keeps_its_lease_and_is_not_a_failure(pipeline: Pipeline) -> None:
    schedule_id = pipeline.publish("THROTTLED-1", 701)
    (group,) = pipeline.dispatch()
    pipeline.boeing.items["THROTTLED-1"]["listPrice"] = "40.00"
    pipeline.container.boeing_fetch_service.process_batch(group)
    pipeline.shopify.errors.append(
        QuotaWait("Shopify throttled VariantsUpdate.", system="shopify", wait_s=20)
    )
    with pytest.raises(QuotaWait):
        pipeline.container.shopify_update_service.update_product(schedule_id)
    row = pipeline.row(schedule_id)
    assert (row["sync_status"], row["consecutive_failures"]) == ("syncing", 0)
    assert row["lease_until"] > datetime.now(UTC) + timedelta(seconds=20)
    assert pipeline.container.shopify_update_service.update_product(schedule_id).recorded
    assert pipeline.row(schedule_id)["sync_status"] == "success"


def test_a_duplicated_boeing_task_queues_no_second_shopify_write(pipeline: Pipeline) -> None:
    pipeline.publish("DUP-1", 801)
    pipeline.publish("DUP-2", 802)
    (group,) = pipeline.dispatch()
    pipeline.boeing.items["DUP-1"]["listPrice"] = "41.00"
    first = pipeline.container.boeing_fetch_service.process_batch(group)
    again = pipeline.container.boeing_fetch_service.process_batch(group)  # a redelivered message
    assert (first.changed, first.unchanged) == (1, 1)
    assert (again.checked, again.changed) == (0, 0), "nothing is started twice"
    assert len(pipeline.queued_updates()) == 1
    assert len(pipeline.boeing.calls) == 1, "no Boeing call is repeated for a change already found"
