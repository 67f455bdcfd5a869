"""Authentication and authorization values: Cognito access-token validation (HTTP API § 1.2) and the roles a
caller's ``cognito:groups`` grant."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

JWKS_CACHE_TTL_S: Final = 3600
"""How long fetched JWKS signing keys are cached; an unknown ``kid`` refreshes the set sooner."""

JWT_ALGORITHMS: Final[tuple[str, ...]] = ("RS256",)
"""The only signature algorithm accepted on access tokens."""

JWT_LEEWAY_S: Final = 60
"""Clock-skew allowance when checking ``exp``."""

REQUIRED_TOKEN_USE: Final = "access"
"""``token_use`` claim required: ID tokens are rejected."""

REVOKED_TOKEN_KEY_PREFIX: Final = "auth:revoked:"
"""Redis key prefix of revoked tokens (kept until the token's own ``exp``)."""

SIGNED_OUT_USER_KEY_PREFIX: Final = "auth:signed-out:"
"""Redis key prefix of a user's last logout: tokens of that user issued at or before it are refused."""

MAX_ACCESS_TOKEN_LIFETIME_S: Final = 24 * 3600
"""The longest validity Cognito gives an access token (its upper bound is one day): a user's logout mark is
kept this long, plus the leeway, so every token issued before it has expired by the time the mark goes."""


class Role(StrEnum):
    """What a caller may do, declared from least to most allowed; each role includes the ones before it
    (admin ⊇ operator ⊇ viewer).

    viewer: read. operator: also start, cancel, publish, edit, re-activate and trigger work. admin: also
    store-wide setup (the Shopify metafield definitions)."""

    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in the inclusion order: a role grants every role of a lower or equal rank."""
        return list(Role).index(self)


DEFAULT_ROLE_GROUPS: Final[Mapping[Role, str]] = MappingProxyType(
    {Role.VIEWER: "viewer", Role.OPERATOR: "operator", Role.ADMIN: "admin"}
)
"""The Cognito group granting each role unless ``COGNITO_<ROLE>_GROUP`` names another."""
