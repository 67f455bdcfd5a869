"""Store tests: units of work on a small pool of the test database, and a plain connection to arrange rows.

No Redis, broker or identity provider: a store needs only PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from app.clients.supabase_client import create_pool
from app.db.unit_of_work import UnitOfWorkFactory, unit_of_work_factory


@pytest.fixture
def uow_factory(db: str) -> Iterator[UnitOfWorkFactory]:
    """Units of work as the services open them (UTC sessions, orjson), on a pool of their own."""
    pool = create_pool(db, min_size=0, max_size=4, name="store-tests")
    yield unit_of_work_factory(pool)
    pool.close()


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection for arranging rows and reading them back."""
    with psycopg.connect(db, autocommit=True) as connection:
        yield connection
