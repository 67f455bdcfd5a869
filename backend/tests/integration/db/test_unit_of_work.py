"""The unit of work's stores: built once per unit of work, on its connection, and gone with it."""

from __future__ import annotations

import psycopg
import pytest

from app.container import Container
from app.core.constants.batches import BatchType, ItemStage


def _count(db: str, table: str) -> int:
    with psycopg.connect(db) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


def test_each_store_is_built_once_per_unit_of_work(container: Container) -> None:
    with container.uow_factory() as first:
        assert first.batches is first.batches
        assert first.items is not first.publish_items
    with container.uow_factory() as second:
        assert second.batches is not first.batches, "a new unit of work has stores of its own"


def test_the_stores_of_one_unit_of_work_commit_or_roll_back_together(container: Container, db: str) -> None:
    with pytest.raises(RuntimeError), container.uow_factory() as uow:
        batch = uow.batches.create(
            batch_type=BatchType.EXTRACT, total_items=2, part_numbers=["A", "B"], created_by="t"
        )
        uow.items.insert_many(batch.id, ["A", "B"], stage=ItemStage.EXTRACTION, chunk_size=10)
        raise RuntimeError("the service failed after both writes")
    assert (_count(db, "batches"), _count(db, "batch_items")) == (0, 0)
    with container.uow_factory() as uow:
        batch = uow.batches.create(
            batch_type=BatchType.EXTRACT, total_items=2, part_numbers=["A", "B"], created_by="t"
        )
        uow.items.insert_many(batch.id, ["A", "B"], stage=ItemStage.EXTRACTION, chunk_size=10)
    assert (_count(db, "batches"), _count(db, "batch_items")) == (1, 2)


def test_a_store_refuses_to_run_once_its_unit_of_work_has_ended(container: Container) -> None:
    with container.uow_factory() as uow:
        batches = uow.batches
    with pytest.raises(RuntimeError, match="not open"):
        batches.active_ids(BatchType.EXTRACT)
