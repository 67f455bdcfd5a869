"""``task_outbox``: task messages written inside the transaction of the work that needs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from app.db.base_store import BaseStore


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    task_name: str
    args: list[Any]
    kwargs: dict[str, Any]
    options: dict[str, Any]
    headers: dict[str, Any]


class OutboxStore(BaseStore):
    def add(
        self,
        task_name: str,
        args: list[Any],
        kwargs: dict[str, Any],
        options: dict[str, Any],
        headers: dict[str, Any],
    ) -> int:
        """Write one message; it becomes visible to the relay only when the transaction commits."""
        return int(
            self._scalar(
                "queue a task",
                "INSERT INTO task_outbox (task_name, args, kwargs, options, headers)"
                " VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (task_name, Jsonb(args), Jsonb(kwargs), Jsonb(options), Jsonb(headers)),
            )
        )

    def claim(
        self,
        *,
        ids: list[int] | None,
        older_than_s: float,
        limit: int,
        claim_s: float,
    ) -> list[OutboxMessage]:
        """Claim unsent messages (the given ids, or any older than ``older_than_s``) for ``claim_s``."""
        rows = self._rows(
            "claim queued tasks",
            """
            UPDATE task_outbox SET claimed_until = now() + make_interval(secs => %(claim_s)s)
            WHERE id IN (
                SELECT id FROM task_outbox
                WHERE sent_at IS NULL
                  AND (claimed_until IS NULL OR claimed_until < now())
                  AND (%(ids)s::bigint[] IS NULL OR id = ANY(%(ids)s::bigint[]))
                  AND (%(ids)s::bigint[] IS NOT NULL
                       OR created_at < now() - make_interval(secs => %(older_than_s)s))
                ORDER BY id
                LIMIT %(limit)s
                FOR UPDATE SKIP LOCKED)
            RETURNING id, task_name, args, kwargs, options, headers
            """,
            {"ids": ids, "older_than_s": older_than_s, "limit": limit, "claim_s": claim_s},
        )
        return [OutboxMessage(**row) for row in sorted(rows, key=lambda r: r["id"])]

    def mark_sent(self, ids: list[int]) -> int:
        """Record that these messages reached the broker."""
        return self._execute(
            "mark tasks sent",
            "UPDATE task_outbox SET sent_at = now(), claimed_until = NULL WHERE id = ANY(%s)",
            (ids,),
        )

    def purge_sent(self, older_than_s: float) -> int:
        """Delete messages sent longer ago than ``older_than_s``."""
        return self._execute(
            "purge sent tasks",
            "DELETE FROM task_outbox WHERE sent_at < now() - make_interval(secs => %s)",
            (older_than_s,),
        )
