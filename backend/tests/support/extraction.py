"""Helpers for extraction tests: an in-process broker that runs committed task messages through the services,
and the queries that check a batch's counters against its items and staging rows."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import psycopg
import pytest

from app.container import Container
from app.db.unit_of_work import UnitOfWork
from emulators.boeing.config import EmulatorConfig
from emulators.boeing.server import EmulatorThread
from tests.support.instants import TEST_INSTANT


@dataclass
class InlineBroker:
    """A ``TaskDispatcher`` queueing committed messages in memory; ``drain`` runs them as workers would."""

    container: Container | None = None
    queue: deque[tuple[str, tuple[Any, ...]]] = field(default_factory=deque)
    sent: Counter[str] = field(default_factory=Counter)
    errors: list[Exception] = field(default_factory=list)

    def enqueue(
        self, uow: UnitOfWork, task_name: str, *args: Any, countdown: float | None = None, **_: Any
    ) -> None:
        uow.after_commit(lambda: self.queue.append((task_name, args)))

    def handlers(self) -> dict[str, Callable[..., Any]]:
        assert self.container is not None
        c = self.container
        return {
            "tasks.extraction.process_bulk_search": c.extraction_service.process_bulk,
            "tasks.extraction.extract_chunk": c.extraction_service.extract_chunk,
            "tasks.normalization.normalize_chunk": lambda raw_id: c.normalization_service.normalize_chunk(
                raw_id, final_attempt=True
            ),
            "tasks.batch.check_batch_completion": c.batch_service.check_completion,
        }

    def drain(self, *, duplicate: bool = False, drop: Callable[[str, tuple[Any, ...]], bool] | None = None,
              limit: int = 100_000) -> int:  # fmt: skip
        """Run queued messages (and the ones they queue) until none is left; returns how many ran."""
        handlers = self.handlers()
        ran = 0
        while self.queue and ran < limit:
            name, args = self.queue.popleft()
            self.sent[name] += 1
            if drop is not None and drop(name, args):
                continue
            try:
                handlers[name](*args)
                if duplicate:
                    handlers[name](*args)  # a redelivered message must change nothing
            except Exception as exc:  # a worker logs it; the task's retry (or the sweeper) comes back
                self.errors.append(exc)
            ran += 1
        return ran


def batch_row(database_url: str, batch_id: str) -> dict[str, Any]:
    with psycopg.connect(database_url) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute("SELECT * FROM batches WHERE id = %s", (batch_id,)).fetchone()
    assert row is not None
    return row


def item_statuses(database_url: str, batch_id: str) -> dict[str, str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT part_number, status FROM batch_items WHERE batch_id = %s AND stage = 'extraction'",
            (batch_id,),
        ).fetchall()
    return dict(rows)


def assert_batch_consistent(database_url: str, batch_id: str) -> dict[str, int]:
    """Counters equal the item statuses; staged SKUs exist with matching statuses; returns status counts."""
    batch = batch_row(database_url, batch_id)
    with psycopg.connect(database_url) as conn:
        counts: dict[str, int] = dict(
            conn.execute(
                "SELECT status, count(*) FROM batch_items WHERE batch_id = %s AND stage = 'extraction'"
                " GROUP BY status",
                (batch_id,),
            ).fetchall()
        )
        assert sum(counts.values()) == batch["total_items"]
        assert batch["normalized_count"] == counts.get("normalized", 0)
        assert batch["skipped_count"] == counts.get("blocked", 0)
        assert batch["extracted_count"] == counts.get("normalized", 0) + counts.get("blocked", 0)
        assert batch["failed_count"] == counts.get("failed", 0)
        # Every terminal found item names staged SKUs that exist; its status follows theirs.
        bad = conn.execute(
            """
            SELECT i.part_number, i.status, array_agg(s.status) FILTER (WHERE s.sku IS NOT NULL),
                   cardinality(i.staged_skus), count(s.sku)
            FROM batch_items i LEFT JOIN product_staging s ON s.sku = ANY(i.staged_skus)
            WHERE i.batch_id = %s AND i.stage = 'extraction'
            GROUP BY i.id
            HAVING (i.status IN ('normalized', 'blocked') AND (cardinality(i.staged_skus) = 0
                                                            OR count(s.sku) <> cardinality(i.staged_skus)))
                OR (i.status = 'normalized' AND bool_and(s.status = 'blocked'))
                OR (i.status = 'blocked' AND bool_or(s.status <> 'blocked'))
                OR (i.status IN ('failed', 'cancelled', 'queued', 'sent') AND cardinality(i.staged_skus) > 0)
                OR (i.status = 'failed' AND (i.error IS NULL OR i.error_stage IS NULL))
            """,
            (batch_id,),
        ).fetchall()
        assert not bad, f"items disagree with staging: {bad[:5]}"
    return counts


# --- fixtures for tests that talk to an in-process Boeing emulator (import them into the test module) -------
EMULATOR_SEED = 7
EMULATOR_CATALOG = 2000


@pytest.fixture(scope="module")
def boeing_thread() -> Iterator[EmulatorThread]:
    """A Boeing emulator served from a thread of the test process (latency off)."""
    config = EmulatorConfig(
        seed=EMULATOR_SEED, catalog_size=EMULATOR_CATALOG, latency_scale=0, clock_start=TEST_INSTANT
    )
    with EmulatorThread(config) as server:
        yield server


@pytest.fixture
def boeing_control(boeing_thread: EmulatorThread) -> Iterator[httpx.Client]:
    """The emulator's control API, reset, with a quota high enough not to interfere."""
    with httpx.Client(base_url=boeing_thread.url + "/_emulator", timeout=10) as http:
        http.post("/reset", json={"seed": EMULATOR_SEED, "catalog_size": EMULATOR_CATALOG}).raise_for_status()
        http.put("/quota", json={"requests": 100_000, "window_s": 60}).raise_for_status()
        yield http


@pytest.fixture
def boeing_env(
    env: dict[str, str], boeing_thread: EmulatorThread, boeing_control: httpx.Client
) -> dict[str, str]:
    """The test environment pointed at the emulator with a generous limiter (request before ``settings``)."""
    env.update(
        BOEING_BASE_URL=boeing_thread.url,
        BOEING_QUOTA_REQUESTS="100000",
        BOEING_QUOTA_WINDOW_S="10",
        BOEING_TIMEOUT_PRICE_S="2",
        EXTRACTION_CHUNKS_IN_FLIGHT="3",
    )
    return env


def sample_codes(control: httpx.Client, kind: str, limit: int) -> list[str]:
    """Base codes of one catalogue class."""
    codes: list[str] = control.get("/catalog", params={"kind": kind, "limit": limit}).json()["codes"]
    assert len(codes) == limit
    return codes
