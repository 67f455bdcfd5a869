"""Auth responses (http-api §3.2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

RoleValue = Literal["viewer", "operator", "admin"]
"""The wire spelling of ``Role`` (a unit test keeps them equal)."""


class MeResponse(BaseModel):
    user_id: str
    username: str
    email: str | None
    groups: list[str]
    role: RoleValue | None = Field(
        description="The highest role the caller's groups grant (admin ⊇ operator ⊇ viewer); null for none."
    )


class LogoutResponse(BaseModel):
    success: bool
    message: str
    global_signout_success: bool
