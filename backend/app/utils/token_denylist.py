"""Revoked access tokens, kept in Redis until the token would have expired anyway."""

from __future__ import annotations

import hashlib
import math

import redis

from app.core.constants.auth import REVOKED_TOKEN_KEY_PREFIX
from app.core.exceptions import ServiceUnavailableError

KEY_PREFIX = "boeing-hub:" + REVOKED_TOKEN_KEY_PREFIX


def token_key(token_id: str) -> str:
    return KEY_PREFIX + hashlib.sha256(token_id.encode()).hexdigest()


class TokenDenyList:
    """Fails closed: when Redis cannot answer, no token is accepted."""

    def __init__(self, client: redis.Redis[str]) -> None:
        self._redis = client

    def revoke(self, token_id: str, ttl_s: float) -> None:
        """Refuse ``token_id`` for the next ``ttl_s`` seconds."""
        try:
            self._redis.set(token_key(token_id), "1", ex=max(1, math.ceil(ttl_s)))
        except redis.RedisError as exc:
            raise ServiceUnavailableError("Redis is unreachable; the token could not be revoked.") from exc

    def is_revoked(self, token_id: str) -> bool:
        """Whether ``token_id`` was revoked and has not expired yet."""
        try:
            return bool(self._redis.exists(token_key(token_id)))
        except redis.RedisError as exc:
            raise ServiceUnavailableError("Redis is unreachable; the token cannot be checked.") from exc
