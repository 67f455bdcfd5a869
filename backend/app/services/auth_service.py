"""Who is calling: verify Cognito access tokens, record operators, revoke on logout, global sign-out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from app.clients.cognito_client import IdentityProviderError, global_sign_out
from app.core.cognito import AccessClaims, CognitoVerifier, IdentityProviderUnavailable, TokenError
from app.core.exceptions import AuthenticationError, ServiceUnavailableError
from app.db.unit_of_work import UnitOfWorkFactory
from app.utils.token_denylist import TokenDenyList

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Operator:
    user_id: str
    username: str
    email: str | None
    groups: list[str]


@dataclass(frozen=True, slots=True)
class LogoutResult:
    global_signout_success: bool


class AuthService:
    def __init__(
        self,
        *,
        verifier: CognitoVerifier,
        denylist: TokenDenyList,
        uow_factory: UnitOfWorkFactory,
        cognito_endpoint_url: str | None,
        cognito_region: str,
    ) -> None:
        self._verifier = verifier
        self._denylist = denylist
        self._uow_factory = uow_factory
        self._endpoint_url = cognito_endpoint_url
        self._region = cognito_region

    def authenticate(self, token: str) -> AccessClaims:
        """Verify the token (signature, issuer, use, client, expiry) and that it was not revoked."""
        try:
            claims = self._verifier.verify(token)
        except TokenError as exc:
            raise AuthenticationError(exc.detail, code=exc.code) from None
        except IdentityProviderUnavailable as exc:
            raise ServiceUnavailableError("The identity provider's signing keys are unavailable.") from exc
        if self._denylist.is_revoked(claims.jti or token):
            raise AuthenticationError("The access token was revoked by a logout.", code="token_revoked")
        return claims

    def me(self, claims: AccessClaims) -> Operator:
        """The caller's profile; records the operator in ``users``."""
        with self._uow_factory() as uow:
            row = uow.users.record_seen(
                sub=claims.sub, username=claims.username, email=claims.email, groups=list(claims.groups)
            )
        return Operator(user_id=row.sub, username=row.username, email=row.email, groups=list(row.groups))

    def logout(self, token: str, claims: AccessClaims) -> LogoutResult:
        """Refuse this token from now until it expires, then sign the user out of Cognito everywhere."""
        remaining = (claims.exp - datetime.now(UTC)).total_seconds() + self._verifier.leeway_s
        self._denylist.revoke(claims.jti or token, remaining)
        try:
            global_sign_out(self._endpoint_url, token, region=self._region)
        except IdentityProviderError as exc:
            logger.warning("Cognito global sign-out failed for %s: %s", claims.username, exc)
            return LogoutResult(global_signout_success=False)
        return LogoutResult(global_signout_success=True)
