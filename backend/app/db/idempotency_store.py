"""``idempotency_keys``: a bulk request's key, unique per endpoint, and its batch (http-api §1.8)."""

from __future__ import annotations

from app.core.constants.batches import IdempotencyScope
from app.db.base_store import BaseStore

__all__ = ["IdempotencyStore"]


class IdempotencyStore(BaseStore):
    def find(self, endpoint: IdempotencyScope, key: str) -> str | None:
        """The batch created earlier for ``key`` at ``endpoint``, if any."""
        value = self._scalar(
            "read an idempotency key",
            "SELECT batch_id FROM idempotency_keys WHERE endpoint = %s AND key = %s",
            (endpoint, key),
        )
        return str(value) if value is not None else None

    def record(self, endpoint: IdempotencyScope, key: str, batch_id: str) -> None:
        """Remember ``key`` at ``endpoint`` for ``batch_id``; a concurrent twin raises ``ConflictError``."""
        self._execute(
            "record an idempotency key",
            "INSERT INTO idempotency_keys (endpoint, key, batch_id) VALUES (%s, %s, %s)",
            (endpoint, key, batch_id),
        )
