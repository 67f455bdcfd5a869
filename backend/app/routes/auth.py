"""Authentication: who am I, and logout."""

from __future__ import annotations

from dataclasses import asdict

from app.routes.deps import AuthServiceDep, CallerDep, authenticated_router
from app.schemas.auth import LogoutResponse, MeResponse

router = authenticated_router("auth", role_checked=False)


@router.get("/me", response_model=MeResponse)
def me(caller: CallerDep, service: AuthServiceDep) -> MeResponse:
    return MeResponse(**asdict(service.me(caller.claims)))


@router.post("/logout", response_model=LogoutResponse)
def logout(caller: CallerDep, service: AuthServiceDep) -> LogoutResponse:
    result = service.logout(caller.token, caller.claims)
    message = (
        "Logged out." if result.global_signout_success else "Logged out here; Cognito global sign-out failed."
    )
    return LogoutResponse(success=True, message=message, global_signout_success=result.global_signout_success)
