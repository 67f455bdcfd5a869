"""Idempotency keys against real PostgreSQL: of two requests with one key, exactly one records it.

The key is claimed by its insert (unique per scope); the second waits for the first one's transaction and is
refused once it commits (``tests/support/concurrency.py`` keeps the first transaction open).
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from app.core.constants.batches import IdempotencyScope
from app.core.exceptions import ConflictError
from app.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.support.batch_factories import insert_batch
from tests.support.concurrency import interleave

KEY = "operator-key-1"


class TestRecord:
    def test_exactly_one_request_records_a_key(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        first_batch, second_batch = insert_batch(conn), insert_batch(conn)

        def record(batch: str) -> Callable[[UnitOfWork], str]:
            def run(uow: UnitOfWork) -> str:
                try:
                    uow.idempotency.record(IdempotencyScope.EXTRACTION_BULK, KEY, batch)
                except ConflictError:
                    return "conflict"
                return "recorded"

            return run

        result = interleave(uow_factory, db, record(first_batch), record(second_batch))

        assert (result.first, result.second) == ("recorded", "conflict")
        assert result.second_waited, "the second insert waited for the first one's uncommitted key"
        with uow_factory() as uow:
            assert uow.idempotency.find(IdempotencyScope.EXTRACTION_BULK, KEY) == first_batch

    def test_a_key_of_another_scope_is_another_key(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        extraction, publishing = insert_batch(conn), insert_batch(conn)

        with uow_factory() as uow:
            uow.idempotency.record(IdempotencyScope.EXTRACTION_BULK, KEY, extraction)
            uow.idempotency.record(IdempotencyScope.PUBLISHING_BULK, KEY, publishing)

        with uow_factory() as uow:
            assert uow.idempotency.find(IdempotencyScope.EXTRACTION_BULK, KEY) == extraction
            assert uow.idempotency.find(IdempotencyScope.PUBLISHING_BULK, KEY) == publishing
