"""Retention: old Boeing answers and sent outbox messages are purged; the rest stays."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from app.container import Container
from app.services.retention_service import RetentionService


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection


def insert_answer(conn: psycopg.Connection, part_number: str, age_days: float) -> int:
    row = conn.execute(
        "INSERT INTO boeing_raw_data (part_numbers, raw_payload, created_by, fetched_at)"
        " VALUES (%s, '{}', 'op', now() - make_interval(secs => %s)) RETURNING id",
        ([part_number], age_days * 86_400),
    ).fetchone()
    assert row is not None
    return int(row[0])


def stage_from(conn: psycopg.Connection, sku: str, raw_id: int) -> None:
    conn.execute(
        "INSERT INTO product_staging (sku, base_part_number, title, raw_data_id, status, created_by)"
        " VALUES (%s, %s, %s, %s, 'fetched', 'op')",
        (sku, sku, sku, raw_id),
    )


def insert_message(conn: psycopg.Connection, sent_hours_ago: float | None) -> int:
    row = conn.execute(
        "INSERT INTO task_outbox (task_name, created_at, sent_at)"
        " VALUES ('tasks.maintenance.purge', now() - interval '10 days',"
        "         now() - make_interval(secs => %s)) RETURNING id",
        (None if sent_hours_ago is None else sent_hours_ago * 3600,),
    ).fetchone()
    assert row is not None
    return int(row[0])


def ids(conn: psycopg.Connection, table: str) -> set[int]:
    return {int(row[0]) for row in conn.execute(f"SELECT id FROM {table}").fetchall()}


def test_old_answers_go_recent_ones_stay_and_staged_rows_survive(
    container: Container, conn: psycopg.Connection
) -> None:
    old = insert_answer(conn, "OLD-1", age_days=91)
    recent = insert_answer(conn, "NEW-1", age_days=89)
    stage_from(conn, "OLD-1", old)
    stage_from(conn, "NEW-1", recent)

    report = container.retention_service.purge()

    assert report.raw_answers == 1
    assert ids(conn, "boeing_raw_data") == {recent}
    rows = conn.execute("SELECT sku, raw_data_id FROM product_staging").fetchall()
    staged: dict[str, int | None] = {str(sku): raw_id for sku, raw_id in rows}
    assert staged == {"OLD-1": None, "NEW-1": recent}, "the staged record outlives its raw answer"


def test_the_retention_setting_decides_the_age(container: Container, conn: psycopg.Connection) -> None:
    ten_days = insert_answer(conn, "TEN", age_days=10)
    two_days = insert_answer(conn, "TWO", age_days=2)
    service = RetentionService(container.uow_factory, raw_data_days=7)
    assert service.purge().raw_answers == 1
    assert ids(conn, "boeing_raw_data") == {two_days}
    assert ten_days not in ids(conn, "boeing_raw_data")


def test_a_large_purge_runs_in_chunks_to_the_end(container: Container, conn: psycopg.Connection) -> None:
    for n in range(7):
        insert_answer(conn, f"OLD-{n}", age_days=100 + n)
    kept = insert_answer(conn, "KEPT", age_days=1)
    report = RetentionService(container.uow_factory, raw_data_days=90, chunk=3).purge()
    assert report.raw_answers == 7
    assert ids(conn, "boeing_raw_data") == {kept}


def test_sent_messages_older_than_a_day_go_unsent_ones_never(
    container: Container, conn: psycopg.Connection
) -> None:
    old_sent = insert_message(conn, sent_hours_ago=25)
    recent_sent = insert_message(conn, sent_hours_ago=1)
    unsent = insert_message(conn, sent_hours_ago=None)
    report = container.retention_service.purge()
    assert report.outbox_messages == 1
    assert ids(conn, "task_outbox") == {recent_sent, unsent}
    assert old_sent not in ids(conn, "task_outbox")
