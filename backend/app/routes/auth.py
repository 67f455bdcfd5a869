"""Authentication: who am I, and logout."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends

from app.core.auth import Caller, require_caller
from app.routes.deps import get_auth_service
from app.schemas.auth import LogoutResponse, MeResponse
from app.services.auth_service import AuthService

router = APIRouter(tags=["auth"])


@router.get("/me", response_model=MeResponse)
def me(
    caller: Caller = Depends(require_caller), service: AuthService = Depends(get_auth_service)
) -> MeResponse:
    return MeResponse(**asdict(service.me(caller.claims)))


@router.post("/logout", response_model=LogoutResponse)
def logout(
    caller: Caller = Depends(require_caller), service: AuthService = Depends(get_auth_service)
) -> LogoutResponse:
    result = service.logout(caller.token, caller.claims)
    message = (
        "Logged out." if result.global_signout_success else "Logged out here; Cognito global sign-out failed."
    )
    return LogoutResponse(success=True, message=message, global_signout_success=result.global_signout_success)
