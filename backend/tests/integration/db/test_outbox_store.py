"""The outbox relay's claim against real PostgreSQL: two relays never send a message at the same time.

A relay claims unsent messages for a while (``claimed_until``), sends them, then marks them sent. Races keep
the first unit of work's transaction open while the second runs (``tests/support/concurrency.py``); refusals
snapshot whole rows.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from app.core.constants.tasks import Task
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.batch_factories import rows_of
from tests.support.concurrency import interleave, race


def _messages(
    conn: psycopg.Connection,
    count: int,
    *,
    created: str = "now() - interval '1 minute'",
    claimed_until: str = "NULL",
    sent_at: str = "NULL",
) -> list[int]:
    """``count`` messages; ``created``, ``claimed_until`` and ``sent_at`` are SQL expressions."""
    rows = conn.execute(
        "INSERT INTO task_outbox (task_name, args, created_at, claimed_until, sent_at)"
        f" SELECT %s, jsonb_build_array(n), {created}, {claimed_until}, {sent_at}"
        " FROM generate_series(1, %s) AS n RETURNING id",
        (str(Task.EXTRACT_CHUNK), count),
    ).fetchall()
    return sorted(int(row[0]) for row in rows)


def _claim(ids: list[int] | None, limit: int = 100) -> Callable[[UnitOfWork], list[int]]:
    return lambda uow: [m.id for m in uow.outbox.claim(ids=ids, older_than_s=5, limit=limit, claim_s=30)]


class TestClaim:
    def test_a_second_relay_skips_the_messages_the_first_one_holds(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        ids = _messages(conn, 3)

        result = interleave(uow_factory, db, _claim(ids[:2]), _claim(ids))

        assert (result.first, result.second) == (ids[:2], ids[2:])
        assert not result.second_waited, "locked messages are skipped, never waited for"
        with uow_factory() as uow:
            assert _claim(ids)(uow) == [], "claimed messages stay claimed until their claim runs out"

    def test_two_sweeping_relays_released_together_claim_each_message_once(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = _messages(conn, 40)

        one, other = race(uow_factory, _claim(None, limit=30), _claim(None, limit=30))

        assert not set(one) & set(other), "no message claimed by both"
        assert sorted(one + other) == ids, "and none left behind"

    def test_a_message_whose_claim_ran_out_is_claimed_again_once(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        ids = _messages(conn, 2, claimed_until="now() - interval '1 second'")

        result = interleave(uow_factory, db, _claim(None), _claim(None))

        assert (result.first, result.second) == (ids, [])

    def test_messages_sent_claimed_or_too_young_are_left_as_they_were(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        ids = [
            *_messages(conn, 1, sent_at="now()"),
            *_messages(conn, 1, claimed_until="now() + interval '1 minute'"),
            *_messages(conn, 1, created="now()"),
        ]
        before = rows_of(conn, "task_outbox", ids)

        with uow_factory() as uow:
            assert _claim(None)(uow) == [], "a sweep takes only messages older than its age"
            assert _claim(ids[:2])(uow) == [], "named messages too, when sent or claimed"

        assert rows_of(conn, "task_outbox", ids) == before


class TestMarkSent:
    def test_a_message_being_marked_sent_is_not_claimed_by_another_relay(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        ids = _messages(conn, 2, claimed_until="now() - interval '1 second'")

        result = interleave(uow_factory, db, lambda uow: uow.outbox.mark_sent(ids), _claim(ids))

        assert (result.first, result.second) == (2, [])
        with uow_factory() as uow:
            assert _claim(None)(uow) == [], "a sent message is never claimed again"
        unsent = conn.execute("SELECT count(*) FROM task_outbox WHERE sent_at IS NULL").fetchone()
        assert unsent == (0,)
