"""Revoked access tokens, kept in Redis until the token would have expired anyway.

Two kinds of mark: one token (the one a logout presented, by ``jti``), and one user (the instant of that
user's last logout: every token of the user issued at or before it is refused, whatever device holds it).
Both are read in one round trip per request.
"""

from __future__ import annotations

import hashlib
import math

import redis

from app.core.constants.auth import REVOKED_TOKEN_KEY_PREFIX, SIGNED_OUT_USER_KEY_PREFIX
from app.core.exceptions import ServiceUnavailableError

KEY_PREFIX = "boeing-hub:" + REVOKED_TOKEN_KEY_PREFIX
USER_KEY_PREFIX = "boeing-hub:" + SIGNED_OUT_USER_KEY_PREFIX

# Keeps the later of two logout instants: a slow logout finishing after a newer one never moves the mark back.
_SIGN_OUT_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
"""


def token_key(token_id: str) -> str:
    return KEY_PREFIX + hashlib.sha256(token_id.encode()).hexdigest()


def user_key(user_id: str) -> str:
    return USER_KEY_PREFIX + hashlib.sha256(user_id.encode()).hexdigest()


class TokenDenyList:
    """Fails closed: when Redis cannot answer, no token is accepted."""

    def __init__(self, client: redis.Redis[str]) -> None:
        self._redis = client
        self._sign_out = client.register_script(_SIGN_OUT_SCRIPT)

    def revoke(self, token_id: str, ttl_s: float) -> None:
        """Refuse ``token_id`` for the next ``ttl_s`` seconds."""
        try:
            self._redis.set(token_key(token_id), "1", ex=_seconds(ttl_s))
        except redis.RedisError as exc:
            raise ServiceUnavailableError("Redis is unreachable; the token could not be revoked.") from exc

    def sign_out_user(self, user_id: str, *, at: int, ttl_s: float) -> None:
        """Refuse, for the next ``ttl_s`` seconds, every token of ``user_id`` issued at or before ``at``
        (epoch seconds); a later mark already set stays."""
        try:
            self._sign_out(keys=[user_key(user_id)], args=[at, _seconds(ttl_s)])
        except redis.RedisError as exc:
            raise ServiceUnavailableError("Redis is unreachable; the user could not be signed out.") from exc

    def is_revoked(self, token_id: str, *, user_id: str, issued_at: int | None) -> bool:
        """Whether ``token_id`` was revoked, or its user logged out at or after ``issued_at`` (epoch seconds;
        ``None``, a token that does not say when it was issued, counts as issued before any logout)."""
        try:
            revoked, signed_out_at = self._redis.mget([token_key(token_id), user_key(user_id)])
        except redis.RedisError as exc:
            raise ServiceUnavailableError("Redis is unreachable; the token cannot be checked.") from exc
        if revoked is not None:
            return True
        if signed_out_at is None:
            return False
        # The token's issue time has one-second precision: a token issued in the logout's own second may
        # predate it, so it is refused too (a sign-in in that same second has to be repeated).
        return issued_at is None or issued_at <= int(signed_out_at)


def _seconds(ttl_s: float) -> int:
    return max(1, math.ceil(ttl_s))
