from __future__ import annotations

import uuid

import psycopg

from app.db.migrations import apply_migrations, discover


def test_migrate_twice_applies_nothing_the_second_time(_database_server: str) -> None:
    name = f"boeing_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_database_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    info = psycopg.conninfo.conninfo_to_dict(_database_server)
    info["dbname"] = name
    url = psycopg.conninfo.make_conninfo("", **{k: v for k, v in info.items() if v is not None})
    try:
        first = apply_migrations(url)
        second = apply_migrations(url)
        assert first == [m.name for m in discover()]
        assert second == []
        with psycopg.connect(url) as conn:
            recorded = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        assert [row[0] for row in recorded] == [m.version for m in discover()]
    finally:
        with psycopg.connect(_database_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_status_checks_use_exactly_the_design_values(db: str) -> None:
    with psycopg.connect(db) as conn:
        conn.execute(
            "INSERT INTO batches (batch_type, status, created_by) VALUES ('extract', 'processing', 't')"
        )
        try:
            conn.execute(
                "INSERT INTO batches (batch_type, status, created_by) VALUES ('extract', 'running', 't')"
            )
        except psycopg.errors.CheckViolation:
            conn.rollback()
        else:
            raise AssertionError("an unknown batch status was accepted")


def test_updated_at_moves_on_update(db: str) -> None:
    with psycopg.connect(db, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO batches (batch_type, created_by, created_at, updated_at)"
            " VALUES ('extract', 't', now() - interval '1 hour', now() - interval '1 hour')"
            " RETURNING id, updated_at"
        ).fetchone()
        assert row is not None
        after = conn.execute(
            "UPDATE batches SET status = 'processing' WHERE id = %s RETURNING updated_at", (row[0],)
        ).fetchone()
        assert after is not None and after[0] > row[1]
