"""The batches' compare-and-set queries against real PostgreSQL, each raced on two connections.

Races keep the first unit of work's transaction open while the second runs (``tests/support/concurrency.py``);
refusals snapshot whole rows and check they were left exactly as they were.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from app.core.constants.batches import BatchStatus, BatchType
from app.db.batch_store import BatchRow
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.batch_factories import counters, insert_batch, rows_of
from tests.support.concurrency import interleave

FINISHED = (BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED)
UNKNOWN_BATCH = "00000000-0000-4000-8000-000000000000"


def _batches_in(conn: psycopg.Connection, statuses: tuple[BatchStatus, ...]) -> list[str]:
    return [insert_batch(conn, status=status, total_items=2) for status in statuses]


def _status_of(row: BatchRow | None) -> str | None:
    return None if row is None else row.status


class TestSetStatus:
    def test_exactly_one_unit_of_work_starts_a_pending_batch(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, status=BatchStatus.PENDING, total_items=2)

        def start(uow: UnitOfWork) -> str | None:
            return _status_of(
                uow.batches.set_status(batch, BatchStatus.PROCESSING, expected=[BatchStatus.PENDING])
            )

        result = interleave(uow_factory, db, start, start)

        assert (result.first, result.second) == (BatchStatus.PROCESSING, None)
        assert result.second_waited

    def test_a_batch_not_in_an_expected_status_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batches = _batches_in(conn, (BatchStatus.PROCESSING, *FINISHED))
        before = rows_of(conn, "batches", batches)

        with uow_factory() as uow:
            moved = [
                uow.batches.set_status(
                    batch, BatchStatus.FAILED, expected=[BatchStatus.PENDING], error_message="x"
                )
                for batch in batches
            ]

        assert moved == [None] * len(batches)
        assert rows_of(conn, "batches", batches) == before


class TestCancel:
    def test_exactly_one_unit_of_work_cancels_a_batch_and_freezes_its_progress(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)

        result = interleave(
            uow_factory,
            db,
            lambda uow: _status_of(uow.batches.cancel(batch, progress_percent=Decimal("10.00"))),
            lambda uow: _status_of(uow.batches.cancel(batch, progress_percent=Decimal("50.00"))),
        )

        assert (result.first, result.second) == (BatchStatus.CANCELLED, None)
        assert result.second_waited
        frozen = conn.execute(
            "SELECT cancelled_progress_percent FROM batches WHERE id = %s", (batch,)
        ).fetchone()
        assert frozen == (Decimal("10.00"),), "the progress the first cancel saw"

    def test_a_finished_batch_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batches = _batches_in(conn, FINISHED)
        before = rows_of(conn, "batches", batches)

        with uow_factory() as uow:
            cancelled = [uow.batches.cancel(batch, progress_percent=Decimal("50.00")) for batch in batches]

        assert cancelled == [None] * len(batches)
        assert rows_of(conn, "batches", batches) == before


class TestMoveCounters:
    def test_two_units_of_work_finishing_the_last_items_both_count_and_the_stage_completes(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)

        def one_normalized(uow: UnitOfWork) -> None:
            uow.batches.move_counters(batch, extracted=1, normalized=1)

        result = interleave(uow_factory, db, one_normalized, one_normalized)

        assert result.second_waited, "the second move waited for the first one's row lock"
        moved = counters(conn, batch)
        assert (moved["extracted_count"], moved["normalized_count"]) == (2, 2), "no increment lost"
        assert (moved["batch_type"], moved["status"]) == (BatchType.NORMALIZE, BatchStatus.COMPLETED), (
            "the second move saw the first one's count and completed the stage"
        )
        assert moved["completed_at"] is not None

    def test_a_batch_not_processing_is_never_completed_by_its_counters(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        """Items in flight when a batch was cancelled still finish and count; the batch stays cancelled."""
        batch = insert_batch(conn, status=BatchStatus.CANCELLED, total_items=2, extracted_count=1)
        before = counters(conn, batch)

        with uow_factory() as uow:
            uow.batches.move_counters(batch, extracted=1, skipped=1)

        after = counters(conn, batch)
        assert (after["extracted_count"], after["skipped_count"]) == (2, 1)
        unchanged = ("batch_type", "status", "completed_at", "normalized_count", "failed_count")
        assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}

    def test_an_unknown_batch_is_refused(self, uow_factory: UnitOfWorkFactory) -> None:
        with pytest.raises(AssertionError, match="unknown batch"), uow_factory() as uow:
            uow.batches.move_counters(UNKNOWN_BATCH, failed=1)


class TestCompleteStage:
    def test_exactly_one_sweeper_completes_a_batch(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=3, extracted_count=1, failed_count=1)

        def complete(uow: UnitOfWork) -> str | None:
            return _status_of(uow.batches.complete_stage(batch))

        result = interleave(uow_factory, db, complete, complete)

        assert (result.first, result.second) == (BatchStatus.COMPLETED, None)
        assert result.second_waited
        assert counters(conn, batch)["batch_type"] == BatchType.NORMALIZE

    def test_a_batch_not_processing_an_extract_or_publish_stage_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batches = _batches_in(conn, (BatchStatus.PENDING, *FINISHED))
        batches.append(insert_batch(conn, batch_type=BatchType.NORMALIZE, total_items=2))
        before = rows_of(conn, "batches", batches)

        with uow_factory() as uow:
            assert [uow.batches.complete_stage(batch) for batch in batches] == [None] * len(batches)

        assert rows_of(conn, "batches", batches) == before


class TestStartPublishRun:
    def test_exactly_one_unit_of_work_starts_a_publish_run(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(
            conn,
            batch_type=BatchType.NORMALIZE,
            status=BatchStatus.COMPLETED,
            total_items=2,
            extracted_count=2,
        )

        def start(uow: UnitOfWork) -> int | None:
            started = uow.batches.start_publish_run(batch, ["SKU-1", "SKU-2"], expected_statuses=FINISHED)
            return None if started is None else started.publish_run

        result = interleave(uow_factory, db, start, start)

        assert (result.first, result.second) == (1, None)
        assert result.second_waited
        run = counters(conn, batch)
        assert (run["batch_type"], run["status"], run["publish_run"], run["total_items"]) == (
            BatchType.PUBLISH,
            BatchStatus.PROCESSING,
            1,
            2,
        ), "one run started, counted once"

    def test_a_batch_not_in_an_expected_status_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batches = _batches_in(conn, (BatchStatus.PENDING, BatchStatus.PROCESSING))
        batches.append(
            insert_batch(conn, batch_type=BatchType.PUBLISH, total_items=2, publish_run=1, published_count=1)
        )
        before = rows_of(conn, "batches", batches)

        with uow_factory() as uow:
            started = [
                uow.batches.start_publish_run(b, ["SKU-9"], expected_statuses=FINISHED) for b in batches
            ]

        assert started == [None] * len(batches)
        assert rows_of(conn, "batches", batches) == before
