"""The extraction items' compare-and-set queries against real PostgreSQL, each raced on two connections.

Every test of "exactly one wins" keeps the first unit of work's transaction open while the second runs
(``tests/support/concurrency.py``): the second either skips the locked rows or waits for them and must then
find they no longer qualify. Every test of "wrong state" snapshots whole rows (``updated_at`` included, which
any UPDATE moves) and checks a refused transition left them exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import psycopg

from app.core.constants.batches import BatchStatus, BatchType, ErrorStage, ItemStage, ItemStatus
from app.db.batch_item_store import ItemOutcome, ItemRow, StaleChunk, WaitingAnswer
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.batch_factories import (
    EXPIRED,
    LIVE,
    LONG_AGO,
    counters,
    insert_batch,
    insert_items,
    item_states,
    rows_of,
)
from tests.support.concurrency import interleave

EXTRACTION = ItemStage.EXTRACTION
RAW_ID = 41


def _ids(rows: list[ItemRow]) -> list[int]:
    return [row.id for row in rows]


def _batch_with_items_not_started_or_done(conn: psycopg.Connection) -> tuple[str, list[int]]:
    """A processing extract batch whose chunk 0 holds a queued item and one item of each terminal status."""
    batch = insert_batch(conn, total_items=5)
    ids = [
        *insert_items(conn, batch, ["Q-1"], status=ItemStatus.QUEUED),
        *insert_items(conn, batch, ["N-1"], status=ItemStatus.NORMALIZED),
        *insert_items(conn, batch, ["F-1"], status=ItemStatus.FAILED),
        *insert_items(conn, batch, ["C-1"], status=ItemStatus.CANCELLED),
        *insert_items(conn, batch, ["B-1"], status=ItemStatus.BLOCKED),
    ]
    return batch, ids


class TestMarkChunksSent:
    def test_exactly_one_unit_of_work_sends_a_chunk(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=3)
        chunk_0 = insert_items(conn, batch, ["PN-1", "PN-2"], chunk_no=0)
        chunk_1 = insert_items(conn, batch, ["PN-3"], chunk_no=1, first_position=2)

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.items.mark_chunks_sent(batch, EXTRACTION, [0]),
            lambda uow: uow.items.mark_chunks_sent(batch, EXTRACTION, [0, 1]),
        )

        assert (result.first, result.second) == (2, 1), "chunk 0 was sent once, by the first"
        assert result.second_waited
        stamps: dict[int, datetime] = dict(conn.execute("SELECT id, sent_at FROM batch_items").fetchall())
        assert max(stamps[i] for i in chunk_0) < stamps[chunk_1[0]], "the second did not re-stamp chunk 0"
        assert set(item_states(conn, chunk_0 + chunk_1).values()) == {(ItemStatus.SENT, 0)}

    def test_items_not_queued_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=4)
        ids = [
            *insert_items(conn, batch, ["S-1"], status=ItemStatus.SENT, sent_at=LONG_AGO),
            *insert_items(conn, batch, ["P-1"], status=ItemStatus.IN_PROGRESS, lease_until=LIVE),
            *insert_items(conn, batch, ["N-1"], status=ItemStatus.NORMALIZED),
            *insert_items(conn, batch, ["C-1"], status=ItemStatus.CANCELLED),
        ]
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.mark_chunks_sent(batch, EXTRACTION, [0]) == 0

        assert rows_of(conn, "batch_items", ids) == before


class TestClaimChunk:
    def test_exactly_one_unit_of_work_claims_a_sent_chunk(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(conn, batch, ["PN-1", "PN-2"], status=ItemStatus.SENT, sent_at=EXPIRED)

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.items.claim_chunk(batch, EXTRACTION, 0, lease_s=60),
            lambda uow: uow.items.claim_chunk(batch, EXTRACTION, 0, lease_s=60),
        )

        assert _ids(result.first) == ids and result.second == []
        assert result.second_waited, "the second claim met the first one's uncommitted claim"
        assert [(row.status, row.attempts) for row in result.first] == [(ItemStatus.IN_PROGRESS, 1)] * 2
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.IN_PROGRESS, 1)), "one attempt each"

    def test_exactly_one_unit_of_work_reclaims_a_chunk_whose_task_died(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(
            conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=EXPIRED
        )

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.items.claim_chunk(batch, EXTRACTION, 0, lease_s=60),
            lambda uow: uow.items.claim_chunk(batch, EXTRACTION, 0, lease_s=60),
        )

        assert _ids(result.first) == ids and result.second == []
        assert result.second_waited
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.IN_PROGRESS, 2))

    def test_items_in_other_states_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(
            conn, batch, ["LIVE-1"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=LIVE
        )
        ids += insert_items(
            conn,
            batch,
            ["ANSWERED-1"],
            status=ItemStatus.IN_PROGRESS,
            lease_until=EXPIRED,
            raw_data_id=RAW_ID,
        )
        ids += insert_items(conn, batch, ["PUB-1"], stage=ItemStage.PUBLISHING, status=ItemStatus.SENT)
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.claim_chunk(batch, EXTRACTION, 0, lease_s=60) == []

        assert rows_of(conn, "batch_items", ids) == before


class TestRelease:
    def test_exactly_one_unit_of_work_releases_an_item_and_refunds_its_attempt_once(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(
            conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, attempts=2, lease_until=LIVE
        )

        def release(uow: UnitOfWork) -> int:
            return uow.items.release(ids, refund_attempt=True, resend_after_s=0)

        result = interleave(uow_factory, db, release, release)

        assert (result.first, result.second) == (2, 0)
        assert result.second_waited
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.SENT, 1)), "refunded once, not twice"

    def test_items_not_in_progress_or_already_answered_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(conn, batch, ["S-1"], status=ItemStatus.SENT, attempts=1, sent_at=EXPIRED)
        ids += insert_items(
            conn, batch, ["ANSWERED-1"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=LIVE,
            raw_data_id=RAW_ID,
        )  # fmt: skip
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.release(ids, refund_attempt=True, resend_after_s=0) == 0

        assert rows_of(conn, "batch_items", ids) == before


class TestRecordRaw:
    def test_an_answer_is_not_attached_to_items_another_transaction_finished(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(
            conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=LIVE
        )

        result = interleave(
            uow_factory,
            db,
            lambda uow: _ids(uow.items.transition(ids, ItemStatus.FAILED, expected=[ItemStatus.IN_PROGRESS])),
            lambda uow: uow.items.record_raw(ids, RAW_ID, lease_s=60),
        )

        assert (result.first, result.second) == (ids, 0)
        assert result.second_waited
        raw = conn.execute("SELECT DISTINCT raw_data_id FROM batch_items").fetchall()
        assert raw == [(None,)]

    def test_items_not_in_progress_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(conn, batch, ["S-1"], status=ItemStatus.SENT, sent_at=EXPIRED)
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.record_raw(ids, RAW_ID, lease_s=60) == 0

        assert rows_of(conn, "batch_items", ids) == before


class TestWaitingForAnswer:
    def test_exactly_one_normalization_takes_the_items_of_an_answer(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(
            conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, lease_until=LIVE, raw_data_id=RAW_ID
        )

        def normalize(uow: UnitOfWork) -> WaitingAnswer | None:
            answer = uow.items.waiting_for_answer(RAW_ID)
            if answer is not None:
                outcomes = [
                    ItemOutcome(item.id, ItemStatus.NORMALIZED, (item.part_number,)) for item in answer.items
                ]
                uow.items.finish(outcomes, expected=[ItemStatus.IN_PROGRESS])
            return answer

        result = interleave(uow_factory, db, normalize, normalize)

        assert result.first is not None and [item.id for item in result.first.items] == ids
        assert result.second is None, "the second normalization found nothing left to do"
        assert result.second_waited, "the first normalization's lock held the second back"

    def test_an_answer_whose_items_are_not_in_progress_has_nothing_waiting(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=3)
        ids = [
            *insert_items(conn, batch, ["N-1"], status=ItemStatus.NORMALIZED, raw_data_id=RAW_ID),
            *insert_items(conn, batch, ["F-1"], status=ItemStatus.FAILED, raw_data_id=RAW_ID),
            *insert_items(conn, batch, ["S-1"], status=ItemStatus.SENT, raw_data_id=RAW_ID),
        ]
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.waiting_for_answer(RAW_ID) is None

        assert rows_of(conn, "batch_items", ids) == before


class TestFinish:
    def test_exactly_one_unit_of_work_finishes_an_item_and_moves_its_counters(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, lease_until=LIVE)
        outcomes = [
            ItemOutcome(ids[0], ItemStatus.NORMALIZED, ("PN-1",)),
            ItemOutcome(ids[1], ItemStatus.BLOCKED),
        ]

        def finish(uow: UnitOfWork) -> list[int]:
            moved = uow.items.finish(outcomes, expected=[ItemStatus.IN_PROGRESS])
            statuses = [item.status for item in moved]
            if moved:  # as the batch service does: counters by what moved, in the same transaction
                uow.batches.move_counters(
                    batch,
                    extracted=len(moved),
                    normalized=statuses.count(ItemStatus.NORMALIZED),
                    skipped=statuses.count(ItemStatus.BLOCKED),
                )
            return sorted(item.id for item in moved)

        result = interleave(uow_factory, db, finish, finish)

        assert (result.first, result.second) == (ids, [])
        assert result.second_waited
        assert item_states(conn, ids) == {ids[0]: (ItemStatus.NORMALIZED, 0), ids[1]: (ItemStatus.BLOCKED, 0)}
        moved = counters(conn, batch)
        assert (moved["extracted_count"], moved["normalized_count"], moved["skipped_count"]) == (2, 1, 1)
        assert (moved["batch_type"], moved["status"]) == (BatchType.NORMALIZE, BatchStatus.COMPLETED)

    def test_items_not_in_an_expected_status_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(conn, batch, ["S-1"], status=ItemStatus.SENT, sent_at=EXPIRED)
        before, counted = rows_of(conn, "batch_items", ids), counters(conn, batch)
        late = [
            ItemOutcome(i, ItemStatus.FAILED, error="late", error_stage=ErrorStage.EXTRACTION) for i in ids
        ]

        with uow_factory() as uow:
            assert uow.items.finish(late, expected=[ItemStatus.IN_PROGRESS]) == []

        assert rows_of(conn, "batch_items", ids) == before
        assert counters(conn, batch) == counted


class TestTransition:
    def test_exactly_one_unit_of_work_fails_an_item_and_counts_it(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, lease_until=EXPIRED)

        def fail(uow: UnitOfWork) -> list[int]:
            moved = uow.items.transition(
                ids,
                ItemStatus.FAILED,
                expected=ItemStatus.OPEN,
                error="lost",
                error_stage=ErrorStage.EXTRACTION,
            )
            if moved:
                uow.batches.move_counters(batch, failed=len(moved))
            return _ids(moved)

        result = interleave(uow_factory, db, fail, fail)

        assert (result.first, result.second) == (ids, [])
        assert result.second_waited
        moved = counters(conn, batch)
        assert (moved["failed_count"], moved["batch_type"], moved["status"]) == (
            2,
            BatchType.EXTRACT,
            BatchStatus.FAILED,
        ), "counted once; a stage with nothing extracted fails"

    def test_items_not_in_an_expected_status_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        _, ids = _batch_with_items_not_started_or_done(conn)
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            moved = uow.items.transition(
                ids, ItemStatus.CANCELLED, expected=[ItemStatus.SENT, ItemStatus.IN_PROGRESS]
            )

        assert moved == []
        assert rows_of(conn, "batch_items", ids) == before


class TestCancelUnstarted:
    def test_a_chunk_cancelled_first_is_not_claimed_after(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(conn, batch, ["PN-1", "PN-2"], status=ItemStatus.SENT, sent_at=EXPIRED)

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.items.cancel_unstarted(batch),
            lambda uow: uow.items.claim_chunk(batch, EXTRACTION, 0, lease_s=60),
        )

        assert (result.first, result.second) == (2, [])
        assert result.second_waited
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.CANCELLED, 0))

    def test_a_chunk_claimed_first_is_not_cancelled_under_its_task(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=3)
        claimed = insert_items(conn, batch, ["PN-1", "PN-2"], status=ItemStatus.SENT, sent_at=EXPIRED)
        waiting = insert_items(conn, batch, ["PN-3"], chunk_no=1, first_position=2)

        result = interleave(
            uow_factory,
            db,
            lambda uow: _ids(uow.items.claim_chunk(batch, EXTRACTION, 0, lease_s=60)),
            lambda uow: uow.items.cancel_unstarted(batch),
        )

        assert (result.first, result.second) == (claimed, 1), "only the queued chunk was cancelled"
        assert result.second_waited
        assert item_states(conn, claimed + waiting) == {
            **dict.fromkeys(claimed, (ItemStatus.IN_PROGRESS, 1)),
            waiting[0]: (ItemStatus.CANCELLED, 0),
        }

    def test_items_already_started_or_done_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        queued, done = ids[0], ids[1:]
        done += insert_items(
            conn, batch, ["P-1"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=LIVE
        )
        before = rows_of(conn, "batch_items", done)

        with uow_factory() as uow:
            assert uow.items.cancel_unstarted(batch) == 1

        assert item_states(conn, [queued]) == {queued: (ItemStatus.CANCELLED, 0)}
        assert rows_of(conn, "batch_items", done) == before


class TestResendStaleSent:
    def test_a_second_sweeper_skips_the_chunks_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=3)
        insert_items(
            conn, batch, ["PN-1", "PN-2"], status=ItemStatus.SENT, sent_at="now() - interval '2 hours'"
        )
        insert_items(
            conn, batch, ["PN-3"], status=ItemStatus.SENT, chunk_no=1, first_position=2, sent_at=LONG_AGO
        )

        def sweep(limit: int) -> Callable[[UnitOfWork], list[StaleChunk]]:
            return lambda uow: uow.items.resend_stale_sent(EXTRACTION, older_than_s=60, limit=limit)

        result = interleave(uow_factory, db, sweep(2), sweep(100))

        assert result.first == [StaleChunk(batch, 0)], "the oldest two items: chunk 0"
        assert result.second == [StaleChunk(batch, 1)], "chunk 0 was locked: skipped, never re-sent twice"
        assert not result.second_waited
        with uow_factory() as uow:
            assert uow.items.resend_stale_sent(EXTRACTION, older_than_s=60, limit=100) == [], (
                "stamped as sent now"
            )

    def test_items_not_sent_long_ago_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(conn, batch, ["FRESH-1"], status=ItemStatus.SENT, sent_at="now()")
        ids += insert_items(
            conn, batch, ["P-1"], status=ItemStatus.IN_PROGRESS, sent_at=LONG_AGO, lease_until=EXPIRED
        )
        ids += insert_items(
            conn, batch, ["PUB-1"], stage=ItemStage.PUBLISHING, status=ItemStatus.SENT, sent_at=LONG_AGO
        )
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.resend_stale_sent(EXTRACTION, older_than_s=60, limit=100) == []

        assert rows_of(conn, "batch_items", ids) == before


class TestExpiredLeases:
    def test_a_second_sweeper_skips_the_leases_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=3)
        ids = insert_items(
            conn, batch, ["PN-1", "PN-2", "PN-3"], status=ItemStatus.IN_PROGRESS, lease_until=EXPIRED
        )

        def sweep(uow: UnitOfWork) -> list[int]:
            expired = uow.items.expired_leases(EXTRACTION, limit=100)
            uow.items.resend_expired(_ids(expired))
            return _ids(expired)

        result = interleave(uow_factory, db, sweep, sweep)

        assert (sorted(result.first), result.second) == (ids, [])
        assert not result.second_waited, "locked leases are skipped, never waited for"
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.SENT, 0))

    def test_items_whose_lease_has_not_run_out_are_not_returned(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(
            conn, batch, ["LIVE-1"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=LIVE
        )
        ids += insert_items(
            conn, batch, ["S-1"], status=ItemStatus.SENT, sent_at=LONG_AGO, lease_until=EXPIRED
        )
        ids += insert_items(conn, batch, ["N-2"], status=ItemStatus.NORMALIZED, lease_until=EXPIRED)
        ids += insert_items(
            conn,
            batch,
            ["PUB-1"],
            stage=ItemStage.PUBLISHING,
            status=ItemStatus.IN_PROGRESS,
            lease_until=EXPIRED,
        )
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.expired_leases(EXTRACTION, limit=100) == []

        assert rows_of(conn, "batch_items", ids) == before


class TestRenewLease:
    def test_a_lease_is_not_renewed_on_items_another_transaction_finished(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(
            conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=EXPIRED,
            raw_data_id=RAW_ID,
        )  # fmt: skip

        result = interleave(
            uow_factory,
            db,
            lambda uow: _ids(uow.items.transition(ids, ItemStatus.FAILED, expected=[ItemStatus.IN_PROGRESS])),
            lambda uow: uow.items.renew_lease(ids, lease_s=60, count_attempt=True),
        )

        assert (result.first, result.second) == (ids, 0)
        assert result.second_waited
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.FAILED, 1)), "no attempt counted"
        leases = conn.execute("SELECT DISTINCT lease_until FROM batch_items").fetchall()
        assert leases == [(None,)]

    def test_items_not_in_progress_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(conn, batch, ["S-1"], status=ItemStatus.SENT, sent_at=EXPIRED)
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.renew_lease(ids, lease_s=60, count_attempt=True) == 0

        assert rows_of(conn, "batch_items", ids) == before


class TestResendExpired:
    def test_exactly_one_unit_of_work_sends_an_expired_item_back(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = insert_batch(conn, total_items=2)
        ids = insert_items(
            conn, batch, ["PN-1", "PN-2"], status=ItemStatus.IN_PROGRESS, attempts=1, lease_until=EXPIRED
        )

        def resend(uow: UnitOfWork) -> int:
            return uow.items.resend_expired(ids)

        result = interleave(uow_factory, db, resend, resend)

        assert (result.first, result.second) == (2, 0)
        assert result.second_waited
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.SENT, 1))

    def test_items_answered_or_not_in_progress_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch, ids = _batch_with_items_not_started_or_done(conn)
        ids += insert_items(conn, batch, ["S-1"], status=ItemStatus.SENT, sent_at=LONG_AGO)
        ids += insert_items(
            conn,
            batch,
            ["ANSWERED-1"],
            status=ItemStatus.IN_PROGRESS,
            lease_until=EXPIRED,
            raw_data_id=RAW_ID,
        )
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.items.resend_expired(ids) == 0

        assert rows_of(conn, "batch_items", ids) == before
