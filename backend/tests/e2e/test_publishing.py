"""Publishing end to end: the API, real worker processes, the Shopify emulator, PostgreSQL and Redis.

Products are staged through ``StagingStore`` as a normalized batch, then published by the worker groups.
Shopify's plan is compressed except where throttling is the point.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from app.container import Container
from app.core.money import format_money
from app.main import create_app
from app.services.utils.metafield_builder import product_metafields
from app.utils.normalized_record import NormalizedRecord
from tests.support.image_host import bind_loopback, image_host, serve_app
from tests.support.processes import Emulator, Workers, start_emulator, wait_until
from tests.support.publishing_factories import catalogue, normalized_batch, stage
from tests.support.sync_stack import BeatProcess

FAST_PLAN = {"restore_rate": 20000, "bucket_size": 40000, "max_query_cost": 1000}
CODES: dict[str, str] = {}


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    running = start_emulator("shopify", [])
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def shopify(emulator: Emulator, env: dict[str, str]) -> Emulator:
    httpx.post(f"{emulator.url}/_emulator/reset", json={}).raise_for_status()
    httpx.put(f"{emulator.url}/_emulator/plan", json=FAST_PLAN).raise_for_status()
    env.update(
        {
            "SHOPIFY_GRAPHQL_URL": f"{emulator.url}/admin/api/2026-04/graphql.json",
            "SHOPIFY_TIMEOUT_S": "4",
            "SHOPIFY_LIMITER_MAX_WAIT_S": "3",
            "PUBLISH_ITEM_LEASE_S": "8",
            "PUBLISH_RECONCILE_RETRY_BASE_S": "1",
            "LOG_LEVEL": "WARNING",
        }
    )
    return emulator


@pytest.fixture
def media_socket(env: dict[str, str]) -> Iterator[socket.socket]:
    """A loopback port for the API's ``/media``, known before settings and workers read the environment."""
    sock = bind_loopback()
    env["MEDIA_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{sock.getsockname()[1]}/media"
    yield sock
    sock.close()


def start_publish(api: TestClient, headers: dict[str, str], batch_id: str) -> dict[str, Any]:
    response = api.post("/api/v1/publishing/bulk", json={"batch_id": batch_id}, headers=headers)
    assert response.status_code == 202, response.text
    return dict(response.json())


def wait_for_run(api: TestClient, headers: dict[str, str], batch_id: str, timeout_s: float) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        batch = api.get(f"/api/v1/batches/{batch_id}", headers=headers).json()
        return batch if batch["status"] in ("completed", "failed", "cancelled") else None

    batch = wait_until(finished, timeout_s=timeout_s, interval_s=0.3, what=f"the publish run of {batch_id}")
    return dict(batch)


def shopify_products(shopify: Emulator) -> dict[str, dict[str, Any]]:
    """Emulator products keyed by their ``custom.aviall_part_number`` (fails on a duplicate)."""
    body = httpx.get(f"{shopify.url}/_emulator/products", params={"limit": 10_000}).json()
    products: dict[str, dict[str, Any]] = {}
    for product in body["products"]:
        metafields = {f"{m['namespace']}.{m['key']}": m["value"] for m in product["metafields"]}
        sku = metafields["custom.aviall_part_number"]
        assert sku not in products, f"duplicate Shopify product for {sku}"
        products[sku] = {**product, "metafields": metafields}
    return products


def stats(shopify: Emulator) -> dict[str, Any]:
    return dict(httpx.get(f"{shopify.url}/_emulator/stats").json())


def staged_batch(container: Container, records: list[NormalizedRecord]) -> str:
    stage(container, records)
    by_base: dict[str, list[str]] = {}
    for record in records:
        by_base.setdefault(record.base_part_number, []).append(record.sku)
    return normalized_batch(container, by_base)


def test_200_products_one_per_sku_with_fetched_images_and_a_second_run_sends_nothing(
    media_socket: socket.socket,
    api: TestClient,
    auth_headers: dict[str, str],
    container: Container,
    workers: Workers,
    shopify: Emulator,
) -> None:
    httpx.put(f"{shopify.url}/_emulator/settings", json={"fetch_files": True}).raise_for_status()
    with image_host() as (images, hits), serve_app(create_app(container.settings, container), media_socket):
        records = catalogue(200, image_base=images)
        batch_id = staged_batch(container, records)
        workers.start("shopify", "default")
        assert start_publish(api, auth_headers, batch_id)["total_items"] == 200
        batch = wait_for_run(api, auth_headers, batch_id, timeout_s=40)
        assert (batch["status"], batch["published_count"], batch["failed_count"]) == ("completed", 200, 0)

        def fetched() -> dict[str, dict[str, Any]] | None:
            found = shopify_products(shopify)
            pending = [
                p for p in found.values() for f in p["files"] if f["status"] in ("PROCESSING", "UPLOADED")
            ]
            return None if pending else found

        products = wait_until(fetched, timeout_s=15, what="Shopify to fetch every image")
        assert isinstance(products, dict)
        assert set(products) == {record.sku for record in records}
        media = container.settings.storage.media_public_base_url
        for record in records:
            product = products[record.sku]
            variant = product["variants"][0]
            assert record.price is not None and record.cost_per_item is not None  # the catalogue is priced
            assert variant["sku"] == record.base_part_number
            assert variant["price"] == format_money(record.price)
            assert variant["cost"] is not None and float(variant["cost"]) == float(record.cost_per_item)
            assert variant["inventory"] == dict(record.mapped_inventory), record.sku
            expected = {f"{m['namespace']}.{m['key']}": m["value"] for m in product_metafields(record, CODES)}
            assert product["metafields"] == expected
            (image,) = product["files"]
            assert image["original_source"].startswith(f"{media}/images/")
            assert image["status"] == "READY", f"Shopify could not fetch {image['original_source']}"
        assert max(hits.values()) == 1, "one download per distinct image"

        calls = stats(shopify)["by_operation"]["productSet"]
        assert start_publish(api, auth_headers, batch_id)["total_items"] == 200
        again = wait_for_run(api, auth_headers, batch_id, timeout_s=30)
        assert (again["status"], again["published_count"], again["failed_count"]) == ("completed", 200, 0)
        assert stats(shopify)["by_operation"]["productSet"] == calls, "no productSet for unchanged products"
        assert len(shopify_products(shopify)) == 200


def test_faults_and_a_standard_plan_bucket_publish_everything_once(
    api: TestClient, auth_headers: dict[str, str], container: Container, workers: Workers, shopify: Emulator
) -> None:
    httpx.put(f"{shopify.url}/_emulator/plan", json={"plan": "standard"}).raise_for_status()
    faults = [
        {"operation": "productSet", "kind": "http_500", "rate": 0.02},
        {"operation": "productSet", "kind": "http_503", "rate": 0.02, "phase": "after"},
        {"operation": "productSet", "kind": "timeout", "rate": 0.01, "delay_s": 5},
    ]
    httpx.post(f"{shopify.url}/_emulator/faults", json=faults).raise_for_status()
    records = catalogue(120, prefix="FT")
    batch_id = staged_batch(container, records)
    workers.start("shopify", "default")
    start_publish(api, auth_headers, batch_id)
    batch = wait_for_run(api, auth_headers, batch_id, timeout_s=45)
    assert (batch["status"], batch["published_count"], batch["failed_count"]) == ("completed", 120, 0)
    assert set(shopify_products(shopify)) == {record.sku for record in records}
    served = stats(shopify)
    assert sum(served["faults_served"].values()) > 0, "the faults were really injected"
    assert served["throttled"] <= 0.01 * served["requests"] + 1


def test_a_failed_save_after_the_shopify_write_is_reconciled_with_nothing_deleted(
    api: TestClient,
    auth_headers: dict[str, str],
    container: Container,
    workers: Workers,
    shopify: Emulator,
    db: str,
) -> None:
    records = catalogue(30, prefix="RC")
    batch_id = staged_batch(container, records)
    with psycopg.connect(db, autocommit=True) as conn:
        # Every product insert fails until the trigger is dropped: each save goes to reconciliation.
        conn.execute(
            """
            CREATE FUNCTION e2e_fail_product_insert() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'injected product insert failure'; END; $$ LANGUAGE plpgsql;
            CREATE TRIGGER e2e_fail_product_insert BEFORE INSERT ON product
                FOR EACH ROW EXECUTE FUNCTION e2e_fail_product_insert();
            """
        )
        try:
            workers.start("shopify", "default")
            start_publish(api, auth_headers, batch_id)

            def all_pending() -> bool:
                row = conn.execute("SELECT count(*) FROM publish_reconciliation WHERE state = 'pending_db'")
                return row.fetchone() == (30,)

            wait_until(all_pending, timeout_s=30, what="every save to wait for reconciliation")
            assert len(shopify_products(shopify)) == 30, "Shopify accepted every write"
            assert conn.execute("SELECT count(*) FROM product").fetchone() == (0,)
        finally:
            conn.execute("DROP TRIGGER IF EXISTS e2e_fail_product_insert ON product")
            conn.execute("DROP FUNCTION IF EXISTS e2e_fail_product_insert()")
        batch = wait_for_run(api, auth_headers, batch_id, timeout_s=40)
        reconciled = conn.execute(
            "SELECT state, count(*) FROM publish_reconciliation GROUP BY state"
        ).fetchall()
        products = conn.execute("SELECT count(*) FROM product").fetchone()
    assert (batch["status"], batch["published_count"], batch["failed_count"]) == ("completed", 30, 0)
    assert reconciled == [("resolved", 30)]
    assert products == (30,)
    assert set(shopify_products(shopify)) == {record.sku for record in records}, "no orphan, nothing deleted"
    assert stats(shopify)["by_operation"].get("productDelete", 0) == 0


@pytest.fixture
def recovery_env(env: dict[str, str]) -> None:
    """The deployment's recovery, compressed: the publish sweep every 2 s, re-sending items whose message
    died with the worker after 6 s (``sent``) or once their lease ran out (``in_progress``).

    Items finishing also re-send stale ones, but the last items of a run have only the sweep
    (``tasks.publishing.reconcile`` on beat).
    """
    env.update(CELERY_VISIBILITY_TIMEOUT_S="10", PUBLISH_RECONCILE_INTERVAL_S="2", PUBLISH_SENT_TIMEOUT_S="6")


def test_a_worker_killed_mid_run_completes_without_duplicates(
    recovery_env: None,
    sweeper_beat: BeatProcess,
    api: TestClient,
    auth_headers: dict[str, str],
    container: Container,
    workers: Workers,
    shopify: Emulator,
) -> None:
    # Slow enough to be killed mid-run: 200 points/s, ~20 points per product.
    httpx.put(
        f"{shopify.url}/_emulator/plan",
        json={"restore_rate": 200, "bucket_size": 200, "max_query_cost": 1000},
    ).raise_for_status()
    records = catalogue(100, prefix="KW")
    batch_id = staged_batch(container, records)
    workers.start("shopify", "default")
    start_publish(api, auth_headers, batch_id)

    def some_published() -> bool:
        published: int = api.get(f"/api/v1/batches/{batch_id}", headers=auth_headers).json()[
            "published_count"
        ]
        return published >= 15

    wait_until(some_published, timeout_s=20, what="the run to be under way")
    workers.kill("shopify")
    workers.start("shopify")
    batch = wait_for_run(api, auth_headers, batch_id, timeout_s=40)
    assert (batch["status"], batch["published_count"], batch["failed_count"]) == ("completed", 100, 0)
    assert set(shopify_products(shopify)) == {record.sku for record in records}


def test_the_cli_follows_a_run_whose_lost_responses_are_retried_without_duplicates(
    api: TestClient,
    operator_token: str,
    container: Container,
    workers: Workers,
    shopify: Emulator,
) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    records = catalogue(20, prefix="LR")
    stage(container, records)
    # The write is applied, then its answer is lost: the retry must update, never create a second product.
    fault = {"operation": "productSet", "kind": "http_502", "count": 4, "phase": "after"}
    httpx.post(f"{shopify.url}/_emulator/faults", json=fault).raise_for_status()
    workers.start("shopify", "default")
    with serve_app(create_app(container.settings, container), bind_loopback()) as base_url:
        result = CliRunner().invoke(
            cli,
            ["publish", *[record.sku for record in records], "--api-url", base_url, "--poll-s", "0.3"],
            env={"BOEING_HUB_TOKEN": operator_token},
        )
    assert result.exit_code == 0, result.output
    assert "completed: 20 published, 0 failed of 20" in result.output
    assert set(shopify_products(shopify)) == {record.sku for record in records}
    served = stats(shopify)
    assert sum(served["faults_served"].values()) == 4
    assert served["by_operation"]["productSet"] >= 24
