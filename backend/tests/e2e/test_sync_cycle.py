"""A whole sync cycle in testing mode: real worker groups and beat against both emulators.

Drift is frozen, so Boeing answers what was published until the test forces a change through the emulator's
control API; only forced parts may then be written to Shopify.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from app.container import Container
from tests.support.processes import Emulator, Workers, start_emulator, wait_until
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


def _history(db: str) -> list[tuple]:
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT sku, kind, reason FROM sync_history ORDER BY sku").fetchall()


def _product_ids(db: str) -> dict[str, str]:
    with psycopg.connect(db) as conn:
        return dict(conn.execute("SELECT sku, shopify_product_id FROM product").fetchall())


def _cycle_done(db: str, skus: list[str], since: Any) -> bool:
    rows = _schedule(db)
    return all(
        rows[sku]["sync_status"] == "success"
        and rows[sku]["last_sync_at"]
        and rows[sku]["last_sync_at"] > since
        for sku in skus
    )


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_one_cycle_writes_exactly_the_changed_products_and_nothing_else(
    stack_env: dict[str, str],
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
    skus = publish_catalog(container, sellable)
    boeing.quota(60, 10)  # Boeing's quota now matches the limiter's; the sync must cause no 429
    ids = _product_ids(db)
    before = {sku: shopify.product(ids[sku]) for sku in skus}

    changed = {record.sku: record for record in sellable[::10]}
    for index, (sku, record) in enumerate(changed.items()):
        new_list = _money(record.list_price * Decimal("1.2")) if record.list_price else Decimal("99.99")
        stock = {"Dallas Central": 7 + index, "Chicago Warehouse": 0, "Miami, FL": 3}
        boeing.force(sku, listPrice=str(new_list), netPrice=str(new_list), locations=stock,
                     quantity=sum(stock.values()), inStock=True)  # fmt: skip
    shopify.call("POST", "/stats/reset")
    with psycopg.connect(db) as conn:
        since = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]

    workers.start("boeing", "shopify", "default")
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
