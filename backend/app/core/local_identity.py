"""The local profile's identity provider: moto's Cognito emulator with a seeded operator (DESIGN §4).

moto keeps its state in memory, so every start of the emulator begins empty and ``ensure_pool`` recreates the
pool, app client, group and operator. The ids stay the same across restarts because the emulator derives them
from a hash of the creation request instead of a random UUID (``EMULATOR_ENV``): the same pool name and
settings give the same pool id and, from it, the same client id. A server started here sets that switch
itself; a moto server run as a separate process needs ``EMULATOR_ENV`` in its environment.

Tokens minted by the emulator carry ``iss = https://cognito-idp.<region>.amazonaws.com/<pool id>`` (exactly
what real Cognito issues), while their keys are served by the emulator at
``<endpoint>/<pool id>/.well-known/jwks.json``; ``LocalPool`` gives both.

``mint_access_token`` and ``global_sign_out`` also work against a real Cognito pool (``endpoint_url=None``):
both operations are unauthenticated Cognito calls, so they need no AWS credentials.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.literals import ExplicitAuthFlowsTypeType
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

DEFAULT_REGION: Final = "us-east-1"
POOL_NAME: Final = "boeing-data-hub-local"
CLIENT_NAME: Final = "boeing-data-hub-dashboard"
OPERATOR_USERNAME: Final = "operator"
OPERATOR_EMAIL: Final = "operator@example.com"
OPERATOR_GROUPS: Final[tuple[str, ...]] = ("admin",)

EMULATOR_ENV: Final[Mapping[str, str]] = MappingProxyType(
    {
        "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
        "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
    }
)
"""Environment a moto server needs so that pool and client ids are derived from their definition."""

# The emulator accepts any credentials; signed requests tell it which region they are meant for.
_EMULATOR_KEY: Final = "local"
_CLIENT_CONFIG: Final = Config(connect_timeout=2, read_timeout=10, retries={"total_max_attempts": 1})
_AUTH_FLOWS: Final[list[ExplicitAuthFlowsTypeType]] = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


class IdentityProviderError(Exception):
    """A Cognito (or emulator) call failed; the message is one readable sentence."""


@dataclass(frozen=True, slots=True)
class CognitoAppClient:
    """An app client of a Cognito user pool, as needed to sign in through it."""

    region: str
    client_id: str
    client_secret: str | None = None


@dataclass(frozen=True, slots=True)
class LocalPool:
    """The emulator's user pool and what the app must be configured with to trust it."""

    endpoint_url: str
    region: str
    pool_id: str
    client_id: str
    operator_username: str

    @property
    def issuer(self) -> str:
        """The exact ``iss`` of the emulator's tokens (the setting ``COGNITO_ISSUER``)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        """Where the emulator serves the pool's signing keys (the setting ``COGNITO_JWKS_URL``)."""
        return f"{self.endpoint_url.rstrip('/')}/{self.pool_id}/.well-known/jwks.json"

    @property
    def app_client(self) -> CognitoAppClient:
        return CognitoAppClient(region=self.region, client_id=self.client_id)


class LocalIdentityServer:
    """moto's server on a loopback port inside this process; ``start``/``stop``, or a context manager."""

    def __init__(self, port: int = 0, *, host: str = "127.0.0.1") -> None:
        self._host = host
        self._port = port
        self._server: ThreadedMotoServer | None = None
        self._endpoint_url: str | None = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def endpoint_url(self) -> str:
        if self._endpoint_url is None:
            raise RuntimeError("The local identity server is not running.")
        return self._endpoint_url

    def start(self) -> str:
        """Start the server (port 0 picks a free one) and return its endpoint URL."""
        if self._server is not None:
            return self.endpoint_url
        # moto is a local-profile dependency only, so it is imported when a server is really started.
        from moto.server import ThreadedMotoServer

        # moto reads these switches when it creates a pool; the server runs in this process, so it sees ours.
        self._saved_env = {name: os.environ.get(name) for name in EMULATOR_ENV}
        os.environ.update(EMULATOR_ENV)
        server = ThreadedMotoServer(ip_address=self._host, port=self._port, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        self._server = server
        self._endpoint_url = f"http://{host}:{port}"
        return self._endpoint_url

    def stop(self) -> None:
        """Stop the server and restore the environment switches it set."""
        if self._server is None:
            return
        self._server.stop()
        self._server = None
        self._endpoint_url = None
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}

    def __enter__(self) -> LocalIdentityServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


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


def wait_for_server(endpoint_url: str, *, region: str = DEFAULT_REGION, timeout_s: float = 10.0) -> None:
    """Wait until an emulator answers at ``endpoint_url``; ``IdentityProviderError`` after the timeout."""
    client = cognito_client(endpoint_url, region)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.list_user_pools(MaxResults=1)
            return
        except (BotoCoreError, ClientError) as exc:
            if time.monotonic() >= deadline:
                raise IdentityProviderError(
                    f"The local identity provider did not answer at {endpoint_url} within {timeout_s:g} s."
                ) from exc
        time.sleep(0.1)


def ensure_pool(
    endpoint_url: str,
    *,
    region: str = DEFAULT_REGION,
    operator_password: str,
    operator_username: str = OPERATOR_USERNAME,
    operator_email: str = OPERATOR_EMAIL,
    operator_groups: Sequence[str] = OPERATOR_GROUPS,
    pool_name: str = POOL_NAME,
    client_name: str = CLIENT_NAME,
) -> LocalPool:
    """Create, or find by name, the local pool, its app client and the operator (with password and groups)."""
    client = cognito_client(endpoint_url, region)
    try:
        pool_id = _find_pool(client, pool_name)
        if pool_id is None:
            # Only the name is sent: the emulator hashes the request into the id, so it must never vary.
            pool_id = client.create_user_pool(PoolName=pool_name)["UserPool"]["Id"]
        client_id = _find_app_client(client, pool_id, client_name)
        if client_id is None:
            created = client.create_user_pool_client(
                UserPoolId=pool_id,
                ClientName=client_name,
                GenerateSecret=False,
                ExplicitAuthFlows=_AUTH_FLOWS,
            )
            client_id = created["UserPoolClient"]["ClientId"]
        _ensure_operator(
            client,
            pool_id,
            username=operator_username,
            password=operator_password,
            email=operator_email,
            groups=operator_groups,
        )
    except client.exceptions.InvalidPasswordException as exc:
        raise IdentityProviderError(
            "The local operator password does not satisfy the pool's password policy."
        ) from exc
    except (BotoCoreError, ClientError) as exc:
        raise IdentityProviderError(
            f"The local identity provider at {endpoint_url} could not set up the user pool: {_reason(exc)}"
        ) from exc
    return LocalPool(
        endpoint_url=endpoint_url,
        region=region,
        pool_id=pool_id,
        client_id=client_id,
        operator_username=operator_username,
    )


def mint_access_token(
    endpoint_url: str | None,
    pool: LocalPool | CognitoAppClient,
    username: str,
    password: str,
) -> str:
    """Sign in with USER_PASSWORD_AUTH and return a fresh access token."""
    app_client = pool.app_client if isinstance(pool, LocalPool) else pool
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
        raise IdentityProviderError(f"Cognito refused the sign-in: {_reason(exc)}") from exc
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
        raise IdentityProviderError(f"Cognito global sign-out failed: {_reason(exc)}") from exc


def _sign_with_v4(**_: Any) -> str:
    return "v4"


def _find_pool(client: CognitoIdentityProviderClient, name: str) -> str | None:
    for page in client.get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": 60}):
        for pool in page.get("UserPools", []):
            if pool.get("Name") == name and "Id" in pool:
                return pool["Id"]
    return None


def _find_app_client(client: CognitoIdentityProviderClient, pool_id: str, name: str) -> str | None:
    for page in client.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": 60}
    ):
        for app_client in page.get("UserPoolClients", []):
            if app_client.get("ClientName") == name and "ClientId" in app_client:
                return app_client["ClientId"]
    return None


def _ensure_operator(
    client: CognitoIdentityProviderClient,
    pool_id: str,
    *,
    username: str,
    password: str,
    email: str,
    groups: Sequence[str],
) -> None:
    attributes: list[AttributeTypeTypeDef] = [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
    ]
    try:
        client.admin_get_user(UserPoolId=pool_id, Username=username)
    except client.exceptions.UserNotFoundException:
        client.admin_create_user(
            UserPoolId=pool_id, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS"
        )
    else:
        client.admin_update_user_attributes(UserPoolId=pool_id, Username=username, UserAttributes=attributes)
    # Set on every start, so the configured password is the one that works and the user is CONFIRMED.
    client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)
    for group in groups:
        try:
            client.get_group(GroupName=group, UserPoolId=pool_id)
        except client.exceptions.ResourceNotFoundException:
            client.create_group(GroupName=group, UserPoolId=pool_id)
        client.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def _secret_hash(app_client: CognitoAppClient, username: str) -> str:
    secret = (app_client.client_secret or "").encode("utf-8")
    digest = hmac.new(secret, (username + app_client.client_id).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _reason(exc: BotoCoreError | ClientError) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "an error")
        return f"{code}."
    return "the service could not be reached."
