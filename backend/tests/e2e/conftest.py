"""End-to-end fixtures: the Boeing emulator as a real process, the extraction environment (compressed quota on
both sides, short timeouts, a fast sweeper) and a beat process that runs the sweeper."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis as redis_lib

from tests.support.processes import Emulator, start_emulator
from tests.support.settings import clean_environ
from tests.support.sync_stack import BeatProcess

BOEING_SEED = 42
BOEING_CATALOG_SIZE = 5000
# 1,200 requests per minute: 1,000 part numbers (100 calls) take about 5 s of quota.
E2E_QUOTA_REQUESTS = 100
E2E_QUOTA_WINDOW_S = 5.0


@dataclass
class BoeingEmulator:
    """A running Boeing emulator and its control API."""

    url: str
    control: httpx.Client

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        response = self.control.request(method, path, json=body, params=params or None)
        response.raise_for_status()
        return response.json()

    def set_quota(self, requests: int, window_s: float) -> None:
        self.call("PUT", "/quota", {"requests": requests, "window_s": window_s})

    def sample(self, kind: str, limit: int, offset: int = 0) -> list[str]:
        codes: list[str] = self.call("GET", "/catalog", kind=kind, limit=limit, offset=offset)["codes"]
        return codes

    def stats(self) -> dict[str, Any]:
        return dict(self.call("GET", "/stats"))


@pytest.fixture(scope="session")
def boeing_emulator_process() -> Iterator[Emulator]:
    """One Boeing emulator process for the session (latency off); each test resets it."""
    emulator = start_emulator(
        "boeing",
        ["--latency-scale", "0", "--seed", str(BOEING_SEED), "--catalog-size", str(BOEING_CATALOG_SIZE)],
    )
    yield emulator
    emulator.stop()


@pytest.fixture
def boeing_emulator(boeing_emulator_process: Emulator) -> Iterator[BoeingEmulator]:
    """The emulator reset, drift frozen, with the e2e quota."""
    with httpx.Client(base_url=f"{boeing_emulator_process.url}/_emulator", timeout=30) as control:
        emulator = BoeingEmulator(boeing_emulator_process.url, control)
        emulator.call("POST", "/reset", {"seed": BOEING_SEED, "catalog_size": BOEING_CATALOG_SIZE})
        emulator.call("POST", "/drift/freeze", {"frozen": True})
        emulator.set_quota(E2E_QUOTA_REQUESTS, E2E_QUOTA_WINDOW_S)
        yield emulator


def boeing_quota_env(env: dict[str, str], emulator: BoeingEmulator, requests: int, window_s: float) -> None:
    """The same quota for the emulator and our limiter."""
    emulator.set_quota(requests, window_s)
    env.update(BOEING_QUOTA_REQUESTS=str(requests), BOEING_QUOTA_WINDOW_S=str(window_s))


@pytest.fixture
def extraction_env(env: dict[str, str], boeing_emulator: BoeingEmulator) -> dict[str, str]:
    """The environment of the API and the workers for extraction (request it before settings/api/workers)."""
    env.update(
        BOEING_BASE_URL=boeing_emulator.url,
        BOEING_QUOTA_REQUESTS=str(E2E_QUOTA_REQUESTS),
        BOEING_QUOTA_WINDOW_S=str(E2E_QUOTA_WINDOW_S),
        BOEING_TIMEOUT_CONNECT_S="1",
        BOEING_TIMEOUT_TOKEN_S="2",
        BOEING_TIMEOUT_PRICE_S="1",
        BOEING_TASK_WAIT_S="2",
        BATCH_SWEEP_INTERVAL_S="1",
        BATCH_RESEND_GRACE_S="3",
        BATCH_LEASE_MARGIN_S="2",
        LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture
def sweeper_beat(
    authed_env: dict[str, str], redis_client: redis_lib.Redis[str], tmp_path: Path
) -> Iterator[BeatProcess]:
    """Celery beat with the test's environment: the batch sweeper every ``BATCH_SWEEP_INTERVAL_S``."""
    beat = BeatProcess.start({**clean_environ(), **authed_env}, tmp_path)
    yield beat
    beat.stop()
