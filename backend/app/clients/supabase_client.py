"""PostgreSQL connection-pool factory (Supabase's direct Postgres connection in production).

Every session runs in UTC and with a statement timeout, so no query can hold a worker forever. JSON and jsonb
parameters are written with orjson: staging rows and item outcomes are JSON on every normalization, and the
standard library's encoder was a visible share of that path's CPU. Reading stays with the standard library,
which keeps integers of any size exact (orjson reads those beyond 64 bits as floats).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
import psycopg
from psycopg.types.json import set_json_dumps
from psycopg_pool import ConnectionPool


def dump_json(value: Any) -> bytes | str:
    """JSON for the database; dict keys that are not strings become strings, as the standard library does."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        # orjson refuses integers beyond 64 bits, which an answer from outside may hold; jsonb keeps them.
        return json.dumps(value)


def configure_json(conn: psycopg.Connection) -> None:
    """Write JSON parameters with orjson on this connection."""
    set_json_dumps(dump_json, conn)


def create_pool(
    database_url: str,
    *,
    min_size: int = 1,
    max_size: int = 4,
    statement_timeout_ms: int = 30_000,
    name: str = "boeing-hub",
    open_wait_s: float = 10.0,
) -> ConnectionPool:
    """Open a psycopg 3 pool whose connections use UTC, a bounded statement time and orjson. Each connection
    is checked as it is handed out (one empty query): after the server restarts, the connections it dropped
    are replaced instead of failing the first request or task that draws each of them."""
    pool = ConnectionPool(
        database_url,
        min_size=min(min_size, max_size),
        max_size=max_size,
        name=name,
        kwargs={
            "options": f"-c timezone=UTC -c statement_timeout={statement_timeout_ms}",
            "application_name": name,
            "connect_timeout": 5,
        },
        configure=configure_json,
        check=ConnectionPool.check_connection,
        timeout=10.0,
        open=False,
    )
    pool.open(wait=min_size > 0, timeout=open_wait_s)
    return pool
