"""Same seed + code + virtual time -> identical answers, across separate app instances (§7.2, §7.9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from emulators.boeing.server import EmulatorThread

SHARED_IMAGE_HOST = "http://media.example.test"


class Instance:
    """An extra emulator server with helpers to log in, query and align its drift window."""

    def __init__(self, server: EmulatorThread) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=10)
        self.http.patch("/_emulator/config", json={"public_base_url": SHARED_IMAGE_HOST}).raise_for_status()
        self.http.put("/_emulator/quota", json={"requests": 1000, "window_s": 60}).raise_for_status()

    def control(self, method: str, path: str, body: Any = None, **params: Any) -> dict[str, Any]:
        resp = self.http.request(method, "/_emulator" + path, json=body, params=params or None)
        resp.raise_for_status()
        answer: dict[str, Any] = resp.json()
        return answer

    def freeze(self) -> int:
        window: int = self.control("POST", "/drift/freeze", {"frozen": True})["window"]
        return window

    def move_to_window(self, target: int) -> None:
        current = self.freeze()
        if current < target:
            self.control("POST", "/drift/freeze", {"frozen": False})
            self.control("POST", "/clock/advance", {"seconds": (target - current) * 3600})
            assert self.freeze() == target

    def items(self, codes: list[str]) -> list[dict[str, Any]]:
        token = self.http.post(
            "/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "emu-client",
                "client_secret": "emu-secret",
                "scope": "api://helixapis.com/.default",
            },
        ).json()["access_token"]
        part = self.http.get(
            "/boeing-part-price-availability/token/v1/oauth",
            headers={"Authorization": f"Bearer {token}", "x-username": "emu-user", "x-password": "emu-pass"},
        ).headers["x-part-access-token"]
        resp = self.http.post(
            "/boeing-part-price-availability/price-availability/v1/wtoken",
            json={"showNoStock": True, "showLocation": True, "productCodes": codes},
            headers={"Authorization": f"Bearer {token}", "x-boeing-parts-authorization": part},
        )
        assert resp.status_code == 200, resp.text
        items: list[dict[str, Any]] = resp.json()["lineItems"]
        return items

    def sample(self, kind: str, limit: int) -> list[str]:
        codes: list[str] = self.control("GET", "/catalog", kind=kind, limit=limit)["codes"]
        return codes


def align(a: Instance, b: Instance) -> int:
    """Freeze both instances on the same drift window (the later of the two)."""
    target = max(a.freeze(), b.freeze())
    a.move_to_window(target)
    b.move_to_window(target)
    return target


@pytest.fixture(scope="module")
def twins(start_emulator: Callable[..., EmulatorThread]) -> Iterator[list[Instance]]:
    """Two independent servers with seed 7, and one with seed 8."""
    servers = [start_emulator(seed=7), start_emulator(seed=7), start_emulator(seed=8)]
    instances = [Instance(s) for s in servers]
    yield instances
    for instance in instances:
        instance.http.close()


def test_same_seed_gives_the_same_catalogue(twins: list[Instance]) -> None:
    a, b, _ = twins
    for kind in ("normal", "multi_variant", "no_stock", "unpriced", "non_us_only", "broken_image"):
        assert a.sample(kind, 25) == b.sample(kind, 25)


def test_same_seed_same_window_gives_identical_answers(twins: list[Instance]) -> None:
    a, b, _ = twins
    align(a, b)
    codes = ["WF338109", "311N5049-173", *a.sample("normal", 4), *a.sample("multi_variant", 2), "NOTFOUND-9"]
    first = a.items(codes)
    assert len(first) >= 8
    assert b.items(codes) == first
    assert a.items(codes) == first


def test_same_seed_drifts_identically(twins: list[Instance]) -> None:
    a, b, _ = twins
    window = align(a, b)
    codes = a.sample("normal", 9)
    before = a.items(codes)
    a.move_to_window(window + 300)
    b.move_to_window(window + 300)
    after = a.items(codes)
    assert after != before
    assert b.items(codes) == after


def test_a_different_seed_gives_a_different_catalogue(twins: list[Instance]) -> None:
    a, _, other = twins
    mine, theirs = a.sample("normal", 50), other.sample("normal", 50)
    assert mine != theirs
    # The pinned parts exist under every seed.
    assert [i["aviallPartNumber"] for i in other.items(["WF338109", "AN3-12A"])] == ["WF338109=K3", "AN3-12A"]
    shared = [code for code in mine if code in set(theirs)]
    assert len(shared) < len(mine)
