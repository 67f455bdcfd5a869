"""Our Boeing client against the Boeing emulator: tokens, re-authentication and error translation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.clients.boeing_client import BoeingClient
from app.core.config import BoeingSettings
from app.core.exceptions import NonRetryableError, QuotaWait, RetryableError
from emulators.boeing.config import EmulatorConfig
from emulators.boeing.server import EmulatorThread
from tests.support.instants import TEST_INSTANT


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorThread]:
    with EmulatorThread(
        EmulatorConfig(seed=42, catalog_size=1000, latency_scale=0, clock_start=TEST_INSTANT)
    ) as server:
        yield server


@pytest.fixture
def control(emulator: EmulatorThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url + "/_emulator", timeout=10) as http:
        http.post("/reset", json={"seed": 42, "catalog_size": 1000}).raise_for_status()
        http.put("/quota", json={"requests": 1000, "window_s": 60}).raise_for_status()
        yield http


def make_client(emulator: EmulatorThread, clock: FakeClock | None = None, **overrides: Any) -> BoeingClient:
    options: dict[str, Any] = {
        "base_url": emulator.url,
        "client_id": "emu-client",
        "client_secret": "emu-secret",
        "username": "emu-user",
        "password": "emu-pass",
        "timeout_connect_s": 2,
        "timeout_token_s": 2,
        "timeout_price_s": 2,
        **overrides,
    }
    settings = BoeingSettings(**options)
    return BoeingClient(settings, clock=clock or time.monotonic)


def stats(control: httpx.Client) -> dict[str, Any]:
    counters: dict[str, Any] = control.get("/stats").json()
    return counters


def test_many_price_calls_share_one_pair_of_tokens(emulator: EmulatorThread, control: httpx.Client) -> None:
    client = make_client(emulator)
    for codes in (["WF338109"], ["AN3-12A", "MS20426AD3-5"], ["NOTFOUND-1"], ["NAS1149F0332P"], ["AN3-12A"]):
        body = client.price_availability(codes)
        assert body["currency"] == "USD"
    counters = stats(control)
    assert counters["calls"]["price"] == 5
    assert counters["tokens_issued"] == {"access": 1, "part": 1}


def test_codes_are_cleaned_and_variants_come_back(emulator: EmulatorThread, control: httpx.Client) -> None:
    client = make_client(emulator)
    body = client.price_availability([" wf338109 ", "WF338109", "notfound-9"])
    skus = {item["aviallPartNumber"] for item in body["lineItems"]}
    assert "WF338109=K3" in skus
    assert control.get("/requests").json()["requests"][-1]["codes"] == ["WF338109", "NOTFOUND-9"]


def test_tokens_are_renewed_shortly_before_they_expire(
    emulator: EmulatorThread, control: httpx.Client
) -> None:
    clock = FakeClock()
    client = make_client(emulator, clock)
    client.price_availability(["AN3-12A"])
    clock.now += 3000  # within the 3599 s lifetime minus the 60 s skew: still cached
    client.price_availability(["AN3-12A"])
    assert stats(control)["tokens_issued"] == {"access": 1, "part": 1}
    clock.now += 600  # past expires_in - 60 s: renewed before use, no 401 needed
    client.price_availability(["AN3-12A"])
    counters = stats(control)
    assert counters["tokens_issued"] == {"access": 2, "part": 2}
    assert counters["responses"].get("401", 0) == 0


def test_a_401_drops_the_tokens_and_re_authenticates_once(
    emulator: EmulatorThread, control: httpx.Client
) -> None:
    client = make_client(emulator)
    client.price_availability(["AN3-12A"])
    control.post("/tokens/expire", json={"kind": "both"}).raise_for_status()
    body = client.price_availability(["AN3-12A"])
    assert body["lineItems"]
    counters = stats(control)
    assert counters["responses"]["401"] == 1
    assert counters["tokens_issued"] == {"access": 2, "part": 2}
    assert counters["calls"]["price"] == 3


def test_a_second_401_is_an_authentication_failure(emulator: EmulatorThread, control: httpx.Client) -> None:
    client = make_client(emulator)
    control.post("/faults", json={"endpoint": "price", "kind": "http_401"}).raise_for_status()
    with pytest.raises(NonRetryableError, match="401"):
        client.price_availability(["AN3-12A"])
    assert stats(control)["calls"]["price"] == 2  # the call and exactly one retry after re-authenticating


def test_wrong_credentials_fail_fast_without_leaking_the_secret(
    emulator: EmulatorThread, control: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client(emulator, client_secret="not-the-secret")
    with pytest.raises(NonRetryableError) as caught:
        client.price_availability(["AN3-12A"])
    assert "not-the-secret" not in str(caught.value)
    assert "not-the-secret" not in caplog.text
    assert stats(control)["calls"].get("price", 0) == 0


def test_429_becomes_a_quota_wait_with_retry_after(emulator: EmulatorThread, control: httpx.Client) -> None:
    control.put("/quota", json={"requests": 1, "window_s": 30}).raise_for_status()
    client = make_client(emulator)
    client.price_availability(["AN3-12A"])
    with pytest.raises(QuotaWait) as caught:
        client.price_availability(["AN3-12A"])
    assert 1 <= caught.value.wait_s <= 30
    assert caught.value.system == "boeing"


def test_a_timeout_is_retryable(emulator: EmulatorThread, control: httpx.Client) -> None:
    client = make_client(emulator, timeout_price_s=0.3)
    client.ensure_tokens()
    control.post("/faults", json={"endpoint": "price", "kind": "timeout", "delay_s": 5}).raise_for_status()
    started = time.monotonic()
    with pytest.raises(RetryableError) as caught:
        client.price_availability(["AN3-12A"])
    assert caught.value.timeout
    assert caught.value.code == "boeing_timeout"
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("kind", ["http_500", "http_502", "http_503", "http_504", "drop_connection"])
def test_server_errors_and_cut_connections_are_retryable(
    emulator: EmulatorThread, control: httpx.Client, kind: str
) -> None:
    client = make_client(emulator)
    control.post("/faults", json={"endpoint": "price", "kind": kind, "count": 1}).raise_for_status()
    with pytest.raises(RetryableError) as caught:
        client.price_availability(["AN3-12A"])
    assert not caught.value.timeout
    assert client.price_availability(["AN3-12A"])["lineItems"]  # the next call works


@pytest.mark.parametrize("kind", ["malformed_json", "html_body", "empty_body"])
def test_a_malformed_success_body_is_retryable(
    emulator: EmulatorThread, control: httpx.Client, kind: str
) -> None:
    client = make_client(emulator)
    control.post("/faults", json={"endpoint": "price", "kind": kind, "count": 1}).raise_for_status()
    with pytest.raises(RetryableError, match="JSON"):
        client.price_availability(["AN3-12A"])


def test_more_codes_than_the_batch_size_are_refused_before_any_call(
    emulator: EmulatorThread, control: httpx.Client
) -> None:
    client = make_client(emulator, batch_size=3)
    with pytest.raises(NonRetryableError, match="1 to 3"):
        client.price_availability(["A1", "A2", "A3", "A4"])
    assert stats(control)["calls"].get("price", 0) == 0


def test_tokens_are_shared_by_threads(emulator: EmulatorThread, control: httpx.Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = make_client(emulator)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: client.price_availability(["AN3-12A"]), range(16)))
    assert all(body["lineItems"] for body in results)
    assert stats(control)["tokens_issued"] == {"access": 1, "part": 1}
