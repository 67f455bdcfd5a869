"""``users``: the operators seen (Cognito sub, email, groups, last seen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.db.base_store import BaseStore


@dataclass(frozen=True, slots=True)
class UserRow:
    sub: str
    username: str
    email: str | None
    groups: list[str]
    first_seen_at: datetime
    last_seen_at: datetime


class UserStore(BaseStore):
    def record_seen(self, *, sub: str, username: str, email: str | None, groups: list[str]) -> UserRow:
        """Insert the operator or refresh their details and last-seen time."""
        row = self._row(
            "record the operator",
            """
            INSERT INTO users (sub, username, email, groups) VALUES (%s, %s, %s, %s)
            ON CONFLICT (sub) DO UPDATE
               SET username = EXCLUDED.username, email = EXCLUDED.email,
                   groups = EXCLUDED.groups, last_seen_at = now()
            RETURNING sub, username, email, groups, first_seen_at, last_seen_at
            """,
            (sub, username, email, groups),
        )
        assert row is not None
        return UserRow(**row)

    def get(self, sub: str) -> UserRow | None:
        """The operator with this Cognito sub, if seen."""
        row = self._row(
            "read the operator",
            "SELECT sub, username, email, groups, first_seen_at, last_seen_at FROM users WHERE sub = %s",
            (sub,),
        )
        return UserRow(**row) if row else None
