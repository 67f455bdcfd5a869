"""The local profile's identity provider: moto's Cognito emulator with a seeded operator (DESIGN §4).

moto keeps its state in memory, so every start of the emulator begins empty and ``ensure_pool`` recreates the
pool, app client, groups and operator. The ids stay the same across restarts because the emulator derives them
from a hash of the creation request instead of a random UUID (``EMULATOR_ENV``): the same pool name and
settings give the same pool id and, from it, the same client id. A server started here sets that switch
itself; a moto server run as a separate process needs ``EMULATOR_ENV`` in its environment.

Tokens minted by the emulator carry ``iss = https://cognito-idp.<region>.amazonaws.com/<pool id>`` (exactly
what real Cognito issues), while their keys are served by the emulator at
``<endpoint>/<pool id>/.well-known/jwks.json``; ``LocalPool`` gives both. Signing in and signing out go
through ``app.clients.cognito_client``, the same calls production makes against a real pool.
Like real Cognito's, its access tokens carry the user's ``cognito:groups``: the seeded operator is in the
default group of every role, so its tokens may do everything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from botocore.exceptions import BotoCoreError, ClientError

from app.clients.cognito_client import (
    DEFAULT_REGION,
    CognitoAppClient,
    IdentityProviderError,
    cognito_client,
    describe_failure,
)
from app.core.constants.auth import DEFAULT_ROLE_GROUPS, Role

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.literals import ExplicitAuthFlowsTypeType
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

POOL_NAME: Final = "boeing-data-hub-local"
CLIENT_NAME: Final = "boeing-data-hub-dashboard"
OPERATOR_USERNAME: Final = "operator"
OPERATOR_EMAIL: Final = "operator@example.com"
OPERATOR_GROUPS: Final[tuple[str, ...]] = tuple(DEFAULT_ROLE_GROUPS[role] for role in Role)
"""The local operator is in the default group of every role, so it may do everything the API allows."""

EMULATOR_ENV: Final[Mapping[str, str]] = MappingProxyType(
    {
        "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
        "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
    }
)
"""Environment a moto server needs so that pool and client ids are derived from their definition."""

_AUTH_FLOWS: Final[list[ExplicitAuthFlowsTypeType]] = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


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
        reason = describe_failure(exc)
        raise IdentityProviderError(
            f"The local identity provider at {endpoint_url} could not set up the user pool: {reason}"
        ) from exc
    return LocalPool(
        endpoint_url=endpoint_url,
        region=region,
        pool_id=pool_id,
        client_id=client_id,
        operator_username=operator_username,
    )


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
