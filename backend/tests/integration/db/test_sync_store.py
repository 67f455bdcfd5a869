"""The schedule store against real PostgreSQL: atomic claims, leases, compare-and-set outcomes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from app.container import Container
from app.core.constants.sync import SyncStatus
from app.db.sync_store import SyncFailure, SyncSuccess
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.batch_factories import rows_of
from tests.support.concurrency import interleave
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


# --- each compare-and-set query raced on two connections, and refused in a state it does not accept -------
# Races keep the first unit of work's transaction open while the second runs (tests/support/concurrency.py);
# refusals snapshot whole rows (``updated_at`` included, which any UPDATE moves).

SOON = timedelta(minutes=10)
TARGET = '{"price": "30.00", "quantity": 5}'


def _rows(conn: psycopg.Connection, ids: list[str]) -> list[tuple[Any, ...]]:
    return rows_of(conn, "product_sync_schedule", ids)


def _claimed(conn: psycopg.Connection, skus: list[str], **schedule: Any) -> list[str]:
    """Rows a dispatcher claimed: ``syncing`` under a live claim lease."""
    defaults: dict[str, Any] = {"sync_status": SyncStatus.SYNCING, "lease_until": datetime.now(UTC) + SOON}
    return insert_published(conn, [Published(sku) for sku in skus], **{**defaults, **schedule})


def _rows_not_syncing(conn: psycopg.Connection) -> list[str]:
    """One row of each status a sync task's outcome does not accept."""
    return [
        *insert_published(conn, [Published("PENDING-1")], sync_status=SyncStatus.PENDING),
        *insert_published(conn, [Published("SUCCESS-1")], sync_status=SyncStatus.SUCCESS),
        *insert_published(
            conn, [Published("FAILED-1")], sync_status=SyncStatus.FAILED, consecutive_failures=1
        ),
    ]


def _success(schedule_id: str) -> SyncSuccess:
    later = datetime.now(UTC) + timedelta(hours=24)
    return SyncSuccess(
        schedule_id,
        later,
        Decimal("26.00"),
        7,
        "in_stock",
        "Dallas Central: 7",
        [["Dallas Central", 7]],
        "h1",
    )


def _failure(schedule_id: str) -> SyncFailure:
    return SyncFailure(
        schedule_id, 1, datetime.now(UTC) + timedelta(hours=1), True, "RetryableError: timeout"
    )


class TestClaimDue:
    def test_a_second_dispatcher_skips_the_rows_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        ids = insert_published(conn, [Published(f"DUE-{n}") for n in range(3)])

        def claim(limit: int) -> Callable[[UnitOfWork], list[str]]:
            return lambda uow: [row.id for row in uow.schedule.claim_due(limit=limit, claim_s=60)]

        result = interleave(uow_factory, db, claim(2), claim(10))

        assert sorted(result.first + result.second) == sorted(ids) and len(result.first) == 2
        assert not set(result.first) & set(result.second), "no row claimed twice"
        assert not result.second_waited, "locked rows are skipped, never waited for"

    def test_rows_not_due_or_in_flight_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = [
            *insert_published(conn, [Published("FUTURE")], next_sync_at="now() + interval '1 hour'"),
            *insert_published(conn, [Published("INACTIVE")], is_active=False),
            *_claimed(conn, ["LEASED"]),
            *_claimed(conn, ["WRITING"], lease_until=datetime.now(UTC) - SOON, pending_target=TARGET),
        ]
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.claim_due(limit=10, claim_s=60) == []

        assert _rows(conn, ids) == before


class TestClaimStalledWrites:
    def test_a_second_sweeper_skips_the_writes_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        ids = _claimed(
            conn, ["STALLED-1", "STALLED-2"], lease_until=datetime.now(UTC) - SOON, pending_target=TARGET
        )

        def claim(limit: int) -> Callable[[UnitOfWork], list[str]]:
            return lambda uow: uow.schedule.claim_stalled_writes(limit=limit, lease_s=60)

        result = interleave(uow_factory, db, claim(1), claim(10))

        assert sorted(result.first + result.second) == sorted(ids) and len(result.first) == 1
        assert not result.second_waited
        with uow_factory() as uow:
            assert uow.schedule.claim_stalled_writes(limit=10, lease_s=60) == [], "re-leased: in flight again"

    def test_rows_with_no_stalled_write_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        expired = datetime.now(UTC) - SOON
        ids = [
            *_claimed(conn, ["WRITING"], pending_target=TARGET),
            *_claimed(conn, ["FETCHING"], lease_until=expired),
            *insert_published(
                conn,
                [Published("DONE")],
                sync_status=SyncStatus.SUCCESS,
                lease_until=expired,
                pending_target=TARGET,
            ),
        ]
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.claim_stalled_writes(limit=10, lease_s=60) == []

        assert _rows(conn, ids) == before


class TestClaimOne:
    def test_exactly_one_operator_claims_a_row(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        [row_id] = insert_published(conn, [Published("NOW-1")], next_sync_at="now() + interval '1 hour'")

        def claim(uow: UnitOfWork) -> str | None:
            row = uow.schedule.claim_one(row_id, claim_s=60)
            return None if row is None else row.sync_status

        result = interleave(uow_factory, db, claim, claim)

        assert (result.first, result.second) == (SyncStatus.SYNCING, None)
        assert result.second_waited

    def test_rows_inactive_or_in_flight_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = [
            *insert_published(conn, [Published("INACTIVE")], is_active=False),
            *_claimed(conn, ["LEASED"]),
            *_claimed(conn, ["WRITING"], lease_until=datetime.now(UTC) - SOON, pending_target=TARGET),
        ]
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert [uow.schedule.claim_one(row_id, claim_s=60) for row_id in ids] == [None] * len(ids)

        assert _rows(conn, ids) == before


class TestStartWork:
    def test_work_does_not_start_on_rows_another_transaction_finished(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        [row_id] = _claimed(conn, ["SKU-1"])

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.schedule.record_successes([_success(row_id)]),
            lambda uow: uow.schedule.start_work([row_id], lease_s=120),
        )

        assert (result.first, result.second) == ([row_id], [])
        assert result.second_waited
        assert _status(conn, [row_id])[row_id] == (SyncStatus.SUCCESS, None, 0, True)

    def test_rows_not_waiting_for_their_boeing_check_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = [
            *_rows_not_syncing(conn),
            *_claimed(conn, ["WRITING"], pending_target=TARGET),
            *_claimed(conn, ["INACTIVE"], is_active=False),
        ]
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.start_work(ids, lease_s=120) == []

        assert _rows(conn, ids) == before


class TestRenewLeases:
    def test_a_lease_is_not_renewed_on_rows_another_transaction_finished(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        [row_id] = _claimed(conn, ["SKU-1"])

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.schedule.record_failures([_failure(row_id)]),
            lambda uow: uow.schedule.renew_leases([row_id], lease_s=120),
        )

        assert (result.first, result.second) == ([row_id], 0)
        assert result.second_waited
        assert _status(conn, [row_id])[row_id] == (SyncStatus.FAILED, None, 1, True)

    def test_rows_not_being_synced_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = _rows_not_syncing(conn)
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.renew_leases(ids, lease_s=120) == 0

        assert _rows(conn, ids) == before


class TestSetPendingTarget:
    def test_no_write_is_recorded_for_a_row_another_transaction_released(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        [row_id] = _claimed(conn, ["SKU-1"])

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.schedule.release([row_id]),
            lambda uow: uow.schedule.set_pending_target(row_id, {"price": "30.00"}, lease_s=120),
        )

        assert (result.first, result.second) == (1, False)
        assert result.second_waited
        pending = conn.execute(
            "SELECT pending_target FROM product_sync_schedule WHERE id = %s", (row_id,)
        ).fetchone()
        assert pending == (None,)

    def test_rows_not_being_synced_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = _rows_not_syncing(conn)
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert [uow.schedule.set_pending_target(i, {"price": "1.00"}, lease_s=60) for i in ids] == [
                False
            ] * 3

        assert _rows(conn, ids) == before


class TestRelease:
    def test_exactly_one_unit_of_work_releases_a_claimed_row(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        ids = [*_claimed(conn, ["NEW-1"]), *_claimed(conn, ["FAILING-1"], consecutive_failures=2)]

        def release(uow: UnitOfWork) -> int:
            return uow.schedule.release(ids)

        result = interleave(uow_factory, db, release, release)

        assert (result.first, result.second) == (2, 0)
        assert result.second_waited
        assert _status(conn, ids) == {
            ids[0]: (SyncStatus.PENDING, None, 0, True),
            ids[1]: (SyncStatus.FAILED, None, 2, True),
        }, "each back to its status before the claim"

    def test_rows_not_being_synced_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = _rows_not_syncing(conn)
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.release(ids) == 0

        assert _rows(conn, ids) == before


class TestRecordSuccesses:
    def test_exactly_one_task_records_a_sync(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        [row_id] = _claimed(conn, ["SKU-1"])

        def succeed(uow: UnitOfWork) -> list[str]:
            return uow.schedule.record_successes([_success(row_id)])

        result = interleave(uow_factory, db, succeed, succeed)

        assert (result.first, result.second) == ([row_id], [])
        assert result.second_waited

    def test_rows_not_being_synced_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = _rows_not_syncing(conn)
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.record_successes([_success(i) for i in ids]) == []

        assert _rows(conn, ids) == before


class TestRecordFailures:
    def test_exactly_one_task_records_a_failure_and_counts_it_once(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        [row_id] = _claimed(conn, ["SKU-1"])

        def fail(uow: UnitOfWork) -> list[str]:
            return uow.schedule.record_failures([_failure(row_id)])

        result = interleave(uow_factory, db, fail, fail)

        assert (result.first, result.second) == ([row_id], [])
        assert result.second_waited
        assert _status(conn, [row_id])[row_id] == (SyncStatus.FAILED, None, 1, True)

    def test_rows_not_being_synced_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = _rows_not_syncing(conn)
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.record_failures([_failure(i) for i in ids]) == []

        assert _rows(conn, ids) == before


class TestReactivate:
    def test_exactly_one_operator_reactivates_a_row(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        insert_published(
            conn, [Published("OFF")], is_active=False, sync_status=SyncStatus.FAILED, consecutive_failures=5
        )

        def reactivate(uow: UnitOfWork) -> bool:
            return uow.schedule.reactivate("OFF", next_sync_at=datetime.now(UTC)) is not None

        result = interleave(uow_factory, db, reactivate, reactivate)

        assert (result.first, result.second) == (True, False)
        assert result.second_waited

    def test_an_active_row_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = insert_published(conn, [Published("ON")], sync_status=SyncStatus.FAILED, consecutive_failures=2)
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.reactivate("ON", next_sync_at=datetime.now(UTC)) is None

        assert _rows(conn, ids) == before


class TestLockSyncing:
    def test_rows_another_transaction_finished_are_not_locked_again(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        ids = _claimed(conn, ["SKU-1", "SKU-2"])

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.schedule.record_successes([_success(ids[0])]),
            lambda uow: [row.id for row in uow.schedule.lock_syncing(ids)],
        )

        assert (result.first, result.second) == ([ids[0]], [ids[1]]), "only the row still being synced"
        assert result.second_waited

    def test_rows_not_being_synced_are_not_locked(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = _rows_not_syncing(conn)
        before = _rows(conn, ids)

        with uow_factory() as uow:
            assert uow.schedule.lock_syncing(ids) == []

        assert _rows(conn, ids) == before
