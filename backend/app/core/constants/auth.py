"""Authentication values for Cognito access-token validation (HTTP API § 1.2)."""

from __future__ import annotations

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
