"""The publish items' compare-and-set queries against real PostgreSQL, each raced on two connections.

Races keep the first unit of work's transaction open while the second runs (``tests/support/concurrency.py``);
refusals snapshot whole rows and check they were left exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from app.core.constants.batches import BatchType, ItemStage, ItemStatus
from app.db.batch_item_store import ItemRow
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.batch_factories import (
    EXPIRED,
    LIVE,
    LONG_AGO,
    insert_batch,
    insert_items,
    item_states,
    rows_of,
)
from tests.support.concurrency import interleave, race

PUBLISHING = ItemStage.PUBLISHING
RUN = 1


def _publish_batch(conn: psycopg.Connection, total: int) -> str:
    return insert_batch(conn, batch_type=BatchType.PUBLISH, total_items=total, publish_run=RUN)


def _skus(count: int, prefix: str = "SKU") -> list[str]:
    return [f"{prefix}-{n:03d}" for n in range(count)]


def _publish_items(
    conn: psycopg.Connection,
    batch: str,
    skus: list[str],
    status: ItemStatus,
    *,
    attempts: int = 0,
    sent_at: str | None = None,
    lease_until: str | None = None,
) -> list[int]:
    """Items of the batch's current publish run (no chunks: a publish item is sent on its own)."""
    return insert_items(
        conn, batch, skus, stage=PUBLISHING, run=RUN, chunk_no=None, status=status, attempts=attempts,
        sent_at=sent_at, lease_until=lease_until,
    )  # fmt: skip


def _ids(rows: list[ItemRow]) -> list[int]:
    return [row.id for row in rows]


def _items_no_claim_accepts(conn: psycopg.Connection, batch: str) -> list[int]:
    """Items of the run that are done, or leased by a live task."""
    return [
        *_publish_items(conn, batch, ["DONE-P"], ItemStatus.PUBLISHED),
        *_publish_items(conn, batch, ["DONE-U"], ItemStatus.UNCHANGED),
        *_publish_items(conn, batch, ["DONE-F"], ItemStatus.FAILED),
        *_publish_items(conn, batch, ["DONE-C"], ItemStatus.CANCELLED),
        *_publish_items(conn, batch, ["LIVE-1"], ItemStatus.IN_PROGRESS, attempts=1, lease_until=LIVE),
    ]


class TestSendNextPublishItems:
    def test_a_second_feeder_sends_the_next_items_never_the_same(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 4)
        ids = _publish_items(conn, batch, _skus(4), ItemStatus.QUEUED)

        def feed(limit: int) -> Callable[[UnitOfWork], list[int]]:
            return lambda uow: _ids(uow.publish_items.send_next_publish_items(batch, RUN, limit))

        result = interleave(uow_factory, db, feed(2), feed(10))

        assert (result.first, result.second) == (ids[:2], ids[2:]), "in input order; locked items skipped"
        assert not result.second_waited
        assert item_states(conn, ids) == dict.fromkeys(ids, (ItemStatus.SENT, 0))
        with uow_factory() as uow:
            assert uow.publish_items.send_next_publish_items(batch, RUN, 10) == []

    def test_two_feeders_released_together_send_each_item_once(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 50)
        ids = _publish_items(conn, batch, _skus(50), ItemStatus.QUEUED)

        def feed(uow: UnitOfWork) -> list[int]:
            return _ids(uow.publish_items.send_next_publish_items(batch, RUN, 30))

        one, other = race(uow_factory, feed, feed)

        assert not set(one) & set(other), "no item was sent twice"
        assert sorted(one + other) == ids, "and none was left behind"

    def test_items_not_queued_in_this_run_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 8)
        ids = _items_no_claim_accepts(conn, batch)
        ids += _publish_items(conn, batch, ["SENT-1"], ItemStatus.SENT, sent_at=LONG_AGO)
        ids += insert_items(conn, batch, ["OLD-RUN"], stage=PUBLISHING, run=RUN - 1, chunk_no=None)
        ids += insert_items(conn, batch, ["EXTRACT-1"], stage=ItemStage.EXTRACTION, run=RUN)
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.publish_items.send_next_publish_items(batch, RUN, 10) == []

        assert rows_of(conn, "batch_items", ids) == before


class TestClaimPublishItem:
    def test_exactly_one_task_claims_a_sent_item(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 1)
        [item] = _publish_items(conn, batch, ["SKU-1"], ItemStatus.SENT, sent_at=EXPIRED)

        def claim(uow: UnitOfWork) -> ItemRow | None:
            return uow.publish_items.claim_publish_item(item, lease_s=60)

        result = interleave(uow_factory, db, claim, claim)

        assert result.first is not None and (result.first.status, result.first.attempts) == (
            ItemStatus.IN_PROGRESS,
            1,
        )
        assert result.second is None
        assert result.second_waited
        assert item_states(conn, [item]) == {item: (ItemStatus.IN_PROGRESS, 1)}

    def test_exactly_one_task_reclaims_an_item_whose_task_died(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 1)
        [item] = _publish_items(
            conn, batch, ["SKU-1"], ItemStatus.IN_PROGRESS, attempts=1, lease_until=EXPIRED
        )

        def claim(uow: UnitOfWork) -> ItemRow | None:
            return uow.publish_items.claim_publish_item(item, lease_s=60)

        result = interleave(uow_factory, db, claim, claim)

        assert result.first is not None and result.second is None
        assert result.second_waited
        assert item_states(conn, [item]) == {item: (ItemStatus.IN_PROGRESS, 2)}

    def test_items_done_or_leased_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 6)
        ids = _items_no_claim_accepts(conn, batch)
        ids += insert_items(conn, batch, ["EXTRACT-1"], stage=ItemStage.EXTRACTION, status=ItemStatus.SENT)
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert [uow.publish_items.claim_publish_item(item, lease_s=60) for item in ids] == [None] * len(
                ids
            )

        assert rows_of(conn, "batch_items", ids) == before


class TestExtendLease:
    def test_a_lease_is_not_extended_on_an_item_another_transaction_finished(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 1)
        [item] = _publish_items(conn, batch, ["SKU-1"], ItemStatus.IN_PROGRESS, attempts=1, lease_until=LIVE)

        result = interleave(
            uow_factory,
            db,
            lambda uow: _ids(
                uow.items.transition([item], ItemStatus.PUBLISHED, expected=[ItemStatus.IN_PROGRESS])
            ),
            lambda uow: uow.publish_items.extend_lease(item, lease_s=600),
        )

        assert (result.first, result.second) == ([item], 0)
        assert result.second_waited
        lease = conn.execute("SELECT lease_until FROM batch_items WHERE id = %s", (item,)).fetchone()
        assert lease == (None,)

    def test_items_not_in_progress_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 6)
        ids = _items_no_claim_accepts(conn, batch)[:-1]
        ids += _publish_items(conn, batch, ["SENT-1"], ItemStatus.SENT, sent_at=EXPIRED)
        ids += _publish_items(conn, batch, ["QUEUED-1"], ItemStatus.QUEUED)
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert [uow.publish_items.extend_lease(item, lease_s=600) for item in ids] == [0] * len(ids)

        assert rows_of(conn, "batch_items", ids) == before


class TestStaleItemsOfRun:
    def test_a_second_sweeper_skips_the_items_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 3)
        ids = [
            *_publish_items(conn, batch, _skus(2), ItemStatus.SENT, sent_at=LONG_AGO),
            *_publish_items(conn, batch, ["DIED-1"], ItemStatus.IN_PROGRESS, attempts=1, lease_until=EXPIRED),
        ]

        def sweep(limit: int) -> Callable[[UnitOfWork], list[int]]:
            return lambda uow: _ids(
                uow.publish_items.stale_items_of_run(batch, RUN, sent_older_than_s=60, limit=limit)
            )

        result = interleave(uow_factory, db, sweep(2), sweep(100))

        assert (result.first, result.second) == (ids[:2], ids[2:])
        assert not result.second_waited
        assert item_states(conn, ids) == {
            **dict.fromkeys(ids[:2], (ItemStatus.SENT, 0)),
            ids[2]: (ItemStatus.SENT, 1),
        }
        with uow_factory() as uow:
            assert uow.publish_items.stale_items_of_run(batch, RUN, sent_older_than_s=60, limit=100) == []

    def test_items_neither_lost_nor_abandoned_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 8)
        ids = _items_no_claim_accepts(conn, batch)
        ids += _publish_items(conn, batch, ["FRESH-1"], ItemStatus.SENT, sent_at="now()")
        ids += _publish_items(conn, batch, ["QUEUED-1"], ItemStatus.QUEUED)
        ids += insert_items(
            conn, batch, ["OLD-RUN"], stage=PUBLISHING, run=RUN - 1, chunk_no=None, status=ItemStatus.SENT,
            sent_at=LONG_AGO,
        )  # fmt: skip
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.publish_items.stale_items_of_run(batch, RUN, sent_older_than_s=60, limit=100) == []

        assert rows_of(conn, "batch_items", ids) == before


class TestStalePublishItems:
    def test_a_second_sweeper_skips_the_items_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        one, other = _publish_batch(conn, 2), _publish_batch(conn, 1)
        ids = [
            *_publish_items(conn, one, _skus(2), ItemStatus.SENT, sent_at=LONG_AGO),
            *_publish_items(conn, other, ["DIED-1"], ItemStatus.IN_PROGRESS, attempts=1, lease_until=EXPIRED),
        ]

        def sweep(limit: int) -> Callable[[UnitOfWork], list[int]]:
            return lambda uow: _ids(uow.publish_items.stale_publish_items(sent_older_than_s=60, limit=limit))

        result = interleave(uow_factory, db, sweep(2), sweep(100))

        assert (result.first, result.second) == (ids[:2], ids[2:])
        assert not result.second_waited
        assert set(item_states(conn, ids).values()) == {(ItemStatus.SENT, 0), (ItemStatus.SENT, 1)}
        with uow_factory() as uow:
            assert uow.publish_items.stale_publish_items(sent_older_than_s=60, limit=100) == []

    def test_items_neither_lost_nor_abandoned_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        batch = _publish_batch(conn, 8)
        ids = _items_no_claim_accepts(conn, batch)
        ids += _publish_items(conn, batch, ["FRESH-1"], ItemStatus.SENT, sent_at="now()")
        ids += _publish_items(conn, batch, ["QUEUED-1"], ItemStatus.QUEUED)
        ids += insert_items(
            conn, batch, ["EXTRACT-1"], stage=ItemStage.EXTRACTION, status=ItemStatus.SENT, sent_at=LONG_AGO
        )
        ids += insert_items(
            conn,
            batch,
            ["EXTRACT-2"],
            stage=ItemStage.EXTRACTION,
            status=ItemStatus.IN_PROGRESS,
            lease_until=EXPIRED,
        )
        before = rows_of(conn, "batch_items", ids)

        with uow_factory() as uow:
            assert uow.publish_items.stale_publish_items(sent_older_than_s=60, limit=100) == []

        assert rows_of(conn, "batch_items", ids) == before
