"""Fault injection: every kind, every selector, and the auth -> quota -> fault order (contract §5, §7.6)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.contract.emulators.boeing.conftest import Control, Pna


@pytest.mark.parametrize(
    ("kind", "status"), [("http_500", 500), ("http_502", 502), ("http_503", 503), ("http_504", 504)]
)
def test_server_error_kinds(pna: Pna, control: Control, kind: str, status: int) -> None:
    control.fault(endpoint="price", kind=kind, count=1)
    resp = pna.price(["AN3-12A"])
    assert resp.status_code == status
    assert resp.content
    assert pna.price(["AN3-12A"]).status_code == 200


def test_gateway_errors_are_html_and_500s_json(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="http_502", count=1)
    control.fault(endpoint="price", kind="http_500", count=1)
    gateway, server = pna.price(["AN3-12A"]), pna.price(["AN3-12A"])
    assert gateway.headers["content-type"].startswith("text/html")
    assert server.json()["error"] == "server_error"


def test_503_carries_retry_after_when_asked(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="http_503", count=1, retry_after_s=7)
    resp = pna.price(["AN3-12A"])
    assert resp.status_code == 503
    assert resp.headers["retry-after"] == "7"


def test_injected_429(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="http_429", count=1, retry_after_s=3)
    resp = pna.price(["AN3-12A"])
    assert resp.status_code == 429
    assert resp.headers["retry-after"] == "3"
    assert resp.json()["error"] == "rate_limited"


def test_injected_401(pna: Pna, control: Control) -> None:
    control.fault(endpoint="part_token", kind="http_401", count=1)
    resp = pna.part_token()
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_token"
    assert resp.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_malformed_json(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="malformed_json", count=1)
    resp = pna.price(["WF338109=K3"])
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.content.startswith(b'{"currency":"USD"')
    with pytest.raises(json.JSONDecodeError):
        json.loads(resp.content)


def test_html_body(pna: Pna, control: Control) -> None:
    control.fault(endpoint="oauth_token", kind="html_body", count=1)
    resp = pna.oauth()
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert resp.text.startswith("<!DOCTYPE html>")


def test_empty_body(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="empty_body", count=1)
    resp = pna.price(["AN3-12A"])
    assert resp.status_code == 200
    assert resp.content == b""


def test_drop_connection(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="drop_connection", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        pna.price(["AN3-12A"])
    assert pna.price(["AN3-12A"]).status_code == 200
    (dropped, ok) = control.requests(limit=2)
    assert dropped["status"] is None
    assert dropped["fault"] == "drop_connection"
    assert ok["status"] == 200


def test_timeout_is_held_past_a_short_client_timeout(
    pna: Pna, control: Control, poll: Callable[..., Any]
) -> None:
    control.fault(endpoint="price", kind="timeout", count=1, delay_s=3)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        pna.price_raw({"productCodes": ["AN3-12A"]}, timeout=0.3)
    assert time.monotonic() - started < 2.5
    # The server stops holding once the client has gone, and records the 504 it would have sent.
    entry = poll(lambda: [r for r in control.requests() if r["fault"] == "timeout"])
    assert entry[0]["status"] == 504
    assert pna.price(["AN3-12A"]).status_code == 200


def test_timeout_answers_504_after_the_hold(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="timeout", count=1, delay_s=0.2)
    started = time.monotonic()
    resp = pna.price(["AN3-12A"])
    assert time.monotonic() - started >= 0.2
    assert resp.status_code == 504


def test_slow_then_normal(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="slow", count=1, delay_s=0.25)
    started = time.monotonic()
    resp = pna.price(["WF338109=K3"])
    assert time.monotonic() - started >= 0.25
    assert resp.status_code == 200
    assert resp.json()["lineItems"][0]["aviallPartNumber"] == "WF338109=K3"


def test_a_slow_call_does_not_block_others(
    pna: Pna, control: Control, http: httpx.Client, poll: Callable[..., Any]
) -> None:
    control.fault(endpoint="image", kind="slow", count=1, delay_s=1.0)
    finished = threading.Event()
    results: list[int] = []

    def slow_call() -> None:
        with httpx.Client(base_url=str(http.base_url), timeout=10) as own:
            results.append(own.get("/media/products/AN3-12A.png").status_code)
        finished.set()

    worker = threading.Thread(target=slow_call)
    worker.start()
    try:
        # Once the slow call is being held by the server, other calls still get through at once.
        poll(lambda: control.call("GET", "/faults")["faults"][0]["fired"] == 1)
        assert pna.price(["AN3-12A"]).status_code == 200
        assert not finished.is_set()
    finally:
        worker.join(5)
    assert results == [200]


def test_count_limits_firing(pna: Pna, control: Control) -> None:
    rule_id = control.fault(endpoint="price", kind="http_503", count=2)
    assert [pna.price(["AN3-12A"]).status_code for _ in range(3)] == [503, 503, 200]
    (rule,) = control.call("GET", "/faults")["faults"]
    assert rule["id"] == rule_id
    assert (rule["fired"], rule["remaining"]) == (2, 0)


def _image_pattern(http: httpx.Client, control: Control, rate: float) -> list[int]:
    control.fault(endpoint="image", kind="http_500", rate=rate)
    return [http.get("/media/thumbnails/AN3-12A.png").status_code for _ in range(30)]


def test_rate_is_reproducible(http: httpx.Client, control: Control) -> None:
    first = _image_pattern(http, control, 0.4)
    assert set(first) == {200, 500}
    http.post("/_emulator/reset").raise_for_status()
    assert _image_pattern(http, control, 0.4) == first


def test_rate_zero_and_one(http: httpx.Client, control: Control) -> None:
    assert set(_image_pattern(http, control, 0.0)) == {200}
    control.call("DELETE", "/faults")
    assert set(_image_pattern(http, control, 1.0)) == {500}


def test_part_codes_selector(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="http_500", part_codes=["wf338109"])
    assert pna.price(["AN3-12A"]).status_code == 200
    assert pna.price(["AN3-12A", "WF338109=K3"]).status_code == 500
    assert pna.price(["WF338109"]).status_code == 500


def test_client_id_selector(make_pna: Callable[..., Pna], control: Control) -> None:
    control.fault(endpoint="any", kind="http_503", client_id="other-client")
    mine, theirs = make_pna().login(), make_pna("other-client", "other-secret")
    assert mine.price(["AN3-12A"]).status_code == 200
    assert theirs.oauth().status_code == 503


def test_endpoint_selector(pna: Pna, control: Control) -> None:
    control.fault(endpoint="oauth_token", kind="http_500")
    assert pna.price(["AN3-12A"]).status_code == 200
    assert pna.part_token().status_code == 200
    assert pna.oauth().status_code == 500


def test_auth_is_checked_before_faults(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="http_503")
    resp = pna.price_raw({"productCodes": ["AN3-12A"]}, access="emu_at_bogus")
    assert resp.status_code == 401


def test_faulted_calls_count_against_quota_and_quota_comes_first(pna: Pna, control: Control) -> None:
    control.quota(1, 60)
    control.fault(endpoint="price", kind="http_503")
    assert pna.price(["AN3-12A"]).status_code == 503
    assert pna.price(["AN3-12A"]).status_code == 429
    control.call("DELETE", "/faults")
    assert pna.price(["AN3-12A"]).status_code == 429


def test_first_matching_rule_wins(pna: Pna, control: Control) -> None:
    control.fault(endpoint="price", kind="http_502", count=1)
    control.fault(endpoint="price", kind="http_500")
    assert [pna.price(["AN3-12A"]).status_code for _ in range(2)] == [502, 500]


def test_fault_list_and_delete(control: Control) -> None:
    first = control.fault(endpoint="price", kind="http_500")
    second = control.fault(endpoint="image", kind="slow", delay_s=0.1)
    assert (first, second) == ("f1", "f2")
    listed = control.call("GET", "/faults")["faults"]
    assert [(r["id"], r["kind"], r["fired"], r["remaining"]) for r in listed] == [
        ("f1", "http_500", 0, None),
        ("f2", "slow", 0, None),
    ]
    assert control.call("DELETE", f"/faults/{first}") == {"deleted": 1}
    control.call("DELETE", f"/faults/{first}", expect=404)
    assert control.call("DELETE", "/faults") == {"deleted": 1}
    assert control.call("GET", "/faults") == {"faults": []}


@pytest.mark.parametrize(
    "rule",
    [
        {"endpoint": "price", "kind": "http_418"},
        {"endpoint": "search", "kind": "http_500"},
        {"kind": "http_500", "rate": 1.5},
        {"kind": "http_500", "count": 0},
        {"kind": "timeout", "delay_s": -1},
        {"kind": "http_500", "part_codes": []},
        {"kind": "http_500", "colour": "red"},
        {"endpoint": "price"},
    ],
)
def test_invalid_rules_are_422(control: Control, rule: dict[str, Any]) -> None:
    assert control.call("POST", "/faults", rule, expect=422)["detail"]
