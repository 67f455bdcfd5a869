"""What the identity tests share: the seeded operator's password and a verifier of a pool's tokens (their
emulator and pool fixtures are in ``tests/integration/conftest.py``)."""

from __future__ import annotations

from app.core.cognito import CognitoVerifier
from app.local.identity import LocalPool

IDENTITY_PASSWORD = "Operator-Passw0rd!"


def verifier_for(pool: LocalPool) -> CognitoVerifier:
    """A verifier of ``pool``'s access tokens."""
    return CognitoVerifier(pool.jwks_url, pool.issuer, [pool.client_id], jwks_cache_ttl_s=300)
