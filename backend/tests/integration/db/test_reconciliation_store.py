"""The reconciliation records' state moves against real PostgreSQL, each raced on two connections.

A record is ``pending_db`` until its save succeeds (``resolved``) or its Shopify product is deleted
(``deleted``); every move is compare-and-set on ``pending_db``. Races keep the first unit of work's
transaction open while the second runs (``tests/support/concurrency.py``); refusals snapshot whole rows.
"""

from __future__ import annotations

import psycopg

from app.core.constants.publishing import ReconciliationState
from app.db.reconciliation_store import ReconciliationRow
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.batch_factories import rows_of
from tests.support.concurrency import interleave

PRODUCT_ID = "gid://shopify/Product/7001"


def _record(conn: psycopg.Connection, state: ReconciliationState, *, product_id: str = PRODUCT_ID) -> int:
    """One reconciliation record in ``state``, due now; returns its id."""
    resolved = "now()" if state != ReconciliationState.PENDING_DB else "NULL"
    row = conn.execute(
        "INSERT INTO publish_reconciliation (sku, shopify_product_id, state, attempts, resolved_at)"
        f" VALUES ('SKU-1', %s, %s, 1, {resolved}) RETURNING id",
        (product_id, str(state)),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _finished_records(conn: psycopg.Connection) -> list[int]:
    return [
        _record(conn, ReconciliationState.RESOLVED, product_id="gid://shopify/Product/7002"),
        _record(conn, ReconciliationState.DELETED, product_id="gid://shopify/Product/7003"),
    ]


def _state(conn: psycopg.Connection, record_id: int) -> tuple[str, int]:
    row = conn.execute(
        "SELECT state, attempts FROM publish_reconciliation WHERE id = %s", (record_id,)
    ).fetchone()
    assert row is not None
    return str(row[0]), int(row[1])


def _record_pending(uow: UnitOfWork) -> ReconciliationRow:
    return uow.reconciliation.record_pending(
        sku="SKU-1",
        batch_id=None,
        shopify_product_id=PRODUCT_ID,
        shopify_variant_id=None,
        shopify_inventory_item_id=None,
        shopify_handle="sku-1",
        payload={"sku": "SKU-1"},
        error="the database save failed",
        retry_in_s=60,
    )


class TestRecordPending:
    def test_two_failed_saves_of_one_product_leave_one_pending_record(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        result = interleave(uow_factory, db, _record_pending, _record_pending)

        assert result.second_waited, "the second insert waited for the first one's uncommitted row"
        assert result.first.id == result.second.id
        assert result.second.attempts == 2, "the second failure was counted on the same record"
        count = conn.execute("SELECT count(*) FROM publish_reconciliation").fetchone()
        assert count == (1,)

    def test_a_finished_record_of_the_product_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        finished = [
            _record(conn, ReconciliationState.RESOLVED),
            _record(conn, ReconciliationState.DELETED),
        ]
        before = rows_of(conn, "publish_reconciliation", finished)

        with uow_factory() as uow:
            pending = _record_pending(uow)

        assert pending.id not in finished
        assert (pending.state, pending.attempts) == (ReconciliationState.PENDING_DB, 1)
        assert rows_of(conn, "publish_reconciliation", finished) == before


class TestGetForUpdate:
    def test_a_second_worker_skips_the_record_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        record = _record(conn, ReconciliationState.PENDING_DB)

        def take(uow: UnitOfWork) -> int | None:
            row = uow.reconciliation.get(record, for_update=True)
            return None if row is None else row.id

        result = interleave(uow_factory, db, take, take)

        assert (result.first, result.second) == (record, None)
        assert not result.second_waited, "a locked record is skipped, never waited for"

    def test_a_plain_read_is_not_held_back_by_the_lock(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        record = _record(conn, ReconciliationState.PENDING_DB)

        def read(uow: UnitOfWork) -> int | None:
            row = uow.reconciliation.get(record)
            return None if row is None else row.id

        result = interleave(
            uow_factory, db, lambda uow: uow.reconciliation.get(record, for_update=True), read
        )

        assert result.second == record and not result.second_waited


class TestMarkResolved:
    def test_a_record_deleted_first_is_not_resolved_after(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        record = _record(conn, ReconciliationState.PENDING_DB)

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.reconciliation.mark_deleted(record, "unreferenced"),
            lambda uow: uow.reconciliation.mark_resolved(record),
        )

        assert (result.first, result.second) == (True, False)
        assert result.second_waited
        assert _state(conn, record) == (ReconciliationState.DELETED, 1)

    def test_a_finished_record_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        records = _finished_records(conn)
        before = rows_of(conn, "publish_reconciliation", records)

        with uow_factory() as uow:
            assert [uow.reconciliation.mark_resolved(record) for record in records] == [False, False]

        assert rows_of(conn, "publish_reconciliation", records) == before


class TestMarkDeleted:
    def test_a_record_resolved_first_is_not_deleted_after(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        record = _record(conn, ReconciliationState.PENDING_DB)

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.reconciliation.mark_resolved(record),
            lambda uow: uow.reconciliation.mark_deleted(record, "unreferenced"),
        )

        assert (result.first, result.second) == (True, False)
        assert result.second_waited
        assert _state(conn, record) == (ReconciliationState.RESOLVED, 1)

    def test_a_finished_record_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        records = _finished_records(conn)
        before = rows_of(conn, "publish_reconciliation", records)

        with uow_factory() as uow:
            assert [uow.reconciliation.mark_deleted(record, "late") for record in records] == [False, False]

        assert rows_of(conn, "publish_reconciliation", records) == before


class TestReschedule:
    def test_a_record_resolved_first_is_not_rescheduled_after(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        record = _record(conn, ReconciliationState.PENDING_DB)

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.reconciliation.mark_resolved(record),
            lambda uow: uow.reconciliation.reschedule(record, error="timeout", retry_in_s=60),
        )

        assert (result.first, result.second) == (True, False)
        assert result.second_waited
        assert _state(conn, record) == (ReconciliationState.RESOLVED, 1), "no attempt counted"

    def test_a_finished_record_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        records = _finished_records(conn)
        before = rows_of(conn, "publish_reconciliation", records)

        with uow_factory() as uow:
            rescheduled = [uow.reconciliation.reschedule(r, error="late", retry_in_s=60) for r in records]

        assert rescheduled == [False, False]
        assert rows_of(conn, "publish_reconciliation", records) == before
