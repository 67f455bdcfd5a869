"""Cognito sign-in and global sign-out (app.clients.cognito_client), against moto's emulator on loopback."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from app.clients.cognito_client import (
    IdentityProviderError,
    cognito_client,
    global_sign_out,
    mint_access_token,
)
from app.local.identity import LocalIdentityServer, LocalPool, ensure_pool
from tests.support.identity import IDENTITY_PASSWORD, verifier_for


def test_wrong_password_is_refused(pool: LocalPool) -> None:
    with pytest.raises(IdentityProviderError, match="username or password"):
        mint_access_token(pool.endpoint_url, pool.app_client, "operator", "Wrong-Passw0rd!")


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_global_sign_out_ends_the_session(server: LocalIdentityServer, region: str) -> None:
    pool = ensure_pool(server.endpoint_url, region=region, operator_password=IDENTITY_PASSWORD)
    client = cognito_client(server.endpoint_url, region)
    auth = client.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH",
        ClientId=pool.client_id,
        AuthParameters={"USERNAME": "operator", "PASSWORD": IDENTITY_PASSWORD},
    )["AuthenticationResult"]
    token = mint_access_token(server.endpoint_url, pool.app_client, "operator", IDENTITY_PASSWORD)
    assert client.get_user(AccessToken=token)["Username"] == "operator"

    global_sign_out(server.endpoint_url, token, region=region)

    with pytest.raises(ClientError) as caught:
        client.get_user(AccessToken=token)
    assert caught.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ClientError):
        client.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH",
            ClientId=pool.client_id,
            AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]},
        )
    # The signature stays valid until `exp`: refusing a signed-out token is the deny-list's job.
    assert verifier_for(pool).verify(token).username == "operator"
    with pytest.raises(IdentityProviderError):
        global_sign_out(server.endpoint_url, token, region=region)
