"""The staged products' one compare-and-set move against real PostgreSQL: a failed publish marks a sellable
row ``failed``, never a blocked or already published one.

Races keep the first unit of work's transaction open while the second runs (``tests/support/concurrency.py``);
refusals snapshot whole rows.
"""

from __future__ import annotations

import psycopg

from app.core.constants.extraction import BlockedReason, StagingStatus
from app.db.unit_of_work import UnitOfWorkFactory
from tests.support.batch_factories import rows_of
from tests.support.concurrency import interleave


def _staged(
    conn: psycopg.Connection, sku: str, status: StagingStatus, reason: BlockedReason | None = None
) -> str:
    """A minimal staged row; returns its SKU."""
    conn.execute(
        "INSERT INTO product_staging (sku, base_part_number, title, status, blocked_reason, created_by)"
        " VALUES (%s, %s, %s, %s, %s, 'tester')",
        (sku, sku.split("=")[0], sku, str(status), None if reason is None else str(reason)),
    )
    return sku


def _status(conn: psycopg.Connection, sku: str) -> str:
    row = conn.execute("SELECT status FROM product_staging WHERE sku = %s", (sku,)).fetchone()
    assert row is not None
    return str(row[0])


class TestMarkFailed:
    def test_a_row_published_first_is_not_marked_failed_after(
        self, uow_factory: UnitOfWorkFactory, db: str, conn: psycopg.Connection
    ) -> None:
        sku = _staged(conn, "WF338109=K3", StagingStatus.FETCHED)

        result = interleave(
            uow_factory,
            db,
            lambda uow: uow.staging.mark_published(sku, shopify_product_id="7001"),
            lambda uow: uow.staging.mark_failed(sku),
        )

        assert (result.first, result.second) == (True, False)
        assert result.second_waited
        assert _status(conn, sku) == StagingStatus.PUBLISHED

    def test_a_blocked_or_published_row_is_left_as_it_was(
        self, uow_factory: UnitOfWorkFactory, conn: psycopg.Connection
    ) -> None:
        skus = [
            _staged(conn, "BLOCKED-1", StagingStatus.BLOCKED, BlockedReason.NO_PRICE),
            _staged(conn, "PUBLISHED-1", StagingStatus.PUBLISHED),
        ]
        before = rows_of(conn, "product_staging", skus, key="sku")

        with uow_factory() as uow:
            assert [uow.staging.mark_failed(sku) for sku in skus] == [False, False]

        assert rows_of(conn, "product_staging", skus, key="sku") == before
