"""The schedule store against real PostgreSQL: atomic claims, leases, compare-and-set outcomes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from app.container import Container
from app.db.sync_store import SyncFailure, SyncSuccess
from tests.support.sync_factories import Published, insert_published


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection


def _status(conn: psycopg.Connection, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT id::text, sync_status, lease_until > now(), consecutive_failures, is_active"
        " FROM product_sync_schedule WHERE id = ANY(%s::uuid[])",
        (ids,),
    ).fetchall()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_claim_takes_only_due_active_rows_not_in_flight_oldest_first(
    container: Container, conn: psycopg.Connection
) -> None:
    due = insert_published(
        conn, [Published(f"DUE-{i}") for i in range(3)], next_sync_at="now() - interval '1 hour'"
    )
    older = insert_published(conn, [Published("OLDEST")], next_sync_at="now() - interval '2 hours'")
    insert_published(conn, [Published("FUTURE")], next_sync_at="now() + interval '1 hour'")
    insert_published(conn, [Published("INACTIVE")], is_active=False)
    insert_published(conn, [Published("LEASED")], lease_until=datetime.now(UTC) + timedelta(minutes=5))
    expired = insert_published(
        conn, [Published("DIED")], lease_until=datetime.now(UTC) - timedelta(seconds=1), sync_status="syncing"
    )
    with container.uow_factory() as uow:
        first = uow.schedule.claim_due(limit=2, claim_s=60)
    assert first[0].sku == "OLDEST", "oldest due first"
    assert len(first) == 2
    with container.uow_factory() as uow:
        rest = uow.schedule.claim_due(limit=100, claim_s=60)
    claimed = {row.id for row in first + rest}
    assert claimed == {*due, *older, *expired}, "a row whose lease expired is claimable again"
    states = _status(conn, sorted(claimed))
    assert all(state[:2] == ("syncing", True) for state in states.values())
    with container.uow_factory() as uow:
        assert uow.schedule.claim_due(limit=100, claim_s=60) == [], "claimed rows are in flight"


def test_failed_only_claim_takes_failed_rows_only(container: Container, conn: psycopg.Connection) -> None:
    insert_published(conn, [Published("OK-1")], sync_status="success")
    failed = insert_published(conn, [Published("BAD-1")], sync_status="failed", consecutive_failures=2)
    insert_published(
        conn, [Published("BAD-LATER")], sync_status="failed", next_sync_at="now() + interval '10 minutes'"
    )
    with container.uow_factory() as uow:
        rows = uow.schedule.claim_due(limit=10, claim_s=60, failed_only=True)
    assert [row.id for row in rows] == failed


def test_two_concurrent_dispatchers_never_claim_the_same_row(
    container: Container, conn: psycopg.Connection
) -> None:
    insert_published(conn, [Published(f"RACE-{i:03d}") for i in range(300)])
    barrier = threading.Barrier(2)
    results: list[list[str]] = [[], []]
    errors: list[BaseException] = []

    def dispatcher(slot: int) -> None:
        try:
            for _ in range(20):
                with container.uow_factory() as uow:
                    barrier.wait(timeout=10)
                    rows = uow.schedule.claim_due(limit=10, claim_s=60)
                    # Hold the transaction open so the other claim runs while these rows are locked.
                    uow.conn.execute("SELECT pg_sleep(0.005)")
                results[slot].extend(row.id for row in rows)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=dispatcher, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    first, second = results
    assert first and second, "both dispatchers claimed work"
    assert not set(first) & set(second), "no row was claimed twice"
    assert len(first) + len(second) == len(set(first) | set(second)) == 300


def test_outcomes_apply_only_to_rows_still_being_synced(
    container: Container, conn: psycopg.Connection
) -> None:
    ids = insert_published(conn, [Published("A-1"), Published("A-2")])
    with container.uow_factory() as uow:
        uow.schedule.claim_due(limit=10, claim_s=60)
        started = uow.schedule.start_work(ids, lease_s=120)
    assert [row.sku for row in started] == ["A-1", "A-2"]
    later = datetime.now(UTC) + timedelta(hours=24)
    success = SyncSuccess(
        ids[0], later, Decimal("26.00"), 7, "in_stock", "Dallas Central: 7", [["Dallas Central", 7]], "h1"
    )
    failure = SyncFailure(ids[1], 1, later, True, "RetryableError: timeout")
    with container.uow_factory() as uow:
        assert uow.schedule.record_successes([success]) == [ids[0]]
        assert uow.schedule.record_failures([failure]) == [ids[1]]
    with container.uow_factory() as uow:
        assert uow.schedule.record_successes([success]) == [], "a duplicated task changes nothing twice"
        assert uow.schedule.record_failures([failure]) == []
        done = uow.schedule.get(ids[0])
    assert done is not None
    assert (done.sync_status, done.last_price, done.last_quantity, done.last_hash) == (
        "success",
        Decimal("26.00"),
        7,
        "h1",
    )
    assert done.lease_until is None and done.last_sync_at is not None and done.next_sync_at == later
    assert _status(conn, [ids[1]])[ids[1]] == ("failed", None, 1, True)


def test_reactivate_only_revives_inactive_rows(container: Container, conn: psycopg.Connection) -> None:
    insert_published(
        conn,
        [Published("OFF")],
        is_active=False,
        consecutive_failures=5,
        last_error="x",
        sync_status="failed",
    )
    insert_published(conn, [Published("ON")])
    now = datetime.now(UTC)
    with container.uow_factory() as uow:
        revived = uow.schedule.reactivate("OFF", next_sync_at=now)
        again = uow.schedule.reactivate("ON", next_sync_at=now)
    assert revived is not None and again is None
    assert (revived.is_active, revived.sync_status, revived.consecutive_failures, revived.last_error) == (
        True,
        "pending",
        0,
        None,
    )
