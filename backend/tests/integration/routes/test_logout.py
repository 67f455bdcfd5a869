"""Logout revokes every token of its user issued until then, on every device, not only the one it was sent
with; later sign-ins, and other users, are served.

A token's issue time has one-second precision, so the forged tokens here are dated relative to the seconds
read just before and just after the logout: strictly after the logout's second is a later sign-in, at or
before it an earlier one.
"""

from __future__ import annotations

import time

import redis as redis_lib
from fastapi.testclient import TestClient

from app.clients.cognito_client import mint_access_token
from app.core.constants.auth import JWT_LEEWAY_S, MAX_ACCESS_TOKEN_LIFETIME_S
from app.local.identity import LocalPool
from app.utils.token_denylist import TokenDenyList, user_key
from tests.conftest import OPERATOR_PASSWORD
from tests.support.tokens import access_claims, sign

OTHER_USER = "99999999-8888-7777-6666-555555555555"


def _status(api: TestClient, token: str) -> tuple[int, str | None]:
    response = api.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json().get("code")


def _log_out(api: TestClient, token: str) -> tuple[int, int]:
    """Log out with ``token``; the whole seconds read just before and just after."""
    before = int(time.time())
    response = api.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    after = int(time.time())
    assert response.status_code == 200, response.text
    return before, after


def test_logout_revokes_the_users_tokens_on_every_device(api: TestClient, cognito_pool: LocalPool) -> None:
    def sign_in() -> str:
        return mint_access_token(
            cognito_pool.endpoint_url, cognito_pool.app_client, "operator", OPERATOR_PASSWORD
        )

    laptop, phone = sign_in(), sign_in()
    assert _status(api, laptop)[0] == _status(api, phone)[0] == 200
    _log_out(api, laptop)
    assert _status(api, laptop) == (401, "token_revoked")
    assert _status(api, phone) == (401, "token_revoked")


def test_a_sign_in_after_the_logout_is_served(api: TestClient, cognito_pool: LocalPool) -> None:
    now = int(time.time())
    before, after = _log_out(api, sign(access_claims(cognito_pool, iat=now - 30)))
    assert _status(api, sign(access_claims(cognito_pool, iat=before, jti="earlier"))) == (
        401,
        "token_revoked",
    )
    later = sign(access_claims(cognito_pool, iat=after + 1, auth_time=after + 1, jti="later"))
    assert _status(api, later) == (200, None)


def test_a_token_refreshed_from_a_session_before_the_logout_is_refused(
    api: TestClient, cognito_pool: LocalPool
) -> None:
    session_start = int(time.time()) - 600
    _, after = _log_out(api, sign(access_claims(cognito_pool, auth_time=session_start)))
    refreshed = sign(access_claims(cognito_pool, iat=after + 1, auth_time=session_start, jti="refreshed"))
    assert _status(api, refreshed) == (401, "token_revoked")


def test_other_users_are_not_signed_out(api: TestClient, cognito_pool: LocalPool) -> None:
    now = int(time.time())
    _log_out(api, sign(access_claims(cognito_pool, iat=now - 30)))
    other = sign(access_claims(cognito_pool, sub=OTHER_USER, iat=now - 30, jti="other"))
    assert _status(api, other) == (200, None)


def test_a_token_without_an_issue_time_counts_as_issued_before_a_logout(
    api: TestClient, cognito_pool: LocalPool
) -> None:
    undated = sign(access_claims(cognito_pool, iat=None, jti="undated"))
    assert _status(api, undated) == (200, None)
    _log_out(api, sign(access_claims(cognito_pool)))
    assert _status(api, undated) == (401, "token_revoked")


def test_the_users_mark_outlives_every_token_issued_before_it(
    api: TestClient, cognito_pool: LocalPool, redis_client: redis_lib.Redis[str]
) -> None:
    claims = access_claims(cognito_pool)
    _, after = _log_out(api, sign(claims))
    key = user_key(claims["sub"])
    assert int(redis_client.get(key) or 0) <= after
    assert MAX_ACCESS_TOKEN_LIFETIME_S < redis_client.ttl(key) <= MAX_ACCESS_TOKEN_LIFETIME_S + JWT_LEEWAY_S


def test_a_later_logout_mark_is_never_moved_back(redis_client: redis_lib.Redis[str]) -> None:
    denylist = TokenDenyList(redis_client)
    denylist.sign_out_user("user-1", at=2_000, ttl_s=60)
    denylist.sign_out_user("user-1", at=1_000, ttl_s=60)
    assert denylist.is_revoked("some-jti", user_id="user-1", issued_at=1_500)
    assert denylist.is_revoked("some-jti", user_id="user-1", issued_at=2_000)
    assert not denylist.is_revoked("some-jti", user_id="user-1", issued_at=2_001)
    assert not denylist.is_revoked("some-jti", user_id="user-2", issued_at=1)
