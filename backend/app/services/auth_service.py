"""Who is calling and what they may do: verify Cognito access tokens, grant roles from the token's groups,
record operators, revoke on logout, global sign-out.

Roles nest (admin ⊇ operator ⊇ viewer); each is granted by one configured Cognito group, so a caller's role is
the highest one whose group, or a higher role's group, is among its ``cognito:groups``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from app.clients.cognito_client import IdentityProviderError, global_sign_out
from app.core.cognito import AccessClaims, CognitoVerifier, IdentityProviderUnavailable, TokenError
from app.core.constants.auth import MAX_ACCESS_TOKEN_LIFETIME_S, Role
from app.core.exceptions import AuthenticationError, PermissionDenied, ServiceUnavailableError
from app.db.unit_of_work import UnitOfWorkFactory
from app.utils.token_denylist import TokenDenyList

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Operator:
    user_id: str
    username: str
    email: str | None
    groups: list[str]
    role: Role | None


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
        role_groups: Mapping[Role, str],
        cognito_endpoint_url: str | None,
        cognito_region: str,
    ) -> None:
        missing = set(Role) - set(role_groups)
        if missing:
            raise ValueError(f"No Cognito group grants the role(s) {', '.join(sorted(missing))}.")
        self._verifier = verifier
        self._denylist = denylist
        self._uow_factory = uow_factory
        self._role_groups = dict(role_groups)
        self._endpoint_url = cognito_endpoint_url
        self._region = cognito_region

    def authenticate(self, token: str) -> AccessClaims:
        """Verify the token (signature, issuer, use, client, expiry) and that no logout revoked it."""
        try:
            claims = self._verifier.verify(token)
        except TokenError as exc:
            raise AuthenticationError(exc.detail, code=exc.code) from None
        except IdentityProviderUnavailable as exc:
            raise ServiceUnavailableError("The identity provider's signing keys are unavailable.") from exc
        if self._denylist.is_revoked(claims.jti or token, user_id=claims.sub, issued_at=claims.issued_at):
            raise AuthenticationError("The access token was revoked by a logout.", code="token_revoked")
        return claims

    def role_of(self, claims: AccessClaims) -> Role | None:
        """The highest role the token's groups grant, or None when they grant none."""
        granted = [role for role in Role if self._role_groups[role] in claims.groups]
        return max(granted, key=lambda role: role.rank, default=None)

    def authorize(self, claims: AccessClaims, required: Role) -> Role:
        """The caller's role when it includes ``required``; else ``PermissionDenied`` naming the groups
        that would grant it."""
        role = self.role_of(claims)
        if role is not None and role.rank >= required.rank:
            return role
        raise PermissionDenied(f"This request needs the {required} role: {self._groups_phrase(required)}.")

    def groups_granting(self, role: Role) -> list[str]:
        """The configured groups whose members have ``role``: its own and those of the roles above it."""
        groups = [self._role_groups[other] for other in Role if other.rank >= role.rank]
        return list(dict.fromkeys(groups))

    def me(self, claims: AccessClaims) -> Operator:
        """The caller's profile and role; records the operator in ``users``."""
        with self._uow_factory() as uow:
            row = uow.users.record_seen(
                sub=claims.sub, username=claims.username, email=claims.email, groups=list(claims.groups)
            )
        return Operator(
            user_id=row.sub,
            username=row.username,
            email=row.email,
            groups=list(row.groups),
            role=self.role_of(claims),
        )

    def logout(self, token: str, claims: AccessClaims) -> LogoutResult:
        """Refuse this token and every other token of its user issued until now, then sign the user out of
        Cognito everywhere (which stops the refresh tokens from minting new ones)."""
        now = datetime.now(UTC)
        remaining = (claims.exp - now).total_seconds() + self._verifier.leeway_s
        self._denylist.revoke(claims.jti or token, remaining)
        # Kept as long as any access token issued before now can still be valid.
        self._denylist.sign_out_user(
            claims.sub,
            at=int(now.timestamp()),
            ttl_s=MAX_ACCESS_TOKEN_LIFETIME_S + self._verifier.leeway_s,
        )
        try:
            global_sign_out(self._endpoint_url, token, region=self._region)
        except IdentityProviderError as exc:
            logger.warning("Cognito global sign-out failed for %s: %s", claims.username, exc)
            return LogoutResult(global_signout_success=False)
        return LogoutResult(global_signout_success=True)

    def _groups_phrase(self, role: Role) -> str:
        quoted = [f"'{group}'" for group in self.groups_granting(role)]
        if len(quoted) == 1:
            return f"membership in the Cognito group {quoted[0]}"
        return f"membership in one of the Cognito groups {', '.join(quoted[:-1])} or {quoted[-1]}"
