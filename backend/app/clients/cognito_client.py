"""Amazon Cognito's user-pool API: password sign-in and global sign-out, against a real pool or the emulator.

Both operations are unauthenticated Cognito calls, so they need no AWS credentials: ``endpoint_url=None``
talks to real Cognito in the given region. An ``endpoint_url`` names the local profile's emulator, which
accepts any credentials and reads the region a request is meant for from its signature.

Every failure becomes ``IdentityProviderError`` with one readable sentence. There is no retry loop here: the
callers (logout, the ``token`` command) report a failure instead of repeating the call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

DEFAULT_REGION: Final = "us-east-1"

# The emulator accepts any credentials; signed requests tell it which region they are meant for.
_EMULATOR_KEY: Final = "local"
_CLIENT_CONFIG: Final = Config(connect_timeout=2, read_timeout=10, retries={"total_max_attempts": 1})


class IdentityProviderError(Exception):
    """A Cognito (or emulator) call failed; the message is one readable sentence."""


@dataclass(frozen=True, slots=True)
class CognitoAppClient:
    """An app client of a Cognito user pool, as needed to sign in through it."""

    region: str
    client_id: str
    client_secret: str | None = None


def cognito_client(endpoint_url: str | None, region: str) -> CognitoIdentityProviderClient:
    """A boto3 ``cognito-idp`` client for the emulator (``endpoint_url``) or for real Cognito (None)."""
    if endpoint_url is None:
        return boto3.client("cognito-idp", region_name=region, config=_CLIENT_CONFIG)
    return boto3.client(
        "cognito-idp",
        endpoint_url=endpoint_url,
        region_name=region,
        config=_CLIENT_CONFIG,
        aws_access_key_id=_EMULATOR_KEY,
        aws_secret_access_key=_EMULATOR_KEY,
    )


def mint_access_token(
    endpoint_url: str | None, app_client: CognitoAppClient, username: str, password: str
) -> str:
    """Sign in with USER_PASSWORD_AUTH and return a fresh access token."""
    client = cognito_client(endpoint_url, app_client.region)
    parameters = {"USERNAME": username, "PASSWORD": password}
    if app_client.client_secret:
        parameters["SECRET_HASH"] = _secret_hash(app_client, username)
    try:
        response = client.initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH", ClientId=app_client.client_id, AuthParameters=parameters
        )
    except (client.exceptions.NotAuthorizedException, client.exceptions.UserNotFoundException) as exc:
        raise IdentityProviderError("Cognito rejected the username or password.") from exc
    except (BotoCoreError, ClientError) as exc:
        raise IdentityProviderError(f"Cognito refused the sign-in: {describe_failure(exc)}") from exc
    result = response.get("AuthenticationResult")
    if not result or "AccessToken" not in result:
        challenge = response.get("ChallengeName", "an unknown")
        raise IdentityProviderError(
            f"Cognito asks for the {challenge} challenge, which a password sign-in cannot answer."
        )
    return result["AccessToken"]


def global_sign_out(endpoint_url: str | None, access_token: str, *, region: str = DEFAULT_REGION) -> None:
    """Sign the token's user out everywhere: Cognito stops accepting its tokens and refresh tokens."""
    client = cognito_client(endpoint_url, region)
    if endpoint_url:
        # GlobalSignOut is an unsigned call, and the emulator files an unsigned request under its default
        # region; signing it (the emulator accepts any credentials) reaches the pool's own region.
        client.meta.events.register(
            "choose-signer.cognito-idp.GlobalSignOut", cast("Callable[..., None]", _sign_with_v4)
        )
    try:
        client.global_sign_out(AccessToken=access_token)
    except client.exceptions.NotAuthorizedException as exc:
        raise IdentityProviderError("Cognito did not accept the access token for sign-out.") from exc
    except (BotoCoreError, ClientError) as exc:
        raise IdentityProviderError(f"Cognito global sign-out failed: {describe_failure(exc)}") from exc


def describe_failure(exc: BotoCoreError | ClientError) -> str:
    """The end of an ``IdentityProviderError`` sentence: Cognito's error code, or that it was unreachable."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "an error")
        return f"{code}."
    return "the service could not be reached."


def _sign_with_v4(**_: Any) -> str:
    return "v4"


def _secret_hash(app_client: CognitoAppClient, username: str) -> str:
    secret = (app_client.client_secret or "").encode("utf-8")
    digest = hmac.new(secret, (username + app_client.client_id).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
