"""jsonb through the pool's connections (written with orjson): values round-trip exactly."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from app.clients.supabase_client import create_pool, dump_json


@pytest.fixture
def pool(db: str) -> Iterator[ConnectionPool]:
    pool = create_pool(db, min_size=1, max_size=1)
    yield pool
    pool.close()


def test_jsonb_round_trips_through_the_pool(pool: ConnectionPool) -> None:
    value = {"lineItems": [{"listPrice": "28.05", "quantity": 3, "ratio": 0.5, "ok": True, "none": None}],
             "text": "Stainless \u00e9crou \u2013 <b>&</b>"}  # fmt: skip
    with pool.connection() as conn:
        assert conn.execute("SELECT %s::jsonb", (Jsonb(value),)).fetchone() == (value,)


def test_integers_beyond_64_bits_are_read_back_exactly(pool: ConnectionPool) -> None:
    huge = 2**70 + 1
    with pool.connection() as conn:
        read = conn.execute("SELECT jsonb_build_object('n', %s::numeric)", (huge,)).fetchone()
        written = conn.execute("SELECT %s::jsonb", (Jsonb({"n": huge}),)).fetchone()
    assert read == written == ({"n": huge},)


def test_keys_that_are_not_strings_are_written_as_strings() -> None:
    assert json.loads(dump_json({1: "a", "b": [1, 2]})) == {"1": "a", "b": [1, 2]}
