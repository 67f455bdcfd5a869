"""Every way a token can be wrong answers 401 with the contract's code; a valid token is served."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient

from app.clients.cognito_client import mint_access_token
from app.core.cognito import CognitoVerifier, TokenError, emulator_key_thumbprints
from app.local.identity import LocalPool
from tests.conftest import OPERATOR_PASSWORD
from tests.support.tokens import access_claims, foreign_key, sign


def _get_me(
    api: TestClient, token: str | None, scheme: str = "Bearer"
) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    response = api.get("/api/v1/auth/me", headers=headers)
    return response.status_code, response.json(), dict(response.headers)


def test_valid_token_is_served_and_the_operator_recorded(
    api: TestClient, operator_token: str, db: str
) -> None:
    status, body, _ = _get_me(api, operator_token)
    assert status == 200
    assert body["username"] == "operator"
    assert sorted(body["groups"]) == ["admin", "operator", "viewer"]  # the local operator is in every role
    assert body["role"] == "admin"
    assert body["user_id"]
    import psycopg

    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT username, groups FROM users WHERE sub = %s", (body["user_id"],)).fetchone()
    assert row is not None
    assert (row[0], sorted(row[1])) == ("operator", ["admin", "operator", "viewer"])


def test_no_token_and_not_bearer_are_missing_token(api: TestClient, operator_token: str) -> None:
    for token, scheme in ((None, "Bearer"), (operator_token, "Basic"), ("", "Bearer")):
        status, body, headers = _get_me(api, token, scheme)
        assert status == 401
        assert body["code"] == "missing_token"
        assert isinstance(body["detail"], str) and body["detail"]
        assert headers["www-authenticate"].startswith("Bearer")


def _none_alg_token(pool: LocalPool) -> str:
    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': 'none', 'kid': 'dummy'})}.{b64(access_claims(pool))}."


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("malformed", "invalid_token"),
        ("expired", "token_expired"),
        ("foreign_key", "invalid_token"),
        ("alg_none", "invalid_token"),
        ("hs256_with_public_key", "invalid_token"),
        ("wrong_issuer", "invalid_token"),
        ("id_token_claims", "invalid_token"),
        ("unknown_client", "invalid_token"),
        ("unknown_kid", "invalid_token"),
    ],
)
def test_bad_tokens_are_refused(api: TestClient, cognito_pool: LocalPool, case: str, code: str) -> None:
    pool = cognito_pool
    tokens = {
        "malformed": lambda: "not-a-jwt",
        "expired": lambda: sign(access_claims(pool, exp=int(time.time()) - 120, iat=int(time.time()) - 3600)),
        "foreign_key": lambda: sign(access_claims(pool), key=foreign_key()),
        "alg_none": lambda: _none_alg_token(pool),
        "hs256_with_public_key": lambda: sign(
            access_claims(pool), key="a-shared-secret-of-32-bytes-long!", alg="HS256"
        ),
        "wrong_issuer": lambda: sign(
            access_claims(pool, iss="https://cognito-idp.us-east-1.amazonaws.com/other")
        ),
        "id_token_claims": lambda: sign(
            access_claims(pool, token_use="id", client_id=None, aud=pool.client_id)
        ),
        "unknown_client": lambda: sign(access_claims(pool, client_id="someone-elses-client")),
        "unknown_kid": lambda: sign(access_claims(pool), kid="rotated-away"),
    }
    status, body, headers = _get_me(api, tokens[case]())
    assert status == 401, body
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"]
    assert headers["www-authenticate"].startswith("Bearer")


def test_real_id_token_is_refused(api: TestClient, cognito_pool: LocalPool) -> None:
    client = boto3.client(
        "cognito-idp",
        endpoint_url=cognito_pool.endpoint_url,
        region_name=cognito_pool.region,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    result = client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=cognito_pool.client_id,
        AuthParameters={"USERNAME": cognito_pool.operator_username, "PASSWORD": OPERATOR_PASSWORD},
    )["AuthenticationResult"]
    status, body, _ = _get_me(api, result["IdToken"])
    assert (status, body["code"]) == (401, "invalid_token")


def test_token_is_refused_after_logout(api: TestClient, cognito_pool: LocalPool) -> None:
    token = mint_access_token(
        cognito_pool.endpoint_url, cognito_pool.app_client, "operator", OPERATOR_PASSWORD
    )
    assert _get_me(api, token)[0] == 200
    response = api.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["success"] is True
    assert response.json()["global_signout_success"] is True
    status, body, _ = _get_me(api, token)
    assert (status, body["code"]) == (401, "token_revoked")


def test_legacy_auth_paths_are_served_and_deprecated(api: TestClient, auth_headers: dict[str, str]) -> None:
    response = api.get("/api/auth/me", headers=auth_headers)
    assert response.status_code == 200
    assert response.headers["deprecation"] == "true"
    assert response.headers["link"] == '</api/v1/auth/me>; rel="successor-version"'
    refused = api.get("/api/auth/me")
    assert refused.status_code == 401
    assert refused.headers["deprecation"] == "true"
    assert api.get("/api/shopify/multi-part-search").status_code == 404


def test_production_verifier_never_accepts_the_emulators_keys(cognito_pool: LocalPool) -> None:
    token = mint_access_token(
        cognito_pool.endpoint_url, cognito_pool.app_client, "operator", OPERATOR_PASSWORD
    )
    local = CognitoVerifier(cognito_pool.jwks_url, cognito_pool.issuer, [cognito_pool.client_id])
    assert local.verify(token).username == "operator"
    production = CognitoVerifier(
        cognito_pool.jwks_url,
        cognito_pool.issuer,
        [cognito_pool.client_id],
        forbidden_key_thumbprints=emulator_key_thumbprints(),
    )
    with pytest.raises(TokenError) as refused:
        production.verify(token)
    assert refused.value.code == "invalid_token"
