"""Fixtures for the Boeing PNA emulator contract tests: a real uvicorn server on a free loopback port.

One server serves the whole session; every test starts from a reset emulator with a known baseline config
(latency off, string numbers, default credentials, a quota high enough not to interfere).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from emulators.boeing.config import EmulatorConfig
from emulators.boeing.server import EmulatorThread
from tests.support.instants import TEST_INSTANT, iso

OAUTH_PATH = "/oauth2/v2.0/token"
PART_TOKEN_PATH = "/boeing-part-price-availability/token/v1/oauth"
PRICE_PATH = "/boeing-part-price-availability/price-availability/v1/wtoken"
SCOPE = "api://helixapis.com/.default"
CATALOG_SIZE = 5000
# Every setting, so no test's config change leaks into the next one.
BASELINE: dict[str, Any] = EmulatorConfig(
    seed=42,
    catalog_size=CATALOG_SIZE,
    latency_scale=0,
    quota_requests=1000,
    clients={"emu-client": "emu-secret", "other-client": "other-secret"},
    clock_start=TEST_INSTANT,
).model_dump(mode="json")


class Pna:
    """A plain-HTTP caller of the emulated Boeing API for one client id."""

    def __init__(self, http: httpx.Client, client_id: str = "emu-client", secret: str = "emu-secret") -> None:
        self.http = http
        self.client_id = client_id
        self.secret = secret
        self.access: str | None = None
        self.part: str | None = None

    def oauth(self, **overrides: str) -> httpx.Response:
        """Call 1 with this client's credentials (fields overridable)."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.secret,
            "scope": SCOPE,
            **overrides,
        }
        return self.http.post(OAUTH_PATH, data=form)

    def part_token(
        self, access: str | None = None, user: str = "emu-user", password: str = "emu-pass"
    ) -> httpx.Response:
        """Call 2 with a bearer token and user credentials."""
        headers = {"x-username": user, "x-password": password, "Content-Type": "application/json"}
        if access or self.access:
            headers["Authorization"] = f"Bearer {access or self.access}"
        return self.http.get(PART_TOKEN_PATH, headers=headers)

    def login(self) -> Pna:
        """Obtain both tokens."""
        resp = self.oauth()
        assert resp.status_code == 200, resp.text
        self.access = resp.json()["access_token"]
        resp = self.part_token()
        assert resp.status_code == 200, resp.text
        self.part = resp.headers["x-part-access-token"]
        return self

    def price_raw(
        self, body: Any, *, access: str | None = None, part: str | None = None, **kw: Any
    ) -> httpx.Response:
        """Call 3 with any JSON body."""
        headers = {}
        if access or self.access:
            headers["Authorization"] = f"Bearer {access or self.access}"
        if part or self.part:
            headers["x-boeing-parts-authorization"] = part or self.part or ""
        return self.http.post(PRICE_PATH, json=body, headers=headers, **kw)

    def price(
        self, codes: list[str], show_no_stock: bool = True, show_location: bool = True
    ) -> httpx.Response:
        """Call 3 the way our client sends it."""
        body = {"showNoStock": show_no_stock, "showLocation": show_location, "productCodes": codes}
        return self.price_raw(body)

    def items(self, codes: list[str], **flags: bool) -> list[dict[str, Any]]:
        """``lineItems`` of a successful price call."""
        resp = self.price(codes, **flags)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["currency"] == "USD"
        items: list[dict[str, Any]] = body["lineItems"]
        return items


class Control:
    """The ``/_emulator`` control API."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def call(
        self, method: str, path: str, body: Any = None, expect: int = 200, **params: Any
    ) -> dict[str, Any]:
        """One control call; asserts the status and returns the JSON body (always an object)."""
        resp = self.http.request(method, "/_emulator" + path, json=body, params=params or None)
        assert resp.status_code == expect, f"{method} {path}: {resp.status_code} {resp.text}"
        answer: dict[str, Any] = resp.json()
        return answer

    def config(self, **changes: Any) -> dict[str, Any]:
        """PATCH the config."""
        return self.call("PATCH", "/config", changes)

    def quota(
        self, requests: int, window_s: float = 60, scope: str = "price", client_id: str | None = None
    ) -> dict[str, Any]:
        """PUT a quota."""
        body: dict[str, Any] = {"requests": requests, "window_s": window_s, "scope": scope}
        if client_id is not None:
            body["client_id"] = client_id
        return self.call("PUT", "/quota", body)

    def fault(self, **rule: Any) -> str:
        """Add a fault rule, returning its id."""
        rule_id: str = self.call("POST", "/faults", rule)["id"]
        return rule_id

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the virtual clock."""
        return self.call("POST", "/clock/advance", {"seconds": seconds})

    def freeze(self, frozen: bool = True) -> int:
        """Freeze or release drift; returns the window in force."""
        window: int = self.call("POST", "/drift/freeze", {"frozen": frozen})["window"]
        return window

    def force(self, **body: Any) -> dict[str, Any]:
        """POST drift/force."""
        return self.call("POST", "/drift/force", body)

    def sample(self, kind: str, limit: int = 5, offset: int = 0) -> list[str]:
        """Sample base codes of a class, scanning from base index ``offset``."""
        codes: list[str] = self.call("GET", "/catalog", kind=kind, limit=limit, offset=offset)["codes"]
        assert codes, f"no {kind} codes in the catalogue"
        return codes

    def stats(self) -> dict[str, Any]:
        """Current counters."""
        return self.call("GET", "/stats")

    def requests(self, limit: int = 100) -> list[dict[str, Any]]:
        """Recent request log."""
        log: list[dict[str, Any]] = self.call("GET", "/requests", limit=limit)["requests"]
        return log


def wait_for(predicate: Callable[[], Any], timeout_s: float = 5.0, interval_s: float = 0.02) -> Any:
    """Poll until ``predicate`` returns something truthy, failing after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s")
        time.sleep(interval_s)


@pytest.fixture
def poll() -> Callable[..., Any]:
    """The ``wait_for`` helper: poll with a deadline instead of sleeping."""
    return wait_for


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorThread]:
    """The session's emulator server."""
    config = EmulatorConfig(seed=42, catalog_size=CATALOG_SIZE, latency_scale=0, clock_start=TEST_INSTANT)
    with EmulatorThread(config) as server:
        yield server


@pytest.fixture(scope="session")
def session_http(emulator: EmulatorThread) -> Iterator[httpx.Client]:
    """One HTTP client for the session (connection reuse keeps tests fast)."""
    with httpx.Client(base_url=emulator.url, timeout=10.0) as client:
        yield client


@pytest.fixture
def http(session_http: httpx.Client, instant: datetime) -> httpx.Client:
    """The HTTP client on a freshly reset emulator: the baseline config, its clock at ``instant``."""
    session_http.patch("/_emulator/config", json=BASELINE).raise_for_status()
    session_http.post("/_emulator/reset").raise_for_status()
    session_http.put("/_emulator/clock", json={"now": iso(instant)}).raise_for_status()
    return session_http


@pytest.fixture
def control(http: httpx.Client) -> Control:
    """Control API helper."""
    return Control(http)


@pytest.fixture
def pna(http: httpx.Client) -> Pna:
    """A logged-in caller as ``emu-client``."""
    return Pna(http).login()


@pytest.fixture
def make_pna(http: httpx.Client) -> Callable[..., Pna]:
    """Factory of callers (not logged in) for any client id."""

    def make(client_id: str = "emu-client", secret: str = "emu-secret") -> Pna:
        return Pna(http, client_id, secret)

    return make


@pytest.fixture
def base_url(emulator: EmulatorThread) -> str:
    """Where the session's emulator listens."""
    return emulator.url


@pytest.fixture(scope="session")
def start_emulator() -> Iterator[Callable[..., EmulatorThread]]:
    """Start extra emulator servers (each with its own app and state); all are stopped at session end."""
    started: list[EmulatorThread] = []

    def start(**config: Any) -> EmulatorThread:
        server = EmulatorThread(
            EmulatorConfig(
                **{"catalog_size": 1000, "latency_scale": 0, "clock_start": TEST_INSTANT, **config}
            )
        ).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
