"""The local identity provider: moto's Cognito emulator on a free 127.0.0.1 port, seeded and verified."""

from __future__ import annotations

import json
import os
import socket
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from app.clients.cognito_client import IdentityProviderError, cognito_client, mint_access_token
from app.core.cognito import (
    CognitoVerifier,
    TokenError,
    UnsafeIdentityConfiguration,
    emulator_key_thumbprints,
    is_emulator_jwks,
)
from app.local.identity import EMULATOR_ENV, LocalIdentityServer, LocalPool, ensure_pool, wait_for_server
from tests.support.identity import IDENTITY_PASSWORD, verifier_for


def reset_emulator(endpoint_url: str) -> None:
    """Wipe the emulator's memory, as a restart of a separate emulator process would."""
    httpx.post(f"{endpoint_url}/moto-api/reset", timeout=5).raise_for_status()


def pools_named(endpoint_url: str, name: str, region: str = "us-east-1") -> list[str]:
    listed = cognito_client(endpoint_url, region).list_user_pools(MaxResults=60)["UserPools"]
    return [entry["Id"] for entry in listed if entry["Name"] == name]


def test_server_binds_loopback_and_answers(server: LocalIdentityServer) -> None:
    assert server.endpoint_url.startswith("http://127.0.0.1:")
    wait_for_server(server.endpoint_url, timeout_s=2)


def test_wait_for_server_gives_up_on_a_closed_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(IdentityProviderError):
        wait_for_server(f"http://127.0.0.1:{port}", timeout_s=0.5)
    assert time.monotonic() - started < 5


def test_ensure_pool_is_idempotent(server: LocalIdentityServer, pool: LocalPool) -> None:
    again = ensure_pool(server.endpoint_url, operator_password=IDENTITY_PASSWORD)

    assert again == pool
    assert pools_named(server.endpoint_url, "boeing-data-hub-local") == [pool.pool_id]
    clients = cognito_client(server.endpoint_url, pool.region).list_user_pool_clients(
        UserPoolId=pool.pool_id, MaxResults=60
    )["UserPoolClients"]
    assert [entry["ClientId"] for entry in clients] == [pool.client_id]


def test_pool_and_client_ids_survive_an_emulator_restart() -> None:
    # Servers in one process share moto's memory, so the reset is what makes the second one start empty.
    with LocalIdentityServer() as first:
        before = ensure_pool(first.endpoint_url, operator_password=IDENTITY_PASSWORD)
        reset_emulator(first.endpoint_url)
        assert pools_named(first.endpoint_url, "boeing-data-hub-local") == []
    with LocalIdentityServer() as second:
        assert pools_named(second.endpoint_url, "boeing-data-hub-local") == []
        after = ensure_pool(second.endpoint_url, operator_password=IDENTITY_PASSWORD)

    assert after.pool_id == before.pool_id
    assert after.client_id == before.client_id
    assert after.pool_id.startswith("us-east-1_")


def test_server_sets_and_restores_the_id_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EMULATOR_ENV:
        monkeypatch.delenv(name, raising=False)
    with LocalIdentityServer():
        assert {name: os.environ.get(name) for name in EMULATOR_ENV} == dict(EMULATOR_ENV)
    assert all(name not in os.environ for name in EMULATOR_ENV)


def test_issuer_and_jwks_url_match_what_the_emulator_issues(pool: LocalPool) -> None:
    token = mint_access_token(pool.endpoint_url, pool.app_client, "operator", IDENTITY_PASSWORD)
    unverified = jwt.decode(token, options={"verify_signature": False})

    assert unverified["iss"] == pool.issuer
    assert pool.issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}"
    assert pool.jwks_url == f"{pool.endpoint_url}/{pool.pool_id}/.well-known/jwks.json"
    discovery = httpx.get(f"{pool.endpoint_url}/{pool.pool_id}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == pool.issuer
    assert discovery["jwks_uri"] == pool.jwks_url


def test_minted_token_verifies_against_the_emulator(pool: LocalPool) -> None:
    token = mint_access_token(pool.endpoint_url, pool.app_client, "operator", IDENTITY_PASSWORD)
    claims = verifier_for(pool).verify(token)

    assert claims.username == "operator"
    assert sorted(claims.groups) == ["admin", "operator", "viewer"]
    assert claims.client_id == pool.client_id
    assert claims.jti
    assert claims.sub
    assert claims.issued_at is not None and abs(claims.issued_at - time.time()) < 60


def test_the_emulators_access_tokens_carry_the_configured_groups(server: LocalIdentityServer) -> None:
    custom = ensure_pool(
        server.endpoint_url,
        operator_password=IDENTITY_PASSWORD,
        operator_groups=("ops-readers", "ops-admins"),
        pool_name="custom-groups-pool",
    )
    token = mint_access_token(custom.endpoint_url, custom.app_client, "operator", IDENTITY_PASSWORD)
    assert sorted(verifier_for(custom).verify(token).groups) == ["ops-admins", "ops-readers"]


def test_verifier_rejects_an_emulator_token_for_another_client(pool: LocalPool) -> None:
    token = mint_access_token(pool.endpoint_url, pool.app_client, "operator", IDENTITY_PASSWORD)
    verifier = CognitoVerifier(pool.jwks_url, pool.issuer, ["another-client"], jwks_cache_ttl_s=300)
    with pytest.raises(TokenError) as caught:
        verifier.verify(token)
    assert caught.value.code == "invalid_token"


def test_operator_password_and_email_follow_the_configuration(server: LocalIdentityServer) -> None:
    changed = ensure_pool(
        server.endpoint_url, operator_password="Changed-Passw0rd!", operator_email="ops@example.com"
    )
    try:
        with pytest.raises(IdentityProviderError, match="username or password"):
            mint_access_token(changed.endpoint_url, changed.app_client, "operator", IDENTITY_PASSWORD)
        assert mint_access_token(changed.endpoint_url, changed.app_client, "operator", "Changed-Passw0rd!")
        user = cognito_client(server.endpoint_url, changed.region).admin_get_user(
            UserPoolId=changed.pool_id, Username="operator"
        )
        attributes = {entry["Name"]: entry["Value"] for entry in user["UserAttributes"]}
        assert attributes["email"] == "ops@example.com"
        assert user["UserStatus"] == "CONFIRMED"
    finally:
        ensure_pool(server.endpoint_url, operator_password=IDENTITY_PASSWORD)


def test_weak_operator_password_is_reported(server: LocalIdentityServer) -> None:
    with pytest.raises(IdentityProviderError, match="password policy"):
        ensure_pool(server.endpoint_url, operator_password="short", pool_name="weak-password-pool")


def test_emulator_keys_are_recognised(pool: LocalPool) -> None:
    served = httpx.get(pool.jwks_url).json()
    fresh = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    fresh_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(fresh.public_key()))

    assert is_emulator_jwks(served)
    assert not is_emulator_jwks({"keys": [{**fresh_jwk, "kid": "fresh"}]})


def test_production_verifier_refuses_the_emulator(pool: LocalPool) -> None:
    token = mint_access_token(pool.endpoint_url, pool.app_client, "operator", IDENTITY_PASSWORD)
    verifier = CognitoVerifier(
        pool.jwks_url,
        pool.issuer,
        [pool.client_id],
        jwks_cache_ttl_s=300,
        forbidden_key_thumbprints=emulator_key_thumbprints(),
    )
    with pytest.raises(TokenError) as caught:
        verifier.verify(token)
    assert caught.value.code == "invalid_token"
    with pytest.raises(UnsafeIdentityConfiguration):
        verifier.check_signing_keys()
