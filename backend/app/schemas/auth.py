"""Auth responses (http-api §3.2)."""

from __future__ import annotations

from pydantic import BaseModel


class MeResponse(BaseModel):
    user_id: str
    username: str
    email: str | None
    groups: list[str]


class LogoutResponse(BaseModel):
    success: bool
    message: str
    global_signout_success: bool
