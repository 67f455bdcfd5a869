"""Calls 1 and 2 and every authentication error of call 3 (contract §2, §3, §5, §7.4)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.contract.emulators.boeing.conftest import Control, Pna

INVALID_TOKEN_HEADER = 'Bearer error="invalid_token"'


def test_oauth_token_shape(make_pna: Callable[..., Pna]) -> None:
    resp = make_pna().oauth()
    assert resp.status_code == 200
    body = resp.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["access_token"].startswith("emu_at_")
    assert len(body["access_token"]) > 20


def test_each_oauth_call_issues_a_new_token(make_pna: Callable[..., Pna]) -> None:
    caller = make_pna()
    first, second = caller.oauth().json()["access_token"], caller.oauth().json()["access_token"]
    assert first != second


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [("emu-client", "wrong"), ("nobody", "emu-secret"), ("other-client", "emu-secret")],
)
def test_oauth_bad_client_credentials(make_pna: Callable[..., Pna], client_id: str, secret: str) -> None:
    resp = make_pna(client_id, secret).oauth()
    assert resp.status_code == 401
    body = resp.json()
    assert body["error"] == "invalid_client"
    assert secret not in resp.text  # secrets are never echoed


def test_oauth_missing_secret_is_invalid_client(make_pna: Callable[..., Pna], http: httpx.Client) -> None:
    resp = http.post(
        "/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "emu-client",
            "scope": "api://helixapis.com/.default",
        },
    )
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"


def test_oauth_bad_scope(make_pna: Callable[..., Pna]) -> None:
    resp = make_pna().oauth(scope="api://elsewhere/.default")
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_scope"


def test_oauth_bad_grant(make_pna: Callable[..., Pna]) -> None:
    resp = make_pna().oauth(grant_type="password")
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"


def test_oauth_missing_client_id(make_pna: Callable[..., Pna]) -> None:
    resp = make_pna(client_id="").oauth()
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"


def test_accept_any_credentials(make_pna: Callable[..., Pna], control: Control) -> None:
    control.config(accept_any_credentials=True)
    caller = make_pna("someone-new", "anything")
    caller.login()
    assert caller.items(["AN3-12A"])[0]["aviallPartNumber"] == "AN3-12A"


def test_part_token_in_header_and_body(make_pna: Callable[..., Pna]) -> None:
    caller = make_pna()
    caller.access = caller.oauth().json()["access_token"]
    resp = caller.part_token()
    assert resp.status_code == 200
    token = resp.headers["x-part-access-token"]
    assert token.startswith("emu_pt_")
    assert resp.json() == {"x-part-access-token": token, "expires_in": 3600}


@pytest.mark.parametrize(("user", "password"), [("emu-user", "nope"), ("intruder", "emu-pass")])
def test_part_token_bad_user_credentials(make_pna: Callable[..., Pna], user: str, password: str) -> None:
    caller = make_pna()
    caller.access = caller.oauth().json()["access_token"]
    resp = caller.part_token(user=user, password=password)
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_user_credentials"
    assert password not in resp.text


@pytest.mark.parametrize(
    ("access", "description"),
    [(None, "access token missing"), ("emu_at_unknown", "access token invalid")],
)
def test_part_token_needs_a_valid_bearer(
    make_pna: Callable[..., Pna], access: str | None, description: str
) -> None:
    resp = make_pna().part_token(access=access)
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == INVALID_TOKEN_HEADER
    assert resp.json() == {"error": "invalid_token", "error_description": description}


def test_part_token_rejects_a_part_token_as_bearer(pna: Pna) -> None:
    resp = pna.part_token(access=pna.part)
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_token"


def test_price_without_access_token(pna: Pna) -> None:
    assert pna.part is not None  # logged in
    resp = pna.http.post(
        "/boeing-part-price-availability/price-availability/v1/wtoken",
        json={"productCodes": ["AN3-12A"]},
        headers={"x-boeing-parts-authorization": pna.part},
    )
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == INVALID_TOKEN_HEADER
    assert resp.json() == {"error": "invalid_token", "error_description": "access token missing"}


def test_price_with_unknown_access_token(pna: Pna) -> None:
    resp = pna.price_raw({"productCodes": ["AN3-12A"]}, access="emu_at_bogus")
    assert resp.status_code == 401
    assert resp.json() == {"error": "invalid_token", "error_description": "access token invalid"}


def test_price_without_part_token(pna: Pna) -> None:
    pna.part = None
    resp = pna.price(["AN3-12A"])
    assert resp.status_code == 401
    assert resp.json() == {"error": "invalid_part_token", "error_description": "part access token missing"}


def test_price_with_unknown_part_token(pna: Pna) -> None:
    resp = pna.price_raw({"productCodes": ["AN3-12A"]}, part="emu_pt_bogus")
    assert resp.status_code == 401
    assert resp.json() == {"error": "invalid_part_token", "error_description": "part access token invalid"}


def test_part_token_is_bound_to_its_client(make_pna: Callable[..., Pna]) -> None:
    mine, theirs = make_pna().login(), make_pna("other-client", "other-secret").login()
    resp = mine.price_raw({"productCodes": ["AN3-12A"]}, part=theirs.part)
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_part_token"


def test_expired_access_token_then_a_fresh_one_works(pna: Pna, control: Control) -> None:
    assert control.call("POST", "/tokens/expire", {"kind": "access"}) == {"expired": 1}
    resp = pna.price(["AN3-12A"])
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"] == INVALID_TOKEN_HEADER
    assert resp.json() == {"error": "invalid_token", "error_description": "access token expired"}
    pna.login()
    assert pna.price(["AN3-12A"]).status_code == 200


def test_expired_part_token_then_a_fresh_one_works(pna: Pna, control: Control) -> None:
    control.call("POST", "/tokens/expire", {"kind": "part"})
    resp = pna.price(["AN3-12A"])
    assert resp.status_code == 401
    assert resp.json() == {"error": "invalid_part_token", "error_description": "part access token expired"}
    pna.part = pna.part_token().headers["x-part-access-token"]
    assert pna.price(["AN3-12A"]).status_code == 200


def test_tokens_expire_with_the_virtual_clock(pna: Pna, control: Control) -> None:
    control.config(access_token_ttl_s=120, part_token_ttl_s=60)
    pna.login()
    control.advance(61)
    assert pna.price(["AN3-12A"]).json()["error"] == "invalid_part_token"
    control.advance(60)
    assert pna.price(["AN3-12A"]).json()["error"] == "invalid_token"


def test_short_ttl_is_reported_in_expires_in(make_pna: Callable[..., Pna], control: Control) -> None:
    control.config(access_token_ttl_s=30, part_token_ttl_s=20)
    caller = make_pna()
    body = caller.oauth().json()
    assert body["expires_in"] == 29
    caller.access = body["access_token"]
    assert caller.part_token().json()["expires_in"] == 20


def test_expire_tokens_of_one_client_only(make_pna: Callable[..., Pna], control: Control) -> None:
    mine, theirs = make_pna().login(), make_pna("other-client", "other-secret").login()
    assert control.call("POST", "/tokens/expire", {"client_id": "other-client", "kind": "both"}) == {
        "expired": 2
    }
    assert mine.price(["AN3-12A"]).status_code == 200
    assert theirs.price(["AN3-12A"]).status_code == 401
