"""``sync_history`` (price/stock changes old → new, and final sync failures) and ``sync_daily_summary``.

``old_price``/``new_price`` are Boeing's base price (before markup), like
``product_sync_schedule.last_price``; ``old_locations``/``new_locations`` are the stock per mapped Shopify
location as ``[[name, quantity], ...]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from psycopg.types.json import Jsonb

from app.core.constants.sync import SyncHistoryKind
from app.db.base_store import BaseStore


@dataclass(frozen=True, slots=True)
class SyncChange:
    """A change written to Shopify, old → new; ``reason`` names a sync guard that shaped it, if any."""

    sku: str
    old_price: Decimal | None
    new_price: Decimal | None
    old_quantity: int | None
    new_quantity: int | None
    old_locations: list[list[Any]]
    new_locations: list[list[Any]]
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DailySummary:
    day: date
    total_products: int
    synced: int
    changed: int
    failed: int


class SyncHistoryStore(BaseStore):
    def add_change(self, change: SyncChange) -> int:
        """Record one change written to Shopify."""
        return int(
            self._scalar(
                "record a sync change",
                """
                INSERT INTO sync_history (sku, kind, old_price, new_price, old_quantity, new_quantity,
                                          old_locations, new_locations, reason)
                VALUES (%s, 'change', %s, %s, %s, %s, %s, %s, %s) RETURNING id
                """,
                (
                    change.sku,
                    change.old_price,
                    change.new_price,
                    change.old_quantity,
                    change.new_quantity,
                    Jsonb(change.old_locations),
                    Jsonb(change.new_locations),
                    change.reason,
                ),
            )
        )

    def add_failures(self, failures: Sequence[tuple[str, str]]) -> int:
        """Record final failures as (sku, error) pairs."""
        if not failures:
            return 0
        return self._execute(
            "record sync failures",
            "INSERT INTO sync_history (sku, kind, error)"
            " SELECT sku, 'failure', error FROM unnest(%s::text[], %s::text[]) AS v(sku, error)",
            ([sku for sku, _ in failures], [error[:1000] for _, error in failures]),
        )

    def count_between(self, kind: SyncHistoryKind, start: datetime, end: datetime) -> int:
        """History rows of ``kind`` created in ``[start, end)``."""
        return int(
            self._scalar(
                "count sync history",
                "SELECT count(*) FROM sync_history WHERE kind = %s AND created_at >= %s AND created_at < %s",
                (kind, start, end),
            )
        )

    def prune_older_than(self, retention_days: int) -> int:
        """Delete history past its retention; return how many rows went."""
        return self._execute(
            "prune sync history",
            "DELETE FROM sync_history WHERE created_at < now() - make_interval(days => %s)",
            (retention_days,),
        )


class SyncDailySummaryStore(BaseStore):
    def upsert(self, summary: DailySummary) -> None:
        """Write (or rewrite) the summary of one UTC day."""
        self._execute(
            "write the daily sync summary",
            """
            INSERT INTO sync_daily_summary (day, total_products, synced, changed, failed)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (day) DO UPDATE
               SET total_products = EXCLUDED.total_products, synced = EXCLUDED.synced,
                   changed = EXCLUDED.changed, failed = EXCLUDED.failed, created_at = now()
            """,
            (summary.day, summary.total_products, summary.synced, summary.changed, summary.failed),
        )

    def get(self, day: date) -> DailySummary | None:
        """The summary of one UTC day, if written."""
        row = self._row(
            "read the daily sync summary",
            "SELECT day, total_products, synced, changed, failed FROM sync_daily_summary WHERE day = %s",
            (day,),
        )
        return DailySummary(**row) if row else None
