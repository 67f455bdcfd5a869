"""The local stack's embedded PostgreSQL and Redis are supervised like its other processes: killed, each is
started again on the same URL, and a stop ends both."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import psycopg
import redis as redis_lib

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


def test_killed_embedded_servers_are_restarted_on_the_same_urls(tmp_path: Path) -> None:
    said: list[str] = []
    stack = LocalStack(StackOptions(data_dir=tmp_path), say=said.append)
    stack.supervisor = Supervisor(RestartPolicy(delay_s=0.2), say=said.append, stop_timeout_s=10)
    env: dict[str, str] = {}
    stop = threading.Event()
    thread = threading.Thread(target=stack.supervisor.run, args=(stop, 0.1))
    try:
        stack.start_servers(env)
        assert answers(env["DATABASE_URL"], env["REDIS_URL"])
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
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=5)
        stack.stop()
    assert not answers(env["DATABASE_URL"], env["REDIS_URL"]), "a stop ends both"
