"""A whole sync cycle in testing mode: real worker groups and beat against both emulators.

Drift is frozen, so Boeing answers what was published until the test forces a change through the emulator's
control API; only forced parts may then be written to Shopify. The 200-product cycle publishes through the
publishing API (which enrolls every SKU); the smaller scenarios publish through the same payload builder,
stores and enrollment directly, to spend their time budget on the sync.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.container import Container
from app.utils.normalized_record import NormalizedRecord
from tests.support.processes import Emulator, Workers, start_emulator, wait_until
from tests.support.publishing_factories import normalized_batch, stage
from tests.support.settings import clean_environ
from tests.support.sync_stack import (
    BeatProcess,
    BoeingControl,
    ShopifyControl,
    fetch_records,
    publish_catalog,
    sample_codes,
    shop_values,
    sync_env,
)

MAPPED = ("Chicago Warehouse", "Dallas Central", "Miami, FL")


@pytest.fixture
def boeing_emulator() -> Iterator[Emulator]:
    emulator = start_emulator(
        "boeing",
        ["--seed", "42", "--catalog-size", "2000", "--quota-requests", "1000", "--latency-scale", "0"],
    )
    yield emulator
    emulator.stop()


@pytest.fixture
def shopify_emulator() -> Iterator[Emulator]:
    emulator = start_emulator("shopify", ["--plan", "plus"])
    yield emulator
    emulator.stop()


@pytest.fixture
def stack_env(
    authed_env: dict[str, str], boeing_emulator: Emulator, shopify_emulator: Emulator
) -> dict[str, str]:
    """The emulators and testing-mode settings, in the environment before settings and workers read it."""
    authed_env.update(sync_env(boeing_emulator.url, shopify_emulator.url))
    return authed_env


@pytest.fixture
def boeing(boeing_emulator: Emulator) -> Iterator[BoeingControl]:
    control = BoeingControl(boeing_emulator.url)
    control.freeze()
    yield control
    control.close()


@pytest.fixture
def shopify(shopify_emulator: Emulator) -> Iterator[ShopifyControl]:
    control = ShopifyControl(shopify_emulator.url)
    yield control
    control.close()


@pytest.fixture
def beat(stack_env: dict[str, str], tmp_path: Path) -> Iterator[list[BeatProcess]]:
    started: list[BeatProcess] = []
    yield started
    for process in started:
        process.stop()


def _schedule(db: str) -> dict[str, dict[str, Any]]:
    with psycopg.connect(db) as conn:
        cur = conn.execute(
            "SELECT sku, sync_status, last_sync_at, consecutive_failures, last_hash, lease_until, last_error"
            " FROM product_sync_schedule"
        )
        names = [col.name for col in cur.description or []]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _history(db: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT sku, kind, reason FROM sync_history ORDER BY sku").fetchall()


def _product_ids(db: str) -> dict[str, str]:
    with psycopg.connect(db) as conn:
        return dict(conn.execute("SELECT sku, shopify_product_id FROM product").fetchall())


def _cycle_done(db: str, skus: list[str], since: datetime) -> bool:
    rows = _schedule(db)
    return all(
        rows[sku]["sync_status"] == "success"
        and rows[sku]["last_sync_at"]
        and rows[sku]["last_sync_at"] > since
        for sku in skus
    )


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _publish_through_the_api(
    api: TestClient, headers: dict[str, str], container: Container, records: list[NormalizedRecord]
) -> None:
    """Stage the records as a normalized batch and publish it with ``POST /api/v1/publishing/bulk``."""
    stage(container, records)
    by_base: dict[str, list[str]] = {}
    for record in records:
        by_base.setdefault(record.base_part_number, []).append(record.sku)
    batch_id = normalized_batch(container, by_base)
    response = api.post("/api/v1/publishing/bulk", json={"batch_id": batch_id}, headers=headers)
    assert response.status_code == 202, response.text

    def finished() -> dict[str, Any] | None:
        batch = api.get(f"/api/v1/batches/{batch_id}", headers=headers).json()
        return batch if batch["status"] in ("completed", "failed", "cancelled") else None

    batch = wait_until(finished, timeout_s=30, interval_s=0.3, what="the publish run")
    assert isinstance(batch, dict)
    assert (batch["status"], batch["published_count"]) == ("completed", len(records)), batch


def test_one_cycle_writes_exactly_the_changed_products_and_nothing_else(
    stack_env: dict[str, str],
    api: TestClient,
    auth_headers: dict[str, str],
    container: Container,
    workers: Workers,
    boeing: BoeingControl,
    shopify: ShopifyControl,
    beat: list[BeatProcess],
    db: str,
    tmp_path: Path,
) -> None:
    records = fetch_records(container, sample_codes(container.settings.boeing.base_url, 240))
    sellable = [r for r in records if r.blocked_reason is None][:200]
    assert len(sellable) == 200
    boeing.quota(60, 10)  # Boeing's quota now matches the limiter's; the sync must cause no 429
    workers.start("boeing", "shopify", "default")
    _publish_through_the_api(api, auth_headers, container, sellable)
    skus = [record.sku for record in sellable]
    ids = _product_ids(db)
    assert set(ids) == set(skus) and len(_schedule(db)) == 200, "every published SKU is enrolled"
    before = {sku: shopify.product(ids[sku]) for sku in skus}

    changed = {record.sku: record for record in sellable[::10]}
    for index, (sku, record) in enumerate(changed.items()):
        new_list = _money(record.list_price * Decimal("1.2")) if record.list_price else Decimal("99.99")
        stock = {"Dallas Central": 7 + index, "Chicago Warehouse": 0, "Miami, FL": 3}
        boeing.force(sku, listPrice=str(new_list), netPrice=str(new_list), locations=stock,
                     quantity=sum(stock.values()), inStock=True)  # fmt: skip
    shopify.call("POST", "/stats/reset")
    since = _now(db)

    beat.append(BeatProcess.start({**clean_environ(), **stack_env}, tmp_path))
    wait_until(
        lambda: _cycle_done(db, skus, since), timeout_s=40, interval_s=0.5, what="every SKU synced once"
    )

    operations = shopify.stats()["by_operation"]
    assert operations.get("productVariantsBulkUpdate") == 20
    assert operations.get("inventorySetQuantities") == 20
    assert operations.get("metafieldsSet", 0) <= 20
    assert operations.get("productSet", 0) == 0
    for sku in changed:
        truth = boeing.truth(sku)["lineItems"][0]
        price, cost, inventory = shop_values(shopify.product(ids[sku]))
        assert cost == Decimal(str(truth["listPrice"])), sku
        assert price == _money(cost * Decimal("1.10")), sku
        expected = {loc["location"]: int(loc["availQuantity"]) for loc in truth["locationAvailabilities"]}
        assert {name: inventory[name] for name in MAPPED} == {name: expected.get(name, 0) for name in MAPPED}
    for sku in set(skus) - set(changed):
        assert shopify.product(ids[sku]) == before[sku], (
            f"{sku} was written although Boeing did not change it"
        )
    assert _history(db) == sorted((sku, "change", None) for sku in changed)
    rows = _schedule(db)
    assert {row["sync_status"] for row in rows.values()} == {"success"}
    assert {row["consecutive_failures"] for row in rows.values()} == {0}
    assert boeing.stats()["throttled_429"] == 0, "the limiter kept sync inside Boeing's quota"
    status = api.get("/health/sync-status").json()
    entries = {entry["name"]: entry for entry in status["scheduler"]["entries"]}
    assert status["scheduler"]["beat_alive"] is True
    assert entries["dispatch-hourly-sync"]["last_run_at"] and entries["dispatch-hourly-sync"]["next_run_at"]
    assert status["cycle"]["active_products"] == 200


def _start_system(workers: Workers, beat: list[BeatProcess], env: dict[str, str], log_dir: Path) -> None:
    workers.start("boeing", "shopify", "default")
    beat.append(BeatProcess.start({**clean_environ(), **env}, log_dir))


def _now(db: str) -> datetime:
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    now: datetime = row[0]
    return now


def test_an_absent_part_and_a_vanished_price_go_to_zero_stock_with_the_reason(
    stack_env: dict[str, str],
    container: Container,
    workers: Workers,
    boeing: BoeingControl,
    shopify: ShopifyControl,
    beat: list[BeatProcess],
    db: str,
    tmp_path: Path,
) -> None:
    records = fetch_records(container, sample_codes(container.settings.boeing.base_url, 12))
    skus = publish_catalog(container, [r for r in records if r.blocked_reason is None][:8])
    ids = _product_ids(db)
    gone, unpriced = skus[0], skus[1]
    published_price = {sku: shop_values(shopify.product(ids[sku]))[:2] for sku in (gone, unpriced)}
    boeing.force(gone, absent=True)
    boeing.force(unpriced, listPrice="0", netPrice="0")
    since = _now(db)

    _start_system(workers, beat, stack_env, tmp_path)
    wait_until(
        lambda: _cycle_done(db, skus, since), timeout_s=40, interval_s=0.5, what="every SKU synced once"
    )

    for sku in (gone, unpriced):
        price, cost, inventory = shop_values(shopify.product(ids[sku]))
        assert (price, cost) == published_price[sku], "the last price is kept; a price ≤ 0 is never written"
        assert {inventory[name] for name in MAPPED} == {0}, "0 stock at every mapped location"
    assert _history(db) == sorted(
        [(gone, "change", "boeing_not_returned"), (unpriced, "change", "boeing_unpriced")]
    )
    with psycopg.connect(db) as conn:
        stored: dict[str, int] = dict(conn.execute("SELECT sku, inventory_quantity FROM product").fetchall())
    assert stored[gone] == stored[unpriced] == 0


def test_an_operator_triggered_sync_runs_at_once_through_the_workers(
    stack_env: dict[str, str],
    api: TestClient,
    auth_headers: dict[str, str],
    container: Container,
    workers: Workers,
    boeing: BoeingControl,
    shopify: ShopifyControl,
    db: str,
) -> None:
    records = fetch_records(container, sample_codes(container.settings.boeing.base_url, 5))
    sku, *_ = publish_catalog(container, [r for r in records if r.blocked_reason is None][:3])
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("UPDATE product_sync_schedule SET next_sync_at = now() + interval '1 hour'")
    boeing.force(sku, listPrice="77.70", netPrice="77.70")
    workers.start("boeing", "shopify")

    response = api.post(f"/api/v1/sync/trigger/{sku}", headers=auth_headers)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"

    def synced() -> bool:
        row = api.get(f"/api/v1/sync/products/{sku}", headers=auth_headers).json()
        done: bool = row["sync_status"] == "success" and row["last_price"] == 77.7
        return done

    wait_until(synced, timeout_s=20, interval_s=0.3, what="the triggered sync")
    price, cost, _ = shop_values(shopify.product(_product_ids(db)[sku]))
    assert (price, cost) == (Decimal("85.47"), Decimal("77.70"))
    assert [entry for entry in _history(db) if entry[0] == sku] == [(sku, "change", None)]


def test_with_injected_faults_the_cycle_completes_and_failed_rows_retry_after_their_backoff(
    stack_env: dict[str, str],
    container: Container,
    workers: Workers,
    boeing: BoeingControl,
    shopify: ShopifyControl,
    beat: list[BeatProcess],
    db: str,
    tmp_path: Path,
) -> None:
    records = fetch_records(container, sample_codes(container.settings.boeing.base_url, 80))
    skus = publish_catalog(container, [r for r in records if r.blocked_reason is None][:60])
    boeing.quota(60, 10)
    for sku in skus[::6]:
        boeing.force(sku, bump=True)
    # 5% of Boeing price calls and Shopify calls fail; one part's group fails every attempt of its first task.
    boeing.call("POST", "/faults", {"endpoint": "price", "kind": "http_503", "rate": 0.05})
    boeing.call(
        "POST", "/faults", {"endpoint": "price", "kind": "http_500", "count": 4, "part_codes": [skus[5]]}
    )
    shopify.call("POST", "/faults", {"operation": "*", "kind": "http_500", "rate": 0.05})
    since = _now(db)

    _start_system(workers, beat, stack_env, tmp_path)
    wait_until(
        lambda: _cycle_done(db, skus, since), timeout_s=45, interval_s=0.5, what="the cycle to complete"
    )

    rows = _schedule(db)
    assert {rows[sku]["consecutive_failures"] for sku in skus} == {0}, "a later success resets the count"
    failures = [entry for entry in _history(db) if entry[1] == "failure"]
    assert (skus[5], "failure", None) in failures, (
        "the final failure was recorded, then retried after backoff"
    )
    with psycopg.connect(db) as conn:
        retried = conn.execute(
            "SELECT count(*) FROM sync_history h JOIN product_sync_schedule s USING (sku)"
            " WHERE h.kind = 'failure' AND s.last_sync_at > h.created_at"
        ).fetchone()
    assert retried is not None and retried[0] == len(failures)
    assert boeing.stats()["faults_served"], "faults were injected"


def test_a_worker_killed_mid_cycle_loses_nothing(
    stack_env: dict[str, str],
    container: Container,
    workers: Workers,
    boeing: BoeingControl,
    shopify: ShopifyControl,
    beat: list[BeatProcess],
    db: str,
    tmp_path: Path,
) -> None:
    records = fetch_records(container, sample_codes(container.settings.boeing.base_url, 60))
    skus = publish_catalog(container, [r for r in records if r.blocked_reason is None][:40])
    ids = _product_ids(db)
    changed = skus[::4]
    for sku in changed:
        boeing.force(sku, bump=True)
    # Every price call takes a while, so the kill lands while Boeing tasks are working.
    boeing.call("POST", "/faults", {"endpoint": "price", "kind": "slow", "delay_s": 1.5})
    since = _now(db)

    _start_system(workers, beat, stack_env, tmp_path)

    def in_flight() -> bool:
        return any(row["lease_until"] and row["sync_status"] == "syncing" for row in _schedule(db).values())

    wait_until(in_flight, timeout_s=20, interval_s=0.1, what="Boeing work in flight")
    workers.kill("boeing")
    boeing.call("DELETE", "/faults")
    workers.start("boeing")
    wait_until(
        lambda: _cycle_done(db, skus, since), timeout_s=40, interval_s=0.5, what="the cycle to complete"
    )

    rows = _schedule(db)
    assert {rows[sku]["sync_status"] for sku in skus} == {"success"}
    assert {entry[0] for entry in _history(db) if entry[1] == "change"} == set(changed)
    for sku in changed:
        truth = boeing.truth(sku)["lineItems"][0]
        _, cost, inventory = shop_values(shopify.product(ids[sku]))
        base = Decimal(str(truth["listPrice"]))
        assert cost == (base if base > 0 else Decimal(str(truth["netPrice"]))), sku
        expected = {
            loc["location"]: int(loc["availQuantity"]) for loc in truth.get("locationAvailabilities") or []
        }
        assert {name: inventory[name] for name in MAPPED} == {name: expected.get(name, 0) for name in MAPPED}


@pytest.fixture
def shared_quota_env(stack_env: dict[str, str]) -> dict[str, str]:
    """Sync keeps its default floor share (0.5) of a 2-calls-per-second quota that bulk extraction wants."""
    stack_env.update(
        BOEING_QUOTA_REQUESTS="20", BOEING_QUOTA_WINDOW_S="10", BOEING_SYNC_SHARE="0.5", LOG_LEVEL="WARNING"
    )
    # A cycle longer than the test: each SKU is due once, so every sync call below is part of this cycle.
    stack_env["SYNC_BUCKET_SECONDS"] = "30"
    return stack_env


def test_bulk_extraction_and_sync_share_the_boeing_quota_without_starving_each_other(
    shared_quota_env: dict[str, str],
    api: TestClient,
    auth_headers: dict[str, str],
    container: Container,
    workers: Workers,
    boeing: BoeingControl,
    beat: list[BeatProcess],
    db: str,
    tmp_path: Path,
) -> None:
    codes = sample_codes(container.settings.boeing.base_url, 520)
    records = fetch_records(container, codes[:120])
    skus = set(publish_catalog(container, [r for r in records if r.blocked_reason is None][:100]))
    bulk_parts = codes[120:520]
    boeing.quota(20, 10)
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("UPDATE product_sync_schedule SET next_sync_at = now()")
    boeing.call("POST", "/stats/reset")
    since = _now(db)

    workers.start("boeing", "shopify", "default")
    response = api.post("/api/v1/extraction/bulk", json={"part_numbers": bulk_parts}, headers=auth_headers)
    assert response.status_code == 202, response.text
    beat.append(BeatProcess.start({**clean_environ(), **shared_quota_env}, tmp_path))
    wait_until(
        lambda: _cycle_done(db, sorted(skus), since), timeout_s=40, interval_s=0.5, what="the sync cycle"
    )

    calls = [e for e in boeing.call("GET", "/requests?limit=1000")["requests"] if e["endpoint"] == "price"]
    sync_calls = [e for e in calls if set(e["codes"]) <= skus]
    first_sync, last_sync = min(e["time"] for e in sync_calls), max(e["time"] for e in sync_calls)
    overlap = [e for e in calls if first_sync <= e["time"] <= last_sync]
    bulk_in_overlap = [e for e in overlap if not set(e["codes"]) & skus]
    # The cycle is ten full groups of 10 SKUs covering every SKU. Rows whose short testing-mode lease ran out
    # on a loaded machine may be checked once more: harmless by design (compare-and-set), and bounded here.
    full_groups = [e for e in sync_calls if len(e["codes"]) == 10]
    assert len(full_groups) >= 10, "every SKU was synced in full groups of 10"
    assert {code for e in full_groups for code in e["codes"]} == skus
    assert len(sync_calls) <= 12
    assert len(sync_calls) / len(overlap) >= 0.35, (
        f"sync kept its floor share: {len(sync_calls)}/{len(overlap)}"
    )
    assert len(bulk_in_overlap) / len(overlap) >= 0.3, (
        f"bulk was not starved: {len(bulk_in_overlap)}/{len(overlap)}"
    )
    assert boeing.stats()["throttled_429"] == 0
