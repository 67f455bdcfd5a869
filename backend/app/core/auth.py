"""The FastAPI dependency every authenticated route uses: ``Authorization: Bearer <Cognito access token>``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.cognito import AccessClaims
from app.core.exceptions import AuthenticationError

_bearer = HTTPBearer(auto_error=False, description="Cognito access token")


@dataclass(frozen=True, slots=True)
class Caller:
    token: str
    claims: AccessClaims

    @property
    def user_id(self) -> str:
        return self.claims.sub


def require_caller(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Security(_bearer)
) -> Caller:
    """Authenticate the request or answer 401 with the contract's code."""
    if credentials is None or not credentials.credentials.strip():
        raise AuthenticationError(
            "An 'Authorization: Bearer <access token>' header is required.", code="missing_token"
        )
    token = credentials.credentials.strip()
    claims = request.app.state.container.auth_service.authenticate(token)
    caller = Caller(token=token, claims=claims)
    request.state.caller = caller
    return caller
