"""Real processes for end-to-end tests: the emulators and Celery worker groups, on loopback, stopped by the
test."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import redis

from app.utils.heartbeats import KEY_PREFIX
from tests.support.instants import clock_env

BACKEND_DIR = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T | None], *, timeout_s: float, interval_s: float = 0.1, what: str = ""
) -> T:
    """Poll ``predicate`` until it returns a truthy value; fail with ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what or predicate}")
        time.sleep(interval_s)


@dataclass
class Emulator:
    name: str
    url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        _terminate(self.process)


def start_emulator(name: str, args: list[str] | None = None, env: dict[str, str] | None = None) -> Emulator:
    """Start ``python -m emulators.<name> --port 0`` and read its ``READY <url>`` line."""
    command = [sys.executable, "-m", f"emulators.{name}", "--host", "127.0.0.1", "--port", "0", *(args or [])]
    process = subprocess.Popen(
        command,
        cwd=BACKEND_DIR,
        env={**os.environ, **clock_env(), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {name} emulator exited with code {process.returncode}")
        if selector.select(timeout=0.2):
            line = process.stdout.readline().strip()
            if line.startswith("READY "):
                return Emulator(name, line.split(" ", 1)[1], process)
    _terminate(process)
    raise RuntimeError(f"the {name} emulator did not report READY within 30 s")


@dataclass
class WorkerGroupProcess:
    group: str
    queues: tuple[str, ...]
    process: subprocess.Popen[bytes]


@dataclass
class Workers:
    """Worker groups running as real ``boeing-hub worker`` processes with the test environment."""

    env: dict[str, str]
    redis_url: str
    log_dir: Path
    running: dict[str, WorkerGroupProcess] = field(default_factory=dict)

    def start(self, *groups: str, concurrency: int | None = None) -> None:
        """Start the groups and wait until each of their queues has a heartbeat."""
        from app.celery_app.celery_config import WORKER_GROUPS

        for group in groups:
            spec = WORKER_GROUPS[group]
            command = [sys.executable, "-m", "app.cli", "worker", "--group", group]
            if concurrency:
                command += ["--concurrency", str(concurrency)]
            log = (self.log_dir / f"worker-{group}.log").open("ab")
            process = subprocess.Popen(
                command, cwd=BACKEND_DIR, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
            self.running[group] = WorkerGroupProcess(group, spec.queues, process)
        for group in groups:
            self.wait_ready(group)

    def wait_ready(self, group: str, timeout_s: float = 45) -> None:
        worker = self.running[group]
        client = redis.Redis.from_url(self.redis_url, decode_responses=True)
        try:

            def ready() -> bool:
                if worker.process.poll() is not None:
                    raise AssertionError(f"worker group {group} exited with {worker.process.returncode}")
                return all(any(client.scan_iter(f"{KEY_PREFIX}{q}:{group}@*")) for q in worker.queues)

            wait_until(ready, timeout_s=timeout_s, what=f"worker group {group} heartbeats")
        finally:
            client.close()

    def restart_exited(self) -> list[str]:
        """Start again every group whose process has exited, as the deployment's supervisor does (systemd
        ``Restart=on-failure``); returns the groups restarted."""
        exited = [group for group, worker in self.running.items() if worker.process.poll() is not None]
        for group in exited:
            del self.running[group]
        if exited:
            self.start(*exited)
        return exited

    def kill(self, group: str) -> None:
        """SIGKILL the whole group (main process and pool children), as a crash would."""
        worker = self.running.pop(group)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)

    def stop(self) -> None:
        for worker in list(self.running.values()):
            _terminate(worker.process)
        self.running.clear()


def _terminate(process: subprocess.Popen[str] | subprocess.Popen[bytes], timeout_s: float = 15) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
