"""The local stack's embedded PostgreSQL and Redis are supervised like its other processes: killed, each is
started again on the same URL, a pool opened before the kill hands out working connections at once, and a stop
ends both."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib
from psycopg_pool import ConnectionPool

from app.clients.supabase_client import create_pool
from app.local.stack import LocalStack, StackOptions
from app.local.supervisor import RestartPolicy, Supervisor
from tests.support.processes import wait_until


def answers(database_url: str, redis_url: str) -> bool:
    try:
        with psycopg.connect(database_url, connect_timeout=2) as conn:
            conn.execute("SELECT 1")
        with redis_lib.Redis.from_url(redis_url, socket_connect_timeout=1) as client:
            return bool(client.ping())
    except (psycopg.OperationalError, redis_lib.ConnectionError):
        return False


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """Outside pytest's temporary root: run as root, pgserver runs PostgreSQL as its own user, and another
    pytest session on the machine may close that root's permissions to its owner meanwhile."""
    with tempfile.TemporaryDirectory(prefix="boeing-hub-stack-", ignore_cleanup_errors=True) as path:
        yield Path(path)


def test_killed_embedded_servers_are_restarted_on_the_same_urls(data_dir: Path) -> None:
    said: list[str] = []
    stack = LocalStack(StackOptions(data_dir=data_dir), say=said.append)
    stack.supervisor = Supervisor(RestartPolicy(delay_s=0.2), say=said.append, stop_timeout_s=10)
    env: dict[str, str] = {}
    stop = threading.Event()
    thread = threading.Thread(target=stack.supervisor.run, args=(stop, 0.1))
    pools: list[ConnectionPool] = []
    try:
        stack.start_servers(env)
        assert answers(env["DATABASE_URL"], env["REDIS_URL"])
        pools.append(create_pool(env["DATABASE_URL"], min_size=2, max_size=2))
        pids = {unit.name: unit.process.pid for unit in stack.supervisor.units if unit.process}
        assert set(pids) == {"postgresql", "redis"}
        thread.start()
        for pid in pids.values():
            os.kill(pid, signal.SIGKILL)
        wait_until(
            lambda: sum("restarted" in line for line in said) == 2,
            timeout_s=40,
            what="both servers restarted",
        )
        assert any("redis (pid" in line and "killed by SIGKILL; restarting" in line for line in said)
        assert any("postgresql (pid" in line and "ended (not a child" in line for line in said)
        wait_until(lambda: answers(env["DATABASE_URL"], env["REDIS_URL"]), timeout_s=20, what="both answer")
        for _ in range(3):  # the pool's connections to the killed server are replaced, never handed out
            with pools[0].connection() as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        print("\n".join(said))  # the supervisor's account, shown when the test fails
        for pool in pools:
            pool.close()
        stop.set()
        if thread.is_alive():
            thread.join(timeout=5)
        stack.stop()
    assert not answers(env["DATABASE_URL"], env["REDIS_URL"]), "a stop ends both"
