"""The extraction pipeline on real PostgreSQL and Redis against the Boeing emulator, with task messages run
in-process: counters, items and staging agree; duplicates and lost messages change nothing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
import redis as redis_lib

from app.container import Container, build_container
from app.core.config import Settings
from app.core.exceptions import QuotaWait, RetryableError
from emulators.boeing.config import EmulatorConfig
from emulators.boeing.server import EmulatorThread
from tests.support.extraction import InlineBroker, assert_batch_consistent, batch_row, item_statuses
from tests.support.instants import TEST_INSTANT
from tests.support.settings import settings_from_env


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorThread]:
    with EmulatorThread(
        EmulatorConfig(seed=7, catalog_size=2000, latency_scale=0, clock_start=TEST_INSTANT)
    ) as server:
        yield server


@pytest.fixture
def control(emulator: EmulatorThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url + "/_emulator", timeout=10) as http:
        http.post("/reset", json={"seed": 7, "catalog_size": 2000}).raise_for_status()
        http.put("/quota", json={"requests": 100_000, "window_s": 60}).raise_for_status()
        yield http


@pytest.fixture
def broker() -> InlineBroker:
    return InlineBroker()


@pytest.fixture
def pipeline(
    env: dict[str, str], emulator: EmulatorThread, control: httpx.Client, db: str,
    redis_client: redis_lib.Redis[str], broker: InlineBroker,
) -> Iterator[Container]:  # fmt: skip
    env.update(
        BOEING_BASE_URL=emulator.url,
        BOEING_QUOTA_REQUESTS="100000",
        BOEING_QUOTA_WINDOW_S="10",
        BOEING_TIMEOUT_PRICE_S="2",
        EXTRACTION_CHUNKS_IN_FLIGHT="3",
    )
    settings: Settings = settings_from_env(env)
    container = build_container(settings, overrides={"dispatcher": broker})
    broker.container = container
    yield container
    container.close()


def sample(control: httpx.Client, kind: str, limit: int) -> list[str]:
    codes: list[str] = control.get("/catalog", params={"kind": kind, "limit": limit}).json()["codes"]
    assert len(codes) == limit
    return codes


def start(container: Container, part_numbers: list[str], key: str | None = None) -> str:
    accepted = container.extraction_service.start_bulk(
        part_numbers=part_numbers, part_numbers_text=None, idempotency_key=key, created_by="op-1"
    )
    return accepted.batch_id


def test_a_mixed_bulk_ends_with_every_item_terminal_and_counts_that_agree(
    pipeline: Container, control: httpx.Client, broker: InlineBroker, db: str
) -> None:
    normal = sample(control, "normal", 12)
    variants = sample(control, "multi_variant", 5)
    no_stock = sample(control, "no_stock", 4)
    unpriced = sample(control, "unpriced", 3)
    non_us = sample(control, "non_us_only", 3)
    suffixed = [
        item["aviallPartNumber"] for item in control.get(f"/catalog/{variants[0]}").json()["lineItems"]
    ][:1]
    unknown = ["NOTFOUND-1", "NOTFOUND-2"]
    parts = list(dict.fromkeys(normal + variants + no_stock + unpriced + non_us + suffixed + unknown))
    batch_id = start(pipeline, parts)
    broker.drain(duplicate=True)
    counts = assert_batch_consistent(db, batch_id)
    statuses = item_statuses(db, batch_id)
    assert all(statuses[p] == "normalized" for p in normal)
    assert all(statuses[p] in ("normalized", "blocked") for p in variants + suffixed), statuses
    assert all(statuses[p] == "blocked" for p in no_stock + unpriced + non_us)
    assert all(statuses[p] == "failed" for p in unknown)
    assert counts["failed"] == 2
    assert counts["blocked"] >= 10
    assert counts["normalized"] + counts["blocked"] == len(parts) - 2
    batch = batch_row(db, batch_id)
    assert (batch["batch_type"], batch["status"]) == ("normalize", "completed")
    assert batch["completed_at"] is not None
    with psycopg.connect(db) as conn:
        staged = conn.execute(
            "SELECT staged_skus FROM batch_items WHERE batch_id = %s AND part_number = %s",
            (batch_id, variants[0]),
        ).fetchone()
        assert staged is not None
        skus = staged[0]
        assert len(skus) >= 2 and all(sku.startswith(variants[0] + "=") for sku in skus)
        reasons: dict[str, str] = dict(
            conn.execute(
                "SELECT part_number, blocked_reason FROM batch_items i JOIN product_staging s"
                " ON s.sku = ANY(i.staged_skus) WHERE i.batch_id = %s AND i.status = 'blocked'",
                (batch_id,),
            ).fetchall()
        )
        assert {reasons[p] for p in no_stock} == {"no_stock"} or "no_price" in {reasons[p] for p in no_stock}
        assert {reasons[p] for p in unpriced} == {"no_price"}
        assert {reasons[p] for p in non_us} == {"no_mapped_location"}
        errors = conn.execute(
            "SELECT DISTINCT error, error_stage FROM batch_items WHERE batch_id = %s AND status = 'failed'",
            (batch_id,),
        ).fetchall()
        assert errors == [("not found at Boeing", "extraction")]
        owners = conn.execute("SELECT DISTINCT created_by FROM product_staging UNION SELECT created_by"
                              " FROM boeing_raw_data").fetchall()  # fmt: skip
        assert owners == [("op-1",)]  # the operator who started the batch
        # The normalization task got the stored answer's id, never the payload; one answer per chunk.
        raw_rows = conn.execute(
            "SELECT count(*) FROM boeing_raw_data WHERE batch_id = %s", (batch_id,)
        ).fetchone()
        chunks = (len(parts) + 9) // 10  # chunks of 10 part numbers, in the input order
        assert raw_rows is not None
        assert raw_rows[0] == chunks
    assert broker.sent["tasks.normalization.normalize_chunk"] == chunks


def test_all_unknown_part_numbers_fail_the_batch(pipeline: Container, broker: InlineBroker, db: str) -> None:
    batch_id = start(pipeline, ["NOTFOUND-A", "NOTFOUND-B"])
    broker.drain()
    batch = batch_row(db, batch_id)
    assert (batch["batch_type"], batch["status"], batch["failed_count"]) == ("extract", "failed", 2)


def test_lost_messages_are_re_sent_by_the_sweeper(
    pipeline: Container, control: httpx.Client, broker: InlineBroker, db: str
) -> None:
    parts = sample(control, "normal", 40)
    batch_id = start(pipeline, parts)
    lost: list[Any] = []

    def lose(name: str, args: tuple[Any, ...]) -> bool:
        """Every first extract message and every first normalize message is lost (a broker restart)."""
        if name == "tasks.extraction.process_bulk_search":
            return False
        lost.append(args)
        return True

    broker.drain(drop=lose)
    assert batch_row(db, batch_id)["status"] == "processing"
    with psycopg.connect(db) as conn:
        conn.execute(
            "UPDATE batch_items SET sent_at = now() - interval '1 hour' WHERE batch_id = %s", (batch_id,)
        )
    for _ in range(6):
        pipeline.recovery_service.sweep()
        broker.drain()
        with psycopg.connect(db) as conn:
            conn.execute(
                "UPDATE batch_items SET sent_at = now() - interval '1 hour',"
                " lease_until = now() - interval '1 second'"
                " WHERE batch_id = %s AND status IN ('sent', 'in_progress')",
                (batch_id,),
            )
    assert assert_batch_consistent(db, batch_id) == {"normalized": 40}
    assert batch_row(db, batch_id)["status"] == "completed"


def test_a_part_failing_every_attempt_fails_with_its_reason(
    pipeline: Container, control: httpx.Client, broker: InlineBroker, db: str
) -> None:
    good = sample(control, "normal", 10)
    bad = sample(control, "normal", 12)[10:]
    control.post(
        "/faults", json={"endpoint": "price", "kind": "http_503", "part_codes": bad}
    ).raise_for_status()
    batch_id = start(pipeline, good + bad)
    broker.drain()
    for _ in range(5):  # the chunk task's retries, each after a transient failure
        with psycopg.connect(db) as conn:
            chunk = conn.execute(
                "SELECT DISTINCT chunk_no FROM batch_items WHERE batch_id = %s AND status = 'sent'",
                (batch_id,),
            ).fetchall()
        for (chunk_no,) in chunk:
            with contextlib.suppress(RetryableError):  # the task would retry; the items were handed back
                pipeline.extraction_service.extract_chunk(batch_id, chunk_no)
        broker.drain()
    statuses = item_statuses(db, batch_id)
    assert {statuses[p] for p in bad} == {"failed"}
    assert {statuses[p] for p in good} == {"normalized"}
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT error, attempts FROM batch_items WHERE batch_id = %s AND status = 'failed'", (batch_id,)
        ).fetchall()
    assert {attempts for _, attempts in rows} == {4}
    assert all("503" in error and "after 4 attempts" in error for error, _ in rows)
    assert_batch_consistent(db, batch_id)


def test_a_quota_wait_hands_the_chunk_back_without_spending_an_attempt(
    pipeline: Container, control: httpx.Client, broker: InlineBroker, db: str
) -> None:
    parts = sample(control, "normal", 3)
    batch_id = start(pipeline, parts)
    broker.queue.clear()
    pipeline.extraction_service.process_bulk(batch_id)
    broker.queue.clear()
    pipeline.boeing_limiter.note_throttled(30)
    with pytest.raises(QuotaWait):
        pipeline.extraction_service.extract_chunk(batch_id, 0)
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT status, attempts FROM batch_items WHERE batch_id = %s", (batch_id,)
        ).fetchall()
    assert set(rows) == {("sent", 0)}


def test_re_extracting_a_published_sku_keeps_its_shopify_link(
    pipeline: Container, control: httpx.Client, broker: InlineBroker, db: str
) -> None:
    code = sample(control, "normal", 1)[0]
    first = start(pipeline, [code])
    broker.drain()
    with psycopg.connect(db) as conn:
        staged = conn.execute("SELECT staged_skus FROM batch_items WHERE batch_id = %s", (first,)).fetchone()
        assert staged is not None
        (skus,) = staged
        sku = skus[0]
        conn.execute(
            "UPDATE product_staging SET status = 'published', shopify_product_id = '777', image_url = 'x.png'"
            " WHERE sku = %s",
            (sku,),
        )
    control.post("/drift/force", json={"code": sku, "listPrice": "99.99", "quantity": 0}).raise_for_status()
    second = start(pipeline, [code])
    broker.drain()
    with psycopg.connect(db) as conn:
        row = conn.execute(
            "SELECT status, shopify_product_id, image_url, list_price, batch_id::text FROM product_staging"
            " WHERE sku = %s",
            (sku,),
        ).fetchone()
    assert row is not None
    assert row[:3] == ("published", "777", "x.png")
    assert str(row[3]) == "99.99"
    assert row[4] == second
    # A published SKU is sellable, so the part counts as normalized.
    assert item_statuses(db, second) == {code: "normalized"}


def test_an_answer_deleted_before_its_normalization_fails_its_items_with_a_reason(
    pipeline: Container, control: httpx.Client, broker: InlineBroker, db: str
) -> None:
    parts = sample(control, "normal", 12)
    batch_id = start(pipeline, parts)
    held: list[int] = []

    def hold(name: str, args: tuple[Any, ...]) -> bool:
        """Hold back every normalize message, keeping its stored answer's id."""
        if name != "tasks.normalization.normalize_chunk":
            return False
        held.append(args[0])
        return True

    broker.drain(drop=hold)
    assert len(held) == 2
    with psycopg.connect(db) as conn:  # retention runs under the waiting items
        conn.execute("DELETE FROM boeing_raw_data WHERE id = %s", (held[0],))
    gone = pipeline.normalization_service.normalize_chunk(held[0], final_attempt=False)
    kept = pipeline.normalization_service.normalize_chunk(held[1], final_attempt=False)
    assert (gone.items, gone.failed) == (10, 10)
    assert (kept.items, kept.normalized) == (2, 2)
    # A duplicate message finds nothing waiting and changes nothing.
    assert pipeline.normalization_service.normalize_chunk(held[1], final_attempt=False).items == 0
    assert assert_batch_consistent(db, batch_id) == {"failed": 10, "normalized": 2}
    with psycopg.connect(db) as conn:
        errors = {row[0] for row in conn.execute(
            "SELECT error FROM batch_items WHERE batch_id = %s AND status = 'failed'", (batch_id,)
        )}  # fmt: skip
    assert errors == {f"normalization failed: the stored Boeing answer {held[0]} is gone"}
