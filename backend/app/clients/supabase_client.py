"""PostgreSQL connection-pool factory (Supabase's direct Postgres connection in production).

Every session runs in UTC and with a statement timeout, so no query can hold a worker forever.
"""

from __future__ import annotations

from psycopg_pool import ConnectionPool


def create_pool(
    database_url: str,
    *,
    min_size: int = 1,
    max_size: int = 4,
    statement_timeout_ms: int = 30_000,
    name: str = "boeing-hub",
    open_wait_s: float = 10.0,
) -> ConnectionPool:
    """Open a psycopg 3 pool whose connections use UTC and a bounded statement time."""
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
        timeout=10.0,
        open=False,
    )
    pool.open(wait=min_size > 0, timeout=open_wait_s)
    return pool
