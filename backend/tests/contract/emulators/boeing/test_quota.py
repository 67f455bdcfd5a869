"""Per-client quota: sliding-window log on the virtual clock, Retry-After, scopes (contract §4.4, §7.5)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.contract.emulators.boeing.conftest import Control, Pna

RATE_LIMITED_KEYS = {"error", "message", "retryAfterSeconds"}


def assert_rate_limited(resp: httpx.Response, window_s: int = 60) -> int:
    assert resp.status_code == 429, resp.text
    retry_after = int(resp.headers["retry-after"])
    assert 1 <= retry_after <= window_s
    body = resp.json()
    assert set(body) == RATE_LIMITED_KEYS
    assert body["error"] == "rate_limited"
    assert body["retryAfterSeconds"] == retry_after
    return retry_after


def test_third_price_call_in_a_window_is_429(pna: Pna, control: Control) -> None:
    control.quota(2, 60)
    assert pna.price(["AN3-12A"]).status_code == 200
    assert pna.price(["AN3-12A"]).status_code == 200
    resp = pna.price(["AN3-12A"])
    assert_rate_limited(resp)
    assert resp.json()["message"] == "quota 2 per 60 s exceeded"


def test_retry_after_counts_down_with_the_clock(pna: Pna, control: Control) -> None:
    control.quota(2, 60)
    pna.price(["AN3-12A"])
    pna.price(["AN3-12A"])
    first = assert_rate_limited(pna.price(["AN3-12A"]))
    control.advance(20)
    later = assert_rate_limited(pna.price(["AN3-12A"]))
    assert first - 21 <= later <= first - 19


def test_success_after_clock_advance(pna: Pna, control: Control) -> None:
    control.quota(2, 60)
    pna.price(["AN3-12A"])
    pna.price(["AN3-12A"])
    retry_after = assert_rate_limited(pna.price(["AN3-12A"]))
    control.advance(retry_after)
    assert pna.price(["AN3-12A"]).status_code == 200


def test_window_slides_per_call(pna: Pna, control: Control) -> None:
    control.quota(2, 60)
    pna.price(["AN3-12A"])
    control.advance(30)
    pna.price(["AN3-12A"])
    control.advance(31)  # the first call left the window, the second is still in it
    assert pna.price(["AN3-12A"]).status_code == 200
    assert pna.price(["AN3-12A"]).status_code == 429


def test_rejected_calls_do_not_count(pna: Pna, control: Control) -> None:
    control.quota(1, 60)
    assert pna.price(["AN3-12A"]).status_code == 200
    for _ in range(5):
        assert pna.price(["AN3-12A"]).status_code == 429
    control.advance(60)
    assert pna.price(["AN3-12A"]).status_code == 200


def test_quota_is_per_client(make_pna: Callable[..., Pna], control: Control) -> None:
    control.quota(2, 60)
    mine, theirs = make_pna().login(), make_pna("other-client", "other-secret").login()
    mine.price(["AN3-12A"])
    mine.price(["AN3-12A"])
    assert mine.price(["AN3-12A"]).status_code == 429
    assert theirs.price(["AN3-12A"]).status_code == 200
    assert theirs.price(["AN3-12A"]).status_code == 200


def test_quota_for_one_client(make_pna: Callable[..., Pna], control: Control) -> None:
    control.quota(2, 60)
    control.quota(5, 60, client_id="other-client")
    mine, theirs = make_pna().login(), make_pna("other-client", "other-secret").login()
    assert [mine.price(["AN3-12A"]).status_code for _ in range(3)] == [200, 200, 429]
    assert [theirs.price(["AN3-12A"]).status_code for _ in range(6)] == [200] * 5 + [429]
    quota = control.call("GET", "/quota")
    assert quota["clients"]["other-client"] == {"requests": 5, "window_s": 60.0, "scope": "price"}
    assert quota["in_window"] == {"emu-client": 2, "other-client": 5}


def test_token_calls_do_not_count_by_default(make_pna: Callable[..., Pna], control: Control) -> None:
    control.quota(1, 60)
    caller = make_pna()
    for _ in range(3):
        caller.login()
    assert caller.price(["AN3-12A"]).status_code == 200


def test_scope_all_counts_token_calls(make_pna: Callable[..., Pna], control: Control) -> None:
    control.quota(3, 60, scope="all")
    caller = make_pna().login()  # two calls
    assert caller.price(["AN3-12A"]).status_code == 200
    resp = caller.oauth()
    assert_rate_limited(resp)
    assert caller.price(["AN3-12A"]).status_code == 429


def test_images_are_never_counted(http: httpx.Client, pna: Pna, control: Control) -> None:
    control.quota(1, 60, scope="all")
    for _ in range(3):
        assert http.get("/media/thumbnails/AN3-12A.png").status_code == 200


def test_remaining_header_is_emulator_only_help(pna: Pna, control: Control) -> None:
    control.quota(3, 60)
    assert [pna.price(["AN3-12A"]).headers["x-emulator-quota-remaining"] for _ in range(3)] == ["2", "1", "0"]


def test_fractional_window(pna: Pna, control: Control) -> None:
    control.quota(1, 2.5)
    pna.price(["AN3-12A"])
    resp = pna.price(["AN3-12A"])
    assert_rate_limited(resp, window_s=3)
    assert resp.json()["message"] == "quota 1 per 2.5 s exceeded"


def test_quota_default_comes_from_config(pna: Pna, control: Control) -> None:
    control.config(quota_requests=1, quota_window_s=30)
    assert pna.price(["AN3-12A"]).status_code == 200
    assert assert_rate_limited(pna.price(["AN3-12A"]), window_s=30) <= 30
    assert control.call("GET", "/quota")["default"] == {"requests": 1, "window_s": 30.0, "scope": "price"}


def test_put_quota_validates(control: Control) -> None:
    for body in (
        {"requests": 0, "window_s": 60},
        {"requests": 2, "window_s": 0},
        {"requests": 2, "window_s": 60, "scope": "tokens"},
        {"requests": 2},
    ):
        detail = control.call("PUT", "/quota", body, expect=422)["detail"]
        assert detail
